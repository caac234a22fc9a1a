package rules

import (
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The dense-run core shared by the 520 burst (burst520.go) and the 5xx
// storm (storm.go) detectors: per origin and tracked status, a queue of the
// recent errors and the run (burst) they are growing. Each detector decides
// which windows are dense; this file keeps the queue and grows the bursts.
//
// Statuses followed: 520 makes burst_520 findings, the others burst_5xx
// storms, each status on its own (never mixed).
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

	inJoin     bool // in the joiner's wait queue: not recycled until it leaves
	join       joinState
	joinStatus int
	joinBytes  int64
	joinSmp    *sampleRef // the origin's record, once joined
}

func (x *errRec) sample() sampleRef {
	return sampleRef{input: x.ref.input, line: x.ref.line, offset: x.ref.offset, t: x.t, status: x.status,
		method: x.method, path: x.path, requestID: x.ref.requestID, raw: x.ref.raw, role: "burst"}
}

// statusRun is the dense-run state of one status on one origin.
type statusRun struct {
	idx          int
	q            []*errRec // time-ordered, trimmed to Engine.keep
	winLo        int       // first entry of q within W of the newest
	seq          uint64
	lastDenseSeq uint64
	lastT        int64
	firstT       int64
	cur          *burst

	// the storm gate's baseline (storm.go), per minute of the window start
	baseMinute         int64
	baseValid          bool
	baseReqs, baseErrs int64
	noBaseline         bool
	gated              int // windows turned down as not significant
}

// maxQueue bounds a run's queue under an extreme error flood; entries
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

	// Peak and onset look at the burst's trailing errors in the run's
	// queue (it keeps max(2W, 60 s), more than either window), by sequence
	// number: lo60 is the first within 60 s of the newest, loW the first
	// within W (neither before the start).
	lo60, loW uint64
	peak      int
	onset     int64

	joinLogged, joinMissing, joinEmpty200 int
	joinStatuses                          counter

	first, last   []sampleRef
	lastNext      int
	originSamples []sampleRef

	tl      *series
	version int

	ctr *burstCounts // contrast counts; nil when the origin's are not kept

	// the storm gate's baseline when the storm began (storm.go)
	baseReqs, baseErrs int64

	// the origin's traffic in the W before the start, taken when the burst
	// begins (the history ring does not reach back that far later)
	beforeTotal, beforeErrs int
	beforeStatuses          map[string]int
}

// queueError adds a tracked error of status idx to its run's queue and
// trims what can no longer join a burst. It returns the run and the queued
// record, and full: whether the window [t-W, t] holds at least N errors.
func (e *Engine) queueError(o *origin, r *parse.Record, idx int) (d *statusRun, x *errRec, full bool) {
	d = o.dets[idx]
	if d == nil {
		d = &statusRun{idx: idx, firstT: r.Time}
		o.dets[idx] = d
	}
	t := r.Time
	if t < d.lastT {
		t = d.lastT // bounded disorder: keep the queue ordered
	}
	d.lastT = t
	d.seq++
	st := r.Status
	// Fill the (zeroed) record in place: building a composite and copying
	// it in costs a large typed copy per error.
	x = e.newErrRec()
	x.t, x.seq, x.cumBound, x.cum52x = t, d.seq, o.bound, o.c52x
	x.edge = r.Source == parse.SourceEdge
	x.relayed = r.OriginStatus == st
	x.originZero = x.edge && r.OriginStatus == 0
	x.bytes, x.connect, x.header = r.Bytes, int64(r.OriginConnectTime), int64(r.OriginHeaderTime)
	x.method = e.in.get(r.Method)
	x.path = e.in.get(r.Path)
	if r.POP != "" {
		x.pop = e.in.get(r.POP)
	}
	if r.Upstream != "" {
		x.upstream = e.in.get(r.Upstream)
	}
	e.fillLineRef(&x.ref, r)
	x.status = st
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
		e.release(d.q[:drop])
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
	return d, x, len(d.q)-d.winLo >= e.cfg.BurstMin
}

// firstUnmarked is the first error of the window not yet marked dense.
func (d *statusRun) firstUnmarked() int {
	from := d.winLo
	if next := d.lastDenseSeq + 1; next > d.q[0].seq {
		if p := int(next - d.q[0].seq); p > from {
			from = p
		}
	}
	return from
}

