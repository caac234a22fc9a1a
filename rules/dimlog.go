package rules

import (
	"math"
	"unsafe"

	"github.com/edgetriage/edgetriage/parse"
)

// Logged buckets: the route, segment and client-network counts.
//
// Those three dimensions cost the most to count (a template of the path,
// a hash of each value, a table probe each, and a new table entry for most
// values each bucket), and a bucket's counts are read only when a burst's
// baseline or span covers it: on a day of ordinary traffic almost never.
// So while the log budget lasts, a bucket keeps, instead of those tables,
// the bytes of each record's path and client address (no pointers: nothing
// for the collector to scan) and counts them the first time it is read, in
// a table with the live table's cap. A capTable's counts depend on the
// values and their counts only, never on their order (see capTable), so a
// logged bucket's counts equal those counted record by record. Past the
// budget (maxLogBytes over every origin), or past logKeepBytes in one
// bucket (a busy origin: its buckets are counted as they come, cheaper
// than holding them), the live bucket counts its records as they come,
// the log so far first.

// maxLogBytes bounds the bytes of the logs kept, over every origin.
const maxLogBytes = 4 << 20

// logRec is one record of a bucket's log: its requests, failure class,
// and the lengths of its path and client address, which follow the
// previous record's in the bucket's arena; 8 bytes (a record standing for
// more requests, or with a longer path or address, is counted as it comes:
// see logKeyed).
type logRec struct {
	n       uint32
	pathLen uint16
	ipLen   uint8
	cls     int8
}

const logRecSize = int(unsafe.Sizeof(logRec{}))

// keyedDims are the dimensions a log holds.
var keyedDims = [...]int{dimRoute, dimSegment, dimClientNet}

// bucketLog is a bucket's log (live or closed).
type bucketLog struct {
	recs  []logRec
	arena []byte
}

func (l *bucketLog) size() int { return len(l.recs)*logRecSize + len(l.arena) }

// logKeyed adds r's path and client address to the live bucket's log, or
// counts them when the bucket's room is spent. The room is reserved from
// the budget a chunk at a time (growLog), so a record mostly checks one
// number, not the budget and the bucket's size.
func (c *dimCounter) logKeyed(r *parse.Record, n int64, cls int) {
	path, ip := r.Path, r.ClientIP
	need := len(path) + len(ip) + logRecSize
	if (need > c.logRoom && !c.growLog(need)) || uint64(n) > math.MaxUint32 || len(path) > math.MaxUint16 || len(ip) > math.MaxUint8 {
		c.countLog()
		c.countKeys(r, n, cls)
		return
	}
	l := &c.log
	l.arena = append(append(l.arena, path...), ip...)
	l.recs = append(l.recs, logRec{n: uint32(n), pathLen: uint16(len(path)), ipLen: uint8(len(ip)), cls: int8(cls)})
	c.logRoom -= need
}

// logChunk is the room a live log reserves from the budget at a time.
const logChunk = 8 << 10

// growLog reserves room for need more bytes in the live log, and says
// whether it could: the budget counts the closed buckets' logs and the
// live ones' reserved rooms (a live log's bytes are part of its room), and
// a bucket's room never passes logKeepBytes.
func (c *dimCounter) growLog(need int) bool {
	sh := c.shared
	room := min(max(need-c.logRoom, logChunk), logKeepBytes-c.log.size()-c.logRoom, sh.logLimit-sh.logBytes)
	if c.logRoom+room < need {
		return false
	}
	c.logRoom += room
	sh.logBytes += room
	return true
}

// releaseLog returns the live log's unused room to the budget.
func (c *dimCounter) releaseLog() {
	c.shared.logBytes -= c.logRoom
	c.logRoom = 0
}

// countLog counts the live bucket's log into its tables and counts its
// records as they come from now on, until the bucket closes.
func (c *dimCounter) countLog() {
	c.lazy = false
	c.tallyLog(&c.log, &c.live)
	c.dropLog(&c.log)
	c.releaseLog()
}

