package rules

import (
	"fmt"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

const minute = time.Minute

// tick is an unrelated request that moves event time.
func tick(at time.Duration) parse.Record { return mk(at, "GET", "/health", 200) }

// job opens one POST operation with a Location header and polls it.
func job(id string, at time.Duration, polls ...pollAt) []parse.Record {
	recs := []parse.Record{mk(at, "POST", "/v1/exports", 202, loc("/v1/exports/"+id))}
	for _, p := range polls {
		recs = append(recs, mk(at+p.at, "GET", "/v1/exports/"+id, p.status))
	}
	return recs
}

type pollAt struct {
	at     time.Duration
	status int
}

func polls(status int, from, step time.Duration, n int) []pollAt {
	out := make([]pollAt, n)
	for i := range out {
		out[i] = pollAt{from + time.Duration(i)*step, status}
	}
	return out
}

func TestSubtypes(t *testing.T) {
	J := 10 * minute
	tests := []struct {
		name  string
		polls []pollAt
		want  string // "" = not reported
	}{
		{"never polled", nil, SubNeverPolled},
		{"completed 200", []pollAt{{30 * time.Second, 202}, {time.Minute, 200}}, ""},
		{"completed 201", []pollAt{{time.Minute, 201}}, ""},
		{"completed 204", []pollAt{{time.Minute, 204}}, ""},
		{"completed 303", []pollAt{{time.Minute, 303}}, ""},
		{"status lost 404", []pollAt{{30 * time.Second, 202}, {time.Minute, 404}}, SubStatusLost},
		{"status lost 410", []pollAt{{time.Minute, 410}}, SubStatusLost},
		{"status error 503", []pollAt{{time.Minute, 503}}, SubStatusError},
		{"status error 524", []pollAt{{time.Minute, 524}}, SubStatusError},
		{"poll rejected 401", []pollAt{{time.Minute, 401}}, SubPollRejected},
		{"poll rejected 429", []pollAt{{time.Minute, 202}, {2 * time.Minute, 429}}, SubPollRejected},
		{"poll rejected 499", []pollAt{{time.Minute, 499}}, SubPollRejected},
		{"stuck pending", polls(202, 10*time.Second, 10*time.Second, 59), SubStuckPending},
		{"client gave up", polls(202, 10*time.Second, 10*time.Second, 12), SubClientGaveUp},
		{"single poll at J-60s", []pollAt{{J - time.Minute, 202}}, SubStuckPending},
		{"single poll just before J-60s", []pollAt{{J - time.Minute - time.Nanosecond, 202}}, SubClientGaveUp},
		{"single poll at J", []pollAt{{J, 202}}, SubStuckPending},
		// median interval 40 s -> G = 120 s
		{"slow poller within 3x median", polls(202, J-360*time.Second, 40*time.Second, 7), SubStuckPending},
		{"slow poller beyond 3x median", polls(202, J-400*time.Second, 40*time.Second, 7), SubClientGaveUp},
		{"late completion after J counts late", []pollAt{{J + time.Minute, 200}}, "late"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs := job("abc123", 0, tc.polls...)
			recs = append(recs, tick(J+2*minute))
			s := run(t, testConfig(), recs)
			got := subtypeCounts(s)
			switch tc.want {
			case "":
				if len(got) != 0 {
					t.Fatalf("reported %v, want nothing", got)
				}
			case "late":
				if len(got) != 0 || s.CompletedLate != 1 {
					t.Fatalf("got %v, completed_late %d", got, s.CompletedLate)
				}
			default:
				if len(got) != 1 || got[tc.want] != 1 {
					t.Fatalf("got %v, want one %s", got, tc.want)
				}
			}
			if s.Inflight != 0 {
				t.Errorf("inflight %d", s.Inflight)
			}
		})
	}
}

