package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// t0 is the fixture's first minute; fixedNow is the fake wall clock.
var (
	t0       = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	fixedNow = t0.Add(2 * time.Hour)
)

func at0(min, sec int) time.Time {
	return t0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
}

// fixtureFinding builds a finding with every part the screens show.
func fixtureFinding(id string, kind rules.Kind, sub string, sev rules.Severity, origin string, startMin, minutes, count int) rules.Finding {
	f := rules.Finding{
		ID: id, Kind: kind, Subtype: sub, Severity: sev, Origin: origin,
		Start: at0(startMin, 0), End: at0(startMin+minutes, 30), Count: count,
		Features:     map[string]float64{"count": float64(count), "duration_s": float64(minutes*60 + 30)},
		Context:      map[string]any{},
		TimelineStep: time.Minute,
	}
	for i := 0; i <= minutes; i++ {
		f.Timeline = append(f.Timeline, (i*7+3)%11+1)
	}
	return f
}

func samplesFor(input string, n int, status int, start time.Time, path string) []rules.Sample {
	var out []rules.Sample
	for i := 0; i < n; i++ {
		line := int64(100 + i*10)
		raw := fmt.Sprintf(`203.0.113.%d - - [20/Nov/2026:%s +0000] "GET %s HTTP/1.1" %d 0 "-" "curl/8"`,
			i+1, start.Add(time.Duration(i)*time.Second).Format("15:04:05"), path, status)
		out = append(out, rules.Sample{Input: input, Line: line, Offset: line * 120,
			Time: start.Add(time.Duration(i) * time.Second), RequestID: fmt.Sprintf("8f%04dabc-FRA", i),
			Method: "GET", Path: path, Status: status, Role: "burst", Raw: raw})
	}
	return out
}

