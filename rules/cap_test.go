package rules

import (
	"fmt"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// burstsOn makes n separate 520 bursts, one every gap, each on its own
// origin (or on one origin when hosts is 1).
func burstsOn(n, hosts int, gap time.Duration) []parse.Record {
	var recs []parse.Record
	for i := 0; i < n; i++ {
		h := host(fmt.Sprintf("site%d.example.com", i%hosts))
		recs = append(recs, errorsAt(520, every(time.Duration(i)*gap, time.Second, 5), h)...)
	}
	return recs
}

func TestFindingsCapDropsOldestResolved(t *testing.T) {
	cfg := testConfig()
	cfg.MaxFindings = 3
	s := run(t, cfg, burstsOn(5, 5, 10*time.Minute))
	if len(s.Findings) != 3 || s.DroppedFindings != 2 {
		t.Fatalf("%d findings, %d dropped; want 3 and 2", len(s.Findings), s.DroppedFindings)
	}
	for i, f := range s.Findings {
		if want := fmt.Sprintf("site%d.example.com", i+2); f.Origin != want {
			t.Errorf("finding %d on %s, want %s (the oldest dropped)", i, f.Origin, want)
		}
	}
}

// Resolved findings go first: a burst over for minutes is dropped before
// an older 202 group that is still being judged into, and a burst still
// growing is never split.
func TestFindingsCapPrefersResolved(t *testing.T) {
	cfg := testConfig()
	cfg.MaxFindings = 3
	recs := job("a1b2c3d4", 0) // never polled: judged at 10 min
	// a long burst on live.example.com from 2 min to 20 min, one error every 10 s
	recs = append(recs, errorsAt(520, every(2*time.Minute, 10*time.Second, 109), host("live.example.com"))...)
	recs = append(recs, errorsAt(520, every(11*time.Minute, time.Second, 5), host("old.example.com"))...)
	recs = append(recs, errorsAt(520, every(19*time.Minute, time.Second, 5), host("new.example.com"))...)
	s := run(t, cfg, recs)
	var got []string
	for _, f := range s.Findings {
		got = append(got, f.Origin)
		if f.Origin == "live.example.com" && f.Count != 109 {
			t.Errorf("live burst count %d, want 109 (not split by the cap)", f.Count)
		}
	}
	if fmt.Sprint(got) != "[api.example.com live.example.com new.example.com]" || s.DroppedFindings != 1 {
		t.Fatalf("findings %v, %d dropped; want the group, live and new, 1 dropped", got, s.DroppedFindings)
	}
}

// Endless input with ever new findings keeps the engine's state flat.
func TestFindingsCapBoundsState(t *testing.T) {
	cfg := testConfig()
	cfg.MaxFindings = 50
	e := NewEngine(cfg)
	recs := burstsOn(2000, 7, 3*time.Minute)
	sortRecords(recs)
	for len(recs) > 0 {
		n := min(len(recs), 500)
		e.Add(recs[:n])
		recs = recs[n:]
		held := 0
		for _, d := range e.detectors {
			held += d.held()
		}
		if e.held() != held { // the cap's shortcut for the engine's own detectors
			t.Fatalf("the cap counts %d findings held, the detectors %d", e.held(), held)
		}
		if held > cfg.MaxFindings || len(e.tl.series) > cfg.MaxFindings {
			t.Fatalf("%d findings, %d series kept over the cap %d", held, len(e.tl.series), cfg.MaxFindings)
		}
		_ = e.Snapshot()
		if len(e.cache) > cfg.MaxFindings {
			t.Fatalf("%d cached findings over the cap", len(e.cache))
		}
	}
	s := e.Finish()
	if len(s.Findings) != 50 || s.DroppedFindings != 2000-50 {
		t.Fatalf("%d findings, %d dropped", len(s.Findings), s.DroppedFindings)
	}
}

// 202 groups count against the cap like bursts.
func TestFindingsCapDropsGroups(t *testing.T) {
	cfg := testConfig()
	cfg.MaxFindings = 2
	var recs []parse.Record
	for i, ep := range []string{"/v1/a", "/v1/b", "/v1/c"} {
		recs = append(recs, mk(time.Duration(i)*20*minute, "POST", ep, 202, loc(ep+"/a1b2c3d4")))
	}
	recs = append(recs, tick(60*minute))
	s := run(t, cfg, recs)
	if len(s.Findings) != 2 || s.DroppedFindings != 1 || s.Findings[0].Endpoint != "POST /v1/b" {
		t.Fatalf("%v, %d dropped", summary(s), s.DroppedFindings)
	}
}
