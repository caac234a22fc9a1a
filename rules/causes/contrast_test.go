package causes

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/rules"
)

// val is one dimension value's failing and total requests in the span.
type val struct {
	v           string
	fail, total int64
}

// dimOf builds a Dimension the way the contrast does (DIAGNOSIS.md): the
// set is the values by failing count until they cover 80% of the failures;
// it separates when it is a proper subset, covers 80%, has 5 failures
// inside and 10 requests outside, and the outside rate is at most a tenth
// of the inside rate.
func dimOf(name string, vals ...val) rules.Dimension {
	d := rules.Dimension{Name: name, Label: dimLabels[name]}
	sorted := slices.Clone(vals)
	slices.SortStableFunc(sorted, func(a, b val) int { return int(b.fail - a.fail) })
	var fail, tot int64
	for _, x := range vals {
		fail += x.fail
		tot += x.total
	}
	inSet := map[string]bool{}
	for _, x := range sorted {
		if fail == 0 || x.fail == 0 || float64(d.InsideFailing) >= 0.8*float64(fail) {
			break
		}
		inSet[x.v] = true
		d.Set = append(d.Set, x.v)
		d.InsideFailing += x.fail
		d.InsideTotal += x.total
	}
	d.OutsideFailing, d.OutsideTotal = fail-d.InsideFailing, tot-d.InsideTotal
	d.Distinct = len(vals)
	if fail > 0 {
		d.Coverage = float64(d.InsideFailing) / float64(fail)
	}
	rate := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	d.InsideRate, d.OutsideRate = rate(d.InsideFailing, d.InsideTotal), rate(d.OutsideFailing, d.OutsideTotal)
	d.Separates = len(d.Set) > 0 && len(d.Set) < d.Distinct && d.Coverage >= 0.8 && d.InsideFailing >= 5 &&
		d.OutsideTotal >= 10 && d.OutsideRate <= 0.1*d.InsideRate
	if d.Separates {
		d.Score = d.Coverage * (d.InsideRate - d.OutsideRate)
	}
	for _, x := range sorted {
		d.Values = append(d.Values, rules.DimensionValue{Value: x.v, Failing: x.fail, Total: x.total, InSet: inSet[x.v]})
	}
	return d
}

// even spreads fail of total requests over values in proportion.
func even(name string, fail, total int64, values ...string) rules.Dimension {
	n := int64(len(values))
	var vals []val
	for _, v := range values {
		vals = append(vals, val{v, fail / n, total / n})
	}
	return dimOf(name, vals...)
}

var colos = []string{"FRA", "AMS", "LHR", "CDG", "IAD", "SJC", "NRT", "SIN"}

// contrastBurst is a burst of kind with a contrast whose dimensions are
// dims; every other standard dimension fails evenly (nothing separates).
func contrastBurst(kind rules.Kind, status int, shape rules.TimeShape, feats map[string]float64, dims ...rules.Dimension) *rules.Finding {
	f := burst(kind, status, feats)
	var fail, tot int64
	for _, x := range dims[0].Values {
		fail += x.Failing
		tot += x.Total
	}
	have := map[string]bool{}
	for _, d := range dims {
		have[d.Name] = true
	}
	defaults := []rules.Dimension{
		even("colo", fail, tot, colos...),
		dimOf("upstream", val{"203.0.113.10", fail / 2, tot / 2}, val{"203.0.113.11", fail - fail/2, tot - tot/2}),
		even("route", fail, tot, "/v1/cart", "/v1/login", "/v1/items/{id}", "/"),
		even("method", fail, tot, "GET", "POST"),
		even("ua_family", fail, tot, "Chrome", "Safari", "curl"),
		even("client_net", fail, tot, "198.51.100.0/24", "192.0.2.0/24", "203.0.113.0/24"),
	}
	for _, d := range defaults {
		if !have[d.Name] {
			dims = append(dims, d)
		}
	}
	if feats["edge"] == 0 && feats != nil {
		if _, given := feats["edge"]; given {
			dims = slices.DeleteFunc(dims, func(d rules.Dimension) bool { return d.Name == "colo" })
		}
	}
	f.Count = int(fail)
	f.Features["count"] = float64(fail)
	f.Contrast = &rules.Contrast{
		Span:     rules.Window{From: t0, To: t0.Add(10 * time.Minute)},
		Baseline: rules.Window{From: t0.Add(-time.Hour), To: t0},
		Failing:  fail, Total: tot, BaselineFailing: 2, BaselineTotal: 4000,
		Dimensions: dims, Shape: shape,
	}
	if f.Features["edge"] == 0 {
		f.Contrast.Missing = []rules.MissingDimension{{Name: "colo", Label: "data centre", Field: "EdgeColoCode (Logpush)"}}
	}
	return f
}

