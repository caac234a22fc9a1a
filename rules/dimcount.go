package rules

import (
	"slices"
	"unsafe"

	"github.com/edgetriage/edgetriage/parse"
)

// Per-origin dimension counts for the contrast.
//
// An origin's origin-bound requests are counted per dimension value in
// one-minute buckets (the live one a capTable per dimension, closed ones a
// summary of the top values), kept in a ring that reaches back over the
// baseline window, the merge gap and the time the burst detector needs to
// settle. A burst folds the buckets of its span into its own counts once
// they are settled, and copies the baseline window's buckets when it
// begins: a burst's contrast is counts, never records, and the state does
// not grow with the input (maxContrastOrigins rings, bounded tables).
//
// A finer 10-second series of failing and total requests gives the time
// shape (step, trickle, ramp) without the minute's blur.

const (
	dimBucket = int64(20e9) // 20 seconds: a short burst's span is not blurred by its edges
	// fineBucket is the time shape's resolution.
	fineBucket = int64(10e9)
	// baselineBuckets is the baseline window before a burst: 5 minutes.
	baselineBuckets = 15
	// Precursors compare the 5 minutes before the start with the 10 before
	// those, from a ring of minutes.
	precursorMinutes = 5
	earlyMinutes     = 10
	minuteRing       = precursorMinutes + earlyMinutes + 2
	// liveLimit caps one dimension's distinct values in a live minute;
	// summaryTop the values a closed minute keeps (top by requests and top
	// by failing requests, each this many); aggLimit a burst's values.
	liveLimit  = 256
	summaryTop = 16
	aggLimit   = 512
	// maxContrastOrigins bounds the origins whose dimensions are counted
	// (first come); a burst of a later origin says so.
	maxContrastOrigins = 256
	// hwBins is a log2 histogram of header waits in ms (precursors).
	hwBins = 16
	// maxFine bounds a burst's time-shape series (pairs merge past it).
	maxFine = 256
)

// minuteStat is one minute's requests and header waits (precursors).
type minuteStat struct {
	idx int64
	tot valCount
	hw  [hwBins]int64
}

func (c *dimCounter) minute(t int64) *minuteStat {
	if c.minCur != nil && t < c.minHi && t >= c.minHi-60e9 {
		return c.minCur
	}
	i := floorDiv(t, 60e9)
	m := &c.mins[mod(i, minuteRing)]
	if m.idx != i {
		if m.idx > i && c.minCur != nil {
			return c.minCur
		}
		*m = minuteStat{idx: i}
	}
	c.minCur, c.minHi = m, (i+1)*60e9
	return m
}

// fine is a 10-second bucket of failing and total requests.
type fine struct {
	idx  int64
	fail [numClasses]int64
	tot  int64
}

// dimCounter is one origin's dimension counts.
type dimCounter struct {
	ringLen  int64
	settle   int64 // buckets after which the burst detector's decisions are final
	gap      int64 // merge gap in buckets
	cur      int64 // live bucket number; -1 before the first record
	curHi    int64 // the live bucket's end (ns)
	fineCur  *fine // the live fine bucket and its time range
	fineLo   int64
	fineHi   int64
	live     [numDims]capTable
	liveEnum [numDims][]valCount
	liveTot  valCount
	// lazy: the live bucket's route, segment and network go to log, not
	// to live (dimlog.go)
	lazy    bool
	log     bucketLog
	logRoom int // bytes the live log may still take (growLog)
	// the last records' input name, its kept copy and their requests,
	// not yet in live (flushInput)
	inputV, inputK string
	inputN         valCount
	mins           [minuteRing]minuteStat // precursors' minutes
	minCur         *minuteStat
	minHi          int64
	ring           []closedBucket
	fines          []fine // ring of fine buckets, indexed by idx mod len

	open []*burst // bursts still folding their span

	shared *dimShared // the engine's
	in     *interner
	keep   []bool // summarize's scratch
}

