package accesslog

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// ingressUpstreamInfo is ingress-nginx's default "upstreaminfo" log_format.
const ingressUpstreamInfo = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`

// readLines returns a testdata file's lines without line endings (the last
// line may lack a newline).
func readLines(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return lines
}

// parseAll parses every line of a file with p, failing on any error, and
// returns the records.
func parseAll(t *testing.T, p parse.Parser, name string) []parse.Record {
	t.Helper()
	var recs []parse.Record
	for i, line := range readLines(t, name) {
		var rec parse.Record
		if err := p.Parse(line, &rec); err != nil {
			t.Errorf("%s line %d: %v\n%s", name, i+1, err, line)
			continue
		}
		if (rec.Status != 0 && rec.Status < 100) || rec.Status > 999 || rec.Time == 0 || rec.Source != parse.SourceOrigin {
			t.Errorf("%s line %d: implausible record %+v", name, i+1, rec)
		}
		if !viewsOfLine(&rec, line) {
			t.Errorf("%s line %d: a field is not taken from the line: %+v", name, i+1, rec)
		}
		recs = append(recs, rec)
	}
	return recs
}

func TestRealDataNCSA(t *testing.T) {
	files := map[string]int{
		"nginx_combined_elastic_test-access.log":               14,
		"apache_access_elastic_test-access-basic.log":          17, // no final newline
		"apache_combined_lnav_logfile_access_log.0.log":        3,
		"nginx_ingress_controller_elastic_test-ingest-raw.log": 24,
		"nginx_vhost_xff_elastic_test-test-with-host.log":      10,
		"traefik_clf_elastic_test-format-common.log":           8,
		"ncsa_lnav_logfile_bad_access_log.0.log":               3, // line 2 lacks ident and user
	}
	p, _ := New(Combined)
	got := map[string][]parse.Record{}
	for name, n := range files {
		recs := parseAll(t, p, name)
		if len(recs) != n {
			t.Errorf("%s: %d records, want %d", name, len(recs), n)
		}
		got[name] = recs
	}

	nginx := got["nginx_combined_elastic_test-access.log"]
	if r := nginx[12]; r.Host != "lessons.example.com" || r.ClientIP != "192.168.0.1" || r.Status != 206 ||
		r.Bytes != 7648063 || r.Time != clf("09/Jun/2020:12:10:39 -0700") {
		t.Errorf("nginx vhost line: %+v", r)
	}
	if r := nginx[9]; r.Status != 304 || r.Bytes != 0 || r.UserAgent != "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 Firefox/49.0" {
		t.Errorf("nginx 304 line: %+v", r)
	}

	apache := got["apache_access_elastic_test-access-basic.log"]
	checks := []struct {
		i    int
		want func(r parse.Record) bool
	}{
		{2, func(r parse.Record) bool { return r.Method == "" && r.Status == 408 && r.Bytes == 0 }},
		{3, func(r parse.Record) bool {
			return r.Time == clf("29/May/2017:19:02:48 +0000") && r.Path == "/stringpatch"
		}},
		{7, func(r parse.Record) bool {
			return r.ClientIP == "89.160.20.112" && r.Status == 200 && r.UserAgent != ""
		}},
		{10, func(r parse.Record) bool { return r.Bytes == 612 && r.UserAgent != "" && r.Referer == "" }},
		{12, func(r parse.Record) bool {
			return r.ClientIP == "127.0.0.1" && r.Path == "/apache_pb.gif" && r.Bytes == 2326
		}},
		{14, func(r parse.Record) bool {
			return r.Host == "127.0.1.1" && r.ClientIP == "127.0.0.1" && r.Method == "" && r.Status == 400
		}},
		{15, func(r parse.Record) bool { return r.Method == "" && r.Status == 400 && r.Bytes == 226 }},
	}
	for _, c := range checks {
		if !c.want(apache[c.i]) {
			t.Errorf("apache line %d: %+v", c.i+1, apache[c.i])
		}
	}
	if last := apache[len(apache)-1]; last.Time != clf("22/May/2024:08:21:14 +0300") || last.Status != 400 {
		t.Errorf("apache last line (no newline): %+v", last)
	}

	wantVariants := map[string][]string{
		"apache_access_elastic_test-access-basic.log": {Common, Combined, Common, Combined, Combined, Combined,
			Combined, Combined, Combined, Combined, Combined, Combined, Common, Combined, VhostCombined, Combined, Common},
	}
	for name, want := range wantVariants {
		lines := readLines(t, name)
		if len(lines) != len(want) {
			t.Fatalf("%s: %d lines, want %d", name, len(lines), len(want))
		}
		for i, line := range lines {
			if v := Variant(line); v != want[i] {
				t.Errorf("%s line %d: Variant %q, want %q", name, i+1, v, want[i])
			}
		}
	}
}

func TestRealDataIngressNginx(t *testing.T) {
	p, err := NewNginx(ingressUpstreamInfo)
	if err != nil {
		t.Fatal(err)
	}
	recs := parseAll(t, p, "nginx_ingress_controller_elastic_test-ingest-raw.log")
	if len(recs) != 24 {
		t.Fatalf("%d records, want 24", len(recs))
	}
	first := expect(func(r *parse.Record) {
		r.Time = clf("07/Feb/2020:11:48:51 +0000")
		r.ClientIP, r.Method, r.Path, r.Protocol, r.UserAgent = "192.168.64.1", "POST", "/products", "HTTP/1.1", "curl/7.54.0"
		r.Status, r.Bytes, r.Duration = 200, 59, 1e6
		r.Upstream, r.OriginStatus, r.RequestID = "172.17.0.5:8080", 200, "529a007902362a5f51385a5fa7049884"
	})
	if d := diffRecords(recs[0], first); d != "" {
		t.Errorf("line 1:%s", d)
	}
	// No upstream contacted: "- - - -".
	if r := recs[4]; r.Method != "PATCHp" || r.Status != 400 || r.Upstream != "" || r.OriginStatus != 0 || r.UserAgent != "" {
		t.Errorf("line 5: %+v", r)
	}
	if r := recs[18]; r.Query != "address=delhi+technological+university" || r.Path != "/products/42" {
		t.Errorf("line 19: %+v", r)
	}
	if r := recs[22]; r.Upstream != "[2a02:cf40::]:9200" || r.Duration != 33e6 || r.ClientIP != "2a02:cf40::" {
		t.Errorf("line 23: %+v", r)
	}
	// Retried upstream: the last entry of each list is the one that answered.
	last := recs[23]
	if last.Upstream != "[2a02:cf40::4e36]:5000" || last.OriginStatus != 403 || last.Status != 502 ||
		last.Protocol != "HTTP/2.0" || last.RequestID != "3db73c6c673c4256ade033a6ce08c2ab" || last.Duration != 0 {
		t.Errorf("retried line: %+v", last)
	}
}

// TestRealDataRelatives checks, line by line, the files whose lines are NCSA
// relatives (read by the fallbacks): the values were read off the lines by
// hand.
func TestRealDataRelatives(t *testing.T) {
	p, _ := New(Combined)
	type want struct{ host, client, peer string }
	hosts := parseAll(t, p, "nginx_vhost_xff_elastic_test-test-with-host.log")
	wantHosts := []want{
		{"example.com", "10.0.0.2", ""},               // list
		{"example.com", "172.17.0.1", ""},             // extra "-" after the agent
		{"example.com", "10.0.0.2", ""},               // list
		{"example.com", "67.43.156.14", ""},           // vhost:port
		{"example.com", "10.5.102.222", "10.2.1.185"}, // quoted list, then the peer
		{"67.43.156.15", "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6", "10.2.2.121"},
		{"67.43.156.15", "127.0.0.1", ""}, // request "" with 400
		{"example.com", "unix:", ""},      // request "hello" with 400
		{"67.43.156.15", "localhost", ""},
		{"example.com", "localhost", ""}, // "localhost, localhost"
	}
	for i, w := range wantHosts {
		if i >= len(hosts) {
			break
		}
		r := hosts[i]
		if r.Host != w.host || r.ClientIP != w.client || r.PeerIP != w.peer {
			t.Errorf("with-host line %d: host %q client %q peer %q, want %+v", i+1, r.Host, r.ClientIP, r.PeerIP, w)
		}
	}
	if r := hosts[6]; r.Status != 400 || r.Method != "" || r.Bytes != 0 {
		t.Errorf("with-host line 7: %+v", r)
	}

	traefik := parseAll(t, p, "traefik_clf_elastic_test-format-common.log")
	type tw struct {
		upstream string
		ms       int64
		agent    string
	}
	wantTraefik := []tw{
		{"172.19.0.3:5601", 2, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/61.0.3163.100 Safari/537.36"},
		{"172.19.0.3:5601", 3, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/61.0.3163.100 Safari/537.36"},
		{"172.19.0.6:14008", 247, "Mozilla/5.0 (iPhone; CPU iPhone OS 11_2_5 like Mac OS X) AppleWebKit/604.5.6 (KHTML, like Gecko) Version/11.0 Mobile/15D60 Safari/604.1"},
		{"", 0, "curl/7.62.0"}, // "backend not found" "/"
		{"172.25.0.9:4140", 13, "Android"},
		{"172.25.0.6:4140", 8, "Android"},
		{"", -1, ""}, // plain common line
		{"", 0, ""},  // status and size "-"
	}
	for i, w := range wantTraefik {
		if i >= len(traefik) {
			break
		}
		r := traefik[i]
		ms := int64(-1)
		if r.Duration != parse.Unknown {
			ms = r.Duration.Milliseconds()
		}
		if r.Upstream != w.upstream || ms != w.ms || r.UserAgent != w.agent {
			t.Errorf("traefik line %d: upstream %q duration %dms agent %q, want %+v", i+1, r.Upstream, ms, r.UserAgent, w)
		}
	}
	if r := traefik[7]; r.Status != 0 || r.Bytes != 0 || r.Path != "/" {
		t.Errorf("traefik line 8 (status -): %+v", r)
	}
	if r := traefik[2]; r.Referer != "" {
		t.Errorf("traefik line 3: unquoted - referer read as %q", r.Referer)
	}
}
