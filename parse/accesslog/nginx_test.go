package accesslog

import (
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

const cfFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ` +
	`host=$host cfip=$http_cf_connecting_ip ray=$http_cf_ray rid=$request_id xrid=$http_x_request_id ` +
	`ua="$upstream_addr" us="$upstream_status" rt=$request_time urt="$upstream_response_time" uht="$upstream_header_time" ` +
	`uct="$upstream_connect_time" cs=$upstream_cache_status loc="$sent_http_location" oploc="$sent_http_operation_location"`

func TestNginx(t *testing.T) {
	t0 := clf("01/May/2024:08:00:01 +0000")
	tests := []struct {
		name, format, line string
		want               parse.Record
	}{
		{
			name:   "combined",
			format: `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
			line:   `10.1.2.3 - bob [01/May/2024:08:00:01 +0000] "GET /a?b=c HTTP/1.1" 200 5 "-" "curl/8"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.ClientIP, r.Method, r.Path, r.Query, r.Protocol = t0, "10.1.2.3", "GET", "/a", "b=c", "HTTP/1.1"
				r.Status, r.Bytes, r.UserAgent = 200, 5, "curl/8"
			}),
		},
		{
			name:   "behind Cloudflare: CF-Connecting-IP, CF-Ray wins over request ids, lists, timings",
			format: cfFormat,
			line: `172.68.1.1 - - [01/May/2024:08:00:01 +0000] "POST /api/jobs HTTP/2.0" 202 17 "-" "client/1" ` +
				`host=api.example.com cfip=198.51.100.4 ray=8a1b2c3d4e5f6a7b-AMS rid=0f0e0d0c xrid=req-77 ` +
				`ua="10.0.0.1:80, 10.0.0.2:80 : 10.0.1.9:8080" us="502, 504 : 202" rt=1.250 urt="0.500, 0.250 : 0.400" uht="0.001, 0.002 : 0.390" ` +
				`uct="0.010, 0.020 : 0.000" cs=MISS loc="/api/jobs/1" oploc="https://api.example.com/ops/1"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.ClientIP, r.Host, r.Method, r.Path, r.Protocol = t0, "198.51.100.4", "api.example.com", "POST", "/api/jobs", "HTTP/2.0"
				r.Status, r.Bytes, r.UserAgent = 202, 17, "client/1"
				r.RequestID, r.POP = "8a1b2c3d4e5f6a7b", "AMS"
				r.Upstream, r.OriginStatus = "10.0.1.9:8080", 202
				r.Duration, r.OriginHeaderTime, r.OriginConnectTime = 1250*time.Millisecond, 390*time.Millisecond, 0
				r.CacheStatus, r.StatusLocation = "miss", "https://api.example.com/ops/1"
			}),
		},
		{
			name:   "behind Cloudflare with dashes: peer address, x-request-id, Location",
			format: cfFormat,
			line: `172.68.1.1 - - [01/May/2024:08:00:01 +0000] "GET /x HTTP/1.1" 520 0 "-" "-" ` +
				`host=api.example.com cfip=- ray=- rid=0f0e0d0c xrid=req-77 ` +
				`ua="-" us="-" rt=0.000 urt="-" uht="-" uct="-" cs=- loc="/api/jobs/1" oploc="-"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.ClientIP, r.Host, r.Method, r.Path, r.Protocol = t0, "172.68.1.1", "api.example.com", "GET", "/x", "HTTP/1.1"
				r.Status, r.Bytes, r.Duration = 520, 0, 0
				r.RequestID, r.OriginStatus, r.StatusLocation = "req-77", 0, "/api/jobs/1"
			}),
		},
		{
			name:   "upstream_response_time is the duration only without request_time",
			format: `[$time_local] $status "$upstream_addr" $upstream_response_time $upstream_cache_status $request_id`,
			line:   `[01/May/2024:08:00:01 +0000] 504 "10.0.0.1:80, 10.0.0.2:80" 1.500, 0.250 STALE abc`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.Upstream = t0, 504, "10.0.0.2:80"
				r.Duration, r.CacheStatus, r.RequestID = 1750*time.Millisecond, "stale", "abc"
			}),
		},
		{
			name:   "${var} syntax, time_iso8601, request_uri, http_host with port",
			format: `${time_iso8601}|${status}|${request_method}|${request_uri}|${http_host}|${server_protocol}|${bytes_sent}`,
			line:   `2024-05-01T10:00:01+02:00|201|PUT|/items/9?force=1|shop.example.com:8443|HTTP/1.1|330`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.Method, r.Path, r.Query = t0, 201, "PUT", "/items/9", "force=1"
				r.Host, r.Protocol, r.Bytes = "shop.example.com", "HTTP/1.1", 330
			}),
		},
		{
			name:   "msec, uri and args, server_name",
			format: `$msec $status $uri $args $server_name`,
			line:   `1714550401.250 200 /search q=go example.com`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.Path, r.Query, r.Host = t0+250e6, 200, "/search", "q=go", "example.com"
			}),
		},
		{
			name:   "default escaping: \\x22 does not end a quoted field",
			format: `[$time_local] "$request" $status "$http_user_agent" "$http_referer"`,
			line:   `[01/May/2024:08:00:01 +0000] "GET /q HTTP/1.1" 200 "a \x22quoted\x22 agent" "-"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Method, r.Path, r.Protocol, r.Status = t0, "GET", "/q", "HTTP/1.1", 200
				r.UserAgent = `a \x22quoted\x22 agent`
			}),
		},
		{
			name:   "escape=json pasted from nginx.conf",
			format: "log_format edge escape=json\n  '{\"time\":\"$time_iso8601\",\"status\":$status,'\n  '\"ua\":\"$http_user_agent\",\"ray\":\"$http_cf_ray\"}';",
			line:   `{"time":"2024-05-01T08:00:01Z","status":503,"ua":"say \"hi\" \\","ray":"7f00aa-LHR"}`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.UserAgent, r.RequestID, r.POP = t0, 503, `say \"hi\" \\`, "7f00aa", "LHR"
			}),
		},
		{
			name:   "adjacent variables split before the path, unknown variables skipped, trailing text ignored",
			format: `$time_iso8601 $scheme://$host$request_uri $status $connection $pipe`,
			line:   `2024-05-01T08:00:01Z https://a.example.com/p?x=1 200 123 . extra fields from a newer format`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Host, r.Path, r.Query, r.Status = t0, "a.example.com", "/p", "x=1", 200
			}),
		},
		{
			name:   "Retry-After seconds: sent_http wins over upstream_http, whatever the order",
			format: `[$time_local] $status ura="$upstream_http_retry_after" ra="$sent_http_retry_after"`,
			line:   `[01/May/2024:08:00:01 +0000] 202 ura="30" ra="5"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.RetryAfter = t0, 202, 5*time.Second
			}),
		},
		{
			name:   "Retry-After dash falls back to the upstream's (last of a retry list)",
			format: `[$time_local] $status ra="$sent_http_retry_after" ura="$upstream_http_retry_after"`,
			line:   `[01/May/2024:08:00:01 +0000] 503 ra="-" ura="-, 120"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.RetryAfter = t0, 503, 120*time.Second
			}),
		},
		{
			name:   "Retry-After as an HTTP-date is left unknown, the line still parses",
			format: `[$time_local] $status "$sent_http_retry_after" $request_id`,
			line:   `[01/May/2024:08:00:01 +0000] 503 "Wed, 21 Oct 2015 07:28:00 GMT" abc`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.RequestID = t0, 503, "abc"
			}),
		},
		{
			name:   "unquoted time_local and cache status kept when unknown",
			format: `$time_local $status $upstream_cache_status`,
			line:   `01/May/2024:08:00:01 +0000 200 Custom`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.CacheStatus = t0, 200, "Custom"
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewNginx(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format() != "nginx:"+tt.format {
				t.Errorf("Format() = %q", p.Format())
			}
			var rec parse.Record
			if err := p.Parse([]byte(tt.line), &rec); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d := diffRecords(rec, tt.want); d != "" {
				t.Errorf("record differs:%s", d)
			}
		})
	}
}

