package rules

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// floodRecords fills batch with never-polled POST 202s as a combined log
// gives them (no Location header: each waits for a child GET that never
// comes), 2000 a second, from many clients, starting at record n.
func floodRecords(batch []parse.Record, n int, raw []byte) {
	for k := range batch {
		i := n + k
		r := &batch[k]
		r.Reset()
		r.Source = parse.SourceOrigin
		r.Time = t0.UnixNano() + int64(i)*int64(time.Millisecond)/2
		r.Method = "POST"
		r.Path = "/api/v1/jobs/" + strconv.Itoa(i%5000) + "/run"
		r.Status = 202
		r.ClientIP = fmt.Sprintf("198.51.%d.%d", (i/256)%256, i%256)
		r.UserAgent = "client/" + strconv.Itoa(i%50)
		r.Input = "access.log"
		r.Line = int64(i + 1)
		r.Offset = int64(i) * 100
		r.Raw = string(raw)
	}
}

// TestEvictedOperationsAreAggregated floods the engine with POST 202s that
// nobody polls, far more than the pending cap holds within their timeout:
// the operations evicted while in flight are judged by aggregate, so the
// finding still counts every operation and says how many were aggregated,
// and memory follows the cap, not the flood.
func TestEvictedOperationsAreAggregated(t *testing.T) {
	total, maxPending := 400_000, 20_000
	if testing.Short() || raceDetector {
		total = 100_000 // the race run's memory test (-race -short)
	}
	if n, _ := strconv.Atoi(os.Getenv("FLOOD_N")); n > 0 {
		total, maxPending = n, DefaultConfig().MaxPending // profiling: go test -cpuprofile
	}
	cfg := DefaultConfig()
	cfg.MaxPending = maxPending
	e := NewEngine(cfg)
	batch := make([]parse.Record, 4096)
	raw := []byte(`198.51.0.1 - - [20/Nov/2026:10:00:00 +0000] "POST /api/v1/jobs/1/run HTTP/1.1" 202 57 "-" "client/1"`)
	base := heapInUse()
	var peak uint64
	start := time.Now()
	for n := 0; n < total; n += len(batch) {
		b := batch[:min(len(batch), total-n)]
		floodRecords(b, n, raw)
		e.Add(b)
		if n%(total/4) < len(batch) {
			peak = max(peak, heapInUse())
		}
		if e.PendingOps() > maxPending {
			t.Fatalf("%d pending, cap %d", e.PendingOps(), maxPending)
		}
	}
	took := time.Since(start)
	// Time passes beyond every J: the last aggregates are judged too.
	e.Advance(t0.Add(time.Duration(total)*time.Millisecond/2 + time.Hour))
	s := e.Finish()
	var ff *Finding
	for i := range s.Findings {
		if s.Findings[i].Subtype == SubFireAndForget {
			ff = &s.Findings[i]
		}
	}
	if ff == nil {
		t.Fatalf("no fire-and-forget finding in %d findings", len(s.Findings))
	}
	inflightAtEviction := int64(total - maxPending) // 2000/s for 10 min is more than the cap: all in flight
	if s.Evicted != inflightAtEviction {
		t.Errorf("evicted %d, want %d", s.Evicted, inflightAtEviction)
	}
	if ff.Count != total || int(ff.Features["never_polled"]) != total {
		t.Errorf("finding counts %d operations, %v never polled; want %d of each", ff.Count, ff.Features["never_polled"], total)
	}
	if got := int64(ff.Features["aggregated"]); got != s.Evicted {
		t.Errorf("finding says %d aggregated, %d were evicted in flight", got, s.Evicted)
	}
	perOp := (peak - min(peak, base)) / uint64(maxPending)
	t.Logf("%d records in %s (%.0f/s); peak heap %d MB over base, %d bytes per pending operation",
		total, took.Round(time.Millisecond), float64(total)/took.Seconds(), (peak-min(peak, base))>>20, perOp)
	if perOp > 1024 {
		t.Errorf("%d bytes per pending operation", perOp)
	}
}