// causeCase is a hand-built contrast whose top cause must be want.
type causeCase struct {
	name    string
	f       *rules.Finding
	want    string
	verdict []string // the verdict quotes these
}

func causeCases() []causeCase {
	b520 := rules.KindBurst520
	b5xx := rules.KindBurst5xx
	noShape := rules.TimeShape{Kind: rules.ShapeSpike}
	step := rules.TimeShape{Kind: rules.ShapeStep, At: t0.Add(30 * time.Second), Before: 0, After: 1}
	trickle := rules.TimeShape{Kind: rules.ShapeTrickle}
	coloBlocked := dimOf("colo", val{"FRA", 412, 412}, val{"AMS", 398, 398}, val{"LHR", 0, 405}, val{"CDG", 0, 390},
		val{"IAD", 0, 400}, val{"SJC", 0, 380}, val{"NRT", 0, 300}, val{"SIN", 0, 310})
	oneServer := dimOf("upstream", val{"10.0.0.7", 300, 310}, val{"10.0.0.8", 2, 300}, val{"10.0.0.9", 1, 290})
	accountRoute := dimOf("route", val{"/account/{id}", 240, 240}, val{"/v1/cart", 0, 500}, val{"/v1/login", 0, 300}, val{"/", 1, 400})
	accountSeg := dimOf("segment", val{"/account", 240, 240}, val{"/v1", 0, 800}, val{"/", 1, 400})
	reused := dimOf("connection", val{"reused", 60, 600}, val{"new", 0, 400})
	fresh := dimOf("connection", val{"new", 500, 500}, val{"reused", 0, 0})
	slow := dimOf("header_wait", val{">=5s", 80, 82}, val{"<20ms", 1, 900}, val{"20-500ms", 0, 400})
	botNet := dimOf("client_net", val{"198.51.100.0/24", 150, 150}, val{"192.0.2.0/24", 0, 600}, val{"203.0.113.0/24", 1, 500})
	allFail := even("route", 400, 420, "/v1/cart", "/v1/login", "/")
	halfFail := even("route", 210, 420, "/v1/cart", "/v1/login", "/") // everywhere, but no change: half fail
	m := func(kv ...any) map[string]float64 {
		out := map[string]float64{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1].(float64)
		}
		return out
	}
	plain := m("edge", 0.0) // a plain web-server log
	return []causeCase{
		{"some data centres", contrastBurst(b520, 520, noShape, nil, coloBlocked), "colo-blocked",
			[]string{"Only FRA and AMS fail (100% of their requests; the other 6 data centres 0%): a firewall at the origin is likely blocking some Cloudflare ranges."}},
		{"one server", contrastBurst(b520, 520, noShape, nil, oneServer), "servers-failing", []string{"10.0.0.7", "97%"}},
		{"one route", contrastBurst(b520, 520, noShape, nil, accountRoute, accountSeg), "route-failing", []string{"/account/{id}", "100%", "128 KB"}},
		{"step on every value", contrastBurst(b520, 520, step, nil, allFail, fresh), "zone-change", []string{"2026-11-20 10:02:43", "0% before", "100%", "fresh"}},
		{"precursors then everywhere", contrastBurst(b520, 520, rules.TimeShape{Kind: rules.ShapeRamp, Precursors: []string{"502s rose from 0.1% to 8%"}},
			m("precursor_5xx", 40.0, "precursor_header_wait_ratio", 3.5), allFail), "crash-overload", []string{"502s rose from 0.1% to 8%"}},
		{"trickle on reused", contrastBurst(b520, 520, trickle, m("fast_fail_share", 0.95), reused), "keepalive-race", []string{"reused", "10%", "0%"}},
		{"long header waits", contrastBurst(b520, 520, noShape, m("slow_fail_share", 0.9), slow), "app-died", []string{">=5s", "98%"}},
		{"origin answered", contrastBurst(b520, 520, noShape, m("origin_logged_share", 0.97, "origin_empty_200", 30.0), allFail), "malformed-reply", []string{"97%"}},
		{"origin never saw them", contrastBurst(b520, 520, noShape, m("origin_logged_share", 0.0, "origin_missing", 400.0, "fast_fail_share", 0.99), allFail), "origin-not-reached", []string{"none of the failed requests"}},
		{"relayed", contrastBurst(b520, 520, noShape, m("relayed_share", 0.98), allFail), "relayed-520", []string{"98%"}},
		{"many origins", contrastBurst(b520, 520, noShape, m("other_origins_failing", 6.0), allFail), "many-origins", []string{"6 other origins"}},
		{"nothing separates", contrastBurst(b520, 520, noShape, nil, halfFail), "origin-wide", []string{"No part of the traffic separates"}},
		{"everything fails after a clean baseline", contrastBurst(b520, 520, noShape, nil, allFail), "zone-change", []string{"Every request fails from 2026-11-20 10:02:13", "zone setting or origin TLS change"}},

		// a short storm on a quiet origin: too few healthy requests for the
		// contrast's own minimum counts, still the route's signature
		{"5xx small storm on one route", contrastBurst(b5xx, 502, noShape, plain,
			dimOf("route", val{"/api/status", 13, 13}, val{"/", 0, 2}, val{"/about", 0, 1})), "route-failing", []string{"/api/status"}},
		{"5xx one server", contrastBurst(b5xx, 502, noShape, nil, oneServer), "servers-failing", []string{"10.0.0.7"}},
		{"5xx one route", contrastBurst(b5xx, 500, noShape, plain, accountRoute, accountSeg), "route-failing", []string{"/account/{id}", "code behind"}},
		{"5xx some data centres", contrastBurst(b5xx, 522, noShape, nil, coloBlocked), "colo-blocked", []string{"FRA and AMS"}},
		{"5xx deploy in a plain log", contrastBurst(b5xx, 502, step, plain, allFail), "deploy-or-config-change", []string{"2026-11-20 10:02:43", "deploy"}},
		{"5xx step on Cloudflare 522", contrastBurst(b5xx, 522, step, nil, allFail), "zone-change", []string{"firewall, DNS, zone or origin change"}},
		{"5xx precursors", contrastBurst(b5xx, 504, rules.TimeShape{Kind: rules.ShapeRamp, Precursors: []string{"header wait 3.5× the baseline"}},
			m("precursor_header_wait_ratio", 4.0), allFail), "crash-overload", []string{"3.5×"}},
		{"5xx one client network", contrastBurst(b5xx, 500, noShape, plain, botNet), "client-failing", []string{"198.51.100.0/24"}},
		{"5xx nothing separates", contrastBurst(b5xx, 503, noShape, plain, halfFail), "origin-wide", []string{"EdgeColoCode"}},
	}
}

