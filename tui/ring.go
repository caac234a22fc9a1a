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
// Sequence numbers count every record ever added (0-based); the ring holds
// those in [first, next): evicted by count, or when the arena wraps over
// their text.
type Ring struct {
	mu     sync.RWMutex
	slots  []slot
	arena  []byte
	wpos   int64 // absolute arena position of the next byte written
	first  int64 // oldest sequence number held
	next   int64 // sequence number of the next record to be added
	inputs []string
	inputN map[string]uint32 // input name -> index in inputs
}

// textSpan is a string field's place in its record's text.
type textSpan struct{ off, n uint32 }

// slot is one record without pointers: its scalar fields, and its strings
// as spans of its text in the arena (absolute position at).
type slot struct {
	at   int64
	size uint32

	input                    uint32
	source                   parse.Source
	status, originStatus     int
	time, bytes, count       int64
	line, offset             int64
	duration, headerT, connT int64
	retryAfter               int64
	dims                     parse.DimKeys // plain numbers: no pointer for the collector
	text                     [ringTexts]textSpan
}

// ringTexts is the number of string fields a slot keeps besides Input.
const ringTexts = 16

// texts lists the record's string fields (all but Input) in slot order.
func texts(r *parse.Record) [ringTexts]*string {
	return [ringTexts]*string{&r.Raw, &r.Host, &r.Upstream, &r.ClientIP, &r.Method, &r.Path, &r.Query,
		&r.Protocol, &r.UserAgent, &r.Referer, &r.RequestID, &r.StatusLocation, &r.POP,
		&r.CacheStatus, &r.PeerIP, &r.Failure}
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
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next += int64(skip)
	r.first = max(r.first, r.next-int64(len(r.slots)))
	for i := skip; i < len(batch); i++ {
		r.put(&batch[i])
	}
}

// put stores one record (lock held).
func (r *Ring) put(rec *parse.Record) {
	fields := texts(rec)
	raw := rec.Raw
	rawAt := uintptr(unsafe.Pointer(unsafe.StringData(raw)))
	// The record's text: Raw, then the fields that are not part of it
	// (unescaped, interned or synthesised ones). Most fields view Raw.
	size := len(raw)
	for _, f := range fields[1:] {
		if !inside(*f, rawAt, len(raw)) {
			size += len(*f)
		}
	}
	limit := len(r.arena) / 8 // a giant line must not empty the ring
	if size > limit {
		raw, size = "", 0 // keep the fields that fit, not the line
		for _, f := range fields[1:] {
			size += len(*f)
		}
		size = min(size, limit)
	}
	at := r.reserve(size)
	s := &r.slots[r.next%int64(len(r.slots))]
	*s = slot{at: at, size: uint32(size), input: r.intern(rec.Input), source: rec.Source,
		status: rec.Status, originStatus: rec.OriginStatus, time: rec.Time, bytes: rec.Bytes, count: rec.Count,
		line: rec.Line, offset: rec.Offset, duration: int64(rec.Duration), headerT: int64(rec.OriginHeaderTime),
		connT: int64(rec.OriginConnectTime), retryAfter: int64(rec.RetryAfter), dims: rec.Dims}
	buf := r.arena[at%int64(len(r.arena)):][:size]
	n := copy(buf, raw)
	s.text[0] = textSpan{0, uint32(n)}
	for i, f := range fields[1:] {
		v := *f
		switch {
		case v == "":
		case raw != "" && inside(v, rawAt, len(raw)):
			s.text[i+1] = textSpan{uint32(uintptr(unsafe.Pointer(unsafe.StringData(v))) - rawAt), uint32(len(v))}
		default:
			k := copy(buf[n:], v) // past the limit a field is cut short
			s.text[i+1] = textSpan{uint32(n), uint32(k)}
			n += k
		}
	}
	r.next++
	r.first = max(r.first, r.next-int64(len(r.slots)))
}

// reserve takes size contiguous bytes of the arena and evicts the records
// whose text they overwrite; it returns their absolute position.
func (r *Ring) reserve(size int) int64 {
	n := int64(len(r.arena))
	if phys := r.wpos % n; phys+int64(size) > n {
		r.wpos += n - phys // a record's text never wraps: skip the tail
	}
	at := r.wpos
	r.wpos += int64(size)
	// Text before wpos-n has been written over; records are in arena order.
	for r.first < r.next && r.slots[r.first%int64(len(r.slots))].at < r.wpos-n {
		r.first++
	}
	return at
}

// inside reports whether s is a view of the n bytes at base.
func inside(s string, base uintptr, n int) bool {
	if s == "" || n == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return p >= base && p+uintptr(len(s)) <= base+uintptr(n)
}

func (r *Ring) intern(input string) uint32 {
	if i, ok := r.inputN[input]; ok {
		return i
	}
	i := uint32(len(r.inputs))
	input = string([]byte(input)) // the caller's bytes may not stay
	r.inputs = append(r.inputs, input)
	r.inputN[input] = i
	return i
}

// view fills rec from slot s; its strings are views of the arena, valid
// while the read lock is held (lock held).
func (r *Ring) view(s *slot, rec *parse.Record) {
	*rec = parse.Record{Input: r.inputs[s.input], Source: s.source, Status: s.status, OriginStatus: s.originStatus,
		Time: s.time, Bytes: s.bytes, Count: s.count, Line: s.line, Offset: s.offset,
		Duration:          time.Duration(s.duration),
		OriginHeaderTime:  time.Duration(s.headerT),
		OriginConnectTime: time.Duration(s.connT),
		RetryAfter:        time.Duration(s.retryAfter), Dims: s.dims}
	if s.size == 0 {
		return
	}
	text := r.arena[s.at%int64(len(r.arena)):][:s.size]
	for i, f := range texts(rec) {
		if sp := s.text[i]; sp.n > 0 {
			*f = unsafe.String(&text[sp.off], int(sp.n))
		}
	}
}

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

// At returns the record with sequence number seq, if still held; its text
// is the caller's (a copy).
func (r *Ring) At(seq int64) (parse.Record, bool) {
	if r == nil {
		return parse.Record{}, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if seq < r.first || seq >= r.next {
		return parse.Record{}, false
	}
	var rec parse.Record
	r.view(&r.slots[seq%int64(len(r.slots))], &rec)
	return rec.Clone(), true
}

// Scan calls fn for each held record with sequence number in [from, next),
// oldest first, until fn returns false; it returns the sequence number after
// the last record visited. fn runs under the read lock and must not keep
// rec or its strings (they view the arena, which later records overwrite).
func (r *Ring) Scan(from int64, fn func(seq int64, rec *parse.Record) bool) int64 {
	if r == nil {
		return from
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	from = max(from, r.first)
	var rec parse.Record
	for seq := from; seq < r.next; seq++ {
		r.view(&r.slots[seq%int64(len(r.slots))], &rec)
		if !fn(seq, &rec) {
			return seq + 1
		}
	}
	return r.next
}

// Find returns the newest held record read from input at line, if any.
func (r *Ring) Find(input string, line int64) (parse.Record, bool) {
	if r == nil {
		return parse.Record{}, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	in, ok := r.inputN[input]
	if !ok {
		return parse.Record{}, false
	}
	for seq := r.next - 1; seq >= r.first; seq-- {
		if s := &r.slots[seq%int64(len(r.slots))]; s.line == line && s.input == in {
			var rec parse.Record
			r.view(s, &rec)
			return rec.Clone(), true
		}
	}
	return parse.Record{}, false
}
