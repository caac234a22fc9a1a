package accesslog

import (
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

const ua = "Mozilla/5.0 (X11; Linux x86_64)"

func TestNCSA(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		variant string
		want    parse.Record
	}{
		{
			name:    "common",
			line:    `127.0.0.1 user-identity frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
			variant: Common,
			want: expect(func(r *parse.Record) {
				r.Time = clf("10/Oct/2000:13:55:36 -0700")
				r.ClientIP, r.Method, r.Path, r.Protocol = "127.0.0.1", "GET", "/apache_pb.gif", "HTTP/1.0"
				r.Status, r.Bytes = 200, 2326
			}),
		},
		{
			name:    "combined with query",
			line:    `203.0.113.9 - - [01/May/2024:08:00:01 +0000] "POST /api/jobs?tenant=a&x=1 HTTP/2.0" 202 0 "https://example.com/app" "` + ua + `"`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("01/May/2024:08:00:01 +0000")
				r.ClientIP, r.Method, r.Path, r.Query, r.Protocol = "203.0.113.9", "POST", "/api/jobs", "tenant=a&x=1", "HTTP/2.0"
				r.Status, r.Bytes, r.Referer, r.UserAgent = 202, 0, "https://example.com/app", ua
			}),
		},
		{
			// The protocol's fast path takes the last 8 bytes only when no
			// space is among them: here the last space is inside them, and
			// what follows it is no protocol, so the target keeps it all.
			name:    "space inside the protocol",
			line:    `192.0.2.81 - - [01/May/2024:08:00:01 +0000] "GET /favicon.ico HTTP/1 1" 200 8`,
			variant: Common,
			want: expect(func(r *parse.Record) {
				r.Time = clf("01/May/2024:08:00:01 +0000")
				r.ClientIP, r.Method, r.Path = "192.0.2.81", "GET", "/favicon.ico HTTP/1 1"
				r.Status, r.Bytes = 200, 8
			}),
		},
		{
			name:    "vhost_combined with port",
			line:    `shop.example.com:443 198.51.100.7 - - [31/Jul/2023:23:59:59 +0200] "GET / HTTP/1.1" 520 0 "-" "-"`,
			variant: VhostCombined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("31/Jul/2023:23:59:59 +0200")
				r.Host, r.ClientIP, r.Method, r.Path, r.Protocol = "shop.example.com", "198.51.100.7", "GET", "/", "HTTP/1.1"
				r.Status, r.Bytes = 520, 0
			}),
		},
		{
			name:    "vhost without port, common tail",
			line:    `shop.example.com 198.51.100.7 - - [31/Jul/2023:23:59:59 +0200] "GET / HTTP/1.1" 200 12`,
			variant: VhostCombined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("31/Jul/2023:23:59:59 +0200")
				r.Host, r.ClientIP, r.Method, r.Path, r.Protocol = "shop.example.com", "198.51.100.7", "GET", "/", "HTTP/1.1"
				r.Status, r.Bytes = 200, 12
			}),
		},
		{
			name:    "IPv6 vhost with port",
			line:    `[2001:db8::1]:8443 2001:db8::2 - - [02/Jan/2024:01:02:03 +0000] "GET /x HTTP/1.1" 200 1 "-" "curl/8"`,
			variant: VhostCombined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("02/Jan/2024:01:02:03 +0000")
				r.Host, r.ClientIP, r.Method, r.Path, r.Protocol = "2001:db8::1", "2001:db8::2", "GET", "/x", "HTTP/1.1"
				r.Status, r.Bytes, r.UserAgent = 200, 1, "curl/8"
			}),
		},
		{
			name:    "dash request and dash bytes",
			line:    `::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -`,
			variant: Common,
			want: expect(func(r *parse.Record) {
				r.Time = clf("26/Dec/2016:16:16:48 +0200")
				r.ClientIP, r.Status, r.Bytes = "::1", 408, 0
			}),
		},
		{
			name:    "escaped TLS bytes as request",
			line:    `10.0.0.1 - - [13/Nov/2023:10:44:31 +0000] "\x16\x03\x03\x01\x8f\x01" 400 483 "-" "-"`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("13/Nov/2023:10:44:31 +0000")
				r.ClientIP, r.Status, r.Bytes = "10.0.0.1", 400, 483
			}),
		},
		{
			name:    `"\n" request with extra trailing field`,
			line:    `127.0.0.1 - - [22/May/2024:08:21:14 +0300] "\n" 400 226 98`,
			variant: Common,
			want: expect(func(r *parse.Record) {
				r.Time = clf("22/May/2024:08:21:14 +0300")
				r.ClientIP, r.Status, r.Bytes = "127.0.0.1", 400, 226
			}),
		},
		{
			name:    "escaped quote inside request and agent",
			line:    `10.0.0.1 - - [13/Nov/2023:10:44:31 +0000] "GET /a\"b HTTP/1.1" 404 0 "-" "say \"hi\""`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("13/Nov/2023:10:44:31 +0000")
				r.ClientIP, r.Method, r.Path, r.Protocol = "10.0.0.1", "GET", `/a\"b`, "HTTP/1.1"
				r.Status, r.Bytes, r.UserAgent = 404, 0, `say \"hi\"`
			}),
		},
		{
			name:    "unescaped quote inside request (old servers)",
			line:    `10.0.0.1 - - [13/Nov/2023:10:44:31 +0000] "GET /a"b HTTP/1.1" 404 7`,
			variant: Common,
			want: expect(func(r *parse.Record) {
				r.Time = clf("13/Nov/2023:10:44:31 +0000")
				r.ClientIP, r.Method, r.Path, r.Protocol = "10.0.0.1", "GET", `/a"b`, "HTTP/1.1"
				r.Status, r.Bytes = 404, 7
			}),
		},
		{
			name:    "trailing X-Forwarded-For and extras",
			line:    `10.0.0.1 - - [29/May/2017:19:02:48 +0000] "GET /s HTTP/1.1" 200 612 "-" "curl/7" X-Forwarded-For="10.0.0.2, 10.0.0.1" rt=0.001`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("29/May/2017:19:02:48 +0000")
				r.ClientIP, r.Method, r.Path, r.Protocol = "10.0.0.1", "GET", "/s", "HTTP/1.1"
				r.Status, r.Bytes, r.UserAgent = 200, 612, "curl/7"
			}),
		},
		{
			name:    "unquoted field before referer",
			line:    `10.0.0.1 - - [29/May/2017:19:02:48 +0000] "GET /s HTTP/1.1" 200 612 3413 "http://r/" "curl/7"`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("29/May/2017:19:02:48 +0000")
				r.ClientIP, r.Method, r.Path, r.Protocol = "10.0.0.1", "GET", "/s", "HTTP/1.1"
				r.Status, r.Bytes, r.Referer, r.UserAgent = 200, 612, "http://r/", "curl/7"
			}),
		},
		{
			name:    "status dash (Traefik: no response sent)",
			line:    `::1 - - [15/Apr/2024:13:04:10 +0000] "GET / HTTP/1.1" - - "-" "-"`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("15/Apr/2024:13:04:10 +0000")
				r.ClientIP, r.Method, r.Path, r.Protocol = "::1", "GET", "/", "HTTP/1.1"
				r.Status, r.Bytes = 0, 0
			}),
		},
		{
			name:    "forwarded list as the client",
			line:    `10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /o HTTP/1.1" 200 571 "-" "curl/7"`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("07/Dec/2016:11:05:07 +0100")
				r.ClientIP, r.Method, r.Path, r.Protocol = "10.0.0.2", "GET", "/o", "HTTP/1.1"
				r.Status, r.Bytes, r.UserAgent = 200, 571, "curl/7"
			}),
		},
		{
			name:    "vhost, quoted list, peer",
			line:    `example.com:80 "10.5.102.222, 199.96.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /a?q=1 HTTP/1.1" 200 25 "-" "CF"`,
			variant: VhostCombined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("22/Jan/2016:13:18:29 +0000")
				r.Host, r.ClientIP, r.PeerIP = "example.com", "10.5.102.222", "10.2.1.185"
				r.Method, r.Path, r.Query, r.Protocol = "GET", "/a", "q=1", "HTTP/1.1"
				r.Status, r.Bytes, r.UserAgent = 200, 25, "CF"
			}),
		},
		{
			name:    "quoted list and peer, no vhost",
			line:    `"10.5.102.222, 199.96.1.1" 10.2.1.185 - bob [22/Jan/2016:13:18:29 +0000] "GET / HTTP/1.1" 200 25`,
			variant: Common,
			want: expect(func(r *parse.Record) {
				r.Time = clf("22/Jan/2016:13:18:29 +0000")
				r.ClientIP, r.PeerIP = "10.5.102.222", "10.2.1.185"
				r.Method, r.Path, r.Protocol, r.Status, r.Bytes = "GET", "/", "HTTP/1.1", 200, 25
			}),
		},
		{
			name:    "vhost, unquoted IPv6 list, peer",
			line:    `67.43.156.15 2a02:cf40::1, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] "GET /t HTTP/1.1" 404 8 "-" "-"`,
			variant: VhostCombined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("30/Dec/2016:06:47:09 +0000")
				r.Host, r.ClientIP, r.PeerIP = "67.43.156.15", "2a02:cf40::1", "10.2.2.121"
				r.Method, r.Path, r.Protocol, r.Status, r.Bytes = "GET", "/t", "HTTP/1.1", 404, 8
			}),
		},
		{
			name:    "IPv6 vhost and a list",
			line:    `[2001:db8::1]:443 10.0.0.2, 10.0.0.1 - - [29/May/2017:19:02:48 +0000] "GET /t HTTP/1.1" 200 6`,
			variant: VhostCombined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("29/May/2017:19:02:48 +0000")
				r.Host, r.ClientIP = "2001:db8::1", "10.0.0.2"
				r.Method, r.Path, r.Protocol, r.Status, r.Bytes = "GET", "/t", "HTTP/1.1", 200, 6
			}),
		},
		{
			name:    "vhost and a list of names",
			line:    `example.com localhost, localhost - - [29/May/2017:19:02:48 +0000] "GET /t HTTP/1.1" 200 6 "-" "-" "-"`,
			variant: VhostCombined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("29/May/2017:19:02:48 +0000")
				r.Host, r.ClientIP = "example.com", "localhost"
				r.Method, r.Path, r.Protocol, r.Status, r.Bytes = "GET", "/t", "HTTP/1.1", 200, 6
			}),
		},
		{
			name:    "unix socket client and garbage request",
			line:    `example.com:80 unix: - - [26/Feb/2019:15:39:42 +0100] "hello" 400 173 "-" "-"`,
			variant: VhostCombined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("26/Feb/2019:15:39:42 +0100")
				r.Host, r.ClientIP, r.Status, r.Bytes = "example.com", "unix:", 400, 173
			}),
		},
		{
			name:    "ident and user left out",
			line:    `192.168.202.254 [20/Jul/2009:22:59:29 +0000] "GET /v.gz HTTP/1.0" 404 46 "-" "gPXE/0.9.7"`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("20/Jul/2009:22:59:29 +0000")
				r.ClientIP, r.Method, r.Path, r.Protocol = "192.168.202.254", "GET", "/v.gz", "HTTP/1.0"
				r.Status, r.Bytes, r.UserAgent = 404, 46, "gPXE/0.9.7"
			}),
		},
		{
			name:    "Traefik CLF: unquoted dash referer, router, server URL, duration",
			line:    `89.160.20.156 - - [28/Feb/2018:17:30:33 +0000] "GET /en/ HTTP/2.0" 200 2814 - "Mozilla/5.0" 13 "Host-host1-com-0" "http://172.19.0.6:14008" 247ms`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("28/Feb/2018:17:30:33 +0000")
				r.ClientIP, r.Method, r.Path, r.Protocol = "89.160.20.156", "GET", "/en/", "HTTP/2.0"
				r.Status, r.Bytes, r.UserAgent = 200, 2814, "Mozilla/5.0"
				r.Upstream, r.Duration = "172.19.0.6:14008", 247e6
			}),
		},
		{
			name:    "Traefik CLF without a server",
			line:    `::1 - - [29/Nov/2018:15:03:51 +0000] "GET / HTTP/1.1" 404 19 "-" "curl/7.62.0" 10 "backend not found" "/" 0ms`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("29/Nov/2018:15:03:51 +0000")
				r.ClientIP, r.Method, r.Path, r.Protocol = "::1", "GET", "/", "HTTP/1.1"
				r.Status, r.Bytes, r.UserAgent, r.Duration = 404, 19, "curl/7.62.0", 0
			}),
		},
		{
			name:    "unquoted dash extra before a quoted referer and agent",
			line:    `10.0.0.1 - - [29/May/2017:19:02:48 +0000] "GET /s HTTP/1.1" 200 612 - "http://r/" "curl/7"`,
			variant: Combined,
			want: expect(func(r *parse.Record) {
				r.Time = clf("29/May/2017:19:02:48 +0000")
				r.ClientIP, r.Method, r.Path, r.Protocol = "10.0.0.1", "GET", "/s", "HTTP/1.1"
				r.Status, r.Bytes, r.Referer, r.UserAgent = 200, 612, "http://r/", "curl/7"
			}),
		},
		{
			name:    "request without protocol, garbage method",
			line:    `10.0.0.1 - - [29/May/2017:19:02:48 +0000] "<SCRIPT>x</SCRIPT> / HTTP/1.1" 400 3`,
			variant: Common,
			want: expect(func(r *parse.Record) {
				r.Time = clf("29/May/2017:19:02:48 +0000")
				r.ClientIP, r.Status, r.Bytes = "10.0.0.1", 400, 3
			}),
		},
		{
			name:    "HTTP/0.9 style request and space in target",
			line:    `10.0.0.1 - - [29/May/2017:19:02:48.250 +0000] "GET /a b" 200 3`,
			variant: Common,
			want: expect(func(r *parse.Record) {
				r.Time = clf("29/May/2017:19:02:48 +0000") + 250e6
				r.ClientIP, r.Method, r.Path, r.Status, r.Bytes = "10.0.0.1", "GET", "/a b", 200, 3
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Variant([]byte(tt.line)); got != tt.variant {
				t.Errorf("Variant = %q, want %q", got, tt.variant)
			}
			for _, name := range []string{Combined, Common, VhostCombined} {
				p, err := New(name)
				if err != nil {
					t.Fatal(err)
				}
				var rec parse.Record
				if err := p.Parse([]byte(tt.line), &rec); err != nil {
					t.Fatalf("%s: Parse: %v", name, err)
				}
				if d := diffRecords(rec, tt.want); d != "" {
					t.Errorf("%s: record differs:%s", name, d)
				}
			}
		})
	}
}

