package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var t0 = time.Date(2026, 11, 20, 10, 2, 13, 0, time.UTC)

const (
	clientIP   = "198.51.100.7"
	clientIPv6 = "2001:db8::77"
	originIP   = "203.0.113.10"
	secretQS   = "token=abc123"
)

func fixture() ([]parse.InputStats, parse.Totals, *rules.Snapshot) {
	inputs := []parse.InputStats{
		{Path: "logs/cf-edge.log.gz", Format: "cloudflare", Compression: "gzip",
			Counts: parse.Counts{Lines: 6000, Parsed: 5998, Malformed: 2, Bytes: 2_345_678},
			First:  t0.Add(-2 * time.Minute), Last: t0.Add(58 * time.Minute),
			MalformedExamples: []parse.MalformedExample{
				{Line: 7, Reason: "unterminated JSON object", Text: `{"ClientIP":"` + clientIP + `","ClientRequestURI":"/a?` + secretQS + `","x":"` + "\x1b[2J" + ``},
			}},
		{Path: "logs/origin/access.log", Format: "combined",
			Counts: parse.Counts{Lines: 4000, Parsed: 3990, Ignored: 10, Bytes: 812_000},
			First:  t0.Add(-1 * time.Minute), Last: t0.Add(55 * time.Minute)},
		{Path: "logs/broken.gz", Format: "combined", Counts: parse.Counts{Lines: 120, Parsed: 120, Bytes: 9000},
			Err: errors.New("logs/broken.gz: gzip: unexpected EOF after line 120")},
	}
	totals := parse.Totals{
		Counts: parse.Counts{Lines: 10120, Parsed: 10108, Ignored: 10, Malformed: 2, Bytes: 3_166_678},
		Late:   3, Duplicate: 1,
		Status: map[int]int64{200: 9500, 202: 300, 404: 140, 520: 64, 522: 104},
	}
	late := 2
	burst := rules.Finding{
		ID: "burst_520:api.example.com:20261120T100213Z", Kind: rules.KindBurst520, Severity: rules.SeverityCritical,
		Origin: "api.example.com", Start: t0, End: t0.Add(147 * time.Second), Count: 60,
		Features: map[string]float64{"count": 60, "share": 0.83, "peak_60s": 41, "rate_per_min": 24.5,
			"paths_distinct": 3, "top_path_share": 0.7, "upstreams_failed": 1, "upstreams_healthy": 2,
			"pops_distinct": 4, "fast_fail_share": 0.9, "reused_conn_share": 0.95, "header_wait_p50_ms": 2,
			"origin_logged_share": -1, "edge": 1, "status": 520, "relayed_share": 0},
		Context: map[string]any{
			"paths":             []string{"/v1/cart (42)", "/search?q=" + secretQS + " (10)", "/\x1b[31mevil|`x` (8)"},
			"pops":              []string{"FRA (30)", "AMS (20)", "CDG (6)", "LHR (4)"},
			"upstreams_failed":  []string{originIP + ":443 (60)"},
			"upstreams_healthy": []string{"203.0.113.11:443", "203.0.113.12:443"},
			"statuses_before":   map[string]int{"200": 880, "502": 3},
			"clients":           map[string]int{clientIP: 40, clientIPv6: 20},
			"relayed":           false,
		},
		Definition: "520: Cloudflare got no usable HTTP response from the origin (empty, malformed or without headers).",
		Verdict:    "Only FRA and AMS fail (100% of their requests; the other 2 data centres 0%): a firewall at the origin is likely blocking some Cloudflare ranges.",
		Contrast: &rules.Contrast{
			Failing: 60, Total: 72,
			Dimensions: []rules.Dimension{
				{Name: "colo", Label: "data centre", Set: []string{"FRA", "AMS"}, Coverage: 1, InsideFailing: 60, InsideTotal: 60,
					OutsideTotal: 12, InsideRate: 1, Separates: true, Score: 0.9, Distinct: 4,
					Values: []rules.DimensionValue{{Value: "FRA", Failing: 36, Total: 36, InSet: true}, {Value: "AMS", Failing: 24, Total: 24, InSet: true},
						{Value: "CDG", Total: 6}, {Value: "LHR", Total: 6}}},
				{Name: "client_net", Label: "client network", Set: []string{"198.51.100.0/24"}, Coverage: 0.67, Distinct: 2,
					Values: []rules.DimensionValue{{Value: "198.51.100.0/24", Failing: 40, Total: 48, InSet: true}, {Value: "2001:db8::/48", Failing: 20, Total: 24}}},
			},
			Missing: []rules.MissingDimension{{Name: "header_wait", Label: "header wait", Field: "OriginResponseHeaderReceiveDurationMs (Logpush)"}},
			Shape:   rules.TimeShape{Kind: rules.ShapeSpike},
		},
		Causes: []rules.Cause{
			{Rule: "colo-blocked", Title: "A firewall or rate limit at the origin blocks some Cloudflare data centres", Confidence: 0.99,
				Evidence:  []string{"By data centre: FRA 100% of 36, AMS 100% of 24; CDG 0% of 6, LHR 0% of 6."},
				Fixes:     []string{"Allow every Cloudflare IP range in the origin's firewall: requests through FRA and AMS fail."},
				Dimension: "colo", Values: []string{"FRA", "AMS"}},
			{Rule: "keepalive-race", Title: "Keep-alive race: the origin closes idle connections Cloudflare is still reusing", Confidence: 0.82,
				Evidence: []string{"By origin connection: reused 95% of 63; new 0% of 9."},
				Fixes:    []string{"Turn on HTTP keep-alive at api.example.com."}},
			{Rule: "servers-failing", Title: "Some of the origin's servers are failing", Confidence: 0.73,
				Evidence: []string{"By origin server: " + originIP + " 100% of 60; 203.0.113.11 0% of 6, 203.0.113.12 0% of 6."},
				Fixes:    []string{"Send a request straight to the failing server: `curl -v --resolve api.example.com:443:" + originIP + " 'https://api.example.com/a;b'`"}},
			{Rule: "many-origins", Title: "Many origins failed at once", Confidence: 0.4,
				Evidence: []string{"2 other origins returned 520 in the same span."},
				Fixes:    []string{"Check https://www.cloudflarestatus.com."}},
		},
		Fixes: []string{"Allow every Cloudflare IP range in the origin's firewall: requests through FRA and AMS fail.", "Turn on HTTP keep-alive at api.example.com.",
			"Send a request straight to the failing server: `curl -v --resolve api.example.com:443:" + originIP + " 'https://api.example.com/a;b'`",
			"Check https://www.cloudflarestatus.com.",
			"Check the logs of every proxy between Cloudflare and the origin (client " + clientIP + ")."},
		Samples: []rules.Sample{
			{Input: "logs/cf-edge.log.gz", Line: 812, Offset: 99, Time: t0, RequestID: "8f1c2a3b4d5e6f70-FRA", Method: "GET",
				Path: "/v1/cart", Status: 520, Role: "burst",
				Raw: `{"ClientIP":"` + clientIP + `","ClientRequestURI":"/v1/cart?` + secretQS + `","OriginIP":"` + originIP + `","UA":"` + "\x1b]0;pwned\x07" + `"}`},
			{Input: "logs/cf-edge.log.gz", Line: 815, Time: t0.Add(time.Second + 250*time.Millisecond), RequestID: "8f1c2a3b4d5e6f71-AMS",
				Method: "POST", Path: "/\x1b[31mevil|`x`", Status: 520, Role: "burst",
				Raw: clientIPv6 + ` - - "POST /evil?` + secretQS + ` HTTP/1.1" 520`},
		},
		Timeline: []int{10, 41, 9}, TimelineStep: time.Minute,
	}
	stuck := rules.Finding{
		ID: "incomplete_202:api.example.com:POST /v1/exports:stuck_pending", Kind: rules.KindIncomplete202,
		Severity: rules.SeverityWarning, Origin: "api.example.com", Endpoint: "POST /v1/exports", Subtype: rules.SubStuckPending,
		Start: t0.Add(5 * time.Minute), End: t0.Add(35 * time.Minute), Count: 7, CompletedLate: &late,
		Features: map[string]float64{"operations": 7, "endpoint_ops": 120, "polls_per_op": 14.3, "poll_interval_p50_s": 30,
			"completion_p50_s": 42, "completion_p95_s": 95, "last_poll_status": 202, "polled_share": 0.98, "retry_after": -1,
			"clients_distinct": 3, "age_s": 600},
		Context: map[string]any{"endpoint": "POST /v1/exports", "last_polls": []string{"GET /v1/exports/{id} 202 (90)"}},
		Causes: []rules.Cause{{Rule: "stuck-worker", Title: "The work is stuck server-side", Confidence: 0.65,
			Evidence: []string{"Clients were still polling POST /v1/exports at the deadline."}}},
		Fixes: []string{"Check the queue depth and the workers of POST /v1/exports."},
		Samples: []rules.Sample{{Input: "logs/origin/access.log", Line: 2001, Time: t0.Add(5 * time.Minute), Method: "POST",
			Path: "/v1/exports", Status: 202, Role: "open", Raw: clientIP + ` - - [20/Nov/2026:10:07:13 +0000] "POST /v1/exports?` + secretQS + ` HTTP/1.1" 202 0`}},
	}
	storm := rules.Finding{
		ID: "burst_5xx:522:shop.example.net:20261120T101500Z", Kind: rules.KindBurst5xx, Severity: rules.SeverityWarning,
		Origin: "shop.example.net", Status: 522, Start: t0.Add(13 * time.Minute), End: t0.Add(14 * time.Minute), Count: 104,
		Features: map[string]float64{"count": 104, "share": 0.4, "peak_60s": 100, "status": 522, "edge": 1, "pops_distinct": 2},
		Context:  map[string]any{},
		Causes:   []rules.Cause{}, Fixes: []string{},
	}
	ff := rules.Finding{
		ID: "incomplete_202:hooks.example.org:POST /hooks/{id}:fire_and_forget", Kind: rules.KindIncomplete202,
		Severity: rules.SeverityInfo, Origin: "hooks.example.org", Endpoint: "POST /hooks/{id}", Subtype: rules.SubFireAndForget,
		Start: t0, End: t0.Add(50 * time.Minute), Count: 200,
		Features: map[string]float64{"operations": 200, "endpoint_ops": 200, "polled_share": 0.01},
		Causes: []rules.Cause{{Rule: "fire-and-forget", Title: "Fire-and-forget endpoint by design", Confidence: 0.9,
			Evidence: []string{"200 operations on POST /hooks/{id}, 1% of them ever polled."}}},
		Fixes: []string{"No action needed."},
	}
	snap := &rules.Snapshot{Now: t0.Add(58 * time.Minute), Final: true,
		Findings: []rules.Finding{burst, stuck, storm, ff}, Inflight: 4, Evicted: 0, Records: 10108}
	return inputs, totals, snap
}

