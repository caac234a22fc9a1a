package rules

import "slices"

// The findings list is capped (Config.MaxFindings) so that memory stays flat
// on endless input: past the cap the finding whose evidence last changed
// longest ago is dropped, preferring resolved ones — a burst that can no
// longer grow or change through the join, a 202 group to which no operation
// was judged for a whole pending timeout. Dropped findings are counted
// (Snapshot.DroppedFindings), never silent. Fire-and-forget endpoints and
// steady_5xx findings are bounded with the endpoints and origins, not by
// this cap.
//
// The cap is the engine's: a detector only says what it holds (held), which
// of its findings it would give up first (oldest) and drops it when told
// (drop). The engine applies the cap once after each record has been handed
// to every detector and once after each round of timed work, so a detector
// never caps itself and a new detector cannot forget to.

// capCandidate is a detector's finding that the cap would drop first.
type capCandidate struct {
	at       int64  // event time its evidence last changed
	resolved bool   // it can no longer change
	id       string // the finding's stable ID
	i        int    // its index in the detector's list
}

// older orders a detector's own findings: resolved first, then the least
// recently changed; on a tie the detector keeps the one that began first.
func (c capCandidate) older(o capCandidate) bool {
	if c.resolved != o.resolved {
		return c.resolved
	}
	return c.at < o.at
}

// before orders the detectors' candidates as older does, ties by ID: which
// finding goes depends on the findings only, never on the order in which
// the detectors were registered (burst_520 < burst_5xx < incomplete_202,
// so a burst goes before a group it ties with).
func (c capCandidate) before(o capCandidate) bool {
	if c.older(o) || o.older(c) {
		return c.older(o)
	}
	return c.id < o.id
}

// capFindings drops findings while the detectors hold more than the cap.
// It runs after every record, so the dropping, which rarely happens, is
// apart.
func (e *Engine) capFindings() {
	if n := e.held(); n > e.cfg.MaxFindings {
		e.dropOverCap(n)
	}
}

// dropOverCap drops the oldest findings until the n held fit the cap.
func (e *Engine) dropOverCap(n int) {
	for ; n > e.cfg.MaxFindings; n-- {
		best := -1
		var bc capCandidate
		for i, d := range e.detectors {
			if c, ok := d.oldest(e.now); ok && (best < 0 || c.before(bc)) {
				best, bc = i, c
			}
		}
		if best < 0 {
			return
		}
		e.detectors[best].drop(bc)
		e.droppedFindings++
	}
}

// held is how many findings the detectors hold: their held() summed,
// without a call for the engine's own detectors. With a call per detector
// (heldBy, before) the count after each record took as many instructions
// as Engine.add's own bookkeeping; summed in one loop, a quarter fewer.
func (e *Engine) held() (n int) {
	for _, d := range e.detectors {
		switch d := d.(type) {
		case *lifecycle:
			n += len(d.grpList)
		case *burst520Detector:
			n += len(d.bursts)
		case *stormDetector:
			n += len(d.bursts)
		default:
			n += d.held()
		}
	}
	return n
}

// burstList is a burst detector's bursts (520 bursts, 5xx storms), in the
// order they began: what it holds against the findings cap.
type burstList struct {
	bursts []*burst
}

func (bl *burstList) held() int { return len(bl.bursts) }

// oldestBurst is the burst the cap drops first. A burst is resolved when it
// can no longer grow nor change through the join.
func (bl *burstList) oldestBurst(e *Engine) (capCandidate, bool) {
	done := e.now - e.keep - joinRayWindow
	best, ok := capCandidate{}, false
	for i, b := range bl.bursts {
		if c := (capCandidate{at: b.endT, resolved: b.endT < done, id: b.id, i: i}); !ok || c.older(best) {
			best, ok = c, true
		}
	}
	return best, ok
}

// dropBurst forgets the burst c names and its timeline series.
func (bl *burstList) dropBurst(e *Engine, c capCandidate) {
	b := bl.bursts[c.i]
	if d := b.o.dets[b.idx]; d != nil && d.cur == b {
		d.cur = nil // the next dense error starts a new burst
	}
	e.tl.dropSeries(b.tl)
	bl.bursts = slices.Delete(bl.bursts, c.i, c.i+1)
}