func TestNCSAMalformed(t *testing.T) {
	tests := []struct{ name, line, reason string }{
		{"json", `{"time":"2024-01-01T00:00:00Z","status":200}`, "ncsa: expected host ident user before [timestamp]"},
		{"random text", `hello world, this is not a log`, "ncsa: expected host ident user before [timestamp]"},
		{"too many prefix fields", `a b c d e [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`, "ncsa: expected host ident user before [timestamp]"},
		{"double space in prefix", `a  c [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`, "ncsa: expected host ident user before [timestamp]"},
		{"bad timestamp", `1.2.3.4 - - [10/Foo/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`, "ncsa: bad timestamp"},
		{"impossible date", `1.2.3.4 - - [31/Feb/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`, "ncsa: bad timestamp"},
		{"iso timestamp", `1.2.3.4 - - [2000-10-10T13:55:36Z] "GET / HTTP/1.0" 200 1`, "ncsa: bad timestamp"},
		{"unterminated timestamp", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.0" 200 1`, "ncsa: bad timestamp"},
		{"unquoted request", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] GET / HTTP/1.0 200 1`, "ncsa: expected quoted request after timestamp"},
		{"status 2 digits", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 20 1`, "ncsa: expected 3-digit status after request"},
		{"status 4 digits", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2000 1`, "ncsa: expected 3-digit status after request"},
		{"status dash without bytes", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" -`, "ncsa: bad byte count"},
		{"list then peer then nothing", `"a, b" c [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`, "ncsa: expected host ident user before [timestamp]"},
		{"two lists", `a, b c, d - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`, "ncsa: expected host ident user before [timestamp]"},
		{"unterminated quoted list", `"a, b c - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`, "ncsa: expected host ident user before [timestamp]"},
		{"syslog prefix", `Jul 30 09:03:52 localhost haproxy[32450]: 67.43.156.13:38862 [30/Jul/2018:09:03:52.726] incoming~ docs/docs 0/0/1/0/2 304 168`, "ncsa: expected host ident user before [timestamp]"},
		{"status 000", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 000 1`, "ncsa: expected 3-digit status after request"},
		{"no bytes", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200`, "ncsa: bad byte count"},
		{"bad bytes", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 12k`, "ncsa: bad byte count"},
		{"empty", ``, "ncsa: expected host ident user before [timestamp]"},
	}
	p, _ := New(Combined)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec parse.Record
			err := p.Parse([]byte(tt.line), &rec)
			if got := reasonOf(t, err); got != tt.reason {
				t.Errorf("reason = %q, want %q", got, tt.reason)
			}
			if v := Variant([]byte(tt.line)); v != "" {
				t.Errorf("Variant = %q, want \"\"", v)
			}
		})
	}
}

func TestNew(t *testing.T) {
	for _, name := range []string{Combined, Common, VhostCombined} {
		p, err := New(name)
		if err != nil || p.Format() != name {
			t.Errorf("New(%q) = %v, %v", name, p, err)
		}
	}
	if _, err := New("nginx"); err == nil {
		t.Error(`New("nginx") should fail`)
	}
}

// The timestamp cache must not hand a previous line's time to a line with
// different bytes of the same length.
func TestNCSATimeCache(t *testing.T) {
	p, _ := New(Combined)
	lines := []string{
		`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`,
		`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`,
		`1.2.3.4 - - [10/Oct/2000:13:55:37 -0700] "GET / HTTP/1.0" 200 1`,
		`1.2.3.4 - - [10/Oct/2000:13:55:37 +0000] "GET / HTTP/1.0" 200 1`,
	}
	want := []int64{clf("10/Oct/2000:13:55:36 -0700"), clf("10/Oct/2000:13:55:36 -0700"),
		clf("10/Oct/2000:13:55:37 -0700"), clf("10/Oct/2000:13:55:37 +0000")}
	for i, l := range lines {
		var rec parse.Record
		if err := p.Parse([]byte(l), &rec); err != nil || rec.Time != want[i] {
			t.Errorf("line %d: time %d err %v, want %d", i, rec.Time, err, want[i])
		}
	}
}
