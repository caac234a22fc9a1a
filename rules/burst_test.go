package rules

import (
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func TestBurstDefinition(t *testing.T) {
	type want struct {
		start, end time.Duration
		count      int
	}
	tests := []struct {
		name   string
		recs   []parse.Record
		bursts []want
	}{
		{"window of exactly W", errorsAt(520, secs(0, 15, 30, 45, 60)), []want{{0, 60 * time.Second, 5}}},
		{"just over W", errorsAt(520, []time.Duration{0, 15 * time.Second, 30 * time.Second, 45 * time.Second, 60*time.Second + 1}), nil},
		{"4 in a window", errorsAt(520, secs(0, 1, 2, 3)), nil},
		{"4 in every window, spread thin", errorsAt(520, every(0, 20*time.Second, 60)), nil},
		{"5 in every window", errorsAt(520, every(0, 15*time.Second, 20)), []want{{0, 285 * time.Second, 20}}},
		{"two bursts more than W apart", append(errorsAt(520, secs(0, 1, 2, 3, 4)), errorsAt(520, secs(70, 71, 72, 73, 74, 75))...),
			[]want{{0, 4 * time.Second, 5}, {70 * time.Second, 75 * time.Second, 6}}},
		{"dense runs within W join", append(errorsAt(520, secs(0, 1, 2, 3, 4)), errorsAt(520, secs(60, 61, 62, 63, 64))...),
			[]want{{0, 64 * time.Second, 10}}},
		{"same timestamp", errorsAt(520, secs(5, 5, 5, 5, 5)), []want{{5 * time.Second, 5 * time.Second, 5}}},
		{"a 522 storm is not a 520 burst", errorsAt(522, secs(0, 1, 2, 3, 4, 5, 6)), nil},
		{"lone 520 before a burst is not in it", errorsAt(520, secs(0, 100, 101, 102, 103, 104)), []want{{100 * time.Second, 104 * time.Second, 5}}},
		{"non-dense 520 between dense ones is counted",
			// 0,1,2,3,50 dense; 64 never dense ([4,64] holds 2); 110 becomes
			// dense at 128 ([68,128] holds 110,125..128) and is exactly W after 50
			errorsAt(520, secs(0, 1, 2, 3, 50, 64, 110, 125, 126, 127, 128)),
			[]want{{0, 128 * time.Second, 11}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := run(t, testConfig(), tc.recs)
			got := findingsOf(s, KindBurst520)
			if len(got) != len(tc.bursts) {
				t.Fatalf("got %d bursts, want %d: %+v", len(got), len(tc.bursts), got)
			}
			for i, w := range tc.bursts {
				f := got[i]
				if !f.Start.Equal(t0.Add(w.start)) || !f.End.Equal(t0.Add(w.end)) || f.Count != w.count {
					t.Errorf("burst %d: start %v end %v count %d; want %v %v %d", i,
						f.Start.Sub(t0), f.End.Sub(t0), f.Count, w.start, w.end, w.count)
				}
				if f.Origin != "api.example.com" || f.Severity < SeverityWarning {
					t.Errorf("origin %q severity %v", f.Origin, f.Severity)
				}
			}
		})
	}
}

func TestStormIsItsOwnKind(t *testing.T) {
	// a storm needs at least 10 errors (storm.go)
	recs := errorsAt(522, secs(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
	recs = append(recs, errorsAt(502, secs(0.5, 1.5, 2.5, 3.5))...) // 4: no storm
	recs = append(recs, errorsAt(520, secs(10, 11, 12, 13, 14))...)
	s := run(t, testConfig(), recs)
	storms := findingsOf(s, KindBurst5xx)
	if len(storms) != 1 || storms[0].Status != 522 || storms[0].Count != 11 {
		t.Fatalf("storms = %+v", storms)
	}
	b := findingsOf(s, KindBurst520)
	if len(b) != 1 || b[0].Count != 5 {
		t.Fatalf("520 bursts = %+v", b)
	}
	if b[0].Features["status"] != 520 || storms[0].Features["status"] != 522 {
		t.Errorf("status features %v %v", b[0].Features["status"], storms[0].Features["status"])
	}
	// 521-526 are counted in the 520 finding's context, never as 520s
	recs = errorsAt(520, secs(0, 2, 4, 6, 8))
	recs = append(recs, errorsAt(521, secs(1, 3))...)
	recs = append(recs, errorsAt(525, secs(5))...)
	s = run(t, testConfig(), recs)
	b = findingsOf(s, KindBurst520)
	if len(b) != 1 || b[0].Count != 5 || b[0].Features["other_52x"] != 3 {
		t.Fatalf("520 with 52x: %+v", b)
	}
	if m := b[0].Context["other_52x"].(map[string]int); m["521"] != 2 || m["525"] != 1 {
		t.Errorf("other_52x context %v", m)
	}
}

func TestRelayed520(t *testing.T) {
	recs := errorsAt(520, secs(0, 1, 2, 3, 4), edge(), originStatus(520))
	recs = append(recs, errorsAt(520, secs(0.5, 1.5, 2.5), edge(), originStatus(0))...)
	s := run(t, testConfig(), recs)
	b := findingsOf(s, KindBurst520)
	if len(b) != 1 || b[0].Count != 8 {
		t.Fatalf("bursts %+v", b)
	}
	f := b[0].Features
	if f["relayed_share"] != 5.0/8 || f["origin_status_zero_share"] != 3.0/8 || f["edge"] != 1 {
		t.Errorf("features %v", f)
	}
	if b[0].Context["relayed"] != true {
		t.Errorf("relayed context %v", b[0].Context["relayed"])
	}
}

func TestBurstGrowsLive(t *testing.T) {
	recs := errorsAt(520, secs(0, 1, 2, 3, 4, 5, 6, 7))
	e := NewEngine(testConfig())
	var id string
	for i := range recs {
		e.Add(recs[i : i+1])
		s := e.Snapshot()
		b := findingsOf(s, KindBurst520)
		if i < 4 {
			if len(b) != 0 {
				t.Fatalf("after %d 520s: burst too early", i+1)
			}
			continue
		}
		if len(b) != 1 || b[0].Count != i+1 || !b[0].End.Equal(t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("after %d 520s: %+v", i+1, b)
		}
		if id == "" {
			id = b[0].ID
		} else if b[0].ID != id {
			t.Fatalf("id changed: %s -> %s", id, b[0].ID)
		}
		if b[0].Features["ongoing"] != 1 {
			t.Errorf("ongoing = %v", b[0].Features["ongoing"])
		}
	}
	// stable across runs
	s2 := run(t, testConfig(), errorsAt(520, secs(0, 1, 2, 3, 4)))
	if got := findingsOf(s2, KindBurst520)[0].ID; got != id {
		t.Errorf("id not stable across runs: %s vs %s", got, id)
	}
}

func TestBurstFeatures(t *testing.T) {
	var recs []parse.Record
	// background traffic: 200s; the minute before the burst has 2 503s
	for i := 0; i < 100; i++ {
		recs = append(recs, mk(time.Duration(i)*time.Second, "GET", "/ok", 200, upstream("10.1.0.1:80")))
		recs = append(recs, mk(time.Duration(i)*time.Second+time.Millisecond, "GET", "/ok", 200, upstream("10.1.0.2:80")))
	}
	recs = append(recs, mk(45*time.Second, "GET", "/x", 503), mk(46*time.Second, "GET", "/x", 503))
	// cache hits do not count as origin-bound
	for i := 0; i < 50; i++ {
		recs = append(recs, mk(60*time.Second+time.Duration(i)*100*time.Millisecond, "GET", "/static", 200, cacheStatus("hit")))
	}
	for i := 0; i < 10; i++ {
		p := "/api/a"
		if i%5 == 0 {
			p = "/api/b"
		}
		recs = append(recs, mk(60*time.Second+time.Duration(i)*time.Second+500*time.Millisecond, "POST", p, 520,
			upstream("10.1.0.1:80"), pop("FRA"), timing(0, 3*time.Millisecond), bytesSent(0)))
	}
	s := run(t, testConfig(), recs)
	b := findingsOf(s, KindBurst520)
	if len(b) != 1 {
		t.Fatalf("bursts %+v", b)
	}
	f := b[0].Features
	// from 60.5 s to 69.5 s: 10 520s and 2x9 200s in (60.5, 69.5] (hits excluded)
	checks := map[string]float64{
		"count": 10, "duration_s": 9, "peak_60s": 10, "share": 10.0 / 28,
		"paths_distinct": 2, "top_path_share": 0.8, "methods_distinct": 1, "pops_distinct": 1, "top_pop_share": 1,
		"upstreams_failed": 1, "upstreams_healthy": 1, "reused_conn_share": 1, "header_wait_p50_ms": 3,
		"fast_fail_share": 1, "slow_fail_share": 0, "empty_bytes_share": 1, "errors_5xx_before": 2,
		"origin_logged_share": -1, "edge": 0, "other_origins_failing": 0,
	}
	for k, v := range checks {
		if got, ok := f[k]; !ok || !near(got, v) {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	if f["prior_error_share"] <= 0 || f["prior_error_share"] >= 0.1 {
		t.Errorf("prior_error_share %v", f["prior_error_share"])
	}
	if sb := b[0].Context["statuses_before"].(map[string]int); sb["503"] != 2 || sb["200"] < 100 {
		t.Errorf("statuses_before %v", sb)
	}
	if h := b[0].Context["upstreams_healthy"].([]string); len(h) != 1 || h[0] != "10.1.0.2:80" {
		t.Errorf("healthy %v", h)
	}
}

func near(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }

func TestOtherOriginsFailing(t *testing.T) {
	recs := errorsAt(520, secs(0, 1, 2, 3, 4), host("a.example"))
	recs = append(recs, errorsAt(520, secs(2, 3, 4, 5, 6), host("b.example"))...)
	recs = append(recs, errorsAt(520, secs(300), host("c.example"))...)
	s := run(t, testConfig(), recs)
	b := findingsOf(s, KindBurst520)
	if len(b) != 2 {
		t.Fatalf("bursts %+v", b)
	}
	for _, f := range b {
		if f.Features["other_origins_failing"] != 1 {
			t.Errorf("%s other_origins_failing %v", f.Origin, f.Features["other_origins_failing"])
		}
	}
	if s.Origins[0].Findings != 1 || s.Origins[0].Worst < SeverityWarning {
		t.Errorf("origins %+v", s.Origins)
	}
}
