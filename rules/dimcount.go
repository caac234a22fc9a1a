package rules

import (
	"hash/maphash"
	"slices"

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
	dimBucket = int64(60e9) // one minute
	// fineBucket is the time shape's resolution.
	fineBucket = int64(10e9)
	// baselineBuckets is the baseline window before a burst: 15 minutes.
	baselineBuckets = 15
	// precursorBuckets is the part of the baseline that precursors look
	// at (the 5 minutes before the start), against the 10 before that.
	precursorBuckets = 5
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

// bucketDim is one dimension of a closed minute.
type bucketDim struct {
	vals  []valCount // sorted by value
	other valCount
}

type closedBucket struct {
	idx  int64 // bucket number (time / dimBucket); -1 empty
	dims [numDims]bucketDim
	tot  valCount // every origin-bound request of the minute
	hw   [hwBins]int64
}

// fine is a 10-second bucket of failing and total requests.
type fine struct {
	idx  int64
	fail [2]int64
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
	liveHW   [hwBins]int64
	ring     []closedBucket
	fines    []fine // ring of fine buckets, indexed by idx mod len

	open []*burst // bursts still folding their span

	routeSlots *[slotN]slot
	netSlots   *[netSlotN]slot
	routeBuf   []byte
	ua         *uaCache
}

func newDimCounter(e *Engine) *dimCounter {
	settle := (e.keep+dimBucket-1)/dimBucket + 1
	gap := (e.mergeGap()+dimBucket-1)/dimBucket + 1
	n := baselineBuckets + settle + gap + 2
	c := &dimCounter{ringLen: n, settle: settle, gap: gap, cur: -1, curHi: -1 << 63, ua: &e.uaCache}
	c.ring = make([]closedBucket, n)
	for i := range c.ring {
		c.ring[i].idx = -1
	}
	c.fines = make([]fine, n*dimBucket/fineBucket)
	for i := range c.fines {
		c.fines[i].idx = -1
	}
	for d := range c.live {
		if vals := enumValues(d); vals != nil {
			c.liveEnum[d] = make([]valCount, len(vals))
			for i, v := range vals {
				c.liveEnum[d][i] = valCount{v: v, h: fnv64(v)}
			}
			continue
		}
		c.live[d] = newCapTable(liveLimit)
		c.live[d].in = &e.in
	}
	c.routeSlots, c.netSlots = new([slotN]slot), new([netSlotN]slot)
	return c
}

// failClass returns a record's failing counts (weighted by n) per class.
func failCounts(status int, n int64) (f520, f5xx int64) {
	switch {
	case status == 520:
		return n, 0
	case status >= 500 && status <= 599:
		return 0, n
	}
	return 0, 0
}

// add counts one origin-bound record (it stands for r.N() requests).
func (c *dimCounter) add(e *Engine, r *parse.Record) {
	if r.Time >= c.curHi {
		c.rotate(e, floorDiv(r.Time, dimBucket))
	} // older records (bounded disorder) count in the live minute
	n := r.N()
	f520, f5xx := failCounts(r.Status, n)
	c.liveTot.tot += n
	c.liveTot.fail[0] += f520
	c.liveTot.fail[1] += f5xx
	c.addFine(r.Time, n, f520, f5xx)
	if r.OriginHeaderTime >= 0 {
		c.liveHW[hwBin(r.OriginHeaderTime.Milliseconds())] += n
	}
	c.live[dimColo].add(r.POP, n, f520, f5xx)
	c.live[dimUpstream].add(r.Upstream, n, f520, f5xx)
	c.live[dimMethod].add(r.Method, n, f520, f5xx)
	c.live[dimProtocol].add(r.Protocol, n, f520, f5xx)
	c.live[dimCache].add(r.CacheStatus, n, f520, f5xx)
	c.live[dimInput].add(r.Input, n, f520, f5xx)
	c.countRoute(r.Path, n, f520, f5xx)
	c.countNet(r.ClientIP, n, f520, f5xx)
	c.countEnum(dimUAFamily, c.ua.family(r.UserAgent), n, f520, f5xx)
	c.countEnum(dimConnection, connKind(r.OriginConnectTime), n, f520, f5xx)
	c.countEnum(dimHeaderWait, headerWaitBucket(r.OriginHeaderTime), n, f520, f5xx)
}

// slotN and netSlotN size the caches of raw field -> table index (routes
// and client addresses).
const (
	slotN    = 1024
	netSlotN = 1024
)

// slot remembers where a raw field's values are in the live tables: a hit
// skips turning the field into a value (a route template and its segment,
// a network) and the tables' maps. gens guard against a table having
// changed since.
type slot struct {
	h         uint64
	v, v2     string // the values (kept copies), "" until counted once
	vh, vh2   uint64 // the values' hashes (capTable.valid)
	gen, gen2 uint32
	i, i2     int32
}

// countRoute counts a path's route and first segment.
func (c *dimCounter) countRoute(p string, n, f520, f5xx int64) {
	if p == "" {
		p = "/"
	}
	rt, sg := &c.live[dimRoute], &c.live[dimSegment]
	h := maphash.String(hashSeed, p) | 1
	sl := &c.routeSlots[h&(slotN-1)]
	switch {
	case sl.h == h && sl.gen == rt.gen && sl.gen2 == sg.gen && rt.valid(sl.i, sl.vh) && sg.valid(sl.i2, sl.vh2):
	case sl.h == h && sl.v != "":
		// a new minute: the values are known, their indexes are not
		sl.i, sl.i2 = rt.lookup(sl.v, sl.vh), sg.lookup(sl.v2, sl.vh2)
		sl.gen, sl.gen2 = rt.gen, sg.gen
	default:
		route := c.valueOf(dimRoute, p)
		seg := pathSegment(route)
		sl.vh, sl.vh2 = fnv64(route), fnv64(seg)
		sl.i, sl.i2 = rt.lookup(route, sl.vh), sg.lookup(seg, sl.vh2)
		sl.v, sl.v2 = "", ""
		if sl.i >= 0 && sl.i2 >= 0 {
			sl.v, sl.v2 = rt.ents[sl.i].v, sg.ents[sl.i2].v
		}
		sl.h, sl.gen, sl.gen2 = h, rt.gen, sg.gen
	}
	rt.addAt(sl.i, n, f520, f5xx)
	sg.addAt(sl.i2, n, f520, f5xx)
}

// countNet counts a client address's network.
func (c *dimCounter) countNet(ip string, n, f520, f5xx int64) {
	if ip == "" || ip == "-" {
		return
	}
	t := &c.live[dimClientNet]
	h := maphash.String(hashSeed, ip) | 1
	sl := &c.netSlots[h&(netSlotN-1)]
	switch {
	case sl.h == h && sl.gen == t.gen && t.valid(sl.i, sl.vh):
	case sl.h == h && sl.v != "":
		sl.i, sl.gen = t.lookup(sl.v, sl.vh), t.gen
	default:
		v := clientNet(ip)
		sl.vh = fnv64(v)
		sl.i = t.lookup(v, sl.vh)
		sl.v = ""
		if sl.i >= 0 {
			sl.v = t.ents[sl.i].v
		}
		sl.h, sl.gen = h, t.gen
	}
	t.addAt(sl.i, n, f520, f5xx)
}

func (c *dimCounter) countEnum(d, i int, n, f520, f5xx int64) {
	if i < 0 {
		return
	}
	v := &c.liveEnum[d][i]
	v.tot += n
	v.fail[0] += f520
	v.fail[1] += f5xx
}

func (c *dimCounter) addFine(t, n, f520, f5xx int64) {
	if f := c.fineCur; f != nil && t >= c.fineLo && t < c.fineHi {
		f.tot += n
		f.fail[0] += f520
		f.fail[1] += f5xx
		return
	}
	fi := floorDiv(t, fineBucket)
	f := &c.fines[mod(fi, int64(len(c.fines)))]
	if f.idx != fi {
		if f.idx > fi {
			return // older than the ring
		}
		*f = fine{idx: fi}
	}
	c.fineCur, c.fineLo, c.fineHi = f, fi*fineBucket, (fi+1)*fineBucket
	f.tot += n
	f.fail[0] += f520
	f.fail[1] += f5xx
}

func hwBin(ms int64) int {
	b := 0
	for ms > 0 && b < hwBins-1 {
		ms >>= 1
		b++
	}
	return b
}

// rotate closes the live minute and moves to bucket b, then lets the open
// bursts fold what has settled.
func (c *dimCounter) rotate(e *Engine, b int64) {
	if c.cur >= 0 {
		cb := &c.ring[mod(c.cur, c.ringLen)]
		cb.idx = c.cur
		cb.tot = c.liveTot
		cb.hw = c.liveHW
		for d := range c.live {
			bd := &cb.dims[d]
			bd.vals = bd.vals[:0]
			bd.other = valCount{}
			if vals := c.liveEnum[d]; vals != nil {
				for i := range vals {
					if vals[i].tot > 0 {
						bd.vals = append(bd.vals, vals[i])
					}
					vals[i].fail, vals[i].tot = [2]int64{}, 0
				}
				slices.SortFunc(bd.vals, func(a, b valCount) int { return cmpString(a.v, b.v) })
				continue
			}
			bd.vals = c.live[d].summarize(bd.vals, &bd.other, summaryTop)
			c.live[d].reset()
		}
	}
	// buckets skipped over are empty
	for i := max(c.cur+1, b-c.ringLen+1); i < b; i++ {
		cb := &c.ring[mod(i, c.ringLen)]
		cb.idx = i
		cb.tot, cb.hw = valCount{}, [hwBins]int64{}
		for d := range cb.dims {
			cb.dims[d].vals = cb.dims[d].vals[:0]
			cb.dims[d].other = valCount{}
		}
	}
	c.cur = b
	c.curHi = (b + 1) * dimBucket
	c.liveTot, c.liveHW = valCount{}, [hwBins]int64{}
	c.foldOpen(e)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// bucket returns the closed bucket i if the ring still holds it.
func (c *dimCounter) bucket(i int64) *closedBucket {
	if i >= c.cur || i < c.cur-c.ringLen+1 {
		return nil
	}
	cb := &c.ring[mod(i, c.ringLen)]
	if cb.idx != i {
		return nil
	}
	return cb
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
	// early and pre split the baseline: the 10 minutes before the last 5,
	// and the last 5 before the start (precursors).
	earlyTot, preTot valCount
	earlyHW, preHW   [hwBins]int64
	baseFines        []fine // the baseline's minutes, for the shape's "before"
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

func (bc *burstCounts) foldBase(cb *closedBucket, pre bool) {
	bc.baseTot.addCounts(&cb.tot)
	if pre {
		bc.preTot.addCounts(&cb.tot)
		addHW(&bc.preHW, &cb.hw)
	} else {
		bc.earlyTot.addCounts(&cb.tot)
		addHW(&bc.earlyHW, &cb.hw)
	}
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
		p.fail[0] += f.fail[0]
		p.fail[1] += f.fail[1]
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
				out[n-1].fail[0] += x.fail[0]
				out[n-1].fail[1] += x.fail[1]
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
			bc.foldBase(cb, i >= bc.startB-precursorBuckets)
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
		tot.addCounts(&c.liveTot)
		for d := range span {
			if vals := c.liveEnum[d]; vals != nil {
				for j := range vals {
					if vals[j].tot > 0 {
						span[d].merge(&vals[j])
					}
				}
				continue
			}
			lt := &c.live[d]
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