func TestNginxMalformed(t *testing.T) {
	const format = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time`
	p, err := NewNginx(format)
	if err != nil {
		t.Fatal(err)
	}
	good := `1.2.3.4 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" 0.001`
	var rec parse.Record
	if err := p.Parse([]byte(good), &rec); err != nil {
		t.Fatalf("good line: %v", err)
	}
	tests := []struct{ name, line, reason string }{
		{"json", `{"status":200}`, "format text not found after a field"},
		{"text mismatch", `1.2.3.4 - - {01/May/2024:08:00:01 +0000} "GET / HTTP/1.1" 200 1 "-" "ua" 0.001`, "format text not found after a field"},
		{"bad time", `1.2.3.4 - - [01/Mai/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" 0.001`, "bad timestamp"},
		{"bad status", `1.2.3.4 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 20x 1 "-" "ua" 0.001`, "bad status"},
		{"bad bytes", `1.2.3.4 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 x "-" "ua" 0.001`, "bad byte count"},
		{"bad duration", `1.2.3.4 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" soon`, "bad duration"},
		{"unterminated quote", `1.2.3.4 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua 0.001`, "unterminated quoted field"},
		{"wrong first literal", `x`, "format text not found after a field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Parse([]byte(tt.line), &rec)
			if got := reasonOf(t, err); got != tt.reason {
				t.Errorf("reason = %q, want %q", got, tt.reason)
			}
		})
	}
	// A line of another shape that NCSA reads is a record (the fallback),
	// without the fields only the format has.
	if err := p.Parse([]byte(`1.2.3.4 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`), &rec); err != nil ||
		rec.Status != 200 || rec.UserAgent != "ua" || rec.Duration != parse.Unknown {
		t.Errorf("combined line without the extra field: %v %+v", err, rec)
	}
	// A format that starts with text rejects lines that do not.
	q, _ := NewNginx(`ts=$msec st=$status`)
	if got := reasonOf(t, q.Parse([]byte(`st=200 ts=1`), &rec)); got != "line does not match the format's fixed text" {
		t.Errorf("prefix mismatch reason = %q", got)
	}
}

