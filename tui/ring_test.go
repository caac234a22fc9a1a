package tui

import (
	"fmt"
	"sync"
	"testing"
	"unsafe"

	"github.com/edgetriage/edgetriage/parse"
)

func recs(from, n int) []parse.Record {
	out := make([]parse.Record, n)
	for i := range out {
		out[i] = parse.Record{Line: int64(from + i), Input: "in", Path: fmt.Sprintf("/p/%d", from+i)}
	}
	return out
}

func TestRing(t *testing.T) {
	cases := []struct {
		name        string
		size        int
		batches     []int
		first, next int64
	}{
		{"empty", 4, nil, 0, 0},
		{"partial", 4, []int{3}, 0, 3},
		{"exactly full", 4, []int{4}, 0, 4},
		{"wraps", 4, []int{3, 3}, 2, 6},
		{"batch larger than ring", 4, []int{10}, 6, 10},
		{"many batches", 5, []int{2, 2, 2, 2, 2}, 5, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewRing(c.size)
			line := 0
			for _, n := range c.batches {
				r.Add(recs(line, n))
				line += n
			}
			first, next := r.Bounds()
			if first != c.first || next != c.next {
				t.Fatalf("bounds %d..%d, want %d..%d", first, next, c.first, c.next)
			}
			if r.Len() != int(c.next-c.first) {
				t.Fatalf("len %d", r.Len())
			}
			for seq := c.first; seq < c.next; seq++ {
				rec, ok := r.At(seq)
				if !ok || rec.Line != seq {
					t.Fatalf("At(%d) = %d, %v", seq, rec.Line, ok)
				}
			}
			if _, ok := r.At(c.first - 1); ok && c.first > 0 {
				t.Fatal("evicted record still readable")
			}
			if _, ok := r.At(c.next); ok {
				t.Fatal("future record readable")
			}
			var seen []int64
			end := r.Scan(0, func(seq int64, rec *parse.Record) bool { seen = append(seen, rec.Line); return true })
			if end != c.next || len(seen) != int(c.next-c.first) {
				t.Fatalf("scan visited %v, ended at %d", seen, end)
			}
			if c.next > 0 {
				if rec, ok := r.Find("in", c.next-1); !ok || rec.Line != c.next-1 {
					t.Fatalf("Find newest: %v %v", rec, ok)
				}
			}
		})
	}
}

// TestRingKeepsViews: the ring copies records, not their text: their
// strings stay views of the caller's bytes (which parse/input never reuses).
func TestRingKeepsViews(t *testing.T) {
	buf := []byte("/original")
	rec := parse.Record{Path: parse.View(buf)}
	r := NewRing(2)
	batch := []parse.Record{rec}
	r.Add(batch)
	batch[0].Path = "/other" // the caller's slice is not kept
	got, _ := r.At(0)
	if got.Path != "/original" || unsafe.StringData(got.Path) != &buf[0] {
		t.Fatalf("ring holds %q, not a view of the line", got.Path)
	}
}

// TestRingConcurrent: the pipeline adds while the interface reads (run with -race).
func TestRingConcurrent(t *testing.T) {
	r := NewRing(100)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			r.Add(recs(i*10, 10))
		}
	}()
	for i := 0; i < 2000; i++ {
		first, next := r.Bounds()
		if next-first > 100 {
			t.Fatalf("ring holds %d > cap", next-first)
		}
		if rec, ok := r.At(next - 1); ok && rec.Line != next-1 {
			t.Fatalf("At(%d) returned line %d", next-1, rec.Line)
		}
	}
	wg.Wait()
	if first, next := r.Bounds(); first != 1900 || next != 2000 {
		t.Fatalf("final bounds %d..%d", first, next)
	}
}

var nilRing *Ring

func TestNilRing(t *testing.T) {
	nilRing.Add(recs(0, 3))
	if f, n := nilRing.Bounds(); f != 0 || n != 0 || nilRing.Cap() != 0 {
		t.Fatal("nil ring not empty")
	}
	if _, ok := nilRing.At(0); ok {
		t.Fatal("nil ring At")
	}
}
