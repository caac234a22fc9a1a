package tui

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

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

// TestRingCopiesText: records added to the ring do not alias the
// caller's buffer (parse/input's slabs stay valid, but a ring that pinned
// them made the collector scan and the adder copy pointers).
func TestRingCopiesText(t *testing.T) {
	buf := []byte("/original")
	rec := parse.Record{Path: parse.View(buf)}
	r := NewRing(2)
	r.Add([]parse.Record{rec})
	copy(buf, "/CHANGED!")
	got, _ := r.At(0)
	if got.Path != "/original" {
		t.Fatalf("ring aliases the line buffer: %q", got.Path)
	}
}

// TestRingRoundTrip: every field of a record comes back as it went in,
// whether a string views the raw line or not. It sets each field by
// reflection, so a field added to parse.Record that the ring does not
// keep fails here.
func TestRingRoundTrip(t *testing.T) {
	raw := "203.0.113.9 - - [20/Nov/2026:10:00:00 +0000] \"GET /v1/items/7?x=1 HTTP/1.1\" 502 0 \"-\" \"curl/8.5\""
	var rec parse.Record
	v := reflect.ValueOf(&rec).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(fmt.Sprintf("field-%d-%s", i, v.Type().Field(i).Name)) // outside Raw
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(1000 + i))
		case reflect.Uint8:
			f.SetUint(uint64(1 + i%2))
		case reflect.Struct, reflect.Uint64: // parse.DimKeys, IDHash: not kept (see slot), so left zero
			if name := v.Type().Field(i).Name; name != "Dims" && name != "IDHash" {
				t.Fatalf("field %s of type %v: teach the ring and this test", name, f.Type())
			}
		default:
			t.Fatalf("field %s of kind %v: teach the ring and this test", v.Type().Field(i).Name, f.Kind())
		}
	}
	rec.Raw = raw
	rec.Path, rec.Query, rec.UserAgent = raw[50:62], raw[63:66], raw[88:96] // views of Raw
	r := NewRing(4)
	r.Add([]parse.Record{rec})
	got, ok := r.At(0)
	if !ok || !reflect.DeepEqual(got, rec) {
		t.Fatalf("ring gave back\n%+v\nwant\n%+v", got, rec)
	}
	var scanned parse.Record
	r.Scan(0, func(_ int64, p *parse.Record) bool { scanned = p.Clone(); return true })
	if !reflect.DeepEqual(scanned, rec) {
		t.Fatalf("Scan gave %+v", scanned)
	}
	if found, ok := r.Find(rec.Input, rec.Line); !ok || !reflect.DeepEqual(found, rec) {
		t.Fatalf("Find gave %+v, %v", found, ok)
	}
}

// TestRingArenaEvicts: when records' text fills the arena, the oldest are
// evicted before their bytes are written over, whatever the line lengths.
func TestRingArenaEvicts(t *testing.T) {
	r := NewRing(10_000) // arena of 3.2 MB: ~2,900 lines of 1,100 bytes
	var batch []parse.Record
	for i := range 20_000 {
		n := 100 + (i*7919)%2000 // lengths from 100 to 2,099 bytes
		line := fmt.Sprintf("%08d %s", i, strings.Repeat("x", n))
		batch = append(batch, parse.Record{Raw: line, Path: line[:8], Input: "in", Line: int64(i)})
		if len(batch) == 512 {
			r.Add(batch)
			batch = batch[:0]
		}
	}
	r.Add(batch)
	first, next := r.Bounds()
	if next != 20_000 || next-first >= 10_000 || next-first < 1000 {
		t.Fatalf("bounds %d..%d: want the arena, not the count, to limit the ring", first, next)
	}
	r.Scan(first, func(seq int64, rec *parse.Record) bool {
		if want := fmt.Sprintf("%08d", seq); rec.Path != want || !strings.HasPrefix(rec.Raw, want+" ") || rec.Line != seq {
			t.Fatalf("record %d holds %q / %.20q: overwritten", seq, rec.Path, rec.Raw)
		}
		return true
	})
	// A line longer than an eighth of the arena keeps its fields, not its text.
	big := strings.Repeat("y", 1<<20)
	r.Add([]parse.Record{{Raw: big, Path: "/big", Line: 1}})
	if got, _ := r.At(next); got.Raw != "" || got.Path != "/big" {
		t.Fatalf("giant line: raw %d bytes, path %q", len(got.Raw), got.Path)
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
