package tui

import (
	"sync"

	"github.com/edgetriage/edgetriage/parse"
)

// DefaultRingSize is how many recent records the Requests screen keeps.
const DefaultRingSize = 100_000

// Ring is a bounded, concurrency-safe ring of the most recent records. The
// pipeline goroutine adds batches; the interface reads single records by
// their sequence number, so rendering costs what is visible, not the size.
//
// Sequence numbers count every record ever added (0-based); the ring holds
// those in [First(), Next()).
type Ring struct {
	mu   sync.RWMutex
	buf  []parse.Record
	next int64 // sequence number of the next record to be added
}

// NewRing returns a ring holding up to size records (DefaultRingSize if size <= 0).
func NewRing(size int) *Ring {
	if size <= 0 {
		size = DefaultRingSize
	}
	return &Ring{buf: make([]parse.Record, size)}
}

// Add stores a batch, evicting the oldest records when full. Records are
// kept as they are: their strings stay views of their lines, so they must
// be bytes that are never written again, as those of parse/input (slabs
// are never reused); a source that parses into a reused buffer clones its
// records first. Cloning every record here was a third of the interface's
// CPU on a 1M-line file; kept as they are, the ring pins the slabs of its
// last records instead, about as many bytes as the copies took.
func (r *Ring) Add(batch []parse.Record) {
	if r == nil || len(batch) == 0 {
		return
	}
	kept := r.tail(batch)
	r.mu.Lock()
	r.next += int64(len(batch) - len(kept))
	for len(kept) > 0 {
		// At most two copies: up to the end of buf, then from its start.
		i := int(r.next % int64(len(r.buf)))
		n := copy(r.buf[i:], kept)
		kept = kept[n:]
		r.next += int64(n)
	}
	r.mu.Unlock()
}

// tail is the part of batch that can survive in the ring: only the last
// len(buf) records of a huge batch.
func (r *Ring) tail(batch []parse.Record) []parse.Record {
	if len(batch) > len(r.buf) {
		return batch[len(batch)-len(r.buf):]
	}
	return batch
}

// Cap is the ring's capacity.
func (r *Ring) Cap() int {
	if r == nil {
		return 0
	}
	return len(r.buf)
}

// Bounds returns the sequence numbers [first, next) held now.
func (r *Ring) Bounds() (first, next int64) {
	if r == nil {
		return 0, 0
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.boundsLocked()
}

func (r *Ring) boundsLocked() (first, next int64) {
	first = r.next - int64(len(r.buf))
	if first < 0 {
		first = 0
	}
	return first, r.next
}

// Len is the number of records held.
func (r *Ring) Len() int {
	first, next := r.Bounds()
	return int(next - first)
}

// At returns the record with sequence number seq, if still held.
func (r *Ring) At(seq int64) (parse.Record, bool) {
	if r == nil {
		return parse.Record{}, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	first, next := r.boundsLocked()
	if seq < first || seq >= next {
		return parse.Record{}, false
	}
	return r.buf[seq%int64(len(r.buf))], true
}

// Scan calls fn for each held record with sequence number in [from, next),
// oldest first, until fn returns false; it returns the sequence number after
// the last record visited. fn runs under the read lock and must not keep rec.
func (r *Ring) Scan(from int64, fn func(seq int64, rec *parse.Record) bool) int64 {
	if r == nil {
		return from
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	first, next := r.boundsLocked()
	if from < first {
		from = first
	}
	for seq := from; seq < next; seq++ {
		if !fn(seq, &r.buf[seq%int64(len(r.buf))]) {
			return seq + 1
		}
	}
	return next
}

// Find returns the newest held record read from input at line, if any.
func (r *Ring) Find(input string, line int64) (parse.Record, bool) {
	if r == nil {
		return parse.Record{}, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	first, next := r.boundsLocked()
	for seq := next - 1; seq >= first; seq-- {
		rec := &r.buf[seq%int64(len(r.buf))]
		if rec.Line == line && rec.Input == input {
			return *rec, true
		}
	}
	return parse.Record{}, false
}