func TestSubtypesCountedExactly(t *testing.T) {
	var recs []parse.Record
	want := map[string]int{SubNeverPolled: 3, SubStatusLost: 4, SubStatusError: 5, SubPollRejected: 6, SubStuckPending: 7, SubClientGaveUp: 8}
	n := 0
	add := func(sub string, ps []pollAt) {
		for i := 0; i < want[sub]; i++ {
			n++
			recs = append(recs, job(fmt.Sprintf("%s%04d", "job", n), time.Duration(n)*time.Second, ps...)...)
		}
	}
	add(SubNeverPolled, nil)
	add(SubStatusLost, []pollAt{{time.Minute, 404}})
	add(SubStatusError, []pollAt{{time.Minute, 502}})
	add(SubPollRejected, []pollAt{{time.Minute, 403}})
	add(SubStuckPending, polls(202, 30*time.Second, 30*time.Second, 19))
	add(SubClientGaveUp, polls(202, 30*time.Second, 30*time.Second, 3))
	for i := 0; i < 9; i++ { // healthy ones, completion after 90 s
		n++
		recs = append(recs, job(fmt.Sprintf("ok%04d", n), time.Duration(n)*time.Second, pollAt{45 * time.Second, 202}, pollAt{90 * time.Second, 200})...)
	}
	recs = append(recs, tick(20*minute))
	// and 2 still in flight at the end
	recs = append(recs, job("fly00001", 15*minute)...)
	recs = append(recs, job("fly00002", 16*minute)...)
	s := run(t, testConfig(), recs)
	got := subtypeCounts(s)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d, want %d", k, got[k], v)
		}
	}
	if s.Inflight != 2 {
		t.Errorf("inflight %d, want 2", s.Inflight)
	}
	for _, f := range findingsOf(s, KindIncomplete202) {
		if f.Endpoint != "POST /v1/exports" || f.Origin != "api.example.com" || f.Severity < SeverityWarning {
			t.Errorf("finding %s %s %s %v", f.Origin, f.Endpoint, f.Subtype, f.Severity)
		}
		if f.Features["completed_ops"] != 9 || f.Features["completion_p50_s"] != 90 || f.Features["endpoint_ops"] != 44 {
			t.Errorf("%s endpoint features %v", f.Subtype, f.Features)
		}
		if f.Features["linked_by"] != 0 || f.Features["has_location_share"] != 1 || f.Features["relative_location_share"] != 1 {
			t.Errorf("%s link features %v", f.Subtype, f.Features)
		}
		if f.Subtype == SubStuckPending && (f.Features["poll_interval_p50_s"] != 30 || f.Features["polls_per_op"] != 19) {
			t.Errorf("stuck features %v", f.Features)
		}
		if len(f.Samples) == 0 || f.Samples[0].Role != "open" {
			t.Errorf("%s samples %+v", f.Subtype, f.Samples)
		}
	}
}

func TestFireAndForget(t *testing.T) {
	beacons := func(n, polled int) []parse.Record {
		var recs []parse.Record
		for i := 0; i < n; i++ {
			var ps []pollAt
			if i < polled {
				ps = []pollAt{{time.Minute, 200}}
			}
			recs = append(recs, job(fmt.Sprintf("ev%06d", i), time.Duration(i)*time.Second, ps...)...)
		}
		return append(recs, tick(30*minute))
	}
	tests := []struct {
		name      string
		ops, poll int
		ff        bool
	}{
		{"exactly 5% polled", 20, 1, false},
		{"just under 5% polled", 21, 1, true},
		{"exactly 5% of 40", 40, 2, false},
		{"none polled, 19 ops", 19, 0, false},
		{"none polled, 20 ops", 20, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := run(t, testConfig(), beacons(tc.ops, tc.poll))
			got := subtypeCounts(s)
			if tc.ff {
				if got[SubNeverPolled] != 0 || got[SubFireAndForget] != tc.ops {
					t.Fatalf("got %v", got)
				}
				for _, f := range s.Findings {
					if f.Subtype == SubFireAndForget && f.Severity != SeverityInfo {
						t.Errorf("severity %v", f.Severity)
					}
				}
			} else if got[SubFireAndForget] != 0 || got[SubNeverPolled] != tc.ops-tc.poll {
				t.Fatalf("got %v", got)
			}
		})
	}
}

