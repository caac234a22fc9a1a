package causes

import (
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/rules"
)

var t0 = time.Date(2026, 11, 20, 10, 2, 13, 0, time.UTC)

// neutralBurst fires no specific 520 rule: only the generic fixes apply.
func neutralBurst() map[string]float64 {
	return map[string]float64{
		"count": 10, "duration_s": 60, "peak_60s": 10, "rate_per_min": 10, "share": 0.2,
		"relayed_share": 0, "origin_status_zero_share": 0, "empty_bytes_share": 0,
		"upstreams_failed": 1, "upstreams_healthy": 0, "paths_distinct": 5, "top_path_share": 0.3,
		"methods_distinct": 1, "pops_distinct": 3, "top_pop_share": 0.5, "reused_conn_share": -1,
		"header_wait_p50_ms": -1, "fast_fail_share": -1, "slow_fail_share": -1,
		"errors_5xx_before": 0, "prior_error_share": 0, "other_origins_failing": 0, "onset_s": -1,
		"origin_logged_share": -1, "origin_missing": -1, "origin_empty_200": -1, "edge": 1, "status": 520,
	}
}

func neutral202() map[string]float64 {
	return map[string]float64{
		"operations": 10, "polls_per_op": 3, "poll_interval_p50_s": 20, "age_s": 600,
		"completion_p50_s": -1, "completion_p95_s": -1, "completed_ops": 0, "endpoint_ops": 100,
		"polled_share": 0.5, "last_poll_status": 202, "first_poll_status": 202,
		"stall_start_unix": float64(t0.Unix()), "relative_location_share": 0, "has_location_share": 1,
		"linked_by": 0, "clients_distinct": 3, "retry_after": 30,
	}
}

func burst(kind rules.Kind, status int, set map[string]float64) *rules.Finding {
	feats := neutralBurst()
	feats["status"] = float64(status)
	maps.Copy(feats, set)
	f := &rules.Finding{
		ID: "x", Kind: kind, Severity: rules.SeverityWarning, Origin: "api.example.com",
		Start: t0, End: t0.Add(147 * time.Second), Count: int(feats["count"]), Features: feats,
		Context: map[string]any{
			"paths":             []string{"/v1/cart (40)", "/v1/login (5)"},
			"pops":              []string{"FRA (30)", "AMS (15)"},
			"upstreams_failed":  []string{"203.0.113.10:443"},
			"upstreams_healthy": []string{},
			"statuses_before":   map[string]int{"502": 4, "200": 96},
		},
		Samples: []rules.Sample{{Input: "cf.log", Line: 3, Time: t0, RequestID: "8f1c2a3b4d5e6f70-FRA", Method: "GET", Path: "/v1/cart", Status: status}},
	}
	if kind == rules.KindBurst5xx {
		f.Status = status
	}
	return f
}

func incomplete(sub string, set map[string]float64) *rules.Finding {
	feats := neutral202()
	maps.Copy(feats, set)
	late := 0
	return &rules.Finding{
		ID: "y", Kind: rules.KindIncomplete202, Severity: rules.SeverityWarning, Origin: "api.example.com",
		Endpoint: "POST /v1/exports", Subtype: sub, Start: t0, End: t0.Add(time.Hour),
		Count: int(feats["operations"]), Features: feats, Context: map[string]any{}, CompletedLate: &late,
	}
}

