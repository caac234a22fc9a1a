package rules

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func TestDefaultOrigin(t *testing.T) {
	tests := map[string]string{
		"web1/access.log":               "web1/access.log",
		"web1/access.log.1":             "web1/access.log",
		"web1/access.log.2.gz":          "web1/access.log",
		"web1/access.log-20261120.gz":   "web1/access.log",
		"web1/access.log-20261120":      "web1/access.log",
		"/var/log/nginx/access.log.10":  "/var/log/nginx/access.log",
		"logs/api.log.2026-11-20.xz":    "logs/api.log",
		"logs/access-20261120.log":      "logs/access.log",
		"logs/access-20261120.log.1.gz": "logs/access.log",
		"api.example.com.log.zst":       "api.example.com.log",
		"-":                             "stdin",
		"access.log.bz2":                "access.log",
		"app-v2.log":                    "app-v2.log",
	}
	for in, want := range tests {
		if got := DefaultOrigin(in); got != want {
			t.Errorf("DefaultOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPathTemplate(t *testing.T) {
	tests := map[string]string{
		"/":                      "/",
		"/v1/exports":            "/v1/exports",
		"/v1/exports/123":        "/v1/exports/{id}",
		"/v1/exports/123/status": "/v1/exports/{id}/status",
		"/jobs/3fa85f64-5717-4562-b3fc-2c963f66afa6": "/jobs/{id}",
		"/jobs/deadbeef":             "/jobs/{id}",
		"/jobs/deadbee":              "/jobs/deadbee",
		"/ops/a1b2c3d4":              "/ops/{id}",
		"/ops/abc123":                "/ops/abc123",
		"/ops/job_2x9k8m7q":          "/ops/{id}",
		"/users/profile":             "/users/profile",
		"/v2/items/42/parts/7":       "/v2/items/{id}/parts/{id}",
		"/exports/":                  "/exports/",
		"/a/12345678901234567890xyz": "/a/{id}",
	}
	for in, want := range tests {
		if got := PathTemplate(in); got != want {
			t.Errorf("PathTemplate(%q) = %q, want %q", in, got, want)
		}
	}
	if !IsIDSegment("42") || IsIDSegment("v1") || IsIDSegment("exports") || !IsIDSegment("ABCDEF0123") {
		t.Error("IsIDSegment")
	}
}

// scenario is a mixed workload with known findings and distinct times.
func scenario() []parse.Record {
	var recs []parse.Record
	ms := time.Millisecond
	for i := 0; i < 3000; i++ {
		recs = append(recs, mk(time.Duration(i)*397*ms, "GET", fmt.Sprintf("/page/%d", i%50), 200, host("www.example.com")))
	}
	for i := 0; i < 40; i++ {
		recs = append(recs, mk(300*time.Second+time.Duration(i)*1013*ms, "GET", "/api/x", 520, host("www.example.com"), edge()))
	}
	for i := 0; i < 12; i++ {
		recs = append(recs, mk(700*time.Second+time.Duration(i)*3001*ms, "GET", "/api/y", 522, host("shop.example.com"), edge()))
	}
	for i := 0; i < 30; i++ {
		id := fmt.Sprintf("j%07dx", i)
		at := time.Duration(i)*7*time.Second + 3*ms
		recs = append(recs, mk(at, "POST", "/v1/exports", 202, loc("/v1/exports/"+id), edge()))
		switch i % 3 {
		case 0:
			recs = append(recs, mk(at+31*time.Second, "GET", "/v1/exports/"+id, 200, edge()))
		case 1:
			for k := 1; k <= 4; k++ {
				recs = append(recs, mk(at+time.Duration(k)*29*time.Second+7*ms, "GET", "/v1/exports/"+id, 202, edge()))
			}
		}
	}
	return recs
}

func summary(s *Snapshot) []string {
	var out []string
	for _, f := range s.Findings {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s %d %v", f.ID, f.Kind, f.Origin, f.Subtype,
			f.Start.Format(time.RFC3339Nano), f.End.Format(time.RFC3339Nano), f.Count, f.Features))
	}
	return out
}

func TestShuffleWithinBoundChangesNothing(t *testing.T) {
	base := scenario()
	want := summary(run(t, testConfig(), append([]parse.Record(nil), base...)))
	if len(want) < 4 {
		t.Fatalf("scenario too small: %v", want)
	}
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 5; trial++ {
		clear(jitters)
		// displace records in arrival order by up to 2 minutes...
		recs := append([]parse.Record(nil), base...)
		sort.SliceStable(recs, func(i, j int) bool {
			return recs[i].Time+jitter(rng, i) < recs[j].Time+jitter(rng, j)
		})
		// ...then repair it as parse's merge does (run sorts by time)
		got := summary(run(t, testConfig(), recs))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d differs:\n got %v\nwant %v", trial, got, want)
		}
	}
}

