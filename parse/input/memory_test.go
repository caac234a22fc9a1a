package input

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func TestSorterHeldNeverExceedsCap(t *testing.T) {
	var out []int64
	s := newSorter(120e9, 1000, func(seg segment) bool {
		for _, r := range seg.recs {
			out = append(out, r.Time)
		}
		return true
	})
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 200_000
	for i := 0; i < n; i += 500 {
		batch := make([]parse.Record, 500)
		for j := range batch {
			// ten records a second, each up to 10 minutes early
			batch[j].Time = int64(i+j)*1e8 - rng.Int64N(600e9)
		}
		s.add(batch, nil)
		if s.held > 1000 {
			t.Fatalf("holding %d records, cap 1000", s.held)
		}
	}
	s.flush()
	if len(out) != n {
		t.Fatalf("%d of %d out", len(out), n)
	}
	inversions := int64(0)
	for i := 1; i < len(out); i++ {
		if out[i] < out[i-1] {
			inversions++
		}
	}
	if inversions > s.late {
		t.Fatalf("%d inversions but only %d late", inversions, s.late)
	}
}

func TestDeduperBounded(t *testing.T) {
	d := newDeduper(120e9, 5000)
	var rec parse.Record
	for i := range 100_000 {
		rec.Time = int64(i) * 1e6 // 1000 a second: the window alone would hold 120k
		rec.RequestID = fmt.Sprintf("ray%d", i)
		if d.duplicate(&rec) {
			t.Fatalf("fresh id %d seen as duplicate", i)
		}
		if d.size() > 5000 || d.seen.len() > 5000 {
			t.Fatalf("remembering %d ids, cap 5000", d.size())
		}
	}
	rec.RequestID = "ray99999"
	if !d.duplicate(&rec) {
		t.Fatal("recent id not seen")
	}
	rec.RequestID = "ray1"
	if d.duplicate(&rec) {
		t.Fatal("an id evicted long ago is still remembered")
	}
	rec.Time += 200e9 // the window passes: everything goes
	rec.RequestID = "x"
	d.duplicate(&rec)
	if d.size() != 1 {
		t.Fatalf("after the window: %d ids", d.size())
	}
}

