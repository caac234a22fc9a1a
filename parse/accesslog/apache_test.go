package accesslog

import (
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func TestApache(t *testing.T) {
	t0 := clf("10/Oct/2000:13:55:36 -0700")
	tests := []struct {
		name, format, line string
		want               parse.Record
	}{
		{
			name:   "common as in the issue",
			format: `%h %l %u %t \"%r\" %>s %b`,
			line:   `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
			want: expect(func(r *parse.Record) {
				r.Time, r.ClientIP, r.Method, r.Path, r.Protocol, r.Status, r.Bytes = t0, "127.0.0.1", "GET", "/apache_pb.gif", "HTTP/1.0", 200, 2326
			}),
		},
		{
			name:   "Debian combined with %O, %b dash",
			format: `LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined`,
			line:   `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "HEAD / HTTP/1.1" 304 180 "http://x/" "Wget/1.21"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.ClientIP, r.Method, r.Path, r.Protocol, r.Status, r.Bytes = t0, "127.0.0.1", "HEAD", "/", "HTTP/1.1", 304, 180
				r.Referer, r.UserAgent = "http://x/", "Wget/1.21"
			}),
		},
		{
			name: "headers, %D wins over %T, %{c}a loses to CF-Connecting-IP, Operation-Location wins",
			format: `%v:%p %{c}a %a [%{%d/%b/%Y:%H:%M:%S %z}t] "%m %U%q %H" %s %>s %B %T %D "%{CF-Ray}i" "%{X-Request-ID}i" ` +
				`"%{cf-connecting-ip}i" "%{Location}o" "%{Operation-Location}o" %L %X %I %O %{UNIQUE_ID}e %%`,
			line: `api.example.com:443 172.68.1.1 10.9.9.9 [10/Oct/2000:13:55:36 -0700] "POST /jobs?x=1 HTTP/1.1" 200 202 0 2 1500000 "8a1b2c3d4e5f6a7b-FRA" "rid-1" ` +
				`"198.51.100.2" "/jobs/1" "https://api.example.com/ops/1" YmFzZQ + 512 700 Zabc %`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Host, r.ClientIP, r.Method, r.Path, r.Query, r.Protocol = t0, "api.example.com", "198.51.100.2", "POST", "/jobs", "x=1", "HTTP/1.1"
				r.Status, r.Bytes, r.Duration = 202, 0, 1500*time.Millisecond
				r.RequestID, r.POP, r.StatusLocation = "8a1b2c3d4e5f6a7b", "FRA", "https://api.example.com/ops/1"
			}),
		},
		{
			name:   "dashes fall back: %a, X-Request-ID, Location; %{ms}T; %V over %v; Host header wins",
			format: `%v %V \"%{Host}i\" %h %a %t \"%r\" %>s %b %{ms}T \"%{CF-Ray}i\" \"%{X-Request-ID}i\" \"%{CF-Connecting-IP}i\" \"%{Location}o\" \"%{Operation-Location}o\"`,
			line:   `default www.example.com "shop.example.com:8080" 10.0.0.1 203.0.113.5 [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 302 - 35 "-" "rid-2" "-" "/login" "-"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Host, r.ClientIP, r.Method, r.Path, r.Protocol = t0, "shop.example.com", "203.0.113.5", "GET", "/x", "HTTP/1.1"
				r.Status, r.Bytes, r.Duration = 302, 0, 35*time.Millisecond
				r.RequestID, r.StatusLocation = "rid-2", "/login"
			}),
		},
		{
			name:   "msec_frac time pieces and %{us}T",
			format: `[%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] %s %{us}T \"%r\"`,
			line:   `[10/Oct/2000 13:55:36.042 -0700] 500 1234 "GET / HTTP/1.1"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.Duration, r.Method, r.Path, r.Protocol = t0+42e6, 500, 1234*time.Microsecond, "GET", "/", "HTTP/1.1"
			}),
		},
		{
			name:   "epoch seconds, ISO strftime, status conditions",
			format: `%{sec}t %{%Y-%m-%dT%H:%M:%S}t %!200,304{Referer}i %400,501>s`,
			line:   `971211336 2000-10-10T20:55:36 - 404`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status = t0, 404
			}),
		},
		{
			name:   "Retry-After response header in seconds; an HTTP-date is unknown",
			format: `%t %>s \"%{Retry-After}o\" \"%{Location}o\"`,
			line:   `[10/Oct/2000:13:55:36 -0700] 202 "7" "/jobs/1"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.RetryAfter, r.StatusLocation = t0, 202, 7*time.Second, "/jobs/1"
			}),
		},
		{
			name:   "Retry-After HTTP-date",
			format: `%t %>s \"%{retry-after}o\"`,
			line:   `[10/Oct/2000:13:55:36 -0700] 503 "Fri, 31 Dec 1999 23:59:59 GMT"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status = t0, 503
			}),
		},
		{
			name:   "msec epoch, escaped quote in agent",
			format: `%{msec}t %>s "%{User-agent}i"`,
			line:   `971211336250 200 "a \"b\" c"`,
			want: expect(func(r *parse.Record) {
				r.Time, r.Status, r.UserAgent = t0+250e6, 200, `a \"b\" c`
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewApache(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format() != "apache:"+tt.format {
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

// The Apache file's common and combined lines parse with their own formats.
func TestApacheRealData(t *testing.T) {
	common, err := NewApache(`%h %l %u %t \"%r\" %>s %b`)
	if err != nil {
		t.Fatal(err)
	}
	combined, err := NewApache(`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`)
	if err != nil {
		t.Fatal(err)
	}
	recs := parseAll(t, combined, "apache_combined_lnav_logfile_access_log.0.log")
	if r := recs[1]; r.ClientIP != "192.168.202.254" || r.Status != 404 || r.Bytes != 46210 || r.UserAgent != "gPXE/0.9.7" ||
		r.Time != clf("20/Jul/2009:22:59:29 +0000") {
		t.Errorf("line 2: %+v", r)
	}
	var rec parse.Record
	line := []byte(`::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -`)
	if err := common.Parse(line, &rec); err != nil || rec.Status != 408 || rec.Bytes != 0 || rec.Method != "" {
		t.Errorf("dash request: %v %+v", err, rec)
	}
}

func TestApacheCompileErrors(t *testing.T) {
	tests := []struct{ format, want string }{
		{``, "empty format"},
		{`%h %t %Z`, "unknown directive"},
		{`%h %t %{Referer`, "unterminated"},
		{`%h %t %`, "ends inside"},
		{`%h \"%r\"`, "no time"},
		{`%h %t`, "no status"},
		{`%{%Q}t %s`, "not supported"},
		{`%t %s%b`, "nothing between them"},
	}
	for _, tt := range tests {
		_, err := NewApache(tt.format)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewApache(%q) error = %v, want it to mention %q", tt.format, err, tt.want)
		}
	}
}

func TestApacheMalformed(t *testing.T) {
	p, err := NewApache(`%h %l %u %t \"%r\" %>s %b %D`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, line, reason string }{
		{"no brackets", `1.2.3.4 - - 10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.0" 200 1 5`, "format text not found after a field"},
		{"bad time", `1.2.3.4 - - [10/Oct/2000:25:55:36 -0700] "GET / HTTP/1.0" 200 1 5`, "bad timestamp"},
		{"bad status", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 99 1 5`, "bad status"},
		{"bad micros", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 1.5`, "bad duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec parse.Record
			if got := reasonOf(t, p.Parse([]byte(tt.line), &rec)); got != tt.reason {
				t.Errorf("reason = %q, want %q", got, tt.reason)
			}
		})
	}
}
