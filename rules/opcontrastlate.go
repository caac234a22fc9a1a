package rules

// late moves an operation that completed after it was judged from its
// group's sub-type to the completed ones, so that the contrast's numbers
// follow the finding's (a stalled queue that drains leaves its jobs
// counted as completed). What the operation showed at judgement is read
// back from what it still exposes: its values are unchanged but for the
// last poll, which was the poll before the completing one. It is moved
// only for stuck_pending and client_gave_up (the sub-types that complete
// late in practice) and only where every value it was counted under is
// still there to move: a count never goes negative.
func (c *opContrasts) late(l *lifecycle, op *op) {
	g, pi := l.grpAll[op.g], l.tab.pollsOf(op)
	if g == nil || pi == nil || pi.n < 2 {
		return
	}
	cls := opClass(g.key.sub)
	if cls != opClass(SubStuckPending) && cls != opClass(SubClientGaveUp) {
		return
	}
	oc := c.counts(l.epOf(op).key.o, false)
	if oc == nil {
		return
	}
	e := oc.ep.find(op.open)
	if e == nil || e.tot.fail[cls] < 1 {
		return
	}
	var vals [numOpDims]string
	l.opValues(op, &vals)
	done := vals[opDimLastPoll]
	prev := pi.firstSmp.status
	if pi.nLast >= 2 {
		prev = pi.lastPolls[(pi.nLast-2)%2].status
	}
	vals[opDimLastPoll] = pollStatusValue(prev)
	for d := range vals {
		if vals[d] != "" && !e.dims[d].hasFailing(vals[d], cls) {
			return
		}
	}
	for d := range vals {
		if vals[d] == "" {
			continue
		}
		e.dims[d].add(vals[d], -1, cls)
		if d == opDimLastPoll {
			e.dims[d].add(done, 1, -1)
		} else {
			e.dims[d].add(vals[d], 1, -1)
		}
	}
	e.tot.fail[cls]--
	oc.tl.unfail(op.open, cls)
}

// hasFailing reports whether value v has a failure of class cls counted
// (in its entry, or in Other when the full table did not keep it).
// A scan, not the index: an operations table holds at most opValueCap
// values, and late completions are rare.
func (t *capTable) hasFailing(v string, cls int) bool {
	for i := range t.ents {
		if t.ents[i].v == v {
			return t.ents[i].fail[cls] > 0
		}
	}
	return len(t.ents) >= t.limit && t.other.fail[cls] > 0
}

// find returns the epoch of opening time t, nil when none holds it.
func (s *opEpochs) find(t int64) *opEpoch {
	if s.w == 0 || t < s.t0 {
		return nil
	}
	if i := (t - s.t0) / s.w; i < int64(len(s.e)) {
		return s.e[i]
	}
	return nil
}

// unfail turns one operation of class cls opened at t into a completed one.
func (s *opSeries) unfail(t int64, cls int) {
	if s.w == 0 || t < s.t0 {
		return
	}
	if i := (t - s.t0) / s.w; i < int64(len(s.b)) && s.b[i].fail[cls] > 0 {
		s.b[i].fail[cls]--
	}
}