// Each documented cause, given its signature in a hand-built contrast,
// comes out on top, with a verdict that quotes the separating values and
// evidence that quotes the contrast.
func TestEachCauseOnTop(t *testing.T) {
	s := mustLoad(t)
	for _, tc := range causeCases() {
		t.Run(tc.name, func(t *testing.T) {
			s.Explain(tc.f)
			if len(tc.f.Causes) == 0 || tc.f.Causes[0].Rule != tc.want {
				t.Fatalf("causes %s, want %s on top", causeSummary(tc.f), tc.want)
			}
			for _, v := range tc.verdict {
				if !strings.Contains(tc.f.Verdict, v) {
					t.Errorf("verdict %q lacks %q", tc.f.Verdict, v)
				}
			}
			top := tc.f.Causes[0]
			if top.Dimension != "" {
				joined := strings.Join(top.Evidence, " ")
				for _, v := range top.Values {
					if !strings.Contains(joined, v+" ") {
						t.Errorf("evidence %q does not quote the separating value %s", joined, v)
					}
				}
				if !strings.Contains(joined, "% of ") {
					t.Errorf("evidence %q does not quote the contrast", joined)
				}
			}
			if len(top.Fixes) == 0 {
				t.Errorf("top cause %s has no fixes of its own", top.Rule)
			}
			for _, e := range append(append([]string{tc.f.Verdict}, top.Evidence...), top.Fixes...) {
				if strings.Contains(e, "<no value>") || strings.Contains(e, "unknown") && !strings.Contains(tc.name, "nothing") || strings.Contains(e, "%!") {
					t.Errorf("badly rendered: %q", e)
				}
			}
			if tc.f.Definition == "" {
				t.Errorf("no definition")
			}
		})
	}
}

