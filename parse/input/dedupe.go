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
//
// It runs once per record on the merge goroutine, the one that also feeds
// the engine, so it is a flat open-addressed set of hashes rather than a
// map: one probe sequence per lookup-and-insert, no hashing of the hash.
type deduper struct {
	window int64
	max    int
	seen   hashSet
	ring   []dedupeEntry // FIFO in arrival order
	head   int
	n      int
}

type dedupeEntry struct {
	h uint64
	t int64
}

func newDeduper(window int64, maxIDs int) *deduper {
	d := &deduper{window: window, max: max(maxIDs, 1)}
	d.seen.most = slotsFor(d.max)
	return d
}

// idSeed seeds the request-id hashes of the whole process: the parse
// workers hash with it (Record.IDHash) and the deduper compares those.
var idSeed = maphash.MakeSeed()

// idHash is the deduper's key of rec: its request id, apart per source.
// Never 0 for an id (0 means "not filled"; the hash set stores 0 as 1
// anyway, so no id changes identity).
func idHash(rec *parse.Record) uint64 {
	h := maphash.String(idSeed, rec.RequestID) ^ (uint64(rec.Source)+1)*0x9e3779b97f4a7c15
	if h == 0 {
		h = 1
	}
	return h
}

// duplicate reports whether rec's (Source, RequestID) was seen within the
// window, and remembers it otherwise. Records without a request id are
// never duplicates.
func (d *deduper) duplicate(rec *parse.Record) bool {
	if rec.RequestID == "" {
		return false
	}
	h := rec.IDHash
	if h == 0 {
		h = idHash(rec)
	}
	for d.n > 0 {
		e := d.ring[d.head]
		if d.n < d.max && e.t >= rec.Time-d.window {
			break
		}
		d.seen.remove(e.h)
		d.ring[d.head] = dedupeEntry{}
		if d.head++; d.head == len(d.ring) {
			d.head = 0
		}
		d.n--
	}
	if !d.seen.add(h) {
		return true
	}
	if d.n == len(d.ring) {
		d.grow()
	}
	i := d.head + d.n
	if i >= len(d.ring) {
		i -= len(d.ring)
	}
	d.ring[i] = dedupeEntry{h: h, t: rec.Time}
	d.n++
	return false
}

// grow makes the ring four times as long (up to max), keeping FIFO order:
// like the set, it grows in few steps.
func (d *deduper) grow() {
	size := min(max(4*len(d.ring), 1024), d.max)
	ring := make([]dedupeEntry, size)
	k := copy(ring, d.ring[d.head:min(d.head+d.n, len(d.ring))])
	copy(ring[k:d.n], d.ring)
	d.ring, d.head = ring, 0
}

// size is how many ids are remembered.
func (d *deduper) size() int { return d.n }

// hashSet is a set of 64-bit hashes: linear probing over a power-of-two
// table at most 3/4 full, deletion by backward shift (no tombstones, so a
// long run of inserts and deletes never degrades it). Zero marks an empty
// slot; a hash of zero is stored as one (the set already treats equal
// hashes as the same id).
//
// It grows fourfold: a rehash writes every hash into a table larger than
// the caches at random, and growing from empty to the 120k ids of two
// minutes of a busy Logpush feed by doubling rewrote 200k of them (a
// third of the filter's time). most, when set, is the table size the cap
// on entries needs, the last step.
type hashSet struct {
	slots []uint64
	n     int
	most  int // 0: no cap
}

// slotsFor is the table size for up to n hashes at most 3/4 full.
func slotsFor(n int) int {
	size := 1024
	for 3*size < 4*n {
		size *= 2
	}
	return size
}

// next is the size of the table after len(s.slots).
func (s *hashSet) next() int {
	size := max(4*len(s.slots), 1024)
	if s.most > len(s.slots) {
		size = min(size, s.most)
	}
	return size
}

func (s *hashSet) len() int { return s.n }

// add inserts h and reports whether it was absent.
func (s *hashSet) add(h uint64) bool {
	if h == 0 {
		h = 1
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.rehash(s.next())
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			s.slots[i] = h
			s.n++
			return true
		}
	}
}

// remove deletes h if present, shifting back the entries of its probe run
// that would otherwise become unreachable.
func (s *hashSet) remove(h uint64) {
	if h == 0 {
		h = 1
	}
	if s.n == 0 {
		return
	}
	mask := uint64(len(s.slots) - 1)
	i := h & mask
	for s.slots[i] != h {
		if s.slots[i] == 0 {
			return
		}
		i = (i + 1) & mask
	}
	for j := (i + 1) & mask; s.slots[j] != 0; j = (j + 1) & mask {
		// The entry at j may fill the hole at i unless its home slot lies
		// cyclically in (i, j]: then it is reachable without moving.
		if home := s.slots[j] & mask; (j-home)&mask >= (j-i)&mask {
			s.slots[i] = s.slots[j]
			i = j
		}
	}
	s.slots[i] = 0
	s.n--
}

func (s *hashSet) rehash(size int) {
	old := s.slots
	s.slots, s.n = make([]uint64, size), 0
	for _, h := range old {
		if h != 0 {
			s.add(h)
		}
	}
}
