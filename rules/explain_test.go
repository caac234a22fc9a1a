package rules_test

import (
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/causes"
)

// manyFindings makes a 520 burst on each of n hosts and a never-polled
// 202 endpoint on each, in time order: enough findings for a snapshot to
// explain them on several goroutines.
func manyFindings(n int) []parse.Record {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var recs []parse.Record
	for s := 0; s < 12; s++ {
		for h := 0; h < n; h++ {
			var r parse.Record
			r.Reset()
			r.Time = t0.Add(time.Duration(s)*time.Second + time.Duration(h)*time.Millisecond).UnixNano()
			r.Source = parse.SourceOrigin
			r.Host = "api" + strconv.Itoa(h) + ".example.com"
			r.Method, r.Path, r.Status = "GET", "/v1/items/"+strconv.Itoa(s), 520
			if s%2 == 1 {
				r.Method, r.Path, r.Status = "POST", "/v1/exports", 202
			}
			r.ClientIP, r.UserAgent, r.Input = "10.0.0."+strconv.Itoa(s), "curl/8", "access.log"
			r.Line = int64(len(recs) + 1)
			recs = append(recs, r)
		}
	}
	return recs
}

// The cause rules of a snapshot's findings run on several goroutines
// (run with -race): the result must be what one goroutine gets.
func TestSnapshotExplainsInParallelLikeSerially(t *testing.T) {
	set, err := causes.Load()
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func(explain func(*rules.Finding)) *rules.Snapshot {
		cfg := rules.DefaultConfig()
		cfg.Explain = explain
		cfg.PendingTimeout = time.Minute
		e := rules.NewEngine(cfg)
		e.Add(manyFindings(40))
		e.Advance(time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC))
		return e.Finish()
	}
	par := snapshot(set.Explain)
	var mu sync.Mutex // one at a time: the serial reference
	ser := snapshot(func(f *rules.Finding) { mu.Lock(); defer mu.Unlock(); set.Explain(f) })
	kinds := map[rules.Kind]int{}
	for _, f := range par.Findings {
		kinds[f.Kind]++
	}
	if kinds[rules.KindBurst520] != 40 || kinds[rules.KindIncomplete202] != 40 {
		t.Fatalf("findings by kind %v, want 40 bursts and 40 202 groups", kinds)
	}
	explained := 0
	for _, f := range par.Findings {
		if len(f.Causes) > 0 {
			explained++
		}
	}
	if explained == 0 {
		t.Fatal("no finding has a cause: the rules did not run")
	}
	for _, f := range par.Findings {
		g := f // explained again here, on this goroutine
		g.Severity = rules.SeverityWarning
		set.Explain(&g)
		if !reflect.DeepEqual(g.Causes, f.Causes) || !reflect.DeepEqual(g.Fixes, f.Fixes) || g.Severity != f.Severity {
			t.Errorf("%s: explained in the snapshot as %v %v %v, alone as %v %v %v",
				f.ID, f.Severity, f.Causes, f.Fixes, g.Severity, g.Causes, g.Fixes)
		}
	}
	if !reflect.DeepEqual(par.Findings, ser.Findings) {
		t.Error("findings explained in parallel differ from findings explained one at a time")
	}
}

// A panic in a cause rule reaches the caller of Snapshot, as it would
// with one goroutine, instead of crashing a worker.
func TestSnapshotExplainPanicReachesCaller(t *testing.T) {
	cfg := rules.DefaultConfig()
	cfg.Explain = func(f *rules.Finding) {
		if f.Origin == "api7.example.com" {
			panic("bad rule")
		}
	}
	cfg.PendingTimeout = time.Minute
	e := rules.NewEngine(cfg)
	e.Add(manyFindings(40))
	e.Advance(time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC))
	defer func() {
		if recover() == nil {
			t.Error("the panic of a cause rule was lost")
		}
	}()
	e.Finish()
}