func mustLoad(t *testing.T, files ...string) *Set {
	t.Helper()
	s, err := Load(files...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func causeIDs(f *rules.Finding) []string {
	var ids []string
	for _, c := range f.Causes {
		ids = append(ids, c.Rule)
	}
	return ids
}

type fireCase struct {
	rule string
	f    *rules.Finding
	want bool
}

func fireCases() []fireCase {
	b520 := func(set map[string]float64) *rules.Finding { return burst(rules.KindBurst520, 520, set) }
	m := func(kv ...any) map[string]float64 {
		out := map[string]float64{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = float64(kv[i+1].(float64))
		}
		return out
	}
	return []fireCase{
		{"relayed-520", b520(m("relayed_share", 0.8)), true},
		{"relayed-520", b520(m("relayed_share", 0.1)), false},
		{"relayed-520", b520(m("relayed_share", 0.8, "edge", 0.0)), false}, // Cloudflare-only
		{"many-origins", b520(m("other_origins_failing", 4.0)), true},
		{"many-origins", burst(rules.KindBurst5xx, 522, m("other_origins_failing", 3.0)), true},
		{"many-origins", b520(m("other_origins_failing", 1.0)), false},
		{"malformed-reply", b520(m("origin_logged_share", 0.95, "origin_empty_200", 12.0)), true},
		{"malformed-reply", b520(m("origin_logged_share", 0.3)), false},
		{"origin-not-reached", b520(m("origin_logged_share", 0.05, "origin_missing", 57.0)), true},
		{"origin-not-reached", b520(m("origin_logged_share", 0.9, "origin_missing", 1.0)), false},
		{"origin-not-reached", b520(m("origin_logged_share", -1.0)), false},

		{"status-url-not-logged", incomplete(rules.SubNeverPolled, m("has_location_share", -1.0)), true},
		{"status-url-not-logged", incomplete(rules.SubStuckPending, m("linked_by", 2.0)), true},
		{"status-url-not-logged", incomplete(rules.SubNeverPolled, nil), false},
		{"status-url-not-logged", incomplete(rules.SubFireAndForget, m("has_location_share", -1.0)), false},
		{"never-polled-no-location", incomplete(rules.SubNeverPolled, m("has_location_share", 0.0)), true},
		{"never-polled-no-location", incomplete(rules.SubNeverPolled, m("has_location_share", -1.0)), false},
		{"never-polled-relative-location", incomplete(rules.SubNeverPolled, m("relative_location_share", 1.0)), true},
		{"never-polled-relative-location", incomplete(rules.SubNeverPolled, m("relative_location_share", 0.0)), false},
		{"never-polled-cors", incomplete(rules.SubNeverPolled, m("has_location_share", 1.0, "relative_location_share", 0.0)), true},
		{"never-polled-cors", incomplete(rules.SubNeverPolled, m("has_location_share", 0.2)), false},
		{"never-polled-client", incomplete(rules.SubNeverPolled, nil), true},
		{"never-polled-client", incomplete(rules.SubClientGaveUp, nil), false},
		{"status-lost-first-poll", incomplete(rules.SubStatusLost, m("first_poll_status", 404.0, "last_poll_status", 404.0)), true},
		{"status-lost-first-poll", incomplete(rules.SubStatusLost, m("first_poll_status", 202.0, "last_poll_status", 404.0)), false},
		{"status-lost-expired", incomplete(rules.SubStatusLost, m("first_poll_status", 202.0, "last_poll_status", 410.0)), true},
		{"status-lost-expired", incomplete(rules.SubStatusLost, m("first_poll_status", 410.0, "last_poll_status", 410.0)), false},
		{"status-endpoint-failing", incomplete(rules.SubStatusError, m("last_poll_status", 503.0)), true},
		{"status-endpoint-failing", incomplete(rules.SubPollRejected, m("last_poll_status", 403.0)), false},
		{"status-cdn-error", incomplete(rules.SubStatusError, m("last_poll_status", 524.0)), true},
		{"status-cdn-error", incomplete(rules.SubStatusError, m("last_poll_status", 500.0)), false},
		{"poll-unauthorized", incomplete(rules.SubPollRejected, m("last_poll_status", 401.0)), true},
		{"poll-unauthorized", incomplete(rules.SubPollRejected, m("last_poll_status", 429.0)), false},
		{"poll-throttled", incomplete(rules.SubPollRejected, m("last_poll_status", 429.0, "retry_after", -1.0)), true},
		{"poll-throttled", incomplete(rules.SubPollRejected, m("last_poll_status", 403.0)), false},
		{"poll-cut", incomplete(rules.SubPollRejected, m("last_poll_status", 499.0)), true},
		{"poll-cut", incomplete(rules.SubPollRejected, m("last_poll_status", 400.0)), false},
		{"poll-client-error", incomplete(rules.SubPollRejected, m("last_poll_status", 405.0)), true},
		{"poll-client-error", incomplete(rules.SubPollRejected, m("last_poll_status", 429.0)), false},
		{"stuck-worker", incomplete(rules.SubStuckPending, nil), true},
		{"stuck-worker", incomplete(rules.SubClientGaveUp, nil), false},
		{"stuck-since", incomplete(rules.SubStuckPending, m("completed_ops", 40.0, "completion_p50_s", 30.0, "completion_p95_s", 90.0, "age_s", 600.0)), true},
		{"stuck-since", incomplete(rules.SubStuckPending, m("completed_ops", 0.0)), false},
		{"client-deadline-short", incomplete(rules.SubClientGaveUp, m("polls_per_op", 3.0, "poll_interval_p50_s", 10.0, "completion_p50_s", 120.0, "completion_p95_s", 300.0)), true},
		{"client-deadline-short", incomplete(rules.SubClientGaveUp, m("polls_per_op", 30.0, "poll_interval_p50_s", 10.0, "completion_p50_s", 120.0)), false},
		{"no-retry-after", incomplete(rules.SubClientGaveUp, m("retry_after", -1.0)), true},
		{"no-retry-after", incomplete(rules.SubClientGaveUp, m("retry_after", 30.0)), false},
		{"client-gave-up", incomplete(rules.SubClientGaveUp, nil), true},
		{"client-gave-up", incomplete(rules.SubStuckPending, nil), false},
		{"fire-and-forget", incomplete(rules.SubFireAndForget, m("polled_share", 0.01, "endpoint_ops", 400.0)), true},
		{"fire-and-forget", incomplete(rules.SubNeverPolled, nil), false},
	}
}

func TestDefaultRulesFire(t *testing.T) {
	s := mustLoad(t)
	for i, tc := range fireCases() {
		s.Explain(tc.f)
		got := slices.Contains(causeIDs(tc.f), tc.rule)
		if got != tc.want {
			t.Errorf("case %d: rule %s fired=%v, want %v (causes %v, features %v)", i, tc.rule, got, tc.want, causeIDs(tc.f), tc.f.Features)
		}
		for _, c := range tc.f.Causes {
			if len(c.Evidence) == 0 {
				t.Errorf("case %d: cause %s has no evidence", i, c.Rule)
			}
			for _, e := range c.Evidence {
				if strings.Contains(e, "<no value>") || strings.Contains(e, "failed:") || strings.Contains(e, "%!") {
					t.Errorf("case %d: cause %s evidence badly rendered: %q", i, c.Rule, e)
				}
			}
		}
	}
}

// Every default cause rule has a case that fires it and one that does not,
// so a new rule cannot land untested.
func TestEveryDefaultRuleIsTested(t *testing.T) {
	pos, neg := map[string]bool{}, map[string]bool{}
	for _, tc := range slices.Concat(fireCases(), contrastFireCases(), opFireCases()) {
		if tc.want {
			pos[tc.rule] = true
		} else {
			neg[tc.rule] = true
		}
	}
	for _, r := range mustLoad(t).Rules() {
		if r.Type != "cause" {
			continue
		}
		if !pos[r.ID] || !neg[r.ID] {
			t.Errorf("default rule %s lacks a firing or a non-firing case", r.ID)
		}
	}
}

// The cause ids of the diagnosis contract (DIAGNOSIS.md, one rule each,
// covering every row of domain.md section 1) are all default rules.
func TestDefaultsCoverDocumented520Causes(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range mustLoad(t).Rules() {
		ids[r.ID] = true
	}
	for _, id := range []string{
		"colo-blocked",       // 2: firewall or rate limit on some Cloudflare ranges, regional path
		"servers-failing",    // 1: some servers crash or are misconfigured
		"route-failing",      // 3: headers or cookies over 128 KB on those routes, or a route crash
		"zone-change",        // 6, 7 and an origin TLS change, one cause
		"crash-overload",     // 1
		"keepalive-race",     // 8
		"app-died",           // 1: PHP fatal, OOM kill mid-request
		"malformed-reply",    // 4, 5
		"origin-not-reached", // 2, 9
		"relayed-520", "many-origins", "origin-wide",
		"client-failing", "deploy-or-config-change", // 5xx storms
	} {
		if !ids[id] {
			t.Errorf("no default rule %s", id)
		}
	}
	// every 202 sub-type has at least one rule
	for _, sub := range Subtypes {
		f := incomplete(sub, nil)
		if sub == rules.SubPollRejected || sub == rules.SubStatusError || sub == rules.SubStatusLost {
			f.Features["last_poll_status"] = map[string]float64{
				rules.SubPollRejected: 403, rules.SubStatusError: 500, rules.SubStatusLost: 404}[sub]
		}
		mustLoad(t).Explain(f)
		if len(f.Causes) == 0 {
			t.Errorf("no default rule explains %s", sub)
		}
	}
}

func TestEvidenceQuotesNumbers(t *testing.T) {
	f := contrastBurst(rules.KindBurst520, 520, rules.TimeShape{Kind: rules.ShapeTrickle},
		map[string]float64{"fast_fail_share": 0.83, "header_wait_p50_ms": 2},
		dimOf("connection", val{"reused", 60, 600}, val{"new", 0, 400}))
	mustLoad(t).Explain(f)
	if len(f.Causes) == 0 || f.Causes[0].Rule != "keepalive-race" {
		t.Fatalf("causes %s", causeSummary(f))
	}
	want := []string{
		"By origin connection: reused 10% of 600; new 0% of 400.",
		"83% of the failures came within 20 ms of sending the request headers (median wait 2 ms).",
	}
	if ev := f.Causes[0].Evidence; !slices.Equal(ev, want) {
		t.Errorf("evidence\n got %q\nwant %q", ev, want)
	}
	// fixes are specific: the origin, the time range, the curl command
	joined := strings.Join(f.Fixes, "\n")
	for _, want := range []string{
		"Turn on HTTP keep-alive at api.example.com",
		"api.example.com's error log between 2026-11-20 10:02:13 and 2026-11-20 10:04:40 (UTC)",
		"`curl -v --resolve api.example.com:443:203.0.113.10 https://api.example.com/v1/cart`",
		"8f1c2a3b4d5e6f70-FRA",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("fixes lack %q:\n%s", want, joined)
		}
	}
}

func TestRankingAndFixOrder(t *testing.T) {
	// keep-alive race on 60 failures; many origins (3 of them: 0.75); the
	// fallback (no part of the traffic separates) last
	f := contrastBurst(rules.KindBurst520, 520, rules.TimeShape{Kind: rules.ShapeTrickle},
		map[string]float64{"fast_fail_share": 0.83, "other_origins_failing": 3},
		dimOf("connection", val{"reused", 60, 600}, val{"new", 0, 400}))
	s := mustLoad(t)
	s.Explain(f)
	ids := causeIDs(f)
	if want := []string{"keepalive-race", "many-origins", "origin-wide"}; !slices.Equal(ids, want) {
		t.Fatalf("causes %s, want %v", causeSummary(f), want)
	}
	for i := 1; i < len(f.Causes); i++ {
		if f.Causes[i].Confidence > f.Causes[i-1].Confidence {
			t.Errorf("not ranked: %v", f.Causes)
		}
	}
	// fixes: the first cause's fixes come first, then the others', then generic, no duplicates
	if f.Fixes[0] != f.Causes[0].Fixes[0] {
		t.Errorf("first fix %q is not the top cause's %q", f.Fixes[0], f.Causes[0].Fixes[0])
	}
	seen := map[string]bool{}
	for _, fx := range f.Fixes {
		if seen[fx] {
			t.Errorf("duplicate fix %q", fx)
		}
		seen[fx] = true
	}
	if !strings.HasPrefix(f.Fixes[len(f.Fixes)-1], "As a stopgap") {
		t.Errorf("generic fixes are not last: %q", f.Fixes[len(f.Fixes)-1])
	}

	// equal confidence: the more specific cause (a smaller share of its
	// dimension's values) first, then file order
	both := contrastBurst(rules.KindBurst5xx, 502, rules.TimeShape{}, nil,
		dimOf("upstream", val{"10.0.0.7", 100, 100}, val{"10.0.0.8", 0, 100}),
		dimOf("colo", val{"FRA", 100, 100}, val{"LHR", 0, 100}, val{"CDG", 0, 100}, val{"AMS", 0, 100}))
	s.Explain(both)
	if ids := causeIDs(both); len(ids) < 2 || ids[0] != "colo-blocked" || ids[1] != "servers-failing" {
		t.Errorf("specificity order %s, want colo-blocked (1 of 4) before servers-failing (1 of 2)", causeSummary(both))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "tie.yaml")
	writeFile(t, path, `
rules:
  - {id: tie-b, kind: burst_520, when: "true", title: B, confidence: 0.99, evidence: ["b"]}
  - {id: tie-a, kind: burst_520, when: "true", title: A, confidence: 0.99, evidence: ["a"]}
`)
	f2 := burst(rules.KindBurst520, 520, nil)
	mustLoad(t, path).Explain(f2)
	if ids := causeIDs(f2); len(ids) < 2 || ids[0] != "tie-b" || ids[1] != "tie-a" {
		t.Errorf("tie order %v, want tie-b before tie-a", ids)
	}
}

func TestNoMatchingRuleGetsGenericFixes(t *testing.T) {
	f := burst(rules.KindBurst520, 520, nil)
	mustLoad(t).Explain(f)
	if len(f.Causes) != 0 {
		t.Fatalf("neutral burst without a contrast matched %v", causeIDs(f))
	}
	if len(f.Fixes) != 5 || !strings.HasPrefix(f.Fixes[0], "Check api.example.com's error log") {
		t.Errorf("generic fixes: %q", f.Fixes)
	}
	// an origin log (edge 0) gets no Cloudflare-specific generic fixes
	f = burst(rules.KindBurst520, 520, map[string]float64{"edge": 0})
	mustLoad(t).Explain(f)
	for _, fx := range f.Fixes {
		if strings.Contains(fx, "cdn-cgi") || strings.Contains(fx, "DNS only") {
			t.Errorf("origin-log finding got a Cloudflare fix: %q", fx)
		}
	}
	// fire-and-forget: no generic fixes at all
	f = incomplete(rules.SubFireAndForget, map[string]float64{"polled_share": 0.01})
	mustLoad(t).Explain(f)
	if len(f.Fixes) != 1 || !strings.HasPrefix(f.Fixes[0], "No action needed") {
		t.Errorf("fire-and-forget fixes: %q", f.Fixes)
	}
}

func TestSeverity(t *testing.T) {
	s := mustLoad(t)
	cases := []struct {
		name string
		f    *rules.Finding
		base rules.Severity
		want rules.Severity
	}{
		{"small burst stays warning", burst(rules.KindBurst520, 520, nil), rules.SeverityWarning, rules.SeverityWarning},
		{"info burst raised to warning", burst(rules.KindBurst520, 520, nil), rules.SeverityInfo, rules.SeverityWarning},
		{"unset severity", burst(rules.KindBurst520, 520, nil), 0, rules.SeverityWarning},
		{"large burst critical", burst(rules.KindBurst520, 520, map[string]float64{"count": 150}), rules.SeverityWarning, rules.SeverityCritical},
		{"majority burst critical", burst(rules.KindBurst5xx, 522, map[string]float64{"share": 0.7, "count": 25}), rules.SeverityWarning, rules.SeverityCritical},
		{"critical never lowered", burst(rules.KindBurst520, 520, nil), rules.SeverityCritical, rules.SeverityCritical},
		{"202 group warning", incomplete(rules.SubStuckPending, map[string]float64{"operations": 5}), rules.SeverityInfo, rules.SeverityWarning},
		{"202 share critical", incomplete(rules.SubStuckPending, map[string]float64{"operations": 30, "endpoint_ops": 100}), rules.SeverityWarning, rules.SeverityCritical},
		{"fire and forget stays info", incomplete(rules.SubFireAndForget, map[string]float64{"operations": 500, "endpoint_ops": 500}), rules.SeverityInfo, rules.SeverityInfo},
	}
	for _, tc := range cases {
		tc.f.Severity = tc.base
		s.Explain(tc.f)
		if tc.f.Severity != tc.want {
			t.Errorf("%s: severity %v, want %v", tc.name, tc.f.Severity, tc.want)
		}
	}

	// a cause rule's severity raises too
	dir := t.TempDir()
	path := filepath.Join(dir, "sev.yaml")
	writeFile(t, path, `
rules:
  - id: keepalive-race
    kind: burst_520
    when: reused_conn_share >= 0.5
    title: my keep-alive rule
    confidence: 0.9
    evidence: ["{{pct .reused_conn_share}} reused"]
    severity: critical
`)
	f := burst(rules.KindBurst520, 520, map[string]float64{"reused_conn_share": 0.6})
	mustLoad(t, path).Explain(f)
	if f.Severity != rules.SeverityCritical {
		t.Errorf("cause severity did not raise: %v", f.Severity)
	}
}

func TestExplainIsRepeatable(t *testing.T) {
	s := mustLoad(t)
	f := burst(rules.KindBurst520, 520, map[string]float64{"reused_conn_share": 0.9, "fast_fail_share": 0.9})
	s.Explain(f)
	first := slices.Clone(f.Fixes)
	n := len(f.Causes)
	s.Explain(f)
	if len(f.Causes) != n || !slices.Equal(first, f.Fixes) {
		t.Errorf("second Explain changed the result")
	}
}

func TestOverrideByID(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.yaml")
	writeFile(t, path, `
rules:
  - id: keepalive-race
    kind: burst_520
    when: reused_conn_share >= 0.3
    title: Our LB idles out at 30 s
    confidence: 0.95
    evidence: ["{{pct .reused_conn_share}} reused"]
    fixes: ["Raise the idle timeout of lb-1 for {{.origin}}"]
  - id: origin-crash
    disabled: true
  - id: my-own
    kind: incomplete_202
    subtype: stuck_pending
    when: operations >= 3
    title: export workers
    confidence: 0.9
    evidence: ["{{num .operations}} stuck"]
routes:
  - method: get
    path: /v1/operations/{id}
    poll_style: body
    timeout: 30m
generic_fixes:
  burst_5xx: ["Page the on-call for {{.origin}}"]
`)
	s := mustLoad(t, path)
	var info *RuleInfo
	for _, r := range s.Rules() {
		if r.ID == "keepalive-race" {
			info = &r
		}
		if r.ID == "origin-crash" {
			t.Errorf("disabled rule still listed")
		}
	}
	if info == nil || !info.Overrides || info.Title != "Our LB idles out at 30 s" || !strings.HasPrefix(info.Source, path+":") {
		t.Fatalf("override not listed: %+v", info)
	}
	f := burst(rules.KindBurst520, 520, map[string]float64{"reused_conn_share": 0.4, "share": 0.9})
	s.Explain(f)
	ids := causeIDs(f)
	if len(ids) == 0 || ids[0] != "keepalive-race" || slices.Contains(ids, "origin-crash") {
		t.Errorf("causes %v", ids)
	}
	if f.Fixes[0] != "Raise the idle timeout of lb-1 for api.example.com" {
		t.Errorf("fix %q", f.Fixes[0])
	}
	g := incomplete(rules.SubStuckPending, map[string]float64{"operations": 7})
	s.Explain(g)
	// a version-1 constant confidence is a prior: × the support of 7 operations
	if wantConf := 0.9 * (1 - math.Exp(-0.7)); g.Causes[0].Rule != "my-own" || math.Abs(g.Causes[0].Confidence-wantConf) > 1e-9 {
		t.Errorf("user rule: %+v", g.Causes[0])
	}
	routes := s.Routes()
	if len(routes) != 1 || routes[0].Method != "GET" || routes[0].PollStyle != rules.PollStyleBody || routes[0].PendingTimeout != 30*time.Minute {
		t.Errorf("routes %+v", routes)
	}
	h := burst(rules.KindBurst5xx, 502, nil)
	s.Explain(h)
	if last := h.Fixes[len(h.Fixes)-1]; last != "Page the on-call for api.example.com" {
		t.Errorf("generic override: %q", last)
	}
}

func TestBadRuleFiles(t *testing.T) {
	cases := []struct {
		name, text string
		line       int
		reason     string
	}{
		{"bad yaml", "rules:\n  - id: x\n    kind: [burst_520\n", 0, "invalid YAML"},
		{"tab yaml", "rules:\n\t- id: x\n", 2, "invalid YAML"},
		{"unknown feature", "rules:\n  - id: x\n    kind: burst_520\n    when: reused_share > 0.5\n    title: t\n    confidence: 0.5\n    evidence: [e]\n", 4, "unknown name reused_share (1:1) (did you mean reused_conn_share?)"},
		{"feature of another kind", "rules:\n  - id: x\n    kind: incomplete_202\n    when: fast_fail_share > 0.5\n    title: t\n    confidence: 0.5\n    evidence: [e]\n", 4, "unknown name fast_fail_share"},
		{"bad expression", "rules:\n  - id: x\n    kind: burst_520\n    title: t\n    when: share >\n    confidence: 0.5\n    evidence: [e]\n", 5, "unexpected token"},
		{"not a bool", "rules:\n  - id: x\n    kind: burst_520\n    title: t\n    when: share * 2\n    confidence: 0.5\n    evidence: [e]\n", 5, "expected bool"},
		{"bad confidence expr", "rules:\n  - id: x\n    kind: burst_520\n    title: t\n    when: 'true'\n    confidence: nope + 1\n    evidence: [e]\n", 6, "a confidence expression no longer works"},
		{"confidence in version 2", "version: 2\nrules:\n  - id: x\n    kind: burst_520\n    title: t\n    when: 'true'\n    confidence: 0.5\n    evidence: [e]\n", 7, "confidence: is gone in rules version 2"},
		{"bad strength", "version: 2\nrules:\n  - id: x\n    kind: burst_520\n    title: t\n    when: 'true'\n    strength: reused_share\n    evidence: [e]\n", 7, "unknown name reused_share"},
		{"unknown dimension", "version: 2\nrules:\n  - id: x\n    kind: burst_520\n    title: t\n    when: 'true'\n    dimension: pop\n    evidence: [e]\n", 7, `unknown dimension "pop"`},
		{"bad version", "version: 3\n", 1, "unsupported version"},
		{"bad definition", "definitions:\n  abc: x\n", 2, "not an HTTP status"},
		{"confidence out of range", "rules:\n  - id: x\n    kind: burst_520\n    title: t\n    when: 'true'\n    confidence: 3\n    evidence: [e]\n", 6, "from 0 to 1"},
		{"missing title", "rules:\n  - id: x\n    kind: burst_520\n    when: 'true'\n    confidence: 0.5\n    evidence: [e]\n", 2, "missing title"},
		{"missing id", "rules:\n  - kind: burst_520\n    when: 'true'\n", 2, "without an id"},
		{"missing kind", "rules:\n  - id: x\n    when: 'true'\n    title: t\n    confidence: 0.5\n    evidence: [e]\n", 2, "missing kind"},
		{"missing evidence", "rules:\n  - id: x\n    kind: burst_520\n    when: 'true'\n    title: t\n    confidence: 0.5\n", 2, "missing evidence"},
		{"unknown kind", "rules:\n  - id: x\n    kind: burst_999\n", 3, "unknown kind"},
		{"unknown subtype", "rules:\n  - id: x\n    kind: incomplete_202\n    subtype: lost\n", 4, "unknown subtype"},
		{"unknown key", "rules:\n  - id: x\n    kind: burst_520\n    wen: 'true'\n", 4, `unknown key "wen"`},
		{"unknown template field", "rules:\n  - id: x\n    kind: burst_520\n    when: 'true'\n    title: t\n    confidence: 0.5\n    evidence:\n      - ok\n      - '{{pct .fast_fails}}'\n", 9, "unknown field .fast_fails (did you mean .fast_fail_share?)"},
		{"bad template", "rules:\n  - id: x\n    kind: burst_520\n    when: 'true'\n    title: t\n    confidence: 0.5\n    evidence: ['{{pct .share']\n", 7, "bad template"},
		{"bad fix template", "rules:\n  - id: x\n    kind: burst_520\n    when: 'true'\n    title: t\n    confidence: 0.5\n    evidence: [e]\n    fixes:\n      - '{{.nope}}'\n", 9, "unknown field .nope"},
		{"duplicate id", "rules:\n  - {id: x, kind: burst_520, when: 'true', title: t, confidence: 0.5, evidence: [e]}\n  - {id: x, kind: burst_520, when: 'true', title: t, confidence: 0.5, evidence: [e]}\n", 3, "used twice"},
		{"bad severity", "severity:\n  - id: s\n    kind: burst_520\n    when: count > 1\n    severity: urgent\n", 5, "unknown severity"},
		{"bad route", "routes:\n  - path: v1/jobs\n    poll_style: json\n", 2, "path template"},
		{"bad poll style", "routes:\n  - path: /v1/jobs\n    poll_style: json\n", 3, "poll_style"},
		{"bad timeout", "routes:\n  - path: /v1/jobs\n    timeout: soon\n", 3, "timeout"},
		{"unknown top key", "rulez: []\n", 1, `unknown key "rulez"`},
		{"not a mapping", "- a\n- b\n", 1, "a rule file is a mapping"},
	}
	dir := t.TempDir()
	for i, tc := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
		writeFile(t, path, tc.text)
		_, err := Load(path)
		if err == nil {
			t.Errorf("%d %s: no error", i, tc.name)
			continue
		}
		msg := err.Error()
		prefix := path + ":"
		if tc.line > 0 {
			prefix = path + ":" + strconv.Itoa(tc.line) + ": "
		}
		if !strings.Contains(msg, prefix) || !strings.Contains(msg, tc.reason) {
			t.Errorf("%d %s: error %q, want %q and %q", i, tc.name, msg, prefix, tc.reason)
		}
		if tc.name == "bad yaml" && !regexp.MustCompile(regexp.QuoteMeta(path)+`:\d+: invalid YAML`).MatchString(msg) {
			t.Errorf("bad yaml error without a line: %q", msg)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestEmptyUserFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.yaml")
	writeFile(t, path, "# nothing yet\n")
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultYAMLIsAValidUserFile(t *testing.T) {
	// A user who copies the defaults and edits them gets every rule
	// overriding itself, with no errors.
	path := filepath.Join(t.TempDir(), "copy.yaml")
	writeFile(t, path, string(DefaultYAML()))
	s := mustLoad(t, path)
	for _, r := range s.Rules() {
		if !r.Overrides {
			t.Errorf("%s does not override", r.ID)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFormatHelpers(t *testing.T) {
	secsCases := map[float64]string{-1: "unknown", 0.25: "250 ms", 20: "20s", 60: "1m", 90: "1m30s", 3600: "1h", 3660: "1h1m", 90000: "1d1h"}
	for in, want := range secsCases {
		if got := secs(in); got != want {
			t.Errorf("secs(%v) = %q, want %q", in, got, want)
		}
	}
	numCases := map[float64]string{-1: "unknown", 0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", 2.5: "2.5"}
	for in, want := range numCases {
		if got := num(in); got != want {
			t.Errorf("num(%v) = %q, want %q", in, got, want)
		}
	}
	pct := funcs["pct"].(func(float64) string)
	pctCases := map[float64]string{-1: "an unknown share", 0: "0%", 0.004: "<1%", 0.833: "83%", 0.996: ">99%", 1: "100%"}
	for in, want := range pctCases {
		if got := pct(in); got != want {
			t.Errorf("pct(%v) = %q, want %q", in, got, want)
		}
	}
}

// Placeholders when the finding lacks what a fix names: an origin that is an
// input path (plain combined logs) has no host, and no upstream is known.
func TestPlaceholders(t *testing.T) {
	f := burst(rules.KindBurst520, 520, map[string]float64{"edge": 0})
	f.Origin = "web1/access.log"
	f.Context = map[string]any{}
	f.Samples = nil
	d := templateData(f)
	if d["host"] != "YOUR_HOST" || d["origin_ip"] != "ORIGIN_IP" || d["top_path"] != "/" {
		t.Errorf("placeholders: host %v ip %v path %v", d["host"], d["origin_ip"], d["top_path"])
	}
	f.Origin = "203.0.113.7"
	f.Context = map[string]any{"paths": []any{"/x (3)"}, "upstreams_failed": []string{"10.0.0.1:8080 (3)"}}
	d = templateData(f)
	if d["host"] != "YOUR_HOST" || d["origin_ip"] != "203.0.113.7" || d["top_path"] != "/x" {
		t.Errorf("origin-ip grouping: host %v ip %v path %v", d["host"], d["origin_ip"], d["top_path"])
	}
}

func BenchmarkExplain(b *testing.B) {
	s, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	f := causeCases()[0].f // some data centres fail: a contrast with six dimensions
	b.ReportAllocs()
	for b.Loop() {
		s.Explain(f)
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestErrorsBeforeListsOnly5xx: "the origin was already returning errors"
// must quote the 5xx it returned before the burst, never its 200s.
func TestErrorsBeforeListsOnly5xx(t *testing.T) {
	f := contrastBurst(rules.KindBurst520, 520, rules.TimeShape{Kind: rules.ShapeRamp},
		map[string]float64{"errors_5xx_before": 3, "prior_error_share": 0.08, "precursor_5xx": 3},
		even("route", 300, 320, "/a", "/b"))
	f.Context["statuses_before"] = map[string]int{"200": 32, "502": 2, "503": 1}
	mustLoad(t).Explain(f)
	var quoted bool
	for _, c := range f.Causes {
		for _, e := range c.Evidence {
			if strings.Contains(e, "502: 2") {
				quoted = true
				if strings.Contains(e, "200: 32") {
					t.Errorf("evidence counts 200s as errors: %q", e)
				}
			}
		}
	}
	if !quoted {
		t.Errorf("no evidence quotes the 5xx before the burst: %+v", f.Causes)
	}
}
