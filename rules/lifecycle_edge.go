package rules

// edgeCovered reports whether edge logs carry the traffic of host key k.
func (l *lifecycle) edgeCovered(k string) bool {
	if l.lastCovOK && k == l.lastCovK {
		return l.lastCov
	}
	c := l.edgeHosts[k]
	l.lastCovK, l.lastCov, l.lastCovOK = k, c, true
	return c
}

// edgeHost notes that an edge record of host key k was seen. The first time,
// operations opened from origin-log records of k are withdrawn: from now on
// that traffic is followed in the edge log (the client's view) and the
// origin's records only serve the join.
//
// Ordering: the merge repairs disorder only within its window, and an edge
// log may start later than the origin's log of the same traffic. Origin-log
// operations of k opened before its first edge record are therefore dropped
// (open ones closed without being counted as evictions, in flight or
// evicted), and origin-log endpoints that only k opened are withdrawn with
// their findings, so the same operation is never reported from both logs.
// Origin logs of hosts no edge log carries (and hostless logs named by
// their path) keep their own operations and findings.
//
// It reports whether k is among the edge hosts now (not past maxHosts).
func (l *lifecycle) edgeHost(k string) bool {
	if k == l.lastEdgeK || l.edgeHosts[k] {
		l.lastEdgeK = k
		return k != "" || l.edgeHosts[k] // lastEdgeK starts as "", not an edge host
	}
	if len(l.edgeHosts) >= maxHosts {
		return false
	}
	k = l.e.in.get(k)
	l.edgeHosts[k] = true
	l.lastEdgeK = k
	l.lastCovOK = false
	h := l.hosts[k]
	if h == nil {
		return true // no operation was ever opened or polled on k
	}
	for _, oh := range l.all[l.allHd:] {
		if op := l.tab.live(oh); op != nil && !l.epOf(op).key.edge && op.from == h.id {
			l.close(op)
		}
	}
	withdrawn := func(ep *endpoint) bool { return !ep.key.edge && ep.from == h && !ep.mixed }
	k2 := 0
	for _, ep := range l.epList {
		if withdrawn(ep) {
			if ep == l.lastEp {
				l.lastEp = nil
			}
			delete(l.eps, ep.key)
			continue
		}
		l.epList[k2] = ep
		k2++
	}
	clear(l.epList[k2:])
	l.epList = l.epList[:k2]
	k2 = 0
	for _, g := range l.grpList {
		if withdrawn(g.key.ep) {
			delete(l.groups, g.key)
			continue
		}
		l.grpList[k2] = g
		k2++
	}
	clear(l.grpList[k2:])
	l.grpList = l.grpList[:k2]
	return true
}
