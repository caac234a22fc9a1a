package rules

import (
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// Statuses the burst detector follows: 520 makes burst_520 findings, the
// others burst_5xx storms, each status on its own (never mixed).
const numTracked = 7

var trackedStatuses = [numTracked]int{520, 502, 504, 521, 522, 523, 524}

func trackedIndex(st int) int {
	switch st {
	case 520:
		return 0
	case 502:
		return 1
	case 504:
		return 2
	case 521, 522, 523, 524:
		return 3 + st - 521
	}
	return -1
}

// errRec is one tracked error record, kept while it may still join a burst
// (2W back) and, through the join, until the origin's record is found.
type errRec struct {
	t        int64
	seq      uint64
	cumBound uint64 // the origin's origin-bound requests up to and including this one
	cum52x   [6]uint32

	edge       bool
	probe      bool // an ordinary edge record offered to the join (see joiner.probe)
	host       string
	relayed    bool // the upstream itself sent this status (OriginStatus == Status)
	originZero bool // edge record with OriginStatus 0: the edge made the error
	bytes      int64
	connect    int64
	header     int64

	method, path, pop, upstream string
	ref                         lineRef
	status                      int

	b *burst

	join       joinState
	joinStatus int
	joinBytes  int64
	joinSmp    *sampleRef // the origin's record, once joined
}

func (x *errRec) sample() sampleRef {
	return sampleRef{input: x.ref.input, line: x.ref.line, offset: x.ref.offset, t: x.t, status: x.status,
		method: x.method, path: x.path, requestID: x.ref.requestID, raw: x.ref.raw, role: "burst"}
}

// detector finds dense runs of one status on one origin.
type detector struct {
	idx          int
	q            []*errRec // time-ordered, trimmed to Engine.keep
	winLo        int       // first entry of q within W of the newest
	seq          uint64
	lastDenseSeq uint64
	lastT        int64
	cur          *burst
}

// maxQueue bounds a detector's queue under an extreme error flood; entries
// dropped past it still count (the burst count is by sequence number) but
// no longer add their paths, POPs and timings.
const maxQueue = 200000

// burst is one finding of kind burst_520 or burst_5xx, growing while it lasts.
type burst struct {
	o      *origin
	idx    int
	status int
	id     string

	startSeq, endSeq     uint64
	startT, endT         int64
	startBound, endBound uint64
	start52x, end52x     [6]uint32

	n, edge, relayed, originZero int
	bytesKnown, empty            int
	connKnown, reused            int
	header                       sample
	headerKnown, fast, slow      int
	paths, methods, pops, ups    counter

	recent []*errRec // the trailing max(W, 60 s) of the burst, for peak and onset
	lo60   int       // first of recent within 60 s of the newest
	loW    int       // first of recent within W of the newest (and not before the start)
	peak   int
	onset  int64

	joinLogged, joinMissing, joinEmpty200 int
	joinStatuses                          counter

	first, last   []sampleRef
	lastNext      int
	originSamples []sampleRef

	tl      *series
	version int

	// the origin's traffic in the W before the start, taken when the burst
	// begins (the history ring does not reach back that far later)
	beforeTotal, beforeErrs int
	beforeStatuses          map[string]int
}

func (e *Engine) onError(o *origin, r *parse.Record, idx int) {
	d := o.dets[idx]
	if d == nil {
		d = &detector{idx: idx}
		o.dets[idx] = d
	}
	t := r.Time
	if t < d.lastT {
		t = d.lastT // bounded disorder: keep the queue ordered
	}
	d.lastT = t
	d.seq++
	st := r.Status
	x := e.newErrRec()
	*x = errRec{
		t: t, seq: d.seq, cumBound: o.bound, cum52x: o.c52x,
		edge:       r.Source == parse.SourceEdge,
		relayed:    r.OriginStatus == st,
		originZero: r.Source == parse.SourceEdge && r.OriginStatus == 0,
		bytes:      r.Bytes,
		connect:    int64(r.OriginConnectTime),
		header:     int64(r.OriginHeaderTime),
		method:     e.in.get(r.Method),
		path:       e.in.get(r.Path),
		pop:        e.in.get(r.POP),
		upstream:   e.in.get(r.Upstream),
	}
	x.ref, x.status = e.lineRefOf(r), st
	o.noteActivity(idx, t, e.w)
	if idx == 0 {
		e.tl.add520(t)
	}
	if x.edge {
		e.join.edgeError(x, r)
	}

	d.q = append(d.q, x)
	// Trim what can no longer join any burst (older than 2W, at least 60 s).
	drop := 0
	for drop < len(d.q)-1 && (d.q[drop].t < t-e.keep || len(d.q)-drop > maxQueue) {
		drop++
	}
	if drop > 0 {
		clear(d.q[:drop])
		d.q = d.q[drop:]
		d.winLo -= drop
		if d.winLo < 0 {
			d.winLo = 0
		}
	}
	for d.q[d.winLo].t < t-e.w {
		d.winLo++
	}
	if len(d.q)-d.winLo < e.cfg.BurstMin {
		return
	}
	// Every error in [t-W, t] is dense; mark those not marked yet.
	from := d.winLo
	if next := d.lastDenseSeq + 1; next > d.q[0].seq {
		if p := int(next - d.q[0].seq); p > from {
			from = p
		}
	}
	for i := from; i < len(d.q); i++ {
		e.dense(o, d, d.q[i])
		d.lastDenseSeq = d.q[i].seq
	}
}

// dense adds a dense error to its origin's current burst when it comes
// within W of the burst's last dense error, or starts a new burst.
func (e *Engine) dense(o *origin, d *detector, x *errRec) {
	b := d.cur
	if b != nil && x.t-b.endT <= e.w {
		// count every error of the origin between the end and x
		i := 0
		if next := b.endSeq + 1; next > d.q[0].seq {
			i = int(next - d.q[0].seq)
		}
		for ; i < len(d.q) && d.q[i].seq <= x.seq; i++ {
			if d.q[i].seq > b.endSeq {
				e.aggregate(b, d.q[i])
			}
		}
		return
	}
	if b != nil {
		b.recent = nil // it can no longer grow
	}
	b = &burst{o: o, idx: d.idx, status: trackedStatuses[d.idx], startSeq: x.seq, startT: x.t,
		startBound: x.cumBound, start52x: x.cum52x, onset: -1, tl: e.tl.newSeries()}
	b.id = stableID(string(kindOf(d.idx)), o.name, ts(x.t).Format(time.RFC3339Nano))
	b.beforeTotal, b.beforeErrs, b.beforeStatuses = o.hist.before(x.t, e.w)
	d.cur = b
	e.bursts = append(e.bursts, b)
	e.aggregate(b, x)
}

// newErrRec hands out error records from chunks: one allocation per 256
// errors (a chunk is freed when none of its records is referenced).
func (e *Engine) newErrRec() *errRec {
	if len(e.errChunk) == 0 {
		e.errChunk = make([]errRec, 256)
	}
	x := &e.errChunk[0]
	e.errChunk = e.errChunk[1:]
	return x
}

func kindOf(idx int) Kind {
	if idx == 0 {
		return KindBurst520
	}
	return KindBurst5xx
}

// aggregate makes x the burst's newest error.
func (e *Engine) aggregate(b *burst, x *errRec) {
	b.version++
	b.endSeq, b.endT, b.endBound, b.end52x = x.seq, x.t, x.cumBound, x.cum52x
	b.n++
	x.b = b
	if x.edge {
		b.edge++
	}
	if x.relayed {
		b.relayed++
	}
	if x.originZero {
		b.originZero++
	}
	if x.bytes >= 0 {
		b.bytesKnown++
		if x.bytes == 0 {
			b.empty++
		}
	}
	if x.connect >= 0 {
		b.connKnown++
		if x.connect == 0 {
			b.reused++
		}
	}
	if x.header >= 0 {
		b.headerKnown++
		b.header.add(x.header)
		if x.header < int64(20*time.Millisecond) {
			b.fast++
		}
		if x.header >= int64(5*time.Second) {
			b.slow++
		}
	}
	b.paths.add(x.path, 1)
	b.methods.add(x.method, 1)
	b.pops.add(x.pop, 1)
	b.ups.add(x.upstream, 1)
	e.tl.addTo(b.tl, x.t, 1)

	// samples: the first ones, and a ring of the latest
	maxS := e.cfg.MaxSamples
	firstCap := maxS - maxS/4
	if len(b.first) < firstCap {
		b.first = append(b.first, x.sample())
	} else if lastCap := maxS / 4; lastCap > 0 {
		if len(b.last) < lastCap {
			b.last = append(b.last, x.sample())
		} else {
			b.last[b.lastNext] = x.sample()
			b.lastNext = (b.lastNext + 1) % lastCap
		}
	}
	if x.join != joinPending {
		b.addJoin(x, e.cfg.MaxSamples)
	}

	// peak in any 60 s, and onset (first time the trailing-W share of
	// errors among origin-bound requests reaches 90% with N errors)
	span := e.w
	if span < int64(time.Minute) {
		span = int64(time.Minute)
	}
	b.recent = append(b.recent, x)
	k := 0
	for k < len(b.recent) && b.recent[k].t < x.t-span {
		k++
	}
	if k > 0 {
		clear(b.recent[:k])
		b.recent = b.recent[k:]
		b.lo60 = max(b.lo60-k, 0)
		b.loW = max(b.loW-k, 0)
	}
	for b.recent[b.lo60].t < x.t-int64(time.Minute) {
		b.lo60++
	}
	if c := len(b.recent) - b.lo60; c > b.peak {
		b.peak = c
	}
	if b.onset < 0 {
		for b.recent[b.loW].t < x.t-e.w {
			b.loW++
		}
		n := len(b.recent) - b.loW
		reqs := int64(x.cumBound) - int64(b.recent[b.loW].cumBound) + 1
		if n >= e.cfg.BurstMin && reqs > 0 && float64(n) >= 0.9*float64(reqs) {
			b.onset = x.t - b.startT
		}
	}
}

// addJoin adds a resolved join result of one of the burst's errors.
func (b *burst) addJoin(x *errRec, maxSamples int) {
	b.version++
	switch x.join {
	case joinLogged:
		b.joinLogged++
		b.joinStatuses.add(statusKey(x.joinStatus), 1)
		if x.joinStatus == 200 && x.joinBytes == 0 {
			b.joinEmpty200++
		}
		if len(b.originSamples) < maxSamples/4+1 {
			b.originSamples = append(b.originSamples, *x.joinSmp)
		}
	case joinMissing:
		b.joinMissing++
	}
}

// count is every error of the origin from start to end.
func (b *burst) count() int { return int(b.endSeq - b.startSeq + 1) }

// noteActivity records that status idx occurred at t on o, as spans merged
// when closer than W, for other_origins_failing.
func (o *origin) noteActivity(idx int, t, w int64) {
	sp := o.activity[idx]
	if n := len(sp); n > 0 && t-sp[n-1].b <= w {
		if t > sp[n-1].b {
			sp[n-1].b = t
		}
		return
	}
	if len(sp) >= 64 {
		copy(sp, sp[1:])
		sp = sp[:len(sp)-1]
	}
	o.activity[idx] = append(sp, span{t, t})
}

func (o *origin) activeIn(idx int, a, b int64) bool {
	for _, s := range o.activity[idx] {
		if s.a <= b && s.b >= a {
			return true
		}
	}
	return false
}