var jitters = map[int]int64{}

// jitter is a fixed random displacement of record i, up to 2 minutes.
func jitter(rng *rand.Rand, i int) int64 {
	if v, ok := jitters[i]; ok {
		return v
	}
	v := rng.Int63n(int64(2 * time.Minute))
	jitters[i] = v
	return v
}

func TestSnapshotIsImmutable(t *testing.T) {
	e := NewEngine(testConfig())
	e.Add(errorsAt(520, secs(0, 1, 2, 3, 4)))
	s1 := e.Snapshot()
	s1.Findings[0].Features["count"] = 999
	s1.Findings[0].Context["paths"].([]string)[0] = "mutated"
	e.Add(errorsAt(520, secs(5)))
	s2 := e.Snapshot()
	f := s2.Findings[0]
	if f.Features["count"] != 6 || f.Context["paths"].([]string)[0] != "/api/items (6)" {
		t.Fatalf("snapshot shares state: %v %v", f.Features["count"], f.Context["paths"])
	}
	s3 := e.Snapshot()
	s3.Findings[0].Samples[0].Path = "x"
	if e.Snapshot().Findings[0].Samples[0].Path != "/api/items" {
		t.Fatal("samples shared")
	}
}

func TestAdvanceJudgesWhileIdle(t *testing.T) {
	e := NewEngine(testConfig())
	e.Add(job("q1w2e3r4", 0))
	if got := subtypeCounts(e.Snapshot()); len(got) != 0 {
		t.Fatalf("judged early: %v", got)
	}
	e.Advance(t0.Add(10 * minute)) // exactly J: not passed yet
	if got := subtypeCounts(e.Snapshot()); len(got) != 0 {
		t.Fatalf("judged at J: %v", got)
	}
	e.Advance(t0.Add(10*minute + time.Nanosecond))
	if got := subtypeCounts(e.Snapshot()); got[SubNeverPolled] != 1 {
		t.Fatalf("not judged after J: %v", got)
	}
	e.Advance(t0) // never back
	if s := e.Snapshot(); !s.Now.Equal(t0.Add(10*minute + time.Nanosecond)) {
		t.Errorf("now moved back: %v", s.Now)
	}
	// Now stays the newest record time, the base of the next Advance
	if !e.Now().Equal(t0) {
		t.Errorf("Now() = %v, want the newest record time", e.Now())
	}
}

func TestTimelineBounded(t *testing.T) {
	e := NewEngine(testConfig())
	var recs []parse.Record
	for i := 0; i < 5000; i++ {
		recs = append(recs, mk(time.Duration(i)*time.Minute, "GET", "/", 200))
	}
	recs = append(recs, errorsAt(520, every(4000*time.Minute, time.Second, 6))...)
	sortRecords(recs)
	e.Add(recs)
	s := e.Finish()
	tl := s.Timeline
	if len(tl.Requests) > timelineBuckets || tl.Step < 8*time.Minute {
		t.Fatalf("buckets %d step %v", len(tl.Requests), tl.Step)
	}
	sum, s520 := 0, 0
	for i := range tl.Requests {
		sum += tl.Requests[i]
		s520 += tl.Status520[i]
	}
	if sum != 5006 || s520 != 6 || s.Records != 5006 {
		t.Errorf("requests %d 520 %d records %d", sum, s520, s.Records)
	}
	f := findingsOf(s, KindBurst520)[0]
	if f.TimelineStep != tl.Step || len(f.Timeline) != 1 || f.Timeline[0] != 6 {
		t.Errorf("finding timeline %v step %v", f.Timeline, f.TimelineStep)
	}
}

func TestHostlessOriginFromInput(t *testing.T) {
	recs := errorsAt(520, secs(0, 1, 2), host(""), input("web1/access.log.1"))
	recs = append(recs, errorsAt(520, secs(3, 4), host(""), input("web1/access.log-20261120.gz"))...)
	s := run(t, testConfig(), recs)
	b := findingsOf(s, KindBurst520)
	if len(b) != 1 || b[0].Origin != "web1/access.log" || b[0].Count != 5 {
		t.Fatalf("bursts %+v", b)
	}
	cfg := testConfig()
	cfg.Origin = func(string) string { return "web1" }
	s = run(t, cfg, errorsAt(520, secs(0, 1, 2, 3, 4), host("")))
	if b := findingsOf(s, KindBurst520); len(b) != 1 || b[0].Origin != "web1" {
		t.Fatalf("--origin: %+v", b)
	}
}

