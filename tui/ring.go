package tui

import (
	"sync"
	"time"
	"unsafe"

	"github.com/edgetriage/edgetriage/parse"
)

// DefaultRingSize is how many recent records the Requests screen keeps.
const DefaultRingSize = 100_000

// ringBytesPerRecord sizes the ring's text arena: 320 bytes a record holds
// a full ring of combined-log records (a line and what the parser took
// from outside it); longer records (Logpush JSON, ~1.2 KB) fill the arena
// first, and the ring then holds fewer of them. Either way its memory is
// bounded and known.
const ringBytesPerRecord = 320

// Ring is a bounded, concurrency-safe ring of the most recent records. The
// pipeline goroutine adds batches; the interface reads single records by
// their sequence number, so rendering costs what is visible, not the size.
//
// Memory: neither the slots nor the arena hold a pointer, so the collector
// never scans them and adding needs no write barriers; each record's text
// is one copy into the arena. Holding parse.Records instead (pointers into
// the reader's slabs) made the ring a third of the interface's CPU on a
// 1M-line file, in cloning first, then in collection and barriers.
//
// Cost: Add runs beside the engine on every batch, and on a file read at
// full speed nearly every record it copies is evicted again before anyone
// looks; so a record costs one pass over its fields, one copy of its line
// and no map lookup, hash or division (ring_bench_test.go).
//
// Sequence numbers count every record ever added (0-based); the ring holds
// those in [first, next): evicted by count, or when the arena wraps over
// their text.
type Ring struct {
	wmu    sync.Mutex // serialises writers: Add and Fill
	mu     sync.RWMutex
	slots  []slot
	arena  []byte
	wpos   int64 // absolute arena position of the next byte written
	wphys  int   // wpos % len(arena), kept to spare a division a record
	first  int64 // oldest sequence number held
	next   int64 // sequence number of the next record to be added
	head   int   // next % len(slots)
	firstI int   // first % len(slots)
	inputs []string
	inputN map[string]uint32 // input name -> index in inputs

	// The last input interned in this Add: a batch's records share one
	// Input string, so comparing its pointer and length spares hashing it
	// each record (see remember).
	lastIn    *byte
	lastInLen int
	lastInI   uint32

	lazy lazyText // see ring_lazy.go
}

// textSpan is a string field's place in its record's text.
type textSpan struct{ off, n uint32 }

// slot is one record without pointers: its scalar fields, and its strings
// as spans of its text in the arena (absolute position at). The contrast's
// keys (parse.DimKeys) and the request id's hash (IDHash) are not kept:
// the interface never reads them, the engine recomputes keys that are not
// Set and the deduper hashes an id whose hash is 0.
type slot struct {
	at   int64
	size uint32

	input                    uint32
	source                   parse.Source
	lazy                     bool      // text reserved, not yet copied (ring_lazy.go)
	ends                     [2]uint64 // lazy: the line's first and last 8 bytes, to check what is read again
	status, originStatus     int
	time, bytes, count       int64
	line, offset             int64
	duration, headerT, connT int64
	retryAfter               int64
	text                     [ringTexts]textSpan
}

// ringTexts is the number of string fields a slot keeps besides Input.
const ringTexts = 16

// textFields are the offsets in parse.Record of its string fields (all
// but Input) in slot order; Raw first.
var textFields = [ringTexts]uintptr{
	unsafe.Offsetof(parse.Record{}.Raw), unsafe.Offsetof(parse.Record{}.Host),
	unsafe.Offsetof(parse.Record{}.Upstream), unsafe.Offsetof(parse.Record{}.ClientIP),
	unsafe.Offsetof(parse.Record{}.Method), unsafe.Offsetof(parse.Record{}.Path),
	unsafe.Offsetof(parse.Record{}.Query), unsafe.Offsetof(parse.Record{}.Protocol),
	unsafe.Offsetof(parse.Record{}.UserAgent), unsafe.Offsetof(parse.Record{}.Referer),
	unsafe.Offsetof(parse.Record{}.RequestID), unsafe.Offsetof(parse.Record{}.StatusLocation),
	unsafe.Offsetof(parse.Record{}.POP), unsafe.Offsetof(parse.Record{}.CacheStatus),
	unsafe.Offsetof(parse.Record{}.PeerIP), unsafe.Offsetof(parse.Record{}.Failure),
}

// field is rec's string field i (textFields order).
func field(rec *parse.Record, i int) *string {
	return (*string)(unsafe.Add(unsafe.Pointer(rec), textFields[i]))
}

// NewRing returns a ring holding up to size records (DefaultRingSize if size <= 0).
func NewRing(size int) *Ring {
	if size <= 0 {
		size = DefaultRingSize
	}
	return &Ring{slots: make([]slot, size), arena: make([]byte, max(size*ringBytesPerRecord, 64<<10)),
		inputN: map[string]uint32{}}
}

