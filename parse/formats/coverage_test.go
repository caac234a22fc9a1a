package formats

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// realFiles lists every real file in testdata with the counts a person got
// by reading its lines: requests (records), and lines that are not requests
// (headers, load-balancer connection lines, HAProxy events). Detection and
// parsing must find exactly these.
var realFiles = []struct {
	file, family, format string
	records, ignored     int
}{
	{"apache_access_elastic_test-access-basic.log", "combined", "combined", 17, 0},
	{"apache_combined_lnav_logfile_access_log.0.log", "combined", "combined", 3, 0},
	{"nginx_combined_elastic_test-access.log", "combined", "combined", 14, 0},
	{"ncsa_lnav_logfile_bad_access_log.0.log", "combined", "combined", 3, 0},
	{"nginx_vhost_xff_elastic_test-test-with-host.log", "vhost-prefixed", "vhost_combined", 10, 0},
	{"nginx_ingress_controller_elastic_test-ingest-raw.log", "ingress-nginx", "nginx:" + ingressNginx, 24, 0},
	{"traefik_clf_elastic_test-format-common.log", "Traefik CLF", "combined", 8, 0},
	{"traefik_json_elastic_test-format-json.log", "Traefik JSON", "json", 7, 0},
	// docker compose logs of Caddy: 4 access-log requests among 35 of
	// Caddy's own messages (start-up, TLS maintenance, shutdown).
	{"caddy_compose_lnav_logfile_caddy_log.0.log", "Caddy JSON", "compose+json", 4, 35},
	{"aws_cloudfront_standard_elastic_test-cloudfront.log", "CloudFront", "cloudfront", 12, 2},
	{"cloudflare_logpull_http_elastic_test-http-json.ndjson", "Cloudflare", "cloudflare", 4, 0},
	{"cloudflare_logpush_http_requests_elastic_tf_test-http-request.ndjson", "Cloudflare", "cloudflare", 2, 0},
	{"cloudflare_logpush_http_requests_lnav_logfile_cloudflare.json", "Cloudflare", "cloudflare", 1, 0},
	{"aws_alb_elastic_test-alb.log", "AWS ALB", "alb", 3, 7},
	{"haproxy_elastic_test-haproxy.log", "HAProxy", "haproxy", 4, 0},
	{"haproxy_elastic_test-httplog-no-headers.log", "HAProxy", "haproxy", 3, 0},
	{"haproxy_elastic_test-haproxy-bad-req.log", "HAProxy", "haproxy", 1, 0},
	{"haproxy_elastic_test-https.log", "HAProxy", "haproxy", 1, 0},
	{"haproxy_lnav_logfile_haproxy.0.log", "HAProxy", "haproxy", 13, 4},
}

// TestRealDataCoverage detects and parses every real file as the reader
// would, and prints the table of records parsed per format family
// (go test -run Coverage -v). The issue asks for >= 95% overall and >= 90%
// per family; with the counts checked by hand, every record must parse.
func TestRealDataCoverage(t *testing.T) {
	type tally struct{ files, parsed, records int }
	families := map[string]*tally{}
	var all tally
	for _, f := range realFiles {
		lines := fileLines(t, f.file)
		p, err := Detect(lines)
		if err != nil {
			t.Errorf("%s: %v", f.file, err)
			continue
		}
		if p.Format() != f.format {
			t.Errorf("%s: detected %q, want %q", f.file, short(p.Format()), short(f.format))
		}
		parsed, ignored, malformed, reasons := counts(t, p, lines)
		if parsed != f.records || ignored != f.ignored || malformed != 0 {
			t.Errorf("%s: parsed %d ignored %d malformed %d, want %d, %d, 0: %v", f.file, parsed, ignored, malformed, f.records, f.ignored, reasons)
		}
		fam := families[f.family]
		if fam == nil {
			fam = &tally{}
			families[f.family] = fam
		}
		fam.files++
		fam.parsed += min(parsed, f.records)
		fam.records += f.records
		all.files++
		all.parsed += min(parsed, f.records)
		all.records += f.records
	}
	names := make([]string, 0, len(families))
	for name := range families {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("| format family | files | records parsed / records |\n|---|---|---|\n")
	for _, name := range names {
		f := families[name]
		fmt.Fprintf(&b, "| %s | %d | %d/%d |\n", name, f.files, f.parsed, f.records)
		if f.parsed*10 < f.records*9 {
			t.Errorf("%s: %d of %d records parsed, under 90%%", name, f.parsed, f.records)
		}
	}
	fmt.Fprintf(&b, "| all | %d | %d/%d |\n", all.files, all.parsed, all.records)
	if all.parsed*100 < all.records*95 {
		t.Errorf("%d of %d records parsed, under 95%%", all.parsed, all.records)
	}
	t.Log("\n" + b.String())
}

// TestRealDataCaddy checks the fields of Caddy's access-log lines inside
// docker compose output, read off the lines by hand.
func TestRealDataCaddy(t *testing.T) {
	lines := fileLines(t, "caddy_compose_lnav_logfile_caddy_log.0.log")
	p, err := Detect(lines)
	if err != nil {
		t.Fatal(err)
	}
	var recs []parse.Record
	for _, l := range lines {
		var r parse.Record
		if p.Parse(l, &r) == nil {
			recs = append(recs, r)
		}
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4", len(recs))
	}
	want := []struct {
		path     string
		status   int
		bytes    int64
		duration time.Duration
	}{
		{"/", 304, 0, 1674508}, {"/", 304, 0, 1239398}, {"/", 304, 0, 73140}, {"/index.html", 200, 188, 73649},
	}
	for i, w := range want {
		r := recs[i]
		if r.Path != w.path || r.Status != w.status || r.Bytes != w.bytes || r.Duration != w.duration ||
			r.Host != "localhost" || r.ClientIP != "172.19.0.1" || r.Method != "GET" || r.Protocol != "HTTP/1.1" ||
			!strings.HasPrefix(r.UserAgent, "Mozilla/5.0 (X11; Ubuntu") {
			t.Errorf("record %d: %+v, want %+v", i+1, r, w)
		}
	}
}
