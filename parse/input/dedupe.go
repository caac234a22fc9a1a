package input

import (
	"hash/maphash"

	"github.com/edgetriage/edgetriage/parse"
)

// deduper remembers the request ids passed on recently, keyed by source so
// that the edge record and the origin record of one request (same RayID)
// are not duplicates of each other. It keeps 64-bit hashes, not the ids:
// holding the strings would pin their slabs. The memory is bounded by a
// time window (duplicates from overlapping pulls carry the same timestamp,
// so they meet within the reorder window) and by a count cap.
type deduper struct {
	window int64
	max    int
	seed   maphash.Seed
	seen   map[uint64]struct{}
	ring   []dedupeEntry // FIFO in arrival order
	head   int
	n      int
}

type dedupeEntry struct {
	h uint64
	t int64
}

func newDeduper(window int64, maxIDs int) *deduper {
	return &deduper{window: window, max: max(maxIDs, 1), seed: maphash.MakeSeed(),
		seen: make(map[uint64]struct{})}
}

// duplicate reports whether rec's (Source, RequestID) was seen within the
// window, and remembers it otherwise. Records without a request id are
// never duplicates.
func (d *deduper) duplicate(rec *parse.Record) bool {
	if rec.RequestID == "" {
		return false
	}
	h := maphash.String(d.seed, rec.RequestID) ^ (uint64(rec.Source)+1)*0x9e3779b97f4a7c15
	for d.n > 0 {
		e := d.ring[d.head]
		if d.n < d.max && e.t >= rec.Time-d.window {
			break
		}
		delete(d.seen, e.h)
		d.ring[d.head] = dedupeEntry{}
		d.head = (d.head + 1) % len(d.ring)
		d.n--
	}
	if _, ok := d.seen[h]; ok {
		return true
	}
	d.seen[h] = struct{}{}
	if d.n == len(d.ring) {
		d.grow()
	}
	d.ring[(d.head+d.n)%len(d.ring)] = dedupeEntry{h: h, t: rec.Time}
	d.n++
	return false
}

// grow doubles the ring (up to max), keeping FIFO order.
func (d *deduper) grow() {
	size := min(max(2*len(d.ring), 1024), d.max)
	ring := make([]dedupeEntry, size)
	for i := 0; i < d.n; i++ {
		ring[i] = d.ring[(d.head+i)%len(d.ring)]
	}
	d.ring, d.head = ring, 0
}

// size is how many ids are remembered.
func (d *deduper) size() int { return d.n }