func fixtureDoc() *Document { return Build(fixture()) }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test -update after checking):\n%s", name, path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant " + w + "\n got " + g
		}
	}
	return ""
}

type renderer struct {
	name string
	fn   func(*bytes.Buffer, Options) error
}

func renderers() []renderer {
	d := fixtureDoc()
	_, _, snap := fixture()
	return []renderer{
		{"json", func(b *bytes.Buffer, o Options) error { return WriteJSON(b, d, o) }},
		{"text", func(b *bytes.Buffer, o Options) error { return WriteText(b, d, o) }},
		{"markdown", func(b *bytes.Buffer, o Options) error { return WriteMarkdown(b, d, o) }},
		{"finding_markdown", func(b *bytes.Buffer, o Options) error { return WriteFindingMarkdown(b, &snap.Findings[0], o) }},
		{"finding_json", func(b *bytes.Buffer, o Options) error { return WriteFindingJSON(b, &snap.Findings[0], o) }},
	}
}

func TestGoldens(t *testing.T) {
	for _, r := range renderers() {
		for _, o := range []struct {
			suffix string
			opts   Options
		}{{"", Options{}}, {"_redacted", Options{Redact: true}}} {
			var b bytes.Buffer
			if err := r.fn(&b, o.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, r.name+o.suffix, b.Bytes())
		}
	}
	var b bytes.Buffer
	if err := WriteText(&b, fixtureDoc(), Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	golden(t, "text_color", b.Bytes())
}

func TestJSONSchema(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, fixtureDoc(), Options{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]json.RawMessage) []string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		slices.Sort(k)
		return k
	}
	if got := keys(doc); !slices.Equal(got, []string{"evicted", "findings", "inflight", "inputs", "schema", "schema_version", "totals"}) {
		t.Errorf("top-level keys %v", got)
	}
	if string(doc["schema"]) != `"edgetriage.report/v2"` || string(doc["schema_version"]) != "2" {
		t.Errorf("schema %s version %s", doc["schema"], doc["schema_version"])
	}
	var inputs []map[string]json.RawMessage
	json.Unmarshal(doc["inputs"], &inputs)
	for _, k := range []string{"path", "format", "lines", "parsed", "ignored", "malformed", "overlong", "bytes", "first", "last", "malformed_examples"} {
		if _, ok := inputs[0][k]; !ok {
			t.Errorf("input lacks %q", k)
		}
	}
	if _, ok := inputs[2]["error"]; !ok {
		t.Errorf("failed input lacks error")
	}
	var totals map[string]json.RawMessage
	json.Unmarshal(doc["totals"], &totals)
	if got := keys(totals); !slices.Equal(got, []string{"bytes", "duplicate", "ignored", "late", "lines", "malformed", "overlong", "parsed", "status"}) {
		t.Errorf("totals keys %v", got)
	}
	if !strings.Contains(string(totals["status"]), `"520": 64`) {
		t.Errorf("status mix %s", totals["status"])
	}
	var findings []map[string]json.RawMessage
	json.Unmarshal(doc["findings"], &findings)
	common := []string{"causes", "context", "count", "end", "features", "fixes", "id", "kind", "origin", "samples", "severity", "start", "title"}
	for i, f := range findings {
		for _, k := range common {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %d lacks %q", i, k)
			}
		}
		kind := string(f["kind"])
		_, hasEndpoint := f["endpoint"]
		_, hasLate := f["completed_late"]
		_, hasSub := f["subtype"]
		is202 := kind == `"incomplete_202"`
		if hasEndpoint != is202 || hasLate != is202 || hasSub != is202 {
			t.Errorf("finding %d (%s): endpoint %v subtype %v completed_late %v", i, kind, hasEndpoint, hasSub, hasLate)
		}
	}
	if string(findings[0]["severity"]) != `"critical"` || string(findings[2]["status"]) != "522" {
		t.Errorf("severity %s, status %s", findings[0]["severity"], findings[2]["status"])
	}
	var cause []map[string]json.RawMessage
	json.Unmarshal(findings[0]["causes"], &cause)
	for _, k := range []string{"rule", "title", "confidence", "evidence"} {
		if _, ok := cause[0][k]; !ok {
			t.Errorf("cause lacks %q", k)
		}
	}
	var samples []map[string]json.RawMessage
	json.Unmarshal(findings[0]["samples"], &samples)
	for _, k := range []string{"input", "line", "time", "request_id"} {
		if _, ok := samples[0][k]; !ok {
			t.Errorf("sample lacks %q", k)
		}
	}
	if _, ok := samples[0]["raw"]; ok {
		t.Errorf("raw line leaked into JSON")
	}
}

