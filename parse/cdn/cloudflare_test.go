package cdn

import (
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func ts(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

func TestCloudflareRealSamples(t *testing.T) {
	p := NewCloudflare()
	if p.Format() != "cloudflare" {
		t.Fatalf("Format() = %q", p.Format())
	}
	tf := parseAll(t, p, readLines(t, "cloudflare_logpush_http_requests_elastic_tf_test-http-request.ndjson"))
	pull := parseAll(t, p, readLines(t, "cloudflare_logpull_http_elastic_test-http-json.ndjson"))
	lnav := parseAll(t, p, readLines(t, "cloudflare_logpush_http_requests_lnav_logfile_cloudflare.json"))
	if len(tf) != 2 || len(pull) != 4 || len(lnav) != 1 {
		t.Fatalf("records: tf %d, logpull %d, lnav %d", len(tf), len(pull), len(lnav))
	}

	r := tf[0]
	want := parse.Record{
		Time: ts("2022-05-25T13:25:26Z"), Source: parse.SourceEdge,
		Host: "xyz.example.com", Upstream: "67.43.156.0", ClientIP: "175.16.199.0",
		Method: "POST", Path: "/xyz/checkout", Query: "", Protocol: "HTTP/1.1",
		UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36",
		Referer:   r.Referer,
		Status:    200, OriginStatus: 200, Bytes: 981308, Duration: 6 * time.Second,
		OriginHeaderTime: 5155 * time.Millisecond, RetryAfter: parse.Unknown, OriginConnectTime: 24 * time.Millisecond,
		RequestID: "710e98d9367f357d", POP: "RUH", CacheStatus: "dynamic",
	}
	if r != want {
		t.Errorf("tf line 1:\n got %+v\nwant %+v", r, want)
	}
	if !strings.HasPrefix(r.Referer, "https://example.com/s/example/default?sourcerer=") {
		t.Errorf("referer %q", r.Referer)
	}

	// Line 2: RFC 3339 with milliseconds, query from ClientRequestURI,
	// FirewallMatches* as strings instead of arrays, no handshake timing.
	r = tf[1]
	if r.Time != ts("2025-09-17T08:37:18Z") || r.Query != "pricingCaseId=68c15fccf03482a4cb20460b" ||
		r.Path != "/referralapi/api/deals/find" || r.Duration != 0 || r.OriginConnectTime != parse.Unknown ||
		r.Upstream != "172.16.10.100" || r.POP != "AMS" {
		t.Errorf("tf line 2: %+v", r)
	}

	// Logpull: RFC 3339, unix nanoseconds, unix seconds; IP in EdgeColoCode;
	// missing EdgeColoCode; edge blocks with OriginResponseStatus 0.
	cases := []struct {
		time     int64
		status   int
		origin   int
		pop      string
		upstream string
		duration time.Duration
		cache    string
	}{
		{ts("2019-08-02T15:29:08Z"), 403, 0, "", "", 0, "unknown"},
		{1625752958812000000, 200, 0, "33.147.138.217", "", 63 * time.Millisecond, "hit"},
		{1625754264676000000, 403, 0, "AMS", "89.160.20.156", 8 * time.Millisecond, "unknown"},
		{1625754264 * int64(time.Second), 403, 0, "AMS", "89.160.20.156", 0, "unknown"},
	}
	for i, c := range cases {
		r := pull[i]
		if r.Time != c.time || r.Status != c.status || r.OriginStatus != c.origin || r.POP != c.pop ||
			r.Upstream != c.upstream || r.Duration != c.duration || r.CacheStatus != c.cache {
			t.Errorf("logpull line %d: %+v", i+1, r)
		}
	}
	if pull[0].Query != "doing_wp_cron=1564759748.3962020874023437500000" || pull[0].Host != "cf-analytics.com" {
		t.Errorf("logpull line 1: %+v", pull[0])
	}

	r = lnav[0]
	if r.Host != "www.ripe.net" || r.Method != "HEAD" || r.Path != "/" || r.Status != 301 || r.OriginStatus != 0 ||
		r.Upstream != "" || r.UserAgent != "" || r.RequestID != "761fde4e984e5ab2" || r.OriginConnectTime != 0 ||
		r.Bytes != 570 || r.Time != ts("2022-10-30T00:00:02Z") {
		t.Errorf("lnav line: %+v", r)
	}
}

func TestCloudflareCases(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		check func(t *testing.T, r parse.Record)
	}{
		{
			name: "string epochs and numbers as strings",
			line: `{"EdgeStartTimestamp":"1653485126","EdgeEndTimestamp":"1653485127","EdgeResponseStatus":"520","OriginResponseStatus":"0","EdgeResponseBytes":"0","OriginResponseHeaderReceiveDurationMs":"12","OriginTCPHandshakeDurationMs":"0","RayID":"abc"}`,
			check: func(t *testing.T, r parse.Record) {
				if r.Time != 1653485126*int64(time.Second) || r.Status != 520 || r.OriginStatus != 0 || r.Bytes != 0 ||
					r.OriginHeaderTime != 12*time.Millisecond || r.OriginConnectTime != 0 || r.Duration != time.Second {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "string unix nanoseconds and rfc3339ns",
			line: `{"EdgeStartTimestamp":"1653485126000000000","EdgeEndTimestamp":"2022-05-25T13:25:26.500000000Z","EdgeResponseStatus":200}`,
			check: func(t *testing.T, r parse.Record) {
				if r.Time != 1653485126*int64(time.Second) || r.Duration != 500*time.Millisecond {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "escaped strings are unescaped",
			line: `{"EdgeStartTimestamp":1,"EdgeResponseStatus":200,"ClientRequestUserAgent":"say \"hi\" \u00e9\ud83d\ude00","ClientRequestURI":"/a\/b?x=\u0026y","ClientRequestHost":"h"}`,
			check: func(t *testing.T, r parse.Record) {
				if r.UserAgent != `say "hi" é😀` || r.Path != "/a/b" || r.Query != "x=&y" {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "whitespace and response headers",
			line: ` { "EdgeStartTimestamp" : "2026-11-20T10:00:00.123Z" , "EdgeResponseStatus" : 202 ,` +
				` "ResponseHeaders" : { "content-location" : "/c" , "Location" : "/jobs/1" }, "RequestHeaders": {"location": "/nope"} } `,
			check: func(t *testing.T, r parse.Record) {
				if r.StatusLocation != "/jobs/1" || r.Status != 202 || r.Time != ts("2026-11-20T10:00:00.123Z") {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "Retry-After in seconds from response headers, any case, string, array or number",
			line: `{"EdgeStartTimestamp":1,"EdgeResponseStatus":202,"ResponseHeaders":{"Retry-After":"30","location":"/jobs/2"}}`,
			check: func(t *testing.T, r parse.Record) {
				if r.RetryAfter != 30*time.Second || r.StatusLocation != "/jobs/2" {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "Retry-After as array and number",
			line: `{"EdgeStartTimestamp":1,"EdgeResponseStatus":503,"ResponseFields":{"retry-after":["120"]},"ResponseHeaders":{"retry-after":7}}`,
			check: func(t *testing.T, r parse.Record) {
				if r.RetryAfter != 7*time.Second {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "Retry-After HTTP-date is unknown; request headers are not read",
			line: `{"EdgeStartTimestamp":1,"EdgeResponseStatus":503,"ResponseHeaders":{"retry-after":"Wed, 21 Oct 2015 07:28:00 GMT"},"RequestHeaders":{"retry-after":"9"}}`,
			check: func(t *testing.T, r parse.Record) {
				if r.RetryAfter != parse.Unknown {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "response fields with duplicates as arrays",
			line: `{"EdgeStartTimestamp":1,"EdgeResponseStatus":202,"ResponseFields":{"operation-location":["https://x/op/1","https://x/op/2"]}}`,
			check: func(t *testing.T, r parse.Record) {
				if r.StatusLocation != "https://x/op/1" {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "type drift: arrays, nulls, objects where strings are expected",
			line: `{"EdgeStartTimestamp":1,"EdgeResponseStatus":200.0,"ClientIP":["192.0.2.1"],"EdgeColoCode":null,"ClientRequestHost":{"x":1},"EdgeRequestHost":"origin.example","FirewallMatchesActions":"skip","BotScore":"20","ResponseHeaders":"location: /x"}`,
			check: func(t *testing.T, r parse.Record) {
				if r.Status != 200 || r.ClientIP != "192.0.2.1" || r.POP != "" || r.Host != "origin.example" || r.StatusLocation != "" {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "path from URI when ClientRequestPath is missing",
			line: `{"EdgeStartTimestamp":1,"EdgeResponseStatus":200,"ClientRequestURI":"/v1/ops/7?wait=1"}`,
			check: func(t *testing.T, r parse.Record) {
				if r.Path != "/v1/ops/7" || r.Query != "wait=1" || r.OriginStatus != parse.Unknown || r.Bytes != parse.Unknown {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "end before start gives no duration",
			line: `{"EdgeStartTimestamp":10,"EdgeEndTimestamp":5,"EdgeResponseStatus":200}`,
			check: func(t *testing.T, r parse.Record) {
				if r.Duration != parse.Unknown {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "CRLF line ending",
			line: "{\"EdgeStartTimestamp\":1,\"EdgeResponseStatus\":200}\r",
			check: func(t *testing.T, r parse.Record) {
				if r.Status != 200 {
					t.Errorf("%+v", r)
				}
			},
		},
	}
	p := NewCloudflare()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r parse.Record
			if err := p.Parse([]byte(tt.line), &r); err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
}

func TestCloudflareMalformed(t *testing.T) {
	tests := []struct{ line, reason string }{
		{`EdgeStartTimestamp=1`, "not a JSON object"},
		{`[[1]]`, "not a JSON object"},
		{`{"EdgeStartTimestamp":1,"EdgeResponseStatus":200}}`, "data after the JSON object"},
		{`{"EdgeStartTimestamp":1,"EdgeResponseStatus":200`, "truncated JSON"},
		{`{"EdgeStartTimestamp":1,"EdgeResponseStatus":"200`, "truncated JSON"},
		{`{"EdgeStartTimestamp":1 "EdgeResponseStatus":200}`, "invalid JSON syntax"},
		{`{"EdgeStartTimestamp":1,"EdgeResponseStatus":200} x`, "data after the JSON object"},
		{`{"EdgeResponseStatus":200}`, "no EdgeStartTimestamp"},
		{`{"EdgeStartTimestamp":"yesterday","EdgeResponseStatus":200}`, "EdgeStartTimestamp is not a timestamp"},
		{`{"EdgeStartTimestamp":1}`, "no EdgeResponseStatus"},
		{`{"EdgeStartTimestamp":1,"EdgeResponseStatus":"ok"}`, "EdgeResponseStatus is not a status code"},
		{`{"EdgeStartTimestamp":1,"EdgeResponseStatus":200,"x":[1,2}`, "invalid JSON syntax"},
		{`{"EdgeStartTimestamp":1,"EdgeResponseStatus":200,"x":tru}`, "invalid JSON syntax"},
	}
	p := NewCloudflare()
	for _, tt := range tests {
		var r parse.Record
		err := p.Parse([]byte(tt.line), &r)
		if !parse.IsMalformed(err) || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("%s: err %v, want malformed %q", tt.line, err, tt.reason)
		}
	}
}

func TestCloudflareArrayOutput(t *testing.T) {
	p := NewCloudflare()
	lines := []string{"[", `[{"EdgeStartTimestamp":1,"EdgeResponseStatus":200},`, `{"EdgeStartTimestamp":2,"EdgeResponseStatus":201}`,
		`,{"EdgeStartTimestamp":3,"EdgeResponseStatus":202}]`, "]", " , "}
	want := []int{-1, 200, 201, 202, -1, -1}
	for i, l := range lines {
		var r parse.Record
		err := p.Parse([]byte(l), &r)
		if want[i] < 0 {
			if err != parse.ErrIgnored {
				t.Errorf("%q: %v, want ignored", l, err)
			}
			continue
		}
		if err != nil || r.Status != want[i] {
			t.Errorf("%q: %v %d", l, err, r.Status)
		}
	}
}

func TestCloudflareZeroAllocs(t *testing.T) {
	p := NewCloudflare()
	line := []byte(typicalLogpush)
	var r parse.Record
	allocs := testing.AllocsPerRun(100, func() {
		if err := p.Parse(line, &r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocs per line, want 0", allocs)
	}
	if r.StatusLocation != "/v1/jobs/42/status" || r.Status != 520 || r.OriginHeaderTime != 3*time.Millisecond || r.RetryAfter != 5*time.Second {
		t.Errorf("%+v", r)
	}
}

// TestCloudflareKeyTable checks every field name finds its own field and
// that near misses (a prefix, another case, an unread field) find none.
func TestCloudflareKeyTable(t *testing.T) {
	for _, n := range cfFieldNames {
		if got := cfKeys.field([]byte(n.name)); got != n.f {
			t.Errorf("%s: field %d, want %d", n.name, got, n.f)
		}
		for _, miss := range []string{n.name[:len(n.name)-1], strings.ToLower(n.name), n.name + "x", "x" + n.name} {
			if got := cfKeys.field([]byte(miss)); got != cfOther {
				t.Errorf("%q: field %d, want none", miss, got)
			}
		}
	}
	for _, k := range []string{"", "CacheResponseStatus", "ClientCountry", "EdgeServerIP", "OriginSSLProtocol", "a"} {
		if got := cfKeys.field([]byte(k)); got != cfOther {
			t.Errorf("%q: field %d, want none", k, got)
		}
	}
}

func TestInternKeepsValue(t *testing.T) {
	for _, tc := range []struct {
		f  func(string) string
		in []string
	}{
		{internMethod, []string{"GET", "POST", "OPTIONS", "get", "BREW", ""}},
		{internProtocol, []string{"HTTP/1.1", "HTTP/2", "HTTP/3", "SPDY/3", ""}},
		{internCacheStatus, []string{"hit", "miss", "dynamic", "HIT", "weird", ""}},
		{internColo, []string{"LHR", "AAA", "ZZZ", "lhr", "LH", "LHRX", "L1R", "", "\xff\xff\xff"}},
	} {
		for _, s := range tc.in {
			if got := tc.f(string([]byte(s))); got != s {
				t.Errorf("intern(%q) = %q", s, got)
			}
		}
	}
}
