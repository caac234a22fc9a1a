package rules

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// steadyHost streams a host's traffic at perSecond for dur with a steady
// 502 share p, and share jump in [jumpFrom, jumpTo) (0: none), into e.
func steadyHost(e *Engine, perSecond int, dur time.Duration, p, jump float64, jumpFrom, jumpTo time.Duration) {
	r := rand.New(rand.NewPCG(7, 11))
	batch := make([]parse.Record, 0, 4096)
	n := int(dur.Seconds()) * perSecond
	step := time.Second / time.Duration(perSecond)
	for i := 0; i < n; i++ {
		at := time.Duration(i) * step
		share := p
		if jump > 0 && at >= jumpFrom && at < jumpTo {
			share = jump
		}
		st := 200
		if r.Float64() < share {
			st = 502
		}
		rec := mk(at, "GET", "/api/items", st, host("busy.example.com"))
		batch = append(batch, rec)
		if len(batch) == cap(batch) {
			e.Add(batch)
			batch = batch[:0]
		}
	}
	e.Add(batch)
}

func TestSteadyRateIsNoStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 864,000 records")
	}
	e := NewEngine(testConfig())
	steadyHost(e, 60, 4*time.Hour, 0.005, 0, 0, 0)
	s := e.Finish()
	if storms := findingsOf(s, KindBurst5xx); len(storms) != 0 {
		t.Fatalf("%d storms on a steady 0.5%%: %+v", len(storms), storms[0].Features)
	}
	st := findingsOf(s, KindSteady5xx)
	if len(st) != 1 {
		t.Fatalf("steady findings %d, want 1", len(st))
	}
	f := st[0]
	if f.Severity != SeverityInfo || f.Status != 502 || f.Origin != "busy.example.com" {
		t.Errorf("steady finding %+v", f)
	}
	if sh := f.Features["share"]; sh < 0.004 || sh > 0.006 {
		t.Errorf("share %v", sh)
	}
	if !strings.HasPrefix(f.Verdict, "busy.example.com: steady 0.5% 502 over 4 h") {
		t.Errorf("verdict %q", f.Verdict)
	}
	for _, f := range s.Findings {
		if f.Severity > SeverityInfo {
			t.Errorf("%s %s is %v", f.Kind, f.Title(), f.Severity)
		}
	}
}

func TestJumpAboveBaselineIsAStorm(t *testing.T) {
	e := NewEngine(testConfig())
	// an hour at 0.5%, then 10 minutes at 20%, then 20 minutes at 0.5%
	steadyHost(e, 60, 90*time.Minute, 0.005, 0.2, 60*time.Minute, 70*time.Minute)
	s := e.Finish()
	storms := findingsOf(s, KindBurst5xx)
	if len(storms) != 1 {
		t.Fatalf("%d storms, want 1", len(storms))
	}
	f := storms[0]
	if f.Start.Before(t0.Add(59*time.Minute)) || f.End.After(t0.Add(71*time.Minute)) {
		t.Errorf("storm %v..%v, want within 60..70 min", f.Start.Sub(t0), f.End.Sub(t0))
	}
	if f.Features["no_baseline"] != 0 || f.Features["baseline_rate"] > 0.01 {
		t.Errorf("baseline %v %v", f.Features["no_baseline"], f.Features["baseline_rate"])
	}
	if f.Severity != SeverityCritical && f.Severity != SeverityWarning {
		t.Errorf("severity %v", f.Severity)
	}
}

func TestLowStormIsNeverCritical(t *testing.T) {
	cfg := testConfig()
	cfg.Explain = func(f *Finding) { f.Severity = SeverityCritical }
	e := NewEngine(cfg)
	// 0% for 20 minutes, then 3% for 30 minutes: a storm, but a small one
	steadyHost(e, 60, 50*time.Minute, 0, 0.03, 20*time.Minute, 50*time.Minute)
	storms := findingsOf(e.Finish(), KindBurst5xx)
	if len(storms) == 0 {
		t.Fatal("no storm")
	}
	for _, f := range storms {
		if f.Severity == SeverityCritical {
			t.Errorf("a %.1f%% storm is critical", 100*f.Features["share"])
		}
	}
}

func TestStormMerging(t *testing.T) {
	// two dense runs of 502 on an otherwise healthy origin 3 minutes apart
	// are one storm; 10 minutes apart, two
	var recs []parse.Record
	for s := 0; s < 40*60; s++ {
		recs = append(recs, mk(time.Duration(s)*time.Second, "GET", "/", 200, host("a.example.com")))
	}
	recs = append(recs, errorsAt(502, every(20*time.Minute, time.Second, 15), host("a.example.com"))...)
	recs = append(recs, errorsAt(502, every(23*time.Minute, time.Second, 15), host("a.example.com"))...)
	recs = append(recs, errorsAt(502, every(35*time.Minute, time.Second, 15), host("a.example.com"))...)
	storms := findingsOf(run(t, testConfig(), recs), KindBurst5xx)
	if len(storms) != 2 || storms[0].Count != 30 || storms[1].Count != 15 {
		for _, f := range storms {
			t.Logf("%v..%v %d", f.Start.Sub(t0), f.End.Sub(t0), f.Count)
		}
		t.Fatalf("%d storms", len(storms))
	}
}

func TestHostlessOriginHasNoHost(t *testing.T) {
	recs := errorsAt(520, secs(0, 1, 2, 3, 4), host(""), input("nasty.log"))
	f := findingsOf(run(t, testConfig(), recs), KindBurst520)[0]
	if f.Context["host"] != "" || f.Context["host_known"] != false || f.Context["host_placeholder"] != HostPlaceholder {
		t.Fatalf("context host %q known %v placeholder %v", f.Context["host"], f.Context["host_known"], f.Context["host_placeholder"])
	}
	recs = errorsAt(520, secs(0, 1, 2, 3, 4), host("shop.example.com"))
	f = findingsOf(run(t, testConfig(), recs), KindBurst520)[0]
	if f.Context["host"] != "shop.example.com" || f.Context["host_known"] != true {
		t.Fatalf("context host %q", f.Context["host"])
	}
	recs = errorsAt(520, secs(0, 1, 2, 3, 4), host("evil;rm -rf /"))
	f = findingsOf(run(t, testConfig(), recs), KindBurst520)[0]
	if f.Context["host"] != "" {
		t.Fatalf("an invalid host reached the context: %q", f.Context["host"])
	}
}