// genReader produces t-format lines on the fly: an input as long as wanted
// without holding it anywhere. Every line has a fresh request id, a pad to
// make it 200 bytes, and times disordered by up to 5 minutes.
type genReader struct {
	n, i int
	rng  *rand.Rand
	buf  []byte
	pad  string
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i < g.n {
		t := int64(g.i)/20 - g.rng.Int64N(300) + 1_000_000
		g.buf = fmt.Appendf(g.buf, "%d 200 ray%d-%s\n", t, g.i, g.pad)
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	return n, nil
}

// A long input (200 MB) with disorder beyond the window and only fresh
// ids: the heap stays flat because the reorder buffer and the duplicate
// window are capped and batches are recycled.
func TestMemoryBoundedOnLongInput(t *testing.T) {
	if testing.Short() {
		t.Skip("long input")
	}
	n := int64(1_000_000)
	if raceEnabled {
		n = 200_000 // still ten times the caps, at race-detector speed
	}
	opt := testOptions("-")
	opt.Stdin = &genReader{n: int(n), rng: rand.New(rand.NewPCG(5, 6)), pad: strings.Repeat("p", 170)}
	opt.ReorderMax, opt.DedupeMax = 20_000, 20_000
	var maxHeap uint64
	var got, batches int64
	var ms runtime.MemStats
	res, err := Run(context.Background(), opt, func(b []parse.Record) {
		got += int64(len(b))
		batches++
		if batches%64 == 0 {
			runtime.ReadMemStats(&ms)
			maxHeap = max(maxHeap, ms.HeapInuse)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	checkBalanced(t, res)
	if res.Totals.Parsed != n || got != n-res.Totals.Duplicate {
		t.Fatalf("parsed %d, passed %d, %+v", res.Totals.Parsed, got, res.Totals)
	}
	t.Logf("peak heap in use %.1f MB over %.0f MB of input; late %d", float64(maxHeap)/(1<<20),
		float64(res.Totals.Bytes)/(1<<20), res.Totals.Late)
	if maxHeap > 64<<20 {
		t.Fatalf("heap grew to %d MB", maxHeap>>20)
	}
}

// Disorder within the window comes out fully sorted, stable for equal
// times, with nothing late.
func TestSorterRepairsWithinWindow(t *testing.T) {
	type out struct{ t, line int64 }
	var got []out
	s := newSorter(120e9, 1<<30, func(seg segment) bool {
		for _, r := range seg.recs {
			got = append(got, out{r.Time, r.Line})
		}
		return true
	})
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 50_000
	line := int64(0)
	for i := 0; i < n; i += 97 {
		batch := make([]parse.Record, min(97, n-i))
		for j := range batch {
			line++
			batch[j].Line = line
			batch[j].Time = (int64(i+j)/3)*1e9 - rng.Int64N(110)*1e9 // up to 110 s early, many equal times
		}
		s.add(batch, nil)
	}
	s.flush()
	if len(got) != n || s.late != 0 {
		t.Fatalf("%d out, %d late", len(got), s.late)
	}
	for i := 1; i < len(got); i++ {
		if got[i].t < got[i-1].t || (got[i].t == got[i-1].t && got[i].line < got[i-1].line) {
			t.Fatalf("at %d: %+v after %+v", i, got[i], got[i-1])
		}
	}
}

// blankReader produces n blank lines with a parseable line every so many,
// as a file of newlines does.
type blankReader struct{ n, i, every int }

func (b *blankReader) Read(p []byte) (int, error) {
	if b.i >= b.n {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && b.i < b.n {
		if b.i%b.every == 0 {
			line := fmt.Appendf(nil, "%d 200 ray%d\n", 1_000_000+b.i/b.every, b.i)
			if len(p)-k < len(line) {
				break
			}
			k += copy(p[k:], line)
		} else {
			p[k] = '\n'
			k++
		}
		b.i++
	}
	return k, nil
}

// Blank lines yield no record, so they must cost no per-line memory: the
// live heap stays flat however many there are (2 GiB of newlines once took
// 2.18 GB: every chunk preallocated a Record per line, and a file of
// nothing but newlines was held whole waiting for a line to detect its
// format from).
func TestBlankLinesKeepHeapFlat(t *testing.T) {
	sizes := []int{4 << 20, 32 << 20}
	if testing.Short() || raceEnabled {
		sizes = []int{1 << 20, 8 << 20}
	}
	var peaks []uint64
	for _, n := range sizes {
		for _, sparse := range []bool{false, true} {
			peak := blankRunPeak(t, n, sparse)
			t.Logf("%d blank lines (a record every 100k: %v): peak live heap %.1f MB", n, sparse, float64(peak)/(1<<20))
			if peak > 32<<20 {
				t.Errorf("live heap grew to %d MB", peak>>20)
			}
			peaks = append(peaks, peak)
		}
	}
	// Flat: eight times the input, not more than a few MB more heap.
	for i := range 2 {
		if big, small := peaks[2+i], peaks[i]; big > small+8<<20 {
			t.Errorf("live heap grows with input: %d MB then %d MB", small>>20, big>>20)
		}
	}
}

// blankRunPeak runs n blank lines through the pipeline and returns the
// peak live heap (as of each collection) while it ran.
func blankRunPeak(t *testing.T, n int, sparse bool) uint64 {
	t.Helper()
	opt := testOptions("-")
	every := 100_000
	if !sparse {
		every = n + 1 // a single record, first
	}
	opt.Stdin = &blankReader{n: n, every: every}
	runtime.GC()
	var peak atomic.Uint64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	res, err := Run(context.Background(), opt, func([]parse.Record) {})
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	checkBalanced(t, res)
	if want := int64((n + every - 1) / every); res.Totals.Lines != int64(n) || res.Totals.Parsed != want {
		t.Fatalf("totals %+v, want %d lines, %d parsed", res.Totals.Counts, n, want)
	}
	return peak.Load()
}