func TestNginxCompileErrors(t *testing.T) {
	tests := []struct{ format, want string }{
		{``, "empty format"},
		{`$remote_addr [$time_local] "$request"`, "no status"},
		{`$remote_addr $status`, "no time"},
		{`[$time_local] $status$body_bytes_sent`, "nothing between them"},
		{`log_format main '$status [$time_local]`, "unterminated"},
	}
	for _, tt := range tests {
		_, err := NewNginx(tt.format)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewNginx(%q) error = %v, want it to mention %q", tt.format, err, tt.want)
		}
	}
}

// A parser reused across lines keeps nothing of the previous line, and CRLF
// endings and a byte order mark do not change the record.
func TestParsersResetAndTrim(t *testing.T) {
	rich := `172.68.1.1 - - [01/May/2024:08:00:01 +0000] "POST /api/jobs?x=1 HTTP/2.0" 202 17 "http://r/" "client/1" ` +
		`host=api.example.com cfip=198.51.100.4 ray=8a1b2c3d4e5f6a7b-AMS rid=0f0e0d0c xrid=req-77 ` +
		`ua="10.0.0.1:80" us="202" rt=1.250 urt="0.500" uht="0.001" uct="0.010" cs=HIT loc="/a" oploc="/b"`
	sparse := `172.68.1.2 - - [01/May/2024:08:00:02 +0000] "-" 400 0 "-" "-" ` +
		`host=- cfip=- ray=- rid=- xrid=- ua="-" us="-" rt=- urt="-" uht="-" uct="-" cs=- loc="-" oploc="-"`
	p, err := NewNginx(cfFormat)
	if err != nil {
		t.Fatal(err)
	}
	var rec parse.Record
	for _, line := range []string{rich, "\xef\xbb\xbf" + sparse + "\r"} {
		if err := p.Parse([]byte(line), &rec); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
	}
	want := expect(func(r *parse.Record) {
		r.Time, r.ClientIP, r.Status, r.Bytes, r.OriginStatus = clf("01/May/2024:08:00:02 +0000"), "172.68.1.2", 400, 0, 0
	})
	if d := diffRecords(rec, want); d != "" {
		t.Errorf("nginx record after reuse differs:%s", d)
	}

	n, _ := New(Combined)
	for _, line := range []string{
		`v.example.com 1.2.3.4 - - [01/May/2024:08:00:01 +0000] "GET /a?b HTTP/1.1" 200 5 "http://r/" "ua"`,
		"\xef\xbb\xbf1.2.3.5 - - [01/May/2024:08:00:02 +0000] \"-\" 408 -\r",
	} {
		if err := n.Parse([]byte(line), &rec); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
	}
	want = expect(func(r *parse.Record) {
		r.Time, r.ClientIP, r.Status, r.Bytes = clf("01/May/2024:08:00:02 +0000"), "1.2.3.5", 408, 0
	})
	if d := diffRecords(rec, want); d != "" {
		t.Errorf("NCSA record after reuse differs:%s", d)
	}
}
