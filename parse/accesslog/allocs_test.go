package accesslog

import (
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// TestZeroAllocs checks every parser kind stays allocation-free per line,
// including the Retry-After and strftime paths the benchmarks do not cover.
func TestZeroAllocs(t *testing.T) {
	combined, _ := New(Combined)
	nginx, err := NewNginx(`$remote_addr [$time_local] "$request" $status $body_bytes_sent ra="$sent_http_retry_after" ura="$upstream_http_retry_after" loc="$sent_http_location"`)
	if err != nil {
		t.Fatal(err)
	}
	apache, err := NewApache(`%h [%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] \"%r\" %>s %b \"%{Retry-After}o\"`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		p     parse.Parser
		line  string
		check func(r *parse.Record) bool
	}{
		{"combined", combined, `10.0.0.1 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"`,
			func(r *parse.Record) bool { return r.Status == 200 }},
		{"forwarded list, quoted, with peer", combined, `example.com:80 "10.5.102.222, 199.96.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET / HTTP/1.1" 200 25 "-" "CF"`,
			func(r *parse.Record) bool { return r.ClientIP == "10.5.102.222" && r.PeerIP == "10.2.1.185" }},
		{"traefik CLF, status -", combined, `::1 - - [15/Apr/2024:13:04:10 +0000] "GET / HTTP/1.1" - - "-" "-" 27 "-" "-" 0ms`,
			func(r *parse.Record) bool { return r.Status == 0 && r.Duration == 0 }},
		{"traefik CLF, dash referer", combined, `89.160.20.156 - - [28/Feb/2018:17:30:33 +0000] "GET /en/ HTTP/2.0" 200 2814 - "ua" 13 "r" "http://172.19.0.6:14008" 247ms`,
			func(r *parse.Record) bool { return r.Upstream == "172.19.0.6:14008" && r.UserAgent == "ua" }},
		{"nginx format, combined line (fallback)", nginx, `10.0.0.1 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"`,
			func(r *parse.Record) bool { return r.Status == 200 && r.UserAgent == "curl/8" }},
		{"nginx retry-after", nginx, `10.0.0.1 [01/May/2024:08:00:01 +0000] "POST /jobs HTTP/1.1" 202 5 ra="-" ura="10, 20" loc="/jobs/1"`,
			func(r *parse.Record) bool { return r.RetryAfter == 20*time.Second && r.StatusLocation == "/jobs/1" }},
		{"nginx retry-after date", nginx, `10.0.0.1 [01/May/2024:08:00:01 +0000] "POST /jobs HTTP/1.1" 503 5 ra="Wed, 21 Oct 2015 07:28:00 GMT" ura="-" loc="-"`,
			func(r *parse.Record) bool { return r.RetryAfter == parse.Unknown && r.Status == 503 }},
		{"apache strftime and retry-after", apache, `10.0.0.1 [01/May/2024 08:00:01.250 +0200] "GET / HTTP/1.1" 429 0 "30"`,
			func(r *parse.Record) bool { return r.RetryAfter == 30*time.Second && r.Status == 429 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := []byte(tt.line)
			var r parse.Record
			allocs := testing.AllocsPerRun(50, func() {
				if err := tt.p.Parse(line, &r); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocs per line, want 0", allocs)
			}
			if !tt.check(&r) {
				t.Errorf("%+v", r)
			}
		})
	}
}