// newDimCounter returns an origin's counters, nil when the contrast is off.
func newDimCounter(e *Engine) *dimCounter {
	if parse.ContrastOff {
		return nil
	}
	settle := (e.keep+dimBucket-1)/dimBucket + 1
	gap := (e.mergeGap()+dimBucket-1)/dimBucket + 1
	n := baselineBuckets + settle + gap + 2
	c := &dimCounter{ringLen: n, settle: settle, gap: gap, cur: -1, curHi: -1 << 63, shared: &e.dimShared, in: &e.in}
	c.ring = make([]closedBucket, n)
	for i := range c.ring {
		c.ring[i].idx = -1
	}
	for i := range c.mins {
		c.mins[i].idx = -1 << 62
	}
	c.fines = make([]fine, n*dimBucket/fineBucket)
	for i := range c.fines {
		c.fines[i].idx = -1
	}
	for d := range c.live {
		if vals := enumValues(d); vals != nil {
			c.liveEnum[d] = make([]valCount, len(vals))
			for i, v := range vals {
				c.liveEnum[d][i] = valCount{v: v, h: fnv64(v), id: parse.DimHash(v)}
			}
		}
		if !closedDim(d) {
			c.live[d] = newCapTable(liveLimit)
			c.live[d].in = &e.in
		}
	}
	if e.dimShared.vals == nil {
		e.dimShared.vals = make([]dictSlot, dictSlots)
		e.dimShared.rawLimit = maxRawValues
		e.dimShared.logLimit = maxLogBytes
	}
	return c // the first record opens the first bucket (rotate)
}

// add counts one origin-bound record (it stands for r.N() requests).
func (c *dimCounter) add(e *Engine, r *parse.Record) {
	// The live fine bucket and minute without a call, mostly. A fine
	// bucket lies inside one bucket and one minute, becomes the live one
	// only for a time before the live bucket's end (after rotating), and
	// the minute is looked up whenever it changes: while t is in the live
	// fine bucket, no rotation is due and minute(t) is the live minute
	// (minute changes nothing then).
	t := r.Time
	f, m := c.fineCur, c.minCur
	if f == nil || t < c.fineLo || t >= c.fineHi {
		if t >= c.curHi {
			c.rotate(e, floorDiv(t, dimBucket))
		} // older records (bounded disorder) count in the live bucket
		f, m = c.fineAt(t), c.minute(t)
	}
	n := r.N()
	cls := classOf(r.Status)
	c.liveTot.tot += n
	m.tot.tot += n
	if f != nil {
		f.tot += n
	}
	if cls >= 0 {
		c.liveTot.fail[cls] += n
		m.tot.fail[cls] += n
		if f != nil {
			f.fail[cls] += n
		}
	}
	if r.OriginHeaderTime >= 0 {
		m.hw[hwBin(r.OriginHeaderTime.Milliseconds())] += n
	}
	keys := &r.Dims
	if !keys.Set { // not from the parse workers (aggregates, tests)
		light := c.shared.keyer.Light(r)
		keys = &light
	}
	if c.lazy {
		c.logKeyed(r, n, cls)
	} else {
		c.countKeys(r, n, cls)
	}
	// a field the log lacks costs a comparison, not a call (add is not
	// inlined; combined logs have no POP, upstream or cache status)
	if r.POP != "" {
		c.live[dimColo].add(r.POP, n, cls)
	}
	if r.Upstream != "" {
		c.live[dimUpstream].add(r.Upstream, n, cls)
	}
	if keys.Method >= 0 {
		c.countEnum(dimMethod, int(keys.Method), n, cls)
	} else {
		c.live[dimMethod].add(r.Method, n, cls)
	}
	if keys.Protocol >= 0 {
		c.countEnum(dimProtocol, int(keys.Protocol), n, cls)
	} else {
		c.live[dimProtocol].add(r.Protocol, n, cls)
	}
	if r.CacheStatus != "" {
		c.live[dimCache].add(r.CacheStatus, n, cls)
	}
	if !samePtr(r.Input, c.inputV) && r.Input != c.inputV { // one string per input: a pointer check
		c.flushInput()
		c.inputV, c.inputK = r.Input, c.in.get(r.Input)
	}
	c.inputN.tot += n
	if cls >= 0 {
		c.inputN.fail[cls] += n
	}
	c.countEnum(dimUAFamily, int(keys.UA), n, cls)
	if r.OriginConnectTime >= 0 || r.OriginHeaderTime >= 0 { // else neither is logged
		c.countEnum(dimConnection, connKind(r.OriginConnectTime), n, cls)
		c.countEnum(dimHeaderWait, headerWaitBucket(r.OriginHeaderTime), n, cls)
	}
}

