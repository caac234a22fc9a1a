package rules

import (
	"github.com/edgetriage/edgetriage/parse"
)

// poll applies a GET/HEAD of a status resource to its open operations.
func (l *lifecycle) poll(head *op, r *parse.Record) {
	for op := head; op != nil; {
		next := op.next
		if op.resPath == r.Path && (op.state == opInflight || op.state == opJudged) {
			l.addPoll(op, r)
		}
		op = next
	}
}

func (l *lifecycle) addPoll(op *op, r *parse.Record) {
	pi := op.polls
	if pi == nil {
		pi = &pollInfo{}
		op.polls = pi
	}
	st := r.Status
	smp := l.e.sampleOf(r, "poll", op.resPath)
	if pi.n == 0 {
		pi.first = st
		pi.firstSmp = smp
		op.ep.polled++
	} else {
		if len(pi.intervals) < maxIntervals {
			pi.intervals = append(pi.intervals, r.Time-pi.lastT)
		}
		pi.lastSmp[pi.nLast%2] = smp
		pi.nLast++
	}
	pi.n++
	pi.last = st
	pi.lastT = r.Time
	if st == 202 && r.RetryAfter >= 0 {
		op.setRetryAfter(r.RetryAfter) // the server's latest advice while pending
	}
	l.applyPoll(op, st, r.Time)
}

// complete closes an operation: in time it adds to its endpoint's healthy
// latencies; after it was reported it leaves its finding (completed_late).
func (l *lifecycle) complete(op *op, t int64) {
	switch op.state {
	case opInflight:
		op.ep.completed++
		op.ep.latency.add(t - op.open)
		l.inflight--
	case opJudged:
		if g := op.g; g != nil {
			g.count--
			g.late++
			g.version++
			l.e.tl.addTo(g.tl, op.open, -1)
		}
		l.completedLate++
	default:
		return
	}
	l.unlink(op)
	l.dequeue(op)
	op.state = opDone
	l.live--
}