// Add copies a batch into the ring, evicting the oldest records when full.
// The records' text is copied; the caller's may change afterwards.
func (r *Ring) Add(batch []parse.Record) {
	if r == nil || len(batch) == 0 {
		return
	}
	// Only the last len(slots) records of a huge batch can survive.
	skip := max(len(batch)-len(r.slots), 0)
	r.wmu.Lock()
	defer r.wmu.Unlock()
	if r.lazy.pending && r.lazy.observed.Load() {
		r.fill() // somebody looks: no more deferring (ring_lazy.go)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastIn = nil // see remember: the cache lives for one batch
	if skip > 0 {
		r.next += int64(skip)
		r.head = int(r.next % int64(len(r.slots)))
		r.evictTo(r.next - int64(len(r.slots)))
	}
	for i := skip; i < len(batch); i++ {
		r.put(&batch[i])
	}
}

// put stores one record (lock held).
func (r *Ring) put(rec *parse.Record) {
	raw := rec.Raw
	rawAt := uintptr(unsafe.Pointer(unsafe.StringData(raw)))
	// The record's text: Raw, then the fields that are not part of it
	// (unescaped, interned or synthesised ones). Most fields view Raw, and
	// their spans are known before anything is copied; outside lists the
	// others, to copy after Raw.
	var text [ringTexts]textSpan
	var outside uint32
	size := len(raw)
	for i := 1; i < ringTexts; i++ {
		v := *field(rec, i)
		if v == "" {
			continue
		}
		if p := uintptr(unsafe.Pointer(unsafe.StringData(v))); p >= rawAt && p+uintptr(len(v)) <= rawAt+uintptr(len(raw)) {
			text[i] = textSpan{uint32(p - rawAt), uint32(len(v))}
			continue
		}
		outside |= 1 << i
		size += len(v)
	}
	limit := len(r.arena) / 8 // a giant line must not empty the ring
	if size > limit {
		// Keep the fields that fit, not the line: every field is then
		// copied, none views the text.
		raw, size, outside, text = "", 0, 0, [ringTexts]textSpan{}
		for i := 1; i < ringTexts; i++ {
			if v := *field(rec, i); v != "" {
				outside |= 1 << i
				size += len(v)
			}
		}
		size = min(size, limit)
	}
	at, phys := r.reserve(size)
	// Field by field: a composite literal would be built aside and copied.
	s := &r.slots[r.head]
	s.at, s.size, s.input, s.source = at, uint32(size), r.intern(rec.Input), rec.Source
	s.lazy = outside == 0 && raw != "" && rec.Offset >= 0 && r.deferrable(s.input)
	if s.lazy {
		s.ends = lineEnds(raw)
		r.lazy.pending = true
	}
	s.status, s.originStatus = rec.Status, rec.OriginStatus
	s.time, s.bytes, s.count, s.line, s.offset = rec.Time, rec.Bytes, rec.Count, rec.Line, rec.Offset
	s.duration, s.headerT, s.connT = int64(rec.Duration), int64(rec.OriginHeaderTime), int64(rec.OriginConnectTime)
	s.retryAfter = int64(rec.RetryAfter)
	buf := r.arena[phys : phys+size]
	n := len(raw)
	if !s.lazy {
		n = copy(buf, raw)
	}
	text[0] = textSpan{0, uint32(n)}
	for i := 1; outside>>i != 0; i++ {
		if outside&(1<<i) == 0 {
			continue
		}
		k := copy(buf[n:], *field(rec, i)) // past the limit a field is cut short
		text[i] = textSpan{uint32(n), uint32(k)}
		n += k
	}
	s.text = text
	r.next++
	if r.head++; r.head == len(r.slots) {
		r.head = 0
	}
	if r.next-r.first > int64(len(r.slots)) {
		r.evictTo(r.next - int64(len(r.slots)))
	}
}

// evictTo drops the records before sequence number seq (lock held).
func (r *Ring) evictTo(seq int64) {
	if seq <= r.first {
		return
	}
	if seq-r.first >= int64(len(r.slots)) {
		r.first, r.firstI = seq, int(seq%int64(len(r.slots)))
		return
	}
	r.firstI += int(seq - r.first)
	if r.firstI >= len(r.slots) {
		r.firstI -= len(r.slots)
	}
	r.first = seq
}

// reserve takes size contiguous bytes of the arena and evicts the records
// whose text they overwrite; it returns their absolute and physical
// positions.
func (r *Ring) reserve(size int) (int64, int) {
	n := len(r.arena)
	if r.wphys+size > n {
		r.wpos += int64(n - r.wphys) // a record's text never wraps: skip the tail
		r.wphys = 0
	}
	at, phys := r.wpos, r.wphys
	r.wpos += int64(size)
	r.wphys += size
	// Text before wpos-n has been written over; records are in arena order.
	for r.first < r.next && r.slots[r.firstI].at < r.wpos-int64(n) {
		r.first++
		if r.firstI++; r.firstI == len(r.slots) {
			r.firstI = 0
		}
	}
	return at, phys
}

func (r *Ring) intern(input string) uint32 {
	if p := unsafe.StringData(input); p == r.lastIn && len(input) == r.lastInLen && p != nil {
		return r.lastInI
	}
	if i, ok := r.inputN[input]; ok {
		r.remember(input, i)
		return i
	}
	i := uint32(len(r.inputs))
	input = string([]byte(input)) // the caller's bytes may not stay
	r.inputs = append(r.inputs, input)
	r.inputN[input] = i
	r.remember(input, i)
	return i
}

// remember caches input's index by the caller's string: the next record of
// the batch shares it. Equal pointer and length mean equal bytes only while
// both strings live, so the cache lasts one Add (the batch's strings live
// through it) and is never trusted across batches.
func (r *Ring) remember(input string, i uint32) {
	r.lastIn, r.lastInLen, r.lastInI = unsafe.StringData(input), len(input), i
}

// view fills rec from slot s; its strings are views of the arena, valid
// while the read lock is held (lock held).
func (r *Ring) view(s *slot, rec *parse.Record) {
	*rec = parse.Record{Input: r.inputs[s.input], Source: s.source, Status: s.status, OriginStatus: s.originStatus,
		Time: s.time, Bytes: s.bytes, Count: s.count, Line: s.line, Offset: s.offset,
		Duration:          time.Duration(s.duration),
		OriginHeaderTime:  time.Duration(s.headerT),
		OriginConnectTime: time.Duration(s.connT),
		RetryAfter:        time.Duration(s.retryAfter)}
	if s.size == 0 {
		return
	}
	text := r.arena[s.at%int64(len(r.arena)):][:s.size]
	for i, sp := range s.text {
		if sp.n > 0 {
			*field(rec, i) = unsafe.String(&text[sp.off], int(sp.n))
		}
	}
}

// slotOf is the slot of a held sequence number (lock held).
func (r *Ring) slotOf(seq int64) *slot { return &r.slots[seq%int64(len(r.slots))] }

// Cap is the ring's capacity in records.
func (r *Ring) Cap() int {
	if r == nil {
		return 0
	}
	return len(r.slots)
}

// Bounds returns the sequence numbers [first, next) held now.
func (r *Ring) Bounds() (first, next int64) {
	if r == nil {
		return 0, 0
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.first, r.next
}

// Len is the number of records held.
func (r *Ring) Len() int {
	first, next := r.Bounds()
	return int(next - first)
}

// At returns the record with sequence number seq, if still held and its
// text copied (ring_lazy.go: not yet, while a file is read at full speed
// and nobody looked; the next batch or the end of reading copies it); its
// text is the caller's (a copy).
func (r *Ring) At(seq int64) (parse.Record, bool) {
	if r == nil {
		return parse.Record{}, false
	}
	r.observe()
	r.mu.RLock()
	defer r.mu.RUnlock()
	if seq < r.first || seq >= r.next || r.slotOf(seq).lazy {
		return parse.Record{}, false
	}
	var rec parse.Record
	r.view(r.slotOf(seq), &rec)
	return rec.Clone(), true
}

// Scan calls fn for each held record with sequence number in [from, next),
// oldest first, until fn returns false; it returns the sequence number after
// the last record visited. It stops before a record whose text is not
// copied yet (ring_lazy.go), returning its sequence number: a caller that
// resumes from the returned number sees it once it is. fn runs under the
// read lock and must not keep rec or its strings (they view the arena,
// which later records overwrite).
func (r *Ring) Scan(from int64, fn func(seq int64, rec *parse.Record) bool) int64 {
	if r == nil {
		return from
	}
	r.observe()
	r.mu.RLock()
	defer r.mu.RUnlock()
	from = max(from, r.first)
	var rec parse.Record
	for seq := from; seq < r.next; seq++ {
		if r.slotOf(seq).lazy {
			return seq
		}
		r.view(r.slotOf(seq), &rec)
		if !fn(seq, &rec) {
			return seq + 1
		}
	}
	return r.next
}

// Find returns the newest held record read from input at line, if any
// and its text is copied (see At).
func (r *Ring) Find(input string, line int64) (parse.Record, bool) {
	if r == nil {
		return parse.Record{}, false
	}
	r.observe()
	r.mu.RLock()
	defer r.mu.RUnlock()
	in, ok := r.inputN[input]
	if !ok {
		return parse.Record{}, false
	}
	for seq := r.next - 1; seq >= r.first; seq-- {
		if s := &r.slots[seq%int64(len(r.slots))]; s.line == line && s.input == in {
			if s.lazy {
				return parse.Record{}, false
			}
			var rec parse.Record
			r.view(s, &rec)
			return rec.Clone(), true
		}
	}
	return parse.Record{}, false
}