func TestFireAndForgetWithdrawsNeverPolled(t *testing.T) {
	e := NewEngine(testConfig())
	var recs []parse.Record
	for i := 0; i < 10; i++ {
		recs = append(recs, job(fmt.Sprintf("ev%06d", i), time.Duration(i)*time.Second)...)
	}
	recs = append(recs, tick(11*minute))
	e.Add(recs)
	if got := subtypeCounts(e.Snapshot()); got[SubNeverPolled] != 10 {
		t.Fatalf("live: %v", got)
	}
	recs = nil
	for i := 10; i < 25; i++ {
		recs = append(recs, job(fmt.Sprintf("ev%06d", i), 11*minute+time.Duration(i)*time.Second)...)
	}
	recs = append(recs, tick(30*minute))
	e.Add(recs)
	s := e.Finish()
	got := subtypeCounts(s)
	if got[SubNeverPolled] != 0 || got[SubFireAndForget] != 25 {
		t.Fatalf("final: %v", got)
	}
	for _, v := range s.Timeline.Incomplete202 {
		if v != 0 {
			t.Fatalf("withdrawn ops still in the timeline: %v", s.Timeline.Incomplete202)
		}
	}
}

func TestCompletedLateLeavesFinding(t *testing.T) {
	e := NewEngine(testConfig())
	e.Add(job("a1b2c3d4", 0, polls(202, 30*time.Second, 30*time.Second, 20)...))
	e.Add(job("e5f6a7b8", time.Second, polls(202, 30*time.Second, 30*time.Second, 20)...))
	e.Add([]parse.Record{tick(11 * minute)})
	s := e.Snapshot()
	if got := subtypeCounts(s); got[SubStuckPending] != 2 {
		t.Fatalf("before: %v", got)
	}
	e.Add([]parse.Record{mk(12*minute, "GET", "/v1/exports/a1b2c3d4", 200)})
	s = e.Finish()
	if got := subtypeCounts(s); got[SubStuckPending] != 1 || s.CompletedLate != 1 {
		t.Fatalf("after: %v late %d", got, s.CompletedLate)
	}
	if f := s.Findings[0]; f.CompletedLate == nil || *f.CompletedLate != 1 {
		t.Errorf("finding completed_late %v", f.CompletedLate)
	}
}

func TestPollStyleBody(t *testing.T) {
	cfg := testConfig()
	cfg.Routes = []Route{{Method: "POST", Path: "/v1/exports", PollStyle: PollStyleBody}}
	tests := []struct {
		name  string
		polls []pollAt
		want  string
	}{
		{"polling stops after a 200", polls(200, 10*time.Second, 10*time.Second, 6), ""},
		{"200s until the deadline", polls(200, 10*time.Second, 10*time.Second, 59), SubStuckPending},
		{"201 completes", []pollAt{{time.Minute, 201}}, ""},
		{"404 is lost", []pollAt{{time.Minute, 404}}, SubStatusLost},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs := append(job("abcd1234", 0, tc.polls...), tick(15*minute))
			s := run(t, cfg, recs)
			got := subtypeCounts(s)
			if tc.want == "" && len(got) != 0 || tc.want != "" && got[tc.want] != 1 {
				t.Fatalf("got %v, want %q", got, tc.want)
			}
		})
	}
	// a route given by the status resource's template works too
	cfg.Routes = []Route{{Method: "GET", Path: "/v1/exports/{id}", PollStyle: "body"}}
	s := run(t, cfg, append(job("abcd1234", 0, polls(200, 10*time.Second, 10*time.Second, 6)...), tick(15*minute)))
	if got := subtypeCounts(s); len(got) != 0 {
		t.Fatalf("resource route: %v", got)
	}
	// and the timeout override
	cfg.Routes = []Route{{Path: "/v1/exports", PendingTimeout: 2 * minute}}
	s = run(t, cfg, append(job("abcd1234", 0), tick(3*minute)))
	if got := subtypeCounts(s); got[SubNeverPolled] != 1 {
		t.Fatalf("timeout override: %v", got)
	}
}