func TestGroupByUpstream(t *testing.T) {
	recs := errorsAt(520, secs(0, 1, 2, 3, 4), upstream("10.0.0.5:443"))
	recs = append(recs, errorsAt(520, secs(0.5, 1.5), upstream("10.0.0.6:443"))...)
	cfg := testConfig()
	cfg.GroupBy = "origin-ip"
	s := run(t, cfg, recs)
	b := findingsOf(s, KindBurst520)
	if len(b) != 1 || b[0].Origin != "10.0.0.5:443" || b[0].Count != 5 {
		t.Fatalf("bursts %+v", b)
	}
	s = run(t, testConfig(), recs)
	b = findingsOf(s, KindBurst520)
	if len(b) != 1 || b[0].Count != 7 || b[0].Features["upstreams_failed"] != 2 {
		t.Fatalf("by host: %+v", b)
	}
}

func TestExplainMayRaiseNotLower(t *testing.T) {
	cfg := testConfig()
	cfg.Explain = func(f *Finding) {
		if f.Count >= 6 {
			f.Severity = SeverityCritical
		} else {
			f.Severity = SeverityInfo
		}
		f.Causes = append(f.Causes, Cause{Rule: "r", Title: "t", Confidence: 0.5})
	}
	s := run(t, cfg, errorsAt(520, secs(0, 1, 2, 3, 4)))
	if f := s.Findings[0]; f.Severity != SeverityWarning || f.TopCause() != "t" {
		t.Fatalf("severity %v cause %q", f.Severity, f.TopCause())
	}
	s = run(t, cfg, errorsAt(520, secs(0, 1, 2, 3, 4, 5)))
	if s.Findings[0].Severity != SeverityCritical {
		t.Fatalf("severity %v", s.Findings[0].Severity)
	}
}

func TestRouteMatch(t *testing.T) {
	cfg := Config{Routes: []Route{
		{Method: "post", Path: "/v1/exports/:kind", PollStyle: " Body "},
		{Path: "/ops/*"},
		{Method: "GET", Path: "/jobs/{jobId}/status"},
	}}.withDefaults()
	r := cfg.Routes
	tests := []struct {
		route        int
		method, tmpl string
		want         bool
	}{
		{0, "POST", "/v1/exports/{id}", true},
		{0, "GET", "/v1/exports/{id}", false},
		{1, "GET", "/ops/{id}", true},
		{1, "DELETE", "/ops/{id}/x", true},
		{1, "GET", "/op", false},
		{2, "GET", "/jobs/{id}/status", true},
		{2, "GET", "/jobs/{id}", false},
	}
	for _, tc := range tests {
		if got := r[tc.route].match(tc.method, tc.tmpl); got != tc.want {
			t.Errorf("route %d %+v match(%s %s) = %v", tc.route, r[tc.route], tc.method, tc.tmpl, got)
		}
	}
	if r[0].PollStyle != PollStyleBody {
		t.Errorf("poll style %q", r[0].PollStyle)
	}
}

// TestSnapshotReadWhileEngineRuns hands snapshots to another goroutine as the
// interface does; with -race it proves nothing is shared.
func TestSnapshotReadWhileEngineRuns(t *testing.T) {
	e := NewEngine(testConfig())
	recs := scenario()
	sortRecords(recs)
	snaps := make(chan *Snapshot, 4)
	done := make(chan int)
	go func() {
		n := 0
		for s := range snaps {
			for _, f := range s.Findings {
				n += len(f.Features) + len(f.Context) + len(f.Samples) + len(f.Timeline)
				for _, v := range f.Context {
					_ = fmt.Sprint(v)
				}
			}
			n += len(s.Timeline.Requests) + len(s.Origins)
		}
		done <- n
	}()
	for i := 0; i < len(recs); i += 100 {
		e.Add(recs[i:min(i+100, len(recs))])
		snaps <- e.Snapshot()
	}
	snaps <- e.Finish()
	close(snaps)
	if n := <-done; n == 0 {
		t.Fatal("nothing read")
	}
}
