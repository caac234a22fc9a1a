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

// Add copies a batch into the ring (records are cloned: their strings no
// longer alias the reader's buffers), evicting the oldest when full.
func (r *Ring) Add(batch []parse.Record) {
	if r == nil || len(batch) == 0 {
		return
	}
	// Only the last len(buf) records of a huge batch can survive.
	skip := 0
	if len(batch) > len(r.buf) {
		skip = len(batch) - len(r.buf)
	}
	// Clone outside the lock: readers are never held up by copying.
	clones := make([]parse.Record, 0, len(batch)-skip)
	for i := skip; i < len(batch); i++ {
		clones = append(clones, batch[i].Clone())
	}
	r.mu.Lock()
	r.next += int64(skip)
	for i := range clones {
		r.buf[r.next%int64(len(r.buf))] = clones[i]
		r.next++
	}
	r.mu.Unlock()
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
