package rules

import (
	"strings"

	"github.com/edgetriage/edgetriage/parse"
)

// poll applies a GET/HEAD of a status resource to its open operations.
// Operations linked to one status resource usually share its path
// (link): one with head's reference is of r.Path without a compare.
func (l *lifecycle) poll(head *op, r *parse.Record) {
	in := pollInput{i: -1}
	for o := head; o != nil; {
		next := o.next
		if (o.state == opInflight || o.state == opJudged) && (o.resPath == head.resPath || l.tab.str(o.resPath) == r.Path) {
			l.addPollIn(o, r, &in)
		}
		o = nil
		if next != 0 {
			o = l.tab.at(next)
		}
	}
}

// pollInput is a poll's input index (lifecycle.inputs) and whether its raw
// line is kept, found once for all the operations it polls; i < 0 until then.
type pollInput struct {
	i    int32
	keep bool
}

func (l *lifecycle) addPoll(op *op, r *parse.Record) {
	in := pollInput{i: -1}
	l.addPollIn(op, r, &in)
}

func (l *lifecycle) addPollIn(op *op, r *parse.Record, in *pollInput) {
	pi := l.tab.pollsOf(op)
	if pi == nil {
		pi = l.tab.newPolls(op)
		pi.path = strings.Clone(r.Path) // r.Path is the status resource
	}
	st := r.Status
	if pi.n == 0 {
		pi.first = st
		pi.firstSmp = l.e.sampleOf(r, "poll", pi.path)
		l.epOf(op).polled++
	} else {
		if len(pi.intervals) < maxIntervals {
			pi.intervals = append(pi.intervals, r.Time-pi.lastT)
		}
		if in.i < 0 {
			in.i = l.inputOf(r) // also decides e.rawKept for r
			in.keep = l.e.rawKept
		}
		setLastPoll(&pi.lastPolls[pi.nLast%2], r, in)
		pi.nLast++
	}
	pi.n++
	pi.last = st
	pi.lastT = r.Time
	if st == 202 && r.RetryAfter >= 0 {
		op.retryAfter = r.RetryAfter // the server's latest advice while pending
	}
	l.applyPoll(op, st, r.Time)
}

// setLastPoll keeps poll r as p, as sampleOf would make its sample.
func setLastPoll(p *lastPoll, r *parse.Record, in *pollInput) {
	p.input = in.i
	p.line, p.offset, p.t, p.status, p.head = r.Line, r.Offset, r.Time, r.Status, r.Method == "HEAD"
	// self-reslice, then self-append: with room in the buffer only the
	// length is written (no write barrier for the pointer)
	p.requestID = p.requestID[:0]
	p.requestID = append(p.requestID, r.RequestID...)
	p.raw = p.raw[:0]
	if r.Raw != "" && in.keep {
		p.raw = append(p.raw, r.Raw[:min(len(r.Raw), rawCap)]...)
	}
}

// lastPollSample is the sample of one of pi's last polls (its strings
// copies: the buffers are reused).
func (l *lifecycle) lastPollSample(pi *pollInfo, p *lastPoll) sampleRef {
	m := "GET"
	if p.head {
		m = "HEAD"
	}
	return sampleRef{input: l.inputs[p.input], line: p.line, offset: p.offset, t: p.t, status: p.status,
		method: m, path: pi.path, requestID: string(p.requestID), raw: string(p.raw), role: "poll"}
}

// complete closes an operation: in time it adds to its endpoint's healthy
// latencies; after it was reported it leaves its finding (completed_late).
func (l *lifecycle) complete(op *op, t int64) {
	switch op.state {
	case opInflight:
		l.opc.add(l, op, "")
		ep := l.epOf(op)
		ep.completed++
		ep.latency.add(t - op.open)
		l.inflight--
	case opJudged:
		l.opc.late(l, op)
		if g := l.grpAll[op.g]; g != nil {
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
	l.tab.release(op)
}
