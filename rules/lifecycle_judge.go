package rules

// judge classifies an operation at its J.
func (l *lifecycle) judge(op *op) {
	sub := l.classifyAt(op, l.deadline(op))
	if sub == "" { // poll style body: polling stopped after a 200
		l.opc.add(l, op, "")
		ep := l.epOf(op)
		ep.completed++
		ep.latency.add(l.tab.pollsOf(op).lastT - op.open)
		l.inflight--
		l.unlink(op)
		l.dequeue(op)
		op.state = opDone
		l.live--
		l.tab.release(op)
		return
	}
	l.inflight--
	op.state = opJudged
	l.addToGroup(op, sub)
	if op.host == 0 { // never linked: nothing can poll it any more
		l.dequeue(op)
		op.state = opGone
		l.live--
		l.tab.release(op)
	}
}

// classifyAt gives the sub-type of an operation judged at J ("" = inferred
// complete, poll style body).
func (l *lifecycle) classifyAt(op *op, j int64) string {
	pi := l.tab.pollsOf(op)
	if pi == nil || pi.n == 0 {
		return SubNeverPolled
	}
	// only polls up to J decide (later ones keep counting for late completion)
	s := pi.last
	if sub := failedSub[statusClass(s)]; sub != "" {
		return sub
	}
	g := minGrace
	if len(pi.intervals) > 0 {
		if m := 3 * medianInt64(pi.intervals); m > g {
			g = m
		}
	}
	if statusClass(s) == classOK && op.body && pi.lastT < j-g {
		return ""
	}
	if pi.lastT >= j-g {
		return SubStuckPending
	}
	return SubClientGaveUp
}

func (l *lifecycle) addToGroup(op *op, sub string) {
	ep := l.epOf(op)
	k := groupKey{ep, sub}
	g := l.groups[k]
	if g == nil {
		g = l.newGroup(k)
	}
	g.touched = l.e.now
	op.g = g.slot
	l.opc.add(l, op, sub)
	g.version++
	g.count++
	g.total++
	if g.start == 0 || op.open < g.start {
		g.start = op.open
	}
	end := op.open
	pi := l.tab.pollsOf(op)
	if pi != nil && pi.n > 0 {
		if pi.lastT > end {
			end = pi.lastT
		}
		g.pollsSum += int64(pi.n)
		if len(pi.intervals) > 0 {
			g.intervals.add(medianInt64(pi.intervals))
		}
		g.lastSt.add(statusKey(pi.last), 1)
		g.firstSt.add(statusKey(pi.first), 1)
		g.lastPolls.add(statusKey(pi.last), 1)
	}
	if end > g.end {
		g.end = end
	}
	if ra := op.retryAfter; ra >= 0 {
		g.retryAfter.add(int64(ra))
	}
	if op.loc != locNone {
		g.withLoc++
		if op.loc == locRelative {
			g.relLoc++
		}
	}
	if op.linkedBy >= 0 {
		g.linked[op.linkedBy]++
	} else {
		g.unlinked++
	}
	c := "-"
	if ip := l.tab.str(op.ip); ip != "" {
		c = l.e.in.get(ip) // the counter keeps it: not a view of the arena
	}
	g.clients.add(c, 1)
	l.e.tl.addTo(g.tl, op.open, 1)
	if max := l.e.cfg.MaxSamples; len(g.samples) < max {
		g.samples = append(g.samples, l.openSample(op))
		if pi != nil && pi.n > 0 && len(g.samples) < max {
			g.samples = append(g.samples, pi.firstSmp)
			for i := 0; i < 2 && i < pi.nLast && len(g.samples) < max; i++ {
				g.samples = append(g.samples, l.lastPollSample(pi, &pi.lastPolls[(pi.nLast-1-i)%2]))
			}
		}
	}
}

// newGroup starts the finding of an endpoint and sub-type.
func (l *lifecycle) newGroup(k groupKey) *group {
	g := &group{key: k, tl: l.e.tl.newSeries(), slot: int32(len(l.grpAll)),
		id: stableID("incomplete_202", k.ep.key.o.name, k.ep.name, k.sub)}
	l.groups[k] = g
	l.grpList = append(l.grpList, g)
	l.grpAll = append(l.grpAll, g)
	return g
}