// samePtr says a and b are the same bytes (then they are equal).
func samePtr(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// flushInput adds the requests of the last records' input to its live
// table: one lookup per run of records from one input. A table's counts
// do not depend on how a value's requests are grouped (see capTable).
func (c *dimCounter) flushInput() {
	if c.inputN.tot != 0 && c.inputK != "" {
		t := &c.live[dimInput]
		if i := t.find(c.inputK); i >= 0 {
			t.ents[i].addCounts(&c.inputN)
		} else {
			t.other.addCounts(&c.inputN)
		}
	}
	c.inputN = valCount{}
}

// countKeys counts r's route, segment and network as it comes.
func (c *dimCounter) countKeys(r *parse.Record, n int64, cls int) {
	keys := r.Dims
	if !keys.Keyed {
		keys = c.shared.keyer.Keys(r)
	}
	c.countKey(dimRoute, keys.Route, r, n, cls)
	c.countKey(dimSegment, keys.Segment, r, n, cls)
	c.countKey(dimClientNet, keys.Net, r, n, cls)
}

// dimShared is the contrast's state shared by every origin (the engine's):
// a keyer for records that come without keys, and the value of each key
// seen lately, so that a key new to a minute's table costs one slot read,
// not a scan of the record's field.
type dimShared struct {
	keyer parse.DimKeyer
	vals  []dictSlot // direct-mapped by id
	// closed buckets' values not yet summarized (dimbucket.go), and arrays
	// for live tables to reuse
	rawValues int
	rawLimit  int // maxRawValues (tests: 0, every bucket summarized as it closes)
	free      [numDims][][]valCount
	// the bytes of the buckets' logs (dimlog.go) and their bound
	// (maxLogBytes; tests: 0, every record counted as it comes), and
	// tables to count a log into
	logBytes, logLimit int
	scratch            [numDims]capTable
}

const dictSlots = 8192

type dictSlot struct {
	id uint64 // parse.DimHash(v); 0 empty
	v  string // kept copy
	h  uint64 // fnv64(v)
}

// countKey counts the value of dimension d (route, segment, client_net)
// whose key is id (0: the record has none).
func (c *dimCounter) countKey(d int, id uint64, r *parse.Record, n int64, cls int) {
	if id == 0 {
		return
	}
	t := &c.live[d]
	p, i := t.probe(id)
	if i < 0 {
		v, h := c.value(d, id, r)
		i = t.insertAt(p, v, h, id, true)
	}
	t.addAt(i, n, cls)
}

// value returns the value of key id of dimension d (a kept copy) and its
// stable hash, from the slot or else from the record's field.
func (c *dimCounter) value(d int, id uint64, r *parse.Record) (string, uint64) {
	s := &c.shared.vals[(id>>1)&(dictSlots-1)]
	if s.id == id {
		return s.v, s.h
	}
	var v string
	switch d {
	case dimRoute:
		v = c.shared.keyer.Route(r.Path)
	case dimSegment:
		v = parse.PathSegment(c.shared.keyer.Route(r.Path))
	case dimClientNet:
		v = parse.ClientNet(r.ClientIP)
	}
	v = c.in.get(v)
	*s = dictSlot{id: id, v: v, h: fnv64(v)}
	return s.v, s.h
}

func (c *dimCounter) countEnum(d, i int, n int64, cls int) {
	if i < 0 {
		return
	}
	v := &c.liveEnum[d][i]
	v.tot += n
	if cls >= 0 {
		v.fail[cls] += n
	}
}

// fineAt returns the fine bucket of time t and makes it the live one, or
// nil when t is older than the ring.
func (c *dimCounter) fineAt(t int64) *fine {
	if f := c.fineCur; f != nil && t >= c.fineLo && t < c.fineHi {
		return f
	}
	fi := floorDiv(t, fineBucket)
	f := &c.fines[mod(fi, int64(len(c.fines)))]
	if f.idx != fi {
		if f.idx > fi {
			return nil // older than the ring
		}
		*f = fine{idx: fi}
	}
	c.fineCur, c.fineLo, c.fineHi = f, fi*fineBucket, (fi+1)*fineBucket
	return f
}

func hwBin(ms int64) int {
	b := 0
	for ms > 0 && b < hwBins-1 {
		ms >>= 1
		b++
	}
	return b
}

// foldOpen folds settled buckets into the open bursts' spans and lets go of
// bursts that can no longer grow into an unfolded bucket.
func (c *dimCounter) foldOpen(e *Engine) {
	settled := c.cur - c.settle
	keep := c.open[:0]
	for _, b := range c.open {
		bc := b.ctr
		endB := floorDiv(b.endT, dimBucket)
		for i := bc.foldedTo + 1; i <= min(settled, endB); i++ {
			if cb := c.bucket(i); cb != nil {
				bc.foldSpan(cb)
			}
			bc.foldedTo = i
		}
		c.foldFine(bc, (min(settled, endB)+1)*(dimBucket/fineBucket)-1, b.endT)
		if settled > endB+c.gap {
			bc.open = false
			continue
		}
		keep = append(keep, b)
	}
	clear(c.open[len(keep):])
	c.open = keep
}

// foldFine appends the settled fine buckets up to index upTo (and not past
// the burst's end) to the burst's time-shape series.
func (c *dimCounter) foldFine(bc *burstCounts, upTo, endT int64) {
	last := floorDiv(endT, fineBucket)
	for i := bc.fineTo + 1; i <= min(upTo, last); i++ {
		f := c.fines[mod(i, int64(len(c.fines)))]
		if f.idx != i {
			f = fine{idx: i}
		}
		bc.addFine(f)
		bc.fineTo = i
	}
}

// burstCounts is a burst's contrast state: the span's and the baseline's
// counts per dimension, totals, precursor histograms and the time shape.
type burstCounts struct {
	open     bool
	startB   int64 // first bucket of the span
	foldedTo int64 // last bucket folded into span
	fineTo   int64 // last fine bucket in fines

	span, base       [numDims]capTable
	spanTot, baseTot valCount
	// pre and early are the 5 minutes before the start's minute and the
	// 10 before those (precursors).
	earlyTot, preTot valCount
	earlyHW, preHW   [hwBins]int64
	baseFines        []fine // the baseline's buckets
	fines            []fine // the span at fine resolution, pairs merged past maxFine
	fineStep         int64  // fine buckets per entry of fines
}

func (bc *burstCounts) foldSpan(cb *closedBucket) {
	bc.spanTot.addCounts(&cb.tot)
	for d := range cb.dims {
		bd := &cb.dims[d]
		for i := range bd.vals {
			bc.span[d].merge(&bd.vals[i])
		}
		if bd.other.tot > 0 {
			bc.span[d].other.addCounts(&bd.other)
		}
	}
}

func (bc *burstCounts) foldBase(cb *closedBucket) {
	bc.baseTot.addCounts(&cb.tot)
	bc.baseFines = append(bc.baseFines, fine{idx: cb.idx, fail: cb.tot.fail, tot: cb.tot.tot})
	for d := range cb.dims {
		bd := &cb.dims[d]
		for i := range bd.vals {
			bc.base[d].merge(&bd.vals[i])
		}
		if bd.other.tot > 0 {
			bc.base[d].other.addCounts(&bd.other)
		}
	}
}

func addHW(dst, src *[hwBins]int64) {
	for i := range dst {
		dst[i] += src[i]
	}
}

func (bc *burstCounts) addFine(f fine) {
	if bc.fineStep == 0 {
		bc.fineStep = 1
	}
	f.idx /= bc.fineStep
	if n := len(bc.fines); n > 0 && bc.fines[n-1].idx == f.idx {
		p := &bc.fines[n-1]
		p.tot += f.tot
		for i := range p.fail {
			p.fail[i] += f.fail[i]
		}
		return
	}
	bc.fines = append(bc.fines, f)
	if len(bc.fines) > maxFine {
		bc.fineStep *= 2
		out := bc.fines[:0]
		for _, x := range bc.fines {
			x.idx /= 2
			if n := len(out); n > 0 && out[n-1].idx == x.idx {
				out[n-1].tot += x.tot
				for i := range x.fail {
					out[n-1].fail[i] += x.fail[i]
				}
				continue
			}
			out = append(out, x)
		}
		bc.fines = out
	}
}

// startBurst gives a new burst its contrast state: the baseline window's
// buckets now, the span's as they settle.
func (c *dimCounter) startBurst(b *burst) {
	bc := &burstCounts{open: true}
	for d := range bc.span {
		bc.span[d] = newCapTable(aggLimit)
		bc.base[d] = newCapTable(aggLimit)
	}
	bc.startB = floorDiv(b.startT, dimBucket)
	bc.foldedTo = bc.startB - 1
	bc.fineTo = floorDiv(b.startT, fineBucket) - 1
	for i := bc.startB - baselineBuckets; i < bc.startB; i++ {
		if cb := c.bucket(i); cb != nil {
			bc.foldBase(cb)
		}
	}
	startM := floorDiv(b.startT, 60e9)
	for i := range c.mins {
		m := &c.mins[i]
		switch {
		case m.idx >= startM-precursorMinutes && m.idx < startM:
			bc.preTot.addCounts(&m.tot)
			addHW(&bc.preHW, &m.hw)
		case m.idx >= startM-precursorMinutes-earlyMinutes && m.idx < startM-precursorMinutes:
			bc.earlyTot.addCounts(&m.tot)
			addHW(&bc.earlyHW, &m.hw)
		}
	}
	b.ctr = bc
	c.open = append(c.open, b)
}

// spanNow returns the burst's span counts including what has not settled
// yet (the buckets still in the ring and the live minute), without
// changing the burst's state; base is shared, not copied.
func (c *dimCounter) spanNow(b *burst) (span [numDims]capTable, tot valCount, fines []fine, step int64) {
	bc := b.ctr
	tot = bc.spanTot
	if !bc.open {
		return bc.span, tot, bc.fines, bc.fineStep
	}
	for d := range span {
		span[d] = bc.span[d].clone()
	}
	endB := floorDiv(b.endT, dimBucket)
	for i := bc.foldedTo + 1; i <= endB; i++ {
		if cb := c.bucket(i); cb != nil {
			tot.addCounts(&cb.tot)
			for d := range cb.dims {
				bd := &cb.dims[d]
				for j := range bd.vals {
					span[d].merge(&bd.vals[j])
				}
				span[d].other.addCounts(&bd.other)
			}
		}
	}
	if endB >= c.cur {
		c.flushInput()
		tot.addCounts(&c.liveTot)
		var logged *[numDims]capTable
		if len(c.log.recs) > 0 {
			logged = c.logTables(&c.log)
			defer c.resetScratch()
		}
		for d := range span {
			for j := range c.liveEnum[d] {
				if c.liveEnum[d][j].tot > 0 {
					span[d].merge(&c.liveEnum[d][j])
				}
			}
			if closedDim(d) {
				continue
			}
			lt := &c.live[d]
			if logged != nil && logged[d].limit > 0 {
				lt = &logged[d] // the live table of a keyed dim is empty
			}
			for j := range lt.ents {
				span[d].merge(&lt.ents[j])
			}
			span[d].other.addCounts(&lt.other)
		}
	}
	// the shape: settled fines plus the ring's newer ones
	tmp := &burstCounts{fines: slices.Clone(bc.fines), fineStep: bc.fineStep, fineTo: bc.fineTo}
	c.foldFine(tmp, floorDiv(c.curTime(), fineBucket), b.endT)
	return span, tot, tmp.fines, tmp.fineStep
}

// curTime is the end of the live minute (every fine bucket before it).
func (c *dimCounter) curTime() int64 { return (c.cur+1)*dimBucket - 1 }
