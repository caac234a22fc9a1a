package input

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// TestHashSetMatchesMap drives the set and a map with the same random
// adds and FIFO removes, with hashes crowded into few home slots (low bits
// shared) so that probe runs wrap and backward shifts happen.
func TestHashSetMatchesMap(t *testing.T) {
	for _, tc := range []struct {
		name string
		mask uint64
	}{
		{"uniform", ^uint64(0)},
		{"crowded", 0xff00_0000_0000_00ff},
		{"zero and one", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var s hashSet
			ref := map[uint64]bool{}
			var fifo []uint64
			for i := range 50_000 {
				h := r.Uint64() & tc.mask
				if h == 0 {
					h = 1 // the set's stand-in for zero
				}
				if got, want := s.add(h), !ref[h]; got != want {
					t.Fatalf("step %d: add(%#x) = %v, want %v", i, h, got, want)
				}
				if !ref[h] {
					ref[h] = true
					fifo = append(fifo, h)
				}
				for len(fifo) > 700 || len(fifo) > 0 && r.IntN(3) == 0 {
					s.remove(fifo[0])
					delete(ref, fifo[0])
					fifo = fifo[1:]
				}
				if s.len() != len(ref) {
					t.Fatalf("step %d: %d in set, %d in map", i, s.len(), len(ref))
				}
			}
			for h := range ref {
				if s.add(h) {
					t.Fatalf("%#x lost", h)
				}
			}
			s.remove(12345) // absent: no change
			if s.len() != len(ref) {
				t.Fatalf("removing an absent hash changed the count")
			}
		})
	}
}

// TestDeduperMatchesReference drives the deduper and a plain model of its
// rule (an id is a duplicate if remembered: ids are remembered in arrival
// order for the window, at most max of them, the oldest forgotten first)
// with ids drawn from a small pool, so that duplicates, expiries and the
// cap all happen while the ring and the set grow and wrap.
func TestDeduperMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		name          string
		window        int64
		max, pool     int
		step, records int
		burst         bool // the second half at one time: growth after wraps
	}{
		{"window bound", 50, 100_000, 3000, 3, 60_000, false},
		{"cap bound", 1e9, 1500, 4000, 1, 60_000, false},
		{"both", 400, 2500, 5000, 2, 60_000, false},
		{"cap of one", 1e9, 1, 3, 1, 2000, false},
		{"growth after wraps", 50, 100_000, 1 << 20, 3, 80_000, true},
		{"growth to the cap after wraps", 50, 9000, 1 << 20, 3, 80_000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 6))
			d := newDeduper(tc.window, tc.max)
			type entry struct {
				id   string
				time int64
			}
			var fifo []entry
			in := map[string]bool{}
			var now int64
			for i := range tc.records {
				if !tc.burst || i < tc.records/2 {
					now += int64(r.IntN(tc.step + 1))
				}
				id := fmt.Sprintf("id%d", r.IntN(tc.pool))
				for len(fifo) > 0 && (len(fifo) >= tc.max || fifo[0].time < now-tc.window) {
					delete(in, fifo[0].id)
					fifo = fifo[1:]
				}
				want := in[id]
				if !want {
					fifo = append(fifo, entry{id, now})
					in[id] = true
				}
				rec := parse.Record{Time: now, RequestID: id}
				if r.IntN(2) == 0 {
					rec.IDHash = idHash(&rec) // as the parse workers fill it
				}
				if got := d.duplicate(&rec); got != want {
					t.Fatalf("record %d (%s at %d): duplicate %v, want %v", i, id, now, got, want)
				}
				if d.size() != len(fifo) || d.seen.len() != len(fifo) {
					t.Fatalf("record %d: %d in ring, %d in set, want %d", i, d.size(), d.seen.len(), len(fifo))
				}
			}
		})
	}
}

// BenchmarkDeduper runs the duplicate filter over a Logpush-like stream
// from empty, as the merge does once per run: unique request ids (hashes
// filled by the parse workers), 1000 requests a second, the default window
// and cap, so that the set grows to the window's 120k ids and then expires
// one id per record. Per op: one record.
//
// go test -run '^$' -bench Deduper -benchmem ./parse/input/
func BenchmarkDeduper(b *testing.B) {
	const n = 300_000
	r := rand.New(rand.NewPCG(3, 4))
	recs := make([]parse.Record, n)
	for i := range recs {
		recs[i] = parse.Record{Time: int64(i) * 1e6, RequestID: "x", IDHash: r.Uint64() | 1}
	}
	b.ReportAllocs()
	runs := 0
	for b.Loop() {
		d := newDeduper(int64(DefaultReorderWindow), DefaultDedupeMax)
		for i := range recs {
			if d.duplicate(&recs[i]) {
				b.Fatal("unique id taken for a duplicate")
			}
		}
		runs++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*n), "ns/record")
}