func TestSamePathLinking(t *testing.T) {
	tests := []struct {
		name string
		recs []parse.Record
		want map[string]int
	}{
		{"DELETE then GET 404 completes", []parse.Record{
			mk(0, "DELETE", "/v1/items/42", 202), mk(time.Minute, "GET", "/v1/items/42", 200), mk(2*minute, "GET", "/v1/items/42", 404)}, map[string]int{}},
		{"DELETE still there at J", []parse.Record{
			mk(0, "DELETE", "/v1/items/42", 202), mk(9*minute+30*time.Second, "GET", "/v1/items/42", 200)}, map[string]int{SubStuckPending: 1}},
		{"PUT then GET 404 is lost", []parse.Record{
			mk(0, "PUT", "/v1/items/42", 202), mk(time.Minute, "GET", "/v1/items/42", 404)}, map[string]int{SubStatusLost: 1}},
		{"PATCH then GET 200 completes", []parse.Record{
			mk(0, "PATCH", "/v1/items/42", 202), mk(time.Minute, "GET", "/v1/items/42", 200)}, map[string]int{}},
		{"GET 202 is its own first poll", []parse.Record{
			mk(0, "GET", "/v1/reports/7", 202)}, map[string]int{SubClientGaveUp: 1}},
		{"GET 202 polled again", []parse.Record{
			mk(0, "GET", "/v1/reports/7", 202), mk(time.Minute, "GET", "/v1/reports/7", 202), mk(2*minute, "GET", "/v1/reports/7", 200)}, map[string]int{}},
		{"OPTIONS is not a poll", []parse.Record{
			mk(0, "PUT", "/v1/items/42", 202), mk(time.Minute, "OPTIONS", "/v1/items/42", 200)}, map[string]int{SubNeverPolled: 1}},
		{"HEAD is a poll", []parse.Record{
			mk(0, "PUT", "/v1/items/42", 202), mk(time.Minute, "HEAD", "/v1/items/42", 200)}, map[string]int{}},
		{"absolute Location on another host", []parse.Record{
			mk(0, "POST", "/v1/jobs", 202, loc("https://status.example.com/ops/9f8e7d6c?x=1")),
			mk(time.Minute, "GET", "/ops/9f8e7d6c", 200, host("status.example.com"))}, map[string]int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs := append(tc.recs, tick(15*minute))
			got := subtypeCounts(run(t, testConfig(), recs))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPostChildLinkingTwoClients(t *testing.T) {
	a := []opt{client("192.0.2.1"), ua("app/1")}
	b := []opt{client("192.0.2.2"), ua("app/1")}
	recs := []parse.Record{
		mk(0, "POST", "/v1/exports", 202, a...),
		mk(time.Second, "POST", "/v1/exports", 202, b...),
		mk(2*time.Second, "POST", "/v1/exports", 202, b...),
		// B's first GET links B's oldest POST, and polls it
		mk(10*time.Second, "GET", "/v1/exports/5001", 202, b...),
		mk(20*time.Second, "GET", "/v1/exports/5001", 200, b...),
		// B's second child links the second POST; it answers 202 until it stops
		mk(30*time.Second, "GET", "/v1/exports/5002", 202, b...),
		// a GET of a non-id child links nothing
		mk(31*time.Second, "GET", "/v1/exports/latest", 200, a...),
		// same IP, other user agent: another client
		mk(32*time.Second, "GET", "/v1/exports/5003", 200, client("192.0.2.1"), ua("other")),
		tick(15 * minute),
	}
	s := run(t, testConfig(), recs)
	got := subtypeCounts(s)
	want := map[string]int{SubNeverPolled: 1, SubClientGaveUp: 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, f := range s.Findings {
		if f.Subtype == SubClientGaveUp && f.Features["linked_by"] != 2 {
			t.Errorf("linked_by %v", f.Features["linked_by"])
		}
	}
}

func TestEvictionCounting(t *testing.T) {
	cfg := testConfig()
	cfg.MaxPending = 10
	var recs []parse.Record
	for i := 0; i < 25; i++ {
		recs = append(recs, job(fmt.Sprintf("job%05d", i), time.Duration(i)*time.Second)...)
	}
	s := run(t, cfg, recs)
	if s.Evicted != 15 || s.Inflight != 10 {
		t.Fatalf("evicted %d inflight %d", s.Evicted, s.Inflight)
	}
	// judged operations stay open for late polls; the cap evicts them too
	recs = nil
	for i := 0; i < 25; i++ {
		recs = append(recs, job(fmt.Sprintf("job%05d", i), time.Duration(i)*11*minute)...)
	}
	recs = append(recs, tick(25*11*minute))
	s = run(t, cfg, recs)
	if got := subtypeCounts(s); s.Evicted != 15 || got[SubFireAndForget] != 25 {
		t.Fatalf("evicted %d, %v", s.Evicted, got)
	}
}

func TestOriginRecordsOnlyJoinWhenEdgeLoaded(t *testing.T) {
	recs := []parse.Record{
		mk(0, "POST", "/v1/exports", 202, edge(), loc("/v1/exports/x1y2z3w4")),
		mk(0, "POST", "/v1/exports", 202, loc("/v1/exports/x1y2z3w4"), input("origin.log")),
		mk(time.Minute, "GET", "/v1/exports/x1y2z3w4", 200, input("origin.log")), // seen only at the origin
		tick(15 * minute),
	}
	got := subtypeCounts(run(t, testConfig(), recs))
	if got[SubNeverPolled] != 1 || len(got) != 1 {
		t.Fatalf("got %v", got)
	}
}

// Operations are followed in the edge log only for the traffic edge logs
// carry: origin logs of other hosts, and hostless logs named by their path,
// keep their own 202 findings.
func TestOriginLogsOfOtherHostsKeepTheir202s(t *testing.T) {
	recs := []parse.Record{
		// api.example.com: edge and origin logs of the same traffic
		mk(0, "POST", "/v1/exports", 202, edge(), loc("/v1/exports/x1y2z3w4")),
		mk(0, "POST", "/v1/exports", 202, loc("/v1/exports/x1y2z3w4"), input("api/access.log")),
		// billing.example.org: only its origin log
		mk(time.Second, "POST", "/v2/render", 202, host("billing.example.org"), loc("/v2/render/a1b2c3d4"), input("billing/access.log")),
		// a hostless combined log, named by its path
		mk(2*time.Second, "POST", "/jobs", 202, host(""), input("web1/access.log")),
		tick(15 * minute),
	}
	s := run(t, testConfig(), recs)
	got := map[string]int{}
	for _, f := range findingsOf(s, KindIncomplete202) {
		got[f.Origin+" "+f.Endpoint+" "+f.Subtype] += f.Count
	}
	want := map[string]int{
		"api.example.com POST /v1/exports never_polled":    1, // once, from the edge log
		"billing.example.org POST /v2/render never_polled": 1,
		"web1/access.log POST /jobs never_polled":          1,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

// An origin-log operation of a host opened before that host's first edge
// record (the merge's window, or an edge log starting later) is withdrawn
// when the edge log shows up: neither reported nor counted in flight. A
// hostless origin log named after the edge host (--origin) is that host's
// traffic too.
func TestOriginOperationsBeforeTheFirstEdgeRecord(t *testing.T) {
	tests := []struct {
		name   string
		origin []opt
	}{
		{"same host", nil},
		{"hostless named after the host", []opt{host(""), input("web1/access.log")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Origin = func(string) string { return "api.example.com" }
			recs := []parse.Record{
				mk(0, "POST", "/v1/exports", 202, append([]opt{loc("/v1/exports/a1")}, tt.origin...)...),
				mk(time.Second, "POST", "/v1/reports", 202, append([]opt{loc("/v1/reports/b2")}, tt.origin...)...),
				mk(30*time.Second, "GET", "/", 200, edge()),
				// after the edge log appeared, the host's origin records serve only the join
				mk(40*time.Second, "POST", "/v1/imports", 202, append([]opt{loc("/v1/imports/c3")}, tt.origin...)...),
			}
			e := NewEngine(cfg)
			sortRecords(recs)
			e.Add(recs)
			if s := e.Snapshot(); s.Inflight != 0 {
				t.Fatalf("inflight %d, want 0 (withdrawn)", s.Inflight)
			}
			e.Add([]parse.Record{mk(15*minute, "GET", "/", 200, edge())})
			s := e.Finish()
			if n := len(findingsOf(s, KindIncomplete202)); n != 0 || s.Evicted != 0 {
				t.Fatalf("%d findings, %d evicted: %v", n, s.Evicted, summary(s))
			}
		})
	}
}

// A group judged from an origin log is withdrawn when the edge log of its
// host appears later, so one operation is never reported from both logs.
func TestOriginGroupWithdrawnWhenEdgeAppears(t *testing.T) {
	e := NewEngine(testConfig())
	e.Add([]parse.Record{
		mk(0, "POST", "/v1/exports", 202, loc("/v1/exports/a1b2c3d4")),
		mk(11*minute, "GET", "/", 200),
	})
	if n := len(findingsOf(e.Snapshot(), KindIncomplete202)); n != 1 {
		t.Fatalf("%d findings from the origin log before the edge log, want 1", n)
	}
	e.Add([]parse.Record{mk(12*minute, "GET", "/", 200, edge())})
	if got := summary(e.Finish()); len(got) != 0 {
		t.Fatalf("origin-log finding kept after the edge log appeared: %v", got)
	}
}

func retryAfter(d time.Duration) opt { return func(r *parse.Record) { r.RetryAfter = d } }

// retry_after is the median over a group's operations of the latest
// Retry-After logged on the opening 202 or a pending poll; -1 if none.
func TestRetryAfterFeature(t *testing.T) {
	var recs []parse.Record
	gaveUp := func(id string, at time.Duration, open, poll opt) {
		recs = append(recs,
			mk(at, "POST", "/v1/exports", 202, loc("/v1/exports/"+id), open),
			mk(at+minute, "GET", "/v1/exports/"+id, 202, poll))
	}
	none := retryAfter(parse.Unknown)
	gaveUp("a1b2c3d4", 0, retryAfter(30*time.Second), retryAfter(5*time.Second)) // the poll's advice wins
	gaveUp("b1b2c3d4", time.Second, none, none)                                  // not logged
	gaveUp("c1b2c3d4", 2*time.Second, retryAfter(10*time.Second), none)          // the opening 202's
	recs = append(recs,
		mk(3*time.Second, "POST", "/v1/reports", 202, loc("/v1/reports/d1b2c3d4")), // never polled, nothing logged
		tick(15*minute))
	s := run(t, testConfig(), recs)
	got := map[string]float64{}
	for _, f := range findingsOf(s, KindIncomplete202) {
		got[f.Endpoint+" "+f.Subtype] = f.Features["retry_after"]
	}
	want := map[string]float64{
		"POST /v1/exports client_gave_up": 7.5,
		"POST /v1/reports never_polled":   -1,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("retry_after %v, want %v", got, want)
	}
}
