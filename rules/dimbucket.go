package rules

// Closed buckets of an origin's dimension counts.
//
// A bucket's tables are summarized (the top values by requests and by
// failing requests, the rest in Other) before they join the ring. Most
// buckets are never read: only a burst's baseline and span are. So a
// closed bucket keeps a copy of its tables' values (one copy of an array,
// cheaper than a summary; the live table keeps its own array, warm in the
// cache) and is summarized the first time it is read; a bucket that leaves
// the ring unread costs that copy only. The
// summary is a function of the values alone, so when and whether it is
// made changes no count. The values waiting so, over every origin, are
// bounded (maxRawValues); past that a bucket is summarized as it closes.

// maxRawValues bounds the table values closed buckets keep unsummarized,
// over all origins (about 90 bytes each).
const maxRawValues = 1 << 16

// maxFreeArrays bounds the arrays kept for reuse by live tables, per
// dimension.
const maxFreeArrays = 64

// bucketDim is one dimension of a closed bucket.
type bucketDim struct {
	vals  []valCount // by stable hash (values of an enumeration alone: by index)
	other valCount
	// raw is the dimension's table as it closed while the bucket waits to
	// be summarized (pending), with the values beyond the table's cap.
	raw      []valCount
	rawOther valCount
}

type closedBucket struct {
	idx     int64 // bucket number (time / dimBucket); -1 empty
	dims    [numDims]bucketDim
	tot     valCount // every origin-bound request of the bucket
	pending bool     // some dims still raw or logged
	log     bucketLog
	logged  bool // the route, segment and network dims are in log
}

// rotate closes the live bucket and moves to bucket b, then lets the open
// bursts fold what has settled.
func (c *dimCounter) rotate(e *Engine, b int64) {
	if c.cur >= 0 {
		c.closeLive(&c.ring[mod(c.cur, c.ringLen)])
	}
	// buckets skipped over are empty
	for i := max(c.cur+1, b-c.ringLen+1); i < b; i++ {
		cb := &c.ring[mod(i, c.ringLen)]
		c.dropRaw(cb)
		cb.idx = i
		cb.tot = valCount{}
		for d := range cb.dims {
			cb.dims[d].vals = cb.dims[d].vals[:0]
			cb.dims[d].other = valCount{}
		}
	}
	c.cur = b
	c.curHi = (b + 1) * dimBucket
	c.liveTot = valCount{}
	c.lazy = c.shared.logBytes < c.shared.logLimit
	c.foldOpen(e)
}

// closeLive moves the live bucket's counts into ring slot cb.
func (c *dimCounter) closeLive(cb *closedBucket) {
	c.flushInput()
	c.dropRaw(cb)
	cb.idx = c.cur
	cb.tot = c.liveTot
	sh := c.shared
	for d := range c.live {
		bd := &cb.dims[d]
		bd.vals = bd.vals[:0]
		bd.other = valCount{}
		if vals := c.liveEnum[d]; vals != nil {
			for i := range vals {
				if vals[i].tot > 0 {
					bd.vals = append(bd.vals, vals[i])
				}
				vals[i].fail, vals[i].tot = [numClasses]int64{}, 0
			}
		}
		lt := &c.live[d]
		if closedDim(d) || lt.empty() {
			continue
		}
		if sh.rawValues+len(lt.ents) <= sh.rawLimit {
			// a copy: the live table keeps its array, warm in the cache
			bd.raw, bd.rawOther = append(sh.freeArray(d), lt.ents...), lt.other
			sh.rawValues += cap(bd.raw)
			cb.pending = true
		} else {
			c.summarizeInto(bd, lt.ents, lt.other)
		}
		lt.reset()
	}
	c.swapLog(cb)
}

// summarizeInto adds the summary of a table's values to bd (after the
// values of an enumeration already there).
func (c *dimCounter) summarizeInto(bd *bucketDim, ents []valCount, other valCount) {
	n := len(bd.vals)
	t := capTable{ents: ents, other: other, keep: c.keep}
	bd.vals = t.summarize(bd.vals, &bd.other, summaryTop)
	c.keep = t.keep
	if n > 0 && len(bd.vals) > n {
		sortByHash(bd.vals)
	}
}

// summarizeBucket summarizes the dims of cb still raw.
func (c *dimCounter) summarizeBucket(cb *closedBucket) {
	for d := range cb.dims {
		bd := &cb.dims[d]
		if bd.raw != nil {
			c.summarizeInto(bd, bd.raw, bd.rawOther)
		}
	}
	if cb.logged {
		c.summarizeLog(cb)
	}
	c.dropRaw(cb)
}

// dropRaw lets go of cb's raw values (summarized or never needed).
func (c *dimCounter) dropRaw(cb *closedBucket) {
	if !cb.pending {
		return
	}
	if cb.logged {
		c.dropLog(&cb.log)
		cb.logged = false
	}
	sh := c.shared
	for d := range cb.dims {
		bd := &cb.dims[d]
		if bd.raw != nil {
			sh.rawValues -= cap(bd.raw)
			sh.putArray(d, bd.raw)
			bd.raw, bd.rawOther = nil, valCount{}
		}
	}
	cb.pending = false
}

// freeArray returns an empty array for the values of a live table of
// dimension d (one of the dimension's: a route table's has room for
// hundreds, an input table's for one).
func (sh *dimShared) freeArray(d int) []valCount {
	if n := len(sh.free[d]); n > 0 {
		a := sh.free[d][n-1]
		sh.free[d][n-1] = nil
		sh.free[d] = sh.free[d][:n-1]
		return a[:0]
	}
	return nil
}

func (sh *dimShared) putArray(d int, a []valCount) {
	if len(sh.free[d]) < maxFreeArrays {
		sh.free[d] = append(sh.free[d], a[:0]) // its old values are overwritten as the table fills
	}
}

// bucket returns the closed bucket i, summarized, if the ring still holds
// it.
func (c *dimCounter) bucket(i int64) *closedBucket {
	if i >= c.cur || i < c.cur-c.ringLen+1 {
		return nil
	}
	cb := &c.ring[mod(i, c.ringLen)]
	if cb.idx != i {
		return nil
	}
	if cb.pending {
		c.summarizeBucket(cb)
	}
	return cb
}