// fixtureUpdate is a fixed, hand-built pipeline state with every kind of
// finding and every 202 sub-type.
func fixtureUpdate() Update {
	b520 := fixtureFinding("burst_520/api.example.com/20261120T100200Z", rules.KindBurst520, "", rules.SeverityCritical, "api.example.com", 2, 7, 1234)
	b520.Features["share"] = 0.82
	b520.Features["reused_conn_share"] = 0.93
	b520.Features["header_wait_p50_ms"] = -1
	b520.Causes = []rules.Cause{
		{Rule: "keepalive_mismatch", Title: "Origin closes reused keep-alive connections before Cloudflare does", Confidence: 0.85,
			Evidence: []string{"93% of the 520s were on reused connections (OriginConnectTime 0)", "errors failed fast: header wait p50 4 ms"},
			Fixes:    []string{"Raise the origin's keep-alive timeout above 900 s (nginx keepalive_timeout, Apache KeepAliveTimeout)"}},
		{Rule: "origin_crash", Title: "Origin process restarted", Confidence: 0.4,
			Evidence: []string{"2 of 3 origin IPs failed; 1 stayed healthy"}},
	}
	b520.Fixes = []string{
		"Raise the origin's keep-alive timeout above 900 s (nginx keepalive_timeout, Apache KeepAliveTimeout)",
		"Check the origin's error log at 10:02 for worker restarts",
	}
	b520.Context = map[string]any{
		"paths":             []string{"/v1/orders (812)", "/v1/cart (301)", "/v1/login (121)"},
		"methods":           []string{"GET (1001)", "POST (233)"},
		"pops":              []string{"FRA (700)", "AMS (534)"},
		"upstreams_failed":  []string{"198.51.100.10", "198.51.100.11"},
		"upstreams_healthy": []string{"198.51.100.12"},
		"statuses_before":   map[string]int{"200": 5120, "502": 3},
		"join":              map[string]any{"logged": 1177, "missing": 57, "statuses": map[string]int{"200": 1177}},
		"relayed":           false,
	}
	b520.Samples = samplesFor("logs/cf-edge.log.gz", 6, 520, at0(2, 0), "/v1/orders")
	b520.Definition = "the origin returned something Cloudflare could not read (empty, malformed, or without headers)"
	b520.Verdict = "Only FRA and AMS fail (100% of their requests; the other 6 data centres 0%): a firewall at the origin is likely blocking some Cloudflare ranges."
	b520.Contrast = fixtureContrast()
	b520.Causes = append(b520.Causes,
		rules.Cause{Rule: "waf", Title: "A firewall blocks some Cloudflare ranges", Confidence: 0.3, Evidence: []string{"FRA 100% of 412"}},
		rules.Cause{Rule: "tls", Title: "Origin TLS change", Confidence: 0.2})

	storm := fixtureFinding("burst_5xx/shop.example.com/522/20261120T101500Z", rules.KindBurst5xx, "", rules.SeverityWarning, "shop.example.com", 15, 3, 88)
	storm.Status = 522
	storm.Causes = []rules.Cause{{Rule: "origin_unreachable", Title: "Origin did not accept TCP connections", Confidence: 0.7,
		Evidence: []string{"every 522 had no origin connect time"}, Fixes: []string{"Allow Cloudflare IP ranges in the origin firewall"}}}
	storm.Context["pops"] = []string{"CDG (88)"}
	storm.Samples = samplesFor("logs/cf-edge.log.gz", 3, 522, at0(15, 0), "/checkout")

	mk202 := func(sub string, sev rules.Severity, origin, endpoint string, startMin, count int, cause string) rules.Finding {
		f := fixtureFinding("incomplete_202/"+origin+"/"+endpoint+"/"+sub, rules.KindIncomplete202, sub, sev, origin, startMin, 20, count)
		f.Endpoint = endpoint
		late := 1
		f.CompletedLate = &late
		f.Features["operations"] = float64(count)
		f.Features["polls_per_op"] = 3
		if cause != "" {
			f.Causes = []rules.Cause{{Rule: sub, Title: cause, Confidence: 0.6, Evidence: []string{"last poll status seen on most operations"}}}
			f.Fixes = []string{"Return a terminal status from the status URL"}
		}
		f.Context["endpoint"] = endpoint
		f.Context["last_polls"] = []string{"202 (40)", "404 (2)"}
		path := strings.SplitN(endpoint, " ", 2)[1]
		f.Samples = samplesFor("logs/nginx-access.log", 4, 202, at0(startMin, 0), strings.ReplaceAll(path, "{id}", "77"))
		f.Samples[0].Role = "open"
		return f
	}
	findings := []rules.Finding{
		b520,
		mk202(rules.SubStuckPending, rules.SeverityCritical, "api.example.com", "POST /v1/exports", 30, 41, "Worker queue stalled: polls keep answering 202"),
		storm,
		mk202(rules.SubNeverPolled, rules.SeverityWarning, "shop.example.com", "POST /v1/orders/{id}/invoice", 5, 12, "Client never read the Location header"),
		mk202(rules.SubStatusLost, rules.SeverityWarning, "files.example.com", "POST /v2/uploads", 12, 9, "Status resource expired before completion"),
		mk202(rules.SubStatusError, rules.SeverityWarning, "files.example.com", "POST /v2/transcode", 40, 7, "Status endpoint failing with 5xx"),
		mk202(rules.SubPollRejected, rules.SeverityWarning, "billing.example.com", "POST /v1/charges", 22, 6, "Polls rejected: 401 on the status URL"),
		mk202(rules.SubClientGaveUp, rules.SeverityWarning, "billing.example.com", "POST /v1/refunds", 50, 5, ""),
		mk202(rules.SubFireAndForget, rules.SeverityInfo, "beacon.example.com", "POST /collect", 0, 2400, "Fire-and-forget endpoint by design"),
	}
	snap := &rules.Snapshot{
		Now: at0(59, 59), Final: true, Findings: findings, Records: 182_345,
		Origins: []rules.OriginSummary{
			{Origin: "api.example.com", Findings: 2, Worst: rules.SeverityCritical, Count: 1275, Requests: 120_000},
			{Origin: "shop.example.com", Findings: 2, Worst: rules.SeverityWarning, Count: 100, Requests: 30_000},
			{Origin: "files.example.com", Findings: 2, Worst: rules.SeverityWarning, Count: 16, Requests: 12_000},
			{Origin: "billing.example.com", Findings: 2, Worst: rules.SeverityWarning, Count: 11, Requests: 9_000},
			{Origin: "beacon.example.com", Findings: 1, Worst: rules.SeverityInfo, Count: 2400, Requests: 11_345},
			{Origin: "quiet.example.com", Requests: 500}, // no findings: not "in trouble"
		},
		Timeline: rules.Timeline{Start: t0, Step: time.Minute},
		Inflight: 3, CompletedLate: 6,
	}
	for i := 0; i < 60; i++ {
		snap.Timeline.Requests = append(snap.Timeline.Requests, 3000)
		v520 := 0
		if i >= 2 && i <= 9 {
			v520 = 100 + (i%3)*40
		}
		snap.Timeline.Status520 = append(snap.Timeline.Status520, v520)
		v202 := 0
		if i%5 == 0 {
			v202 = 3 + i%4
		}
		snap.Timeline.Incomplete202 = append(snap.Timeline.Incomplete202, v202)
	}
	inputs := []parse.InputStats{
		{Path: "logs/cf-edge.log.gz", Format: "cloudflare", Compression: "gzip",
			Counts: parse.Counts{Lines: 120_012, Parsed: 120_000, Ignored: 2, Malformed: 10, Bytes: 61_000_000},
			First:  t0, Last: at0(59, 59)},
		{Path: "logs/nginx-access.log", Format: "combined",
			Counts: parse.Counts{Lines: 62_400, Parsed: 62_345, Ignored: 0, Malformed: 54, Overlong: 1, Bytes: 14_000_000},
			First:  at0(0, 5), Last: at0(59, 50),
			MalformedExamples: []parse.MalformedExample{
				{Line: 17, Reason: "no closing quote", Field: "request", Column: 48,
					Text: `203.0.113.44 - - [20/Nov/2026:10:00:05 +0000] "GET /v1/orders?token=s3cr3t HTTP/1.1 200 512`},
				{Line: 2031, Reason: "not a status code", Field: "status",
					Text: "203.0.113.45 - - [20/Nov/2026:10:17:40 +0000] \"GET /\x1b]0;pwned\x07 HTTP/1.1\" abc 0 \"-\" \"curl/8.5.0\" with a tail long enough to wrap past eighty columns on the screen"},
				{Line: 5003, Reason: "empty line"},
			}},
	}
	totals := parse.Totals{Counts: parse.Counts{Lines: 182_412, Parsed: 182_345, Ignored: 2, Malformed: 64, Overlong: 1, Bytes: 75_000_000},
		Duplicate: 12, Status: map[int]int64{200: 170_000, 202: 2_600, 301: 1_000, 404: 3_400, 520: 1_234, 522: 88, 502: 23}}
	return Update{Snapshot: snap, Inputs: inputs, Totals: totals,
		Progress: Progress{BytesRead: 75_000_000, BytesTotal: 75_000_000, Lines: 182_412, LinesPerSec: 250_000, Done: true}}
}