// markDense marks the queue's errors from index from on dense; a burst
// they begin goes to into, the detector's list.
func (e *Engine) markDense(o *origin, d *statusRun, from int, into *burstList) {
	for i := from; i < len(d.q); i++ {
		e.dense(o, d, d.q[i], into)
		d.lastDenseSeq = d.q[i].seq
	}
}

// dense adds a dense error to its origin's current burst when it comes
// within W of the burst's last dense error, or starts a new burst in into.
func (e *Engine) dense(o *origin, d *statusRun, x *errRec, into *burstList) {
	b := d.cur
	if b != nil && x.t-b.endT <= e.gapFor(d.idx) {
		// count every error of the origin between the end and x
		i := 0
		if next := b.endSeq + 1; next > d.q[0].seq {
			i = int(next - d.q[0].seq)
		}
		for ; i < len(d.q) && d.q[i].seq <= x.seq; i++ {
			if d.q[i].seq > b.endSeq {
				e.aggregate(d, b, d.q[i])
			}
		}
		return
	}
	b = &burst{o: o, idx: d.idx, status: trackedStatuses[d.idx], startSeq: x.seq, startT: x.t,
		startBound: x.cumBound, start52x: x.cum52x, onset: -1, tl: e.tl.newSeries(),
		lo60: x.seq, loW: x.seq}
	b.id = stableID(string(kindOf(d.idx)), o.name, ts(x.t).Format(time.RFC3339Nano))
	b.beforeTotal, b.beforeErrs, b.beforeStatuses = o.hist.before(x.t, e.w)
	if o.dims != nil {
		o.dims.startBurst(b)
	}
	if d.idx != 0 && !d.noBaseline {
		b.baseReqs, b.baseErrs = d.baseReqs, d.baseErrs
	}
	d.cur = b
	into.bursts = append(into.bursts, b)
	e.aggregate(d, b, x)
}

// newErrRec hands out zeroed error records: recycled ones first, else from chunks
// (one allocation per 256 errors; a chunk is freed when none of its records
// is referenced). Recycling keeps an endless error flood from allocating.
func (e *Engine) newErrRec() *errRec {
	if n := len(e.errFree); n > 0 {
		x := e.errFree[n-1]
		e.errFree = e.errFree[:n-1]
		return x
	}
	if len(e.errChunk) == 0 {
		e.errChunk = make([]errRec, 256)
	}
	x := &e.errChunk[0]
	e.errChunk = e.errChunk[1:]
	return x
}

// maxFree bounds the recycled error records kept for reuse.
const maxFree = 1 << 14

// release recycles error records trimmed from a detector's queue. Nothing
// else points at them (bursts keep sequence numbers, not records) except
// the joiner's wait queue: those are left to the collector.
func (e *Engine) release(old []*errRec) {
	for _, x := range old {
		if x.inJoin || len(e.errFree) >= maxFree {
			continue
		}
		*x = errRec{}
		e.errFree = append(e.errFree, x)
	}
}

// stormMergeGap: storms of one origin and status closer than this are one
// finding (a storm's error share flickers around its threshold); 520 bursts
// keep their documented W.
const stormMergeGap = int64(5 * time.Minute)

func (e *Engine) gapFor(idx int) int64 {
	if idx == 0 {
		return e.w
	}
	return max(e.w, stormMergeGap)
}

// mergeGap is the longest gap over which a burst may still grow.
func (e *Engine) mergeGap() int64 { return max(e.w, stormMergeGap) }

func kindOf(idx int) Kind {
	if idx == 0 {
		return KindBurst520
	}
	return KindBurst5xx
}

// aggregate makes x, an error in d's queue, the burst's newest error.
func (e *Engine) aggregate(d *statusRun, b *burst, x *errRec) {
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
	q, base := d.q, d.q[0].seq // seqs in the queue are consecutive
	lo := max(b.lo60, base)
	for q[lo-base].t < x.t-int64(time.Minute) {
		lo++
	}
	b.lo60 = lo
	if c := int(x.seq-lo) + 1; c > b.peak {
		b.peak = c
	}
	if b.onset < 0 {
		lo = max(b.loW, base)
		for q[lo-base].t < x.t-e.w {
			lo++
		}
		b.loW = lo
		n := int(x.seq-lo) + 1
		reqs := int64(x.cumBound) - int64(q[lo-base].cumBound) + 1
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
