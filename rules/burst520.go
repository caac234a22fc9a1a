package rules

// burst520Detector finds 520 bursts: at least N 520s of one origin within
// W (Config.BurstMin, Config.BurstWindow), grown while the next dense 520
// comes within W of the burst's last. Every error in a window of N is
// dense: a 520 is a failure in itself, unlike a 502 (see storm.go), so
// there is no baseline test. The queue and the bursts are the dense-run
// core (burst.go), the finding burstbuild.go.
type burst520Detector struct {
	e *Engine
	burstList
}

func (d *burst520Detector) observe(rv recordView) {
	if rv.idx != 0 || !rv.counted {
		return
	}
	e := d.e
	run, _, full := e.queueError(rv.o, rv.r, 0)
	if full {
		e.markDense(rv.o, run, run.firstUnmarked(), &d.burstList)
	}
}

// due: a burst has no timed work of its own (it stops growing when no
// dense error comes; the join's timeouts are the engine's).
func (d *burst520Detector) due(int64) int64 { return maxTime }

func (d *burst520Detector) findings(fs *findingSet) {
	for _, b := range d.bursts {
		fs.addBurst(b, verdict{storm: true})
	}
}

func (d *burst520Detector) oldest(int64) (capCandidate, bool) { return d.oldestBurst(d.e) }
func (d *burst520Detector) drop(c capCandidate)               { d.dropBurst(d.e, c) }
