package input

import (
	"math/rand/v2"
	"testing"
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
