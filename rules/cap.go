package rules

import "slices"

// The findings list is capped (Config.MaxFindings) so that memory stays flat
// on endless input: past the cap the finding whose evidence last changed
// longest ago is dropped, preferring resolved ones — a burst that can no
// longer grow or change through the join, a 202 group to which no operation
// was judged for a whole pending timeout. Dropped findings are counted
// (Snapshot.DroppedFindings), never silent. Fire-and-forget endpoints are
// reported per endpoint and bounded with the endpoints, not by this cap.

// capFindings drops findings while there are more than the cap.
func (e *Engine) capFindings() {
	for len(e.bursts)+len(e.life.grpList) > e.cfg.MaxFindings {
		if !e.dropOldestFinding() {
			return
		}
	}
}

func (e *Engine) dropOldestFinding() bool {
	const none = int64(1<<63 - 1)
	burstDone := e.now - e.keep - joinRayWindow
	groupDone := e.now - e.timeout
	bi, gi := -1, -1
	bestT, bestResolved := none, false
	better := func(t int64, resolved bool) bool {
		if resolved != bestResolved {
			return resolved
		}
		return t < bestT
	}
	for i, b := range e.bursts {
		if r := b.endT < burstDone; better(b.endT, r) {
			bi, gi, bestT, bestResolved = i, -1, b.endT, r
		}
	}
	for i, g := range e.life.grpList {
		if r := g.touched < groupDone; better(g.touched, r) {
			bi, gi, bestT, bestResolved = -1, i, g.touched, r
		}
	}
	switch {
	case bi >= 0:
		b := e.bursts[bi]
		if d := b.o.dets[b.idx]; d != nil && d.cur == b {
			d.cur = nil // the next dense error starts a new burst
		}
		e.tl.dropSeries(b.tl)
		e.bursts = slices.Delete(e.bursts, bi, bi+1)
	case gi >= 0:
		l := &e.life
		g := l.grpList[gi]
		delete(l.groups, g.key)
		e.tl.dropSeries(g.tl)
		l.grpList = slices.Delete(l.grpList, gi, gi+1)
	default:
		return false
	}
	e.droppedFindings++
	return true
}

// dropSeries stops keeping a dropped finding's counts aligned.
func (tl *timeline) dropSeries(s *series) {
	for i, x := range tl.series {
		if x == s {
			tl.series = slices.Delete(tl.series, i, i+1)
			return
		}
	}
}