// tallyLog counts log l into the route, segment and network tables of ts.
func (c *dimCounter) tallyLog(l *bucketLog, ts *[numDims]capTable) {
	k := &c.shared.keyer
	off := uint32(0)
	for _, lr := range l.recs {
		path := view(l.arena, off, uint32(lr.pathLen))
		ip := view(l.arena, off+uint32(lr.pathLen), uint32(lr.ipLen))
		off += uint32(lr.pathLen) + uint32(lr.ipLen)
		n, cls := int64(lr.n), int(lr.cls)
		// by the keys first: a value's string only when it is new to the table
		rid, sid := k.PathKeys(path)
		t := &ts[dimRoute]
		p, i := t.probe(rid)
		if i < 0 {
			route := k.Route(path)
			i = t.insertAt(p, route, fnv64(route), rid, false)
		}
		t.addAt(i, n, cls)
		t = &ts[dimSegment]
		if p, i = t.probe(sid); i < 0 {
			seg := parse.PathSegment(k.Route(path))
			i = t.insertAt(p, seg, fnv64(seg), sid, false)
		}
		t.addAt(i, n, cls)
		if net := parse.ClientNet(ip); net != "" {
			t = &ts[dimClientNet]
			id := parse.DimHash(net)
			if p, i = t.probe(id); i < 0 {
				i = t.insertAt(p, net, fnv64(net), id, false)
			}
			t.addAt(i, n, cls)
		}
	}
}

// view is arena[off:off+n] as a string (valid while the arena is).
func view(arena []byte, off, n uint32) string {
	if n == 0 {
		return ""
	}
	return unsafe.String(&arena[off], n)
}

// dropLog empties l, returning its bytes to the budget. Its arrays stay
// for the next log unless they grew large (appending doubles them): the
// budget counts lengths, and what a ring's slots keep must stay small.
func (c *dimCounter) dropLog(l *bucketLog) {
	c.shared.logBytes -= l.size()
	l.recs, l.arena = l.recs[:0], l.arena[:0]
	if cap(l.arena)+cap(l.recs)*logRecSize > 2*logKeepBytes {
		l.recs, l.arena = nil, nil
	}
}

// logKeepBytes bounds one bucket's log, and the arrays a log keeps once
// emptied (twice that: appending doubles them).
const logKeepBytes = 128 << 10

// logTables counts log l into the shared scratch tables (live cap) and
// returns them; the caller resets them.
func (c *dimCounter) logTables(l *bucketLog) *[numDims]capTable {
	sh := c.shared
	for _, d := range keyedDims {
		if sh.scratch[d].limit == 0 {
			sh.scratch[d] = newCapTable(liveLimit)
			sh.scratch[d].in = c.in
		}
	}
	c.tallyLog(l, &sh.scratch)
	return &sh.scratch
}

func (c *dimCounter) resetScratch() {
	for _, d := range keyedDims {
		c.shared.scratch[d].reset()
	}
}

// swapLog moves the live log to closed bucket cb: a copy into cb's
// arrays, so that the live log always fills the same, warm, memory (each
// record's bytes written once more, in bulk, beats writing them into
// memory last touched a ring ago).
func (c *dimCounter) swapLog(cb *closedBucket) {
	c.dropLog(&cb.log)
	c.releaseLog()
	cb.logged = len(c.log.recs) > 0
	if !cb.logged {
		return
	}
	cb.log.recs = append(cb.log.recs[:0], c.log.recs...)
	cb.log.arena = append(cb.log.arena[:0], c.log.arena...)
	c.log.recs, c.log.arena = c.log.recs[:0], c.log.arena[:0] // its bytes are cb's now
	cb.pending = true
}

// summarizeLog summarizes a closed bucket's log into its route, segment
// and network dims.
func (c *dimCounter) summarizeLog(cb *closedBucket) {
	ts := c.logTables(&cb.log)
	for _, d := range keyedDims {
		if !ts[d].empty() {
			c.summarizeInto(&cb.dims[d], ts[d].ents, ts[d].other)
		}
	}
	c.resetScratch()
	c.dropLog(&cb.log)
	cb.logged = false
}
