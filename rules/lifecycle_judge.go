package rules

// judge classifies an operation at its J.
func (l *lifecycle) judge(op *op) {
	sub := l.classifyAt(op, l.deadline(op))
	if sub == "" { // poll style body: polling stopped after a 200
		op.ep.completed++
		op.ep.latency.add(op.polls.lastT - op.open)
		l.inflight--
		l.unlink(op)
		l.dequeue(op)
		op.state = opDone
		l.live--
		return
	}
	l.inflight--
	op.state = opJudged
	l.addToGroup(op, sub)
	if op.host == nil { // never linked: nothing can poll it any more
		l.dequeue(op)
		op.state = opGone
		l.live--
	}
}

// classifyAt gives the sub-type of an operation judged at J ("" = inferred
// complete, poll style body).
func (l *lifecycle) classifyAt(op *op, j int64) string {
	pi := op.polls
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
	k := groupKey{op.ep, sub}
	g := l.groups[k]
	if g == nil {
		g = &group{key: k, tl: l.e.tl.newSeries(),
			id: stableID("incomplete_202", op.ep.key.o.name, op.ep.name, sub)}
		l.groups[k] = g
		l.grpList = append(l.grpList, g)
		defer l.e.capFindings()
	}
	g.touched = l.e.now
	op.g = g
	g.version++
	g.count++
	g.total++
	if g.start == 0 || op.open < g.start {
		g.start = op.open
	}
	end := op.open
	pi := op.polls
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
	if ra := op.retryAfter(); ra >= 0 {
		g.retryAfter.add(int64(ra))
	}
	if op.hasLoc {
		g.withLoc++
		if op.relLoc {
			g.relLoc++
		}
	}
	if op.linkedBy >= 0 {
		g.linked[op.linkedBy]++
	} else {
		g.unlinked++
	}
	c := op.client.ip
	if c == "" {
		c = "-"
	}
	g.clients.add(c, 1)
	l.e.tl.addTo(g.tl, op.open, 1)
	if max := l.e.cfg.MaxSamples; len(g.samples) < max {
		g.samples = append(g.samples, op.openSample())
		if pi != nil && pi.n > 0 && len(g.samples) < max {
			g.samples = append(g.samples, pi.firstSmp)
			for i := 0; i < 2 && i < pi.nLast && len(g.samples) < max; i++ {
				g.samples = append(g.samples, pi.lastSmp[(pi.nLast-1-i)%2])
			}
		}
	}
}