func TestEmptyDocument(t *testing.T) {
	d := Build(nil, parse.Totals{}, nil)
	var b bytes.Buffer
	if err := WriteJSON(&b, d, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"findings": []`, `"inputs": []`, `"status": {}`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("empty document lacks %s:\n%s", want, b.String())
		}
	}
	if d.MaxSeverity() != 0 {
		t.Errorf("MaxSeverity of nothing = %v", d.MaxSeverity())
	}
	b.Reset()
	if err := WriteText(&b, d, Options{}); err != nil || !strings.Contains(b.String(), "No findings") {
		t.Errorf("text: %v %q", err, b.String())
	}
	b.Reset()
	if err := WriteMarkdown(&b, d, Options{}); err != nil || !strings.Contains(b.String(), "**No findings**") {
		t.Errorf("markdown: %v %q", err, b.String())
	}
}

func TestMaxSeverity(t *testing.T) {
	d := fixtureDoc()
	if d.MaxSeverity() != rules.SeverityCritical {
		t.Errorf("got %v", d.MaxSeverity())
	}
	d.Findings = d.Findings[1:]
	if d.MaxSeverity() != rules.SeverityWarning {
		t.Errorf("got %v", d.MaxSeverity())
	}
	d.Findings = d.Findings[2:]
	if d.MaxSeverity() != rules.SeverityInfo {
		t.Errorf("got %v", d.MaxSeverity())
	}
}

func TestRedactionEverywhere(t *testing.T) {
	leaks := []string{clientIP, clientIPv6, secretQS, "q=token"}
	for _, r := range renderers() {
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			if err := r.fn(&b, Options{Redact: true, Color: color}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, leak := range leaks {
				if strings.Contains(out, leak) {
					t.Errorf("%s (color %v): %q survived redaction", r.name, color, leak)
				}
			}
			if !strings.Contains(out, originIP) {
				t.Errorf("%s: the origin's address %s was masked too", r.name, originIP)
			}
		}
		// and without redaction they are there (the test can fail)
		var b bytes.Buffer
		r.fn(&b, Options{})
		if r.name != "text" && !strings.Contains(b.String(), secretQS) {
			t.Errorf("%s: fixture lost its query string without redaction", r.name)
		}
	}
}

func TestRedactor(t *testing.T) {
	r := &redactor{keep: map[string]bool{originIP: true}}
	cases := []struct{ in, want string }{
		{"from 198.51.100.7 at 10:02:13", "from x.x.x.x at 10:02:13"},
		{"origin " + originIP + ":443", "origin " + originIP + ":443"},
		{"[20/Nov/2026:10:07:13 +0000]", "[20/Nov/2026:10:07:13 +0000]"},
		{"mac 00:1a:2b:3c:4d:5e", "mac 00:1a:2b:3c:4d:5e"},
		{"client 2001:db8::77: refused", "client x:x::x: refused"},
		{"[2001:db8:0:0:1:0:0:1]:443", "[x:x::x]:443"},
		{`"GET /a/b?x=1&y=2 HTTP/1.1"`, `"GET /a/b?REDACTED HTTP/1.1"`},
		{`"ClientRequestURI":"/s?q=a b"`, `"ClientRequestURI":"/s?REDACTED b"`},
		{"Is it down? Yes.", "Is it down? Yes."},
		{"Chrome/120.0.6099.109", "Chrome/120.0.6099.109"},
		{"Chrome/131.0.0.0 Safari", "Chrome/131.0.0.0 Safari"},
		{"1.2.3.4.5", "1.2.3.4.5"},
		{"a 10.0.0.1, 10.0.0.2", "a x.x.x.x, x.x.x.x"},
	}
	for _, c := range cases {
		if got := r.text(c.in); got != c.want {
			t.Errorf("text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

var escSeq = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestLogTextRendersInert(t *testing.T) {
	for _, r := range renderers() {
		if strings.HasSuffix(r.name, "json") {
			continue // JSON escapes control characters itself
		}
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			if err := r.fn(&b, Options{Color: color}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if color {
				out = escSeq.ReplaceAllString(out, "") // our own colour codes
			}
			for _, bad := range []string{"\x1b", "\x07"} {
				if strings.Contains(out, bad) {
					t.Errorf("%s (color %v): raw control character %q in output", r.name, color, bad)
				}
			}
			if !strings.Contains(out, `\x1b[31m`) && !strings.Contains(out, `\\x1b\[31m`) {
				t.Errorf("%s: the escape sequence is not shown as text", r.name)
			}
		}
	}
}

// Every Markdown table row keeps its column count whatever the log text
// holds (pipes, backticks).
func TestMarkdownTablesHoldTogether(t *testing.T) {
	for _, name := range []string{"markdown", "finding_markdown"} {
		var b bytes.Buffer
		for _, r := range renderers() {
			if r.name == name {
				r.fn(&b, Options{})
			}
		}
		cols := 0
		for _, line := range strings.Split(b.String(), "\n") {
			if !strings.HasPrefix(line, "|") {
				cols = 0
				continue
			}
			n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1))
			if cols == 0 {
				cols = n
				continue
			}
			if n != cols {
				t.Errorf("%s: row has %d cells, header %d: %s", name, n, cols, line)
			}
		}
	}
}

func TestMdCode(t *testing.T) {
	cases := map[string]string{
		"GET /a":   "`GET /a`",
		"a`b":      "``a`b``",
		"`x`":      "`` `x` ``",
		"p|q":      "`p\\|q`",
		"\x1b[2Jx": "`\\x1b[2Jx`",
		"":         "",
	}
	for in, want := range cases {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}