// fixtureContrast is a hand-built contrast: the data centres separate (FRA
// and AMS fail on every request), the origin IPs do not.
func fixtureContrast() *rules.Contrast {
	colo := rules.Dimension{Name: "colo", Label: "data centre", Set: []string{"FRA", "AMS"}, Coverage: 1,
		InsideFailing: 810, InsideTotal: 810, OutsideFailing: 0, OutsideTotal: 2410, InsideRate: 1, OutsideRate: 0,
		Distinct: 8, Separates: true, Score: 0.95,
		Values: []rules.DimensionValue{
			{Value: "LHR", Failing: 0, Total: 405}, {Value: "FRA", Failing: 412, Total: 412, InSet: true},
			{Value: "CDG", Failing: 0, Total: 401}, {Value: "AMS", Failing: 398, Total: 398, InSet: true},
			{Value: "IAD", Failing: 0, Total: 400}, {Value: "SJC", Failing: 0, Total: 399},
			{Value: "NRT", Failing: 0, Total: 404},
		},
		Other: &rules.DimensionValue{Value: "other", Failing: 0, Total: 401}}
	up := rules.Dimension{Name: "upstream", Label: "origin IP", Set: []string{"198.51.100.10", "198.51.100.11"}, Coverage: 0.81,
		InsideFailing: 656, InsideTotal: 2140, OutsideFailing: 154, OutsideTotal: 1080, InsideRate: 0.31, OutsideRate: 0.14,
		Distinct: 3, Score: 0.2,
		Values: []rules.DimensionValue{{Value: "198.51.100.10", Failing: 330, Total: 1070}, {Value: "198.51.100.11", Failing: 326, Total: 1070},
			{Value: "198.51.100.12", Failing: 154, Total: 1080}}}
	return &rules.Contrast{
		Span: rules.Window{From: at0(2, 0), To: at0(9, 30)}, Baseline: rules.Window{From: at0(-28, 0), To: at0(2, 0)},
		Failing: 810, Total: 3220, BaselineFailing: 3, BaselineTotal: 12000,
		Dimensions: []rules.Dimension{colo, up},
		Missing:    []rules.MissingDimension{{Name: "header_wait", Label: "header wait", Field: "OriginResponseHeaderReceiveDurationMs (Logpush)"}},
		Shape:      rules.TimeShape{Kind: rules.ShapeStep, At: at0(2, 0), Before: 0, After: 1, Precursors: []string{"502s rose from 0 to 3 a minute before 10:02"}},
	}
}

