package rules

import (
	"fmt"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func ray(i int) string { return fmt.Sprintf("7d2a0b1c2d3e%04x", i) }

func TestJoinByRayID(t *testing.T) {
	var recs []parse.Record
	for i := 0; i < 6; i++ {
		at := time.Duration(i) * time.Second
		recs = append(recs, mk(at, "GET", fmt.Sprintf("/p/%d", i), 520, edge(), rid(ray(i)), client("198.51.100.7"), originStatus(0)))
	}
	// the origin logged three of them (CF-Ray with the colo), two as empty 200s;
	// its log times are the request end: later, one even before the edge record
	orig := func(i int, at time.Duration, status int, n int64) parse.Record {
		return mk(at, "GET", fmt.Sprintf("/p/%d", i), status, rid(ray(i)+"-FRA"), bytesSent(n), host(""), input("web1/access.log"), client("172.68.1.1"))
	}
	recs = append(recs,
		orig(0, 30*time.Second, 200, 0),
		orig(1, 900*time.Millisecond, 200, 0), // before its edge record (skew)
		orig(2, 4*time.Second, 502, 157),
		// unrelated origin traffic that shows the log covers the burst
		mk(200*time.Second, "GET", "/health", 200, rid("aaaa"), host(""), input("web1/access.log")),
	)
	s := run(t, testConfig(), recs)
	b := findingsOf(s, KindBurst520)
	if len(b) != 1 || b[0].Count != 6 {
		t.Fatalf("bursts %+v", b)
	}
	f := b[0].Features
	if f["origin_logged_share"] != 0.5 || f["origin_missing"] != 3 || f["origin_empty_200"] != 2 {
		t.Fatalf("join features %v", f)
	}
	j := b[0].Context["join"].(map[string]any)
	if j["logged"] != 3 || j["missing"] != 3 {
		t.Errorf("join context %v", j)
	}
	if st := j["statuses"].(map[string]int); st["200"] != 2 || st["502"] != 1 {
		t.Errorf("join statuses %v", st)
	}
	origins := 0
	for _, smp := range b[0].Samples {
		if smp.Role == "origin" {
			origins++
			if smp.Input != "web1/access.log" {
				t.Errorf("origin sample %+v", smp)
			}
		}
	}
	if origins != 3 {
		t.Errorf("%d origin samples", origins)
	}
	// the origin's own records do not make findings of their own here
	if len(s.Findings) != 1 {
		t.Errorf("findings %d", len(s.Findings))
	}
}

func TestJoinByTime(t *testing.T) {
	var recs []parse.Record
	for i := 0; i < 5; i++ {
		at := time.Duration(i) * 10 * time.Second
		recs = append(recs, mk(at, "POST", "/api/pay", 520, edge(), rid(ray(i)), client(fmt.Sprintf("198.51.100.%d", i))))
	}
	orig := func(i int, at time.Duration) parse.Record {
		return mk(at, "POST", "/api/pay", 200, bytesSent(0), host(""), input("origin.log"), client(fmt.Sprintf("198.51.100.%d", i)))
	}
	recs = append(recs,
		orig(0, 1500*time.Millisecond),           // +1.5 s
		orig(1, 10*time.Second-time.Second),      // -1 s
		orig(2, 22*time.Second),                  // +2 s exactly
		orig(3, 33*time.Second+time.Millisecond), // +3 s: too far
		orig(9, 40*time.Second),                  // other client
		mk(120*time.Second, "GET", "/", 200, host(""), input("origin.log")),
	)
	s := run(t, testConfig(), recs)
	b := findingsOf(s, KindBurst520)
	if len(b) != 1 {
		t.Fatalf("bursts %+v", b)
	}
	f := b[0].Features
	if f["origin_logged_share"] != 0.6 || f["origin_missing"] != 2 || f["origin_empty_200"] != 3 {
		t.Fatalf("join features %v", f)
	}
}

func TestJoinUnknownWithoutOriginLog(t *testing.T) {
	s := run(t, testConfig(), errorsAt(520, secs(0, 1, 2, 3, 4), edge(), rid("abc")))
	f := findingsOf(s, KindBurst520)[0].Features
	if f["origin_logged_share"] != -1 || f["origin_missing"] != -1 {
		t.Fatalf("features %v", f)
	}
	if _, ok := findingsOf(s, KindBurst520)[0].Context["join"]; ok {
		t.Error("join context without origin logs")
	}
}

func TestJoinWaitsForASparseOriginLog(t *testing.T) {
	var recs []parse.Record
	for i := 0; i < 5; i++ {
		recs = append(recs, mk(time.Duration(i)*time.Second, "GET", "/a", 520, edge(), rid(ray(i))))
	}
	// the origin's log (no host in it) has a line every 20 s, none of them
	// these requests; one ordinary request shows it serves this host
	for i := -1; i < 4; i++ {
		recs = append(recs, mk(time.Duration(i)*20*time.Second, "GET", "/other", 200, host(""), input("origin.log"), rid(ray(100+i)+"-AMS")))
	}
	recs = append(recs, mk(30*time.Second, "GET", "/ok", 200, edge(), rid(ray(200))),
		mk(30*time.Second+500*time.Millisecond, "GET", "/ok", 200, host(""), input("origin.log"), rid(ray(200)+"-AMS")))
	s := run(t, testConfig(), recs)
	f := findingsOf(s, KindBurst520)[0].Features
	if f["origin_missing"] != 5 || f["origin_logged_share"] != 0 {
		t.Fatalf("features %v", f)
	}
}

func TestJoinNeedsEvidenceForHostlessOriginLogs(t *testing.T) {
	// a hostless origin log that never matches this host's edge records
	recs := errorsAt(520, secs(0, 1, 2, 3, 4), edge(), rid("deadbeef00000001"))
	for i := 0; i < 10; i++ {
		recs = append(recs, mk(time.Duration(i)*time.Second, "GET", "/", 200, host(""), input("other/access.log")))
		recs = append(recs, mk(time.Duration(i)*time.Second+time.Millisecond, "GET", "/x", 200, edge(), client("192.0.2.99")))
	}
	f := findingsOf(run(t, testConfig(), recs), KindBurst520)[0].Features
	if f["origin_logged_share"] != -1 {
		t.Fatalf("features %v", f)
	}
}

func TestJoinOnlyForHostsTheOriginLogsServe(t *testing.T) {
	var recs []parse.Record
	for i := 0; i < 10; i++ { // a storm needs at least 10 errors
		recs = append(recs, mk(time.Duration(i)*time.Second, "GET", "/a", 522, edge(), rid(ray(i)), host("static.example.com")))
	}
	// an origin log of another host, which names its host
	for i := 0; i < 10; i++ {
		recs = append(recs, mk(time.Duration(i)*time.Second, "GET", "/", 200, host("shop.example.com"), rid(ray(50+i)+"-AMS"), input("shop/access.log")))
	}
	s := run(t, testConfig(), recs)
	f := findingsOf(s, KindBurst5xx)[0].Features
	if f["origin_logged_share"] != -1 || f["origin_missing"] != -1 {
		t.Fatalf("features %v", f)
	}
}