func causeSummary(f *rules.Finding) string {
	var parts []string
	for _, c := range f.Causes {
		parts = append(parts, fmt.Sprintf("%s %.2f", c.Rule, c.Confidence))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// A restatement of the status is the finding's definition, never a cause.
func TestRestatementNeverRanked(t *testing.T) {
	s := mustLoad(t)
	for _, tc := range causeCases() {
		s.Explain(tc.f)
		def := strings.ToLower(tc.f.Definition)
		for _, c := range tc.f.Causes {
			title := strings.ToLower(c.Title)
			if title == def || strings.Contains(def, strings.TrimSuffix(title, ".")) ||
				strings.Contains(title, "got no usable http response") || strings.HasPrefix(title, fmt.Sprintf("%d ", tc.f.Status)) {
				t.Errorf("%s: cause %q restates the definition %q", tc.name, c.Title, tc.f.Definition)
			}
		}
	}
	f := contrastBurst(rules.KindBurst520, 520, rules.TimeShape{}, nil, even("route", 40, 400, "/a", "/b"))
	s.Explain(f)
	if !strings.HasPrefix(f.Definition, "520: Cloudflare got no usable HTTP response") {
		t.Errorf("520 definition %q", f.Definition)
	}
}

// Confidence follows the evidence: a cleaner contrast, a better coverage
// and more failures each raise it; a handful of failures never gives a
// confident cause.
func TestConfidenceFromEvidence(t *testing.T) {
	s := mustLoad(t)
	conf := func(vals ...val) float64 {
		f := contrastBurst(rules.KindBurst520, 520, rules.TimeShape{}, nil, dimOf("colo", vals...))
		s.Explain(f)
		for _, c := range f.Causes {
			if c.Rule == "colo-blocked" {
				return c.Confidence
			}
		}
		return 0
	}
	clean := conf(val{"FRA", 200, 200}, val{"LHR", 0, 300}, val{"CDG", 0, 300})
	dirty := conf(val{"FRA", 200, 200}, val{"LHR", 6, 300}, val{"CDG", 6, 300})
	partial := conf(val{"FRA", 160, 160}, val{"LHR", 20, 300}, val{"CDG", 20, 300})
	few := conf(val{"FRA", 6, 6}, val{"LHR", 0, 300}, val{"CDG", 0, 300})
	if !(clean > dirty && dirty > 0 && clean > partial && clean > few) {
		t.Errorf("confidence: clean %.3f dirty %.3f partial %.3f few %.3f", clean, dirty, partial, few)
	}
	if clean < 0.95 || few > 0.5 {
		t.Errorf("clean %.3f should be near 1, six failures %.3f well below", clean, few)
	}
}

// A plain web-server log never gets a Cloudflare-only cause; a step there
// is a deploy, and the fallback names the Cloudflare fields that would tell.
func TestCausesFitTheInput(t *testing.T) {
	s := mustLoad(t)
	plain := map[string]float64{"edge": 0, "relayed_share": 0.9, "origin_logged_share": 0}
	step := rules.TimeShape{Kind: rules.ShapeStep, At: t0, Before: 0, After: 1}
	for _, f := range []*rules.Finding{
		contrastBurst(rules.KindBurst520, 520, step, plain, even("route", 400, 400, "/a", "/b")),
		contrastBurst(rules.KindBurst520, 520, rules.TimeShape{}, plain, even("route", 300, 400, "/a", "/b")),
	} {
		s.Explain(f)
		for _, c := range f.Causes {
			for _, r := range s.causes {
				if r.def.ID == c.Rule && r.def.Cloudflare {
					t.Errorf("plain log got the Cloudflare-only cause %s", c.Rule)
				}
			}
		}
		if f.Contrast.Shape.Kind == rules.ShapeStep && (len(f.Causes) == 0 || f.Causes[0].Rule != "deploy-or-config-change") {
			t.Errorf("step in a plain log: causes %s", causeSummary(f))
		}
		if f.Contrast.Shape.Kind != rules.ShapeStep && !strings.Contains(strings.Join(f.Causes[0].Evidence, " "), "EdgeColoCode") {
			t.Errorf("fallback does not name the field that would tell: %q", f.Causes[0].Evidence)
		}
	}
}

// Fixes belong to causes and carry the separating values: the failing
// data centres, the failing upstream in curl --resolve, the failing route.
func TestFixesSpecificToSeparatingValues(t *testing.T) {
	s := mustLoad(t)
	want := map[string][]string{
		"colo-blocked":    {"FRA and AMS"},
		"servers-failing": {"--resolve api.example.com:443:10.0.0.7 https://api.example.com/v1/cart"},
		"route-failing":   {"https://api.example.com/account/%7Bid%7D", "Put a real id"},
	}
	for _, tc := range causeCases()[:3] {
		s.Explain(tc.f)
		fixes := strings.Join(tc.f.Causes[0].Fixes, "\n")
		for _, w := range want[tc.want] {
			if !strings.Contains(fixes, w) {
				t.Errorf("%s fixes lack %q:\n%s", tc.want, w, fixes)
			}
		}
	}
	// a sample on the route gives a real path for the command
	f := causeCases()[2].f
	f.Samples[0].Path = "/account/8812"
	s.Explain(f)
	if fixes := strings.Join(f.Causes[0].Fixes, "\n"); !strings.Contains(fixes, "https://api.example.com/account/8812") {
		t.Errorf("route fix does not use the sample path:\n%s", fixes)
	}
}

// contrastFireCases give each contrast rule a case where it fires and one
// where it does not (TestEveryDefaultRuleIsTested).
func contrastFireCases() []fireCase {
	var out []fireCase
	seen := map[string]bool{}
	cases := causeCases()
	for _, tc := range cases {
		if seen[tc.want] {
			continue
		}
		seen[tc.want] = true
		out = append(out, fireCase{tc.want, tc.f, true})
		for _, other := range cases { // a case of another cause where this one does not fire
			if other.want != tc.want && other.f.Kind == tc.f.Kind {
				fresh := *other.f
				out = append(out, fireCase{tc.want, &fresh, false})
				break
			}
		}
	}
	return out
}

func TestContrastRulesFire(t *testing.T) {
	s := mustLoad(t)
	for _, tc := range contrastFireCases() {
		s.Explain(tc.f)
		if got := slices.Contains(causeIDs(tc.f), tc.rule); got != tc.want {
			t.Errorf("rule %s fired=%v, want %v (causes %s)", tc.rule, got, tc.want, causeSummary(tc.f))
		}
	}
}

// A version-1 rule file keeps working: its constant confidence is a prior
// the evidence (here the support of 10 failures) adjusts; a confidence
// expression fails with a message that names the change.
func TestVersion1RuleFile(t *testing.T) {
	dir := t.TempDir()
	v1 := filepath.Join(dir, "v1.yaml")
	writeFile(t, v1, `version: 1
rules:
  - id: my-lb
    kind: burst_520
    when: reused_conn_share >= 0.5
    title: Our load balancer drops idle connections
    confidence: 0.9
    evidence: ["{{pct .reused_conn_share}} reused"]
    fixes: ["Raise lb-1's idle timeout"]
`)
	s := mustLoad(t, v1)
	f := burst(rules.KindBurst520, 520, map[string]float64{"reused_conn_share": 0.8, "count": 10})
	s.Explain(f)
	want := 0.9 * (1 - math.Exp(-1))
	if len(f.Causes) == 0 || f.Causes[0].Rule != "my-lb" || math.Abs(f.Causes[0].Confidence-want) > 1e-9 {
		t.Fatalf("v1 rule: causes %s, want my-lb at %.3f", causeSummary(f), want)
	}
	if f.Causes[0].Fixes[0] != "Raise lb-1's idle timeout" {
		t.Errorf("v1 rule's fixes: %q", f.Causes[0].Fixes)
	}
	for _, r := range s.Rules() {
		if r.ID == "my-lb" && r.Confidence != "evidence × prior 0.9" {
			t.Errorf("listing shows confidence %q", r.Confidence)
		}
	}

	expr := filepath.Join(dir, "v1expr.yaml")
	writeFile(t, expr, "rules:\n  - id: x\n    kind: burst_520\n    when: 'true'\n    title: t\n    confidence: 'share > 0.5 ? 0.9 : 0.4'\n    evidence: [e]\n")
	_, err := Load(expr)
	if err == nil || !strings.Contains(err.Error(), expr+":6:") || !strings.Contains(err.Error(), "confidence expression no longer works") ||
		!strings.Contains(err.Error(), "version: 2") {
		t.Errorf("v1 confidence expression: %v", err)
	}
}

// Three data centres failing alike: the smallest set covering 80% of the
// failures stops at two and leaves the third outside, dirty; the cause
// rules redraw the set by failing rate and name all three.
func TestRedrawnSetNamesEveryFailingValue(t *testing.T) {
	colo := dimOf("colo", val{"FRA", 450, 450}, val{"LHR", 400, 400}, val{"CDG", 200, 200},
		val{"AMS", 0, 300}, val{"IAD", 0, 300}, val{"SJC", 0, 300}, val{"NRT", 0, 300}, val{"SIN", 0, 300})
	if colo.Separates || len(colo.Set) != 2 {
		t.Fatalf("fixture: the smallest set should stop at two and not separate: %v %v", colo.Set, colo.Separates)
	}
	f := contrastBurst(rules.KindBurst520, 520, rules.TimeShape{}, nil, colo)
	mustLoad(t).Explain(f)
	if len(f.Causes) == 0 || f.Causes[0].Rule != "colo-blocked" {
		t.Fatalf("causes %s", causeSummary(f))
	}
	if got := strings.Join(f.Causes[0].Values, ","); got != "FRA,LHR,CDG" {
		t.Errorf("values %s, want FRA,LHR,CDG", got)
	}
	if !strings.HasPrefix(f.Verdict, "Only FRA, LHR and CDG fail (100% of their requests; the other 5 data centres 0%)") {
		t.Errorf("verdict %q", f.Verdict)
	}
	if ev := strings.Join(f.Causes[0].Evidence, " "); !strings.Contains(ev, "CDG 100% of 200") {
		t.Errorf("evidence %q", ev)
	}

	// many values with a request or two each: every value fails always or
	// never, which says nothing; no set is redrawn and nothing separates
	var nets []val
	for i := range 12 {
		fail := int64(0)
		if i < 7 {
			fail = 2
		}
		nets = append(nets, val{fmt.Sprintf("2001:db8:%x::/48", i), fail, 2})
	}
	g := contrastBurst(rules.KindBurst5xx, 502, rules.TimeShape{}, nil, dimOf("client_net", nets...))
	mustLoad(t).Explain(g)
	if slices.Contains(causeIDs(g), "client-failing") {
		t.Errorf("one-request client networks separate: %s", causeSummary(g))
	}
}