// fixtureRing holds n records, the last ones of the nginx log.
func fixtureRing(size, n int) *Ring {
	r := NewRing(size)
	batch := make([]parse.Record, 0, 1000)
	for i := 0; i < n; i++ {
		rec := parse.Record{}
		rec.Reset()
		rec.Time = at0(0, 0).Add(time.Duration(i) * 100 * time.Millisecond).UnixNano()
		rec.Source = parse.SourceOrigin
		rec.Host = []string{"api.example.com", "shop.example.com", "files.example.com"}[i%3]
		rec.ClientIP = fmt.Sprintf("203.0.113.%d", i%250)
		rec.Method = "GET"
		rec.Path = fmt.Sprintf("/v1/items/%d", i%97)
		rec.Protocol = "HTTP/1.1"
		rec.Status = []int{200, 200, 200, 404, 520, 202}[i%6]
		rec.Bytes = int64(100 + i%900)
		rec.Input = "logs/nginx-access.log"
		rec.Line = int64(i + 1)
		rec.Offset = int64(i) * 120
		rec.Raw = fmt.Sprintf(`%s - - [20/Nov/2026:10:00:00 +0000] "GET %s HTTP/1.1" %d %d "-" "curl/8"`, rec.ClientIP, rec.Path, rec.Status, rec.Bytes)
		batch = append(batch, rec)
		if len(batch) == cap(batch) {
			r.Add(batch)
			batch = batch[:0]
		}
	}
	r.Add(batch)
	return r
}

// fakeReadRaw re-reads plain files only, like the real one.
func fakeReadRaw(input string, offset int64) (string, error) {
	if strings.HasSuffix(input, ".gz") {
		return "", errors.New("compressed input: cannot seek")
	}
	return fmt.Sprintf("re-read %s@%d: 203.0.113.1 - - [20/Nov/2026:10:30:00 +0000] \"POST /v1/exports HTTP/1.1\" 202 0", input, offset), nil
}

// fixtureOptions wires a fixture update into a closed channel.
func fixtureOptions(u Update) Options {
	ch := make(chan Update, 1)
	ch <- u
	close(ch)
	return Options{Updates: ch, Recent: fixtureRing(1000, 1500), ReadRaw: fakeReadRaw,
		Now: func() time.Time { return fixedNow }, ExportDir: "", Clipboard: func(string) error { return nil }}
}
