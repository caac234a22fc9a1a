package rules

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// TestTenMillionNeverPolled feeds 202s that nobody polls, 200 a second:
// each is judged 10 minutes later and then stays open for late polls, so
// the pending cap (250,000) must evict; memory stays flat and every
// eviction is counted. go test runs 1 million (4x the cap);
// EDGETRIAGE_10M=10000000 and .ci/chaos run the full count.
func TestTenMillionNeverPolled(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("10 million records: skipped under -short and -race (TestEvictedOperationsAreAggregated runs there)")
	}
	total := 1_000_000
	if n := testTotal(); n > 0 {
		total = n
	}
	const perSecond = 200
	// fewer collections: the heap is measured after a forced GC anyway
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	cfg := DefaultConfig()
	e := NewEngine(cfg)
	batch := make([]parse.Record, 4096)
	heapBase := heapInUse()
	var heapAt2M uint64 // when the cap has been full for a while (2M of 10M)
	mark := total / 5 * 2
	n := 0
	for n < total {
		k := 0
		for ; k < len(batch) && n < total; k++ {
			r := &batch[k]
			r.Reset()
			r.Source = parse.SourceOrigin
			r.Time = t0.UnixNano() + int64(n)*int64(time.Second)/perSecond
			r.Host = "api.example.com"
			r.Method = "POST"
			r.Path = "/v1/events"
			r.Status = 202
			r.ClientIP = "203.0.113." + strconv.Itoa(n%250)
			r.UserAgent = "sender/1"
			r.StatusLocation = "/v1/events/" + strconv.Itoa(n)
			r.Input = "access.log"
			r.Line = int64(n + 1)
			n++
		}
		e.Add(batch[:k])
		if heapAt2M == 0 && n >= mark {
			heapAt2M = heapInUse()
		}
	}
	heapAtEnd := heapInUse()
	if f := os.Getenv("EDGETRIAGE_HEAPPROF"); f != "" {
		writeHeapProfile(t, f) // while the engine is alive (-memprofile comes after it is gone)
	}
	s := e.Finish()

	inflight := int64(10 * time.Minute / time.Second * perSecond) // the last 10 minutes
	if int64(s.Inflight) != inflight && int64(s.Inflight) != inflight+1 {
		t.Errorf("inflight %d, want %d", s.Inflight, inflight)
	}
	if want := int64(total - cfg.MaxPending); s.Evicted != want {
		t.Errorf("evicted %d, want %d", s.Evicted, want)
	}
	judged := total - s.Inflight
	var ff *Finding
	for i := range s.Findings {
		if s.Findings[i].Subtype == SubFireAndForget {
			ff = &s.Findings[i]
		}
	}
	if ff == nil || ff.Count != total || int(ff.Features["never_polled"]) != judged {
		t.Fatalf("fire-and-forget finding %+v (judged %d)", ff, judged)
	}
	t.Logf("heap in use: %d MB at %d records, %d MB at %d", heapAt2M>>20, mark, heapAtEnd>>20, total)
	// what the engine holds (pending operations and their indexes, per-origin
	// state), over the pending operations it holds at the cap
	t.Logf("bytes per pending operation: %d (%d pending)", (heapAtEnd-heapBase)/uint64(cfg.MaxPending), cfg.MaxPending)
	if heapAtEnd > heapAt2M*3/2+32<<20 {
		t.Errorf("memory grew: %d MB at %d, %d MB at %d", heapAt2M>>20, mark, heapAtEnd>>20, total)
	}
	if heapAtEnd > 256<<20 {
		t.Errorf("heap %d MB over 1 KB per pending operation", heapAtEnd>>20)
	}
}

// testTotal lets a profiling run use fewer records (EDGETRIAGE_10M=n).
func testTotal() int {
	n, _ := strconv.Atoi(os.Getenv("EDGETRIAGE_10M"))
	return n
}

func writeHeapProfile(t *testing.T, name string) {
	f, err := os.Create(name)
	if err != nil {
		t.Fatalf("heap profile: %v", err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		t.Fatalf("heap profile %s: %v", name, err)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
