package formats

import (
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name   string
		format string // "" = error expected
	}{
		{"combined", "combined"},
		{"common", "common"},
		{"vhost_combined", "vhost_combined"},
		{"json", "json"},
		{"json:Status=resp_code, Time=@timestamp", "json:Status=resp_code,Time=@timestamp"},
		{"json:time=@t,status=code", "json:Status=code,Time=@t"},
		{"cloudflare", "cloudflare"},
		{"cloudfront", "cloudfront"},
		{"alb", "alb"},
		{"haproxy", "haproxy"},
		{"cloudflare-csv:EdgeStartTimestamp,EdgeResponseStatus,ClientIP", "cloudflare-csv:EdgeStartTimestamp,EdgeResponseStatus,ClientIP"},
		{"cloudflare-tsv:EdgeStartTimestamp,EdgeResponseStatus", "cloudflare-tsv:EdgeStartTimestamp,EdgeResponseStatus"},
		{"cloudflare-csv:ClientIP", ""},
		{"cloudflare-csv:", ""},
		{"nginx:$remote_addr [$time_local] $status", "nginx:$remote_addr [$time_local] $status"},
		{"apache:%h %t %>s", "apache:%h %t %>s"},
		{"docker+combined", "docker+combined"},
		{"cri+json", "cri+json"},
		{"compose+json", "compose+json"},
		{"cri+nginx:$remote_addr [$time_local] $status", "cri+nginx:$remote_addr [$time_local] $status"},
		{"nope", ""},
		{"docker+nope", ""},
		{"json:Nope=x", ""},
		{"json:Status", ""},
		{"json:", ""},
	}
	for _, tt := range tests {
		p, err := New(tt.name)
		if tt.format == "" {
			if err == nil {
				t.Errorf("New(%q) = %q, want an error", tt.name, p.Format())
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%q): %v", tt.name, err)
			continue
		}
		if p.Format() != tt.format {
			t.Errorf("New(%q).Format() = %q, want %q", tt.name, p.Format(), tt.format)
		}
		// The input pipeline builds more parsers of a format from its name.
		if again, err := New(p.Format()); err != nil || again.Format() != p.Format() {
			t.Errorf("New(%q) does not rebuild the parser: %v", p.Format(), err)
		}
	}
	for _, n := range Names() {
		if _, err := New(n); err != nil {
			t.Errorf("Names() lists %q but New fails: %v", n, err)
		}
	}
	_, err := New("nope")
	if err == nil || !strings.Contains(err.Error(), "cloudfront") || !strings.Contains(err.Error(), "nginx:<log_format>") {
		t.Errorf("unknown format error should list the names: %v", err)
	}
}

func TestNewJSONMapping(t *testing.T) {
	p, err := New("json:Status=resp_code,Time=@timestamp")
	if err != nil {
		t.Fatal(err)
	}
	var r parse.Record
	if err := p.Parse([]byte(`{"@timestamp":"2026-11-20T10:00:00Z","resp_code":"504"}`), &r); err != nil || r.Status != 504 {
		t.Errorf("%v %+v", err, r)
	}
}

func TestDetectCases(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		format string // "" = error
	}{
		{"blank lines only", []string{"", "  ", "\r"}, ""},
		{"cloudfront header alone", []string{"#Version: 1.0", "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status"}, "cloudfront"},
		{"caddy json", []string{`{"level":"info","ts":1646861401.52,"logger":"http.log.access","request":{"method":"GET","uri":"/"},"status":200,"size":1}`}, "json"},
		{"json app log is not an access log", []string{`{"level":"info","msg":"started"}`, `{"level":"warn","msg":"slow"}`}, ""},
		{"cloudflare beats json on a line with both", []string{`{"EdgeStartTimestamp":1,"EdgeResponseStatus":520,"RayID":"a","status":200,"ts":1}`}, "cloudflare"},
		{"mostly combined with a junk first line", []string{"junk", `192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`, `192.0.2.1 - - [20/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`}, "combined"},
		{"common", []string{`192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1`, "", `192.0.2.1 - - [20/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 404 -`}, "common"},
		{"vhost_combined", []string{`www.example.com:443 192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`}, "vhost_combined"},
		{"CRLF combined", []string{"192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\r"}, "combined"},
		{"binary", []string{"\x00\x01\x02\xff\xfe", "\x1f\x8b\x08\x00"}, ""},
		{"cloudflare csv with a header", []string{"EdgeStartTimestamp,ClientIP,EdgeResponseStatus,RayID", "2022-10-30T00:00:02Z,87.226.160.250,520,761fde4e984e5ab2", "1667088003000000000,87.226.160.250,200,761fde4e984e5ab3"}, "cloudflare-csv:EdgeStartTimestamp,ClientIP,EdgeResponseStatus,RayID"},
		{"cloudflare tsv with a header", []string{"EdgeStartTimestamp\tEdgeResponseStatus", "2022-10-30T00:00:02Z\t520"}, "cloudflare-tsv:EdgeStartTimestamp,EdgeResponseStatus"},
		{"cloudflare csv without a header", []string{"2022-10-30T00:00:02Z,87.226.160.250,520,761fde4e984e5ab2"}, ""},
		{"docker compose logs", []string{`web-1  | 192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`, "web-1  |", `web-1  | 192.0.2.1 - - [20/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 503 1 "-" "ua"`}, "compose+combined"},
		{"more garbage than records", []string{"a", "b", "c", `{"EdgeStartTimestamp":1,"EdgeResponseStatus":200}`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := make([][]byte, len(tt.lines))
			for i, l := range tt.lines {
				lines[i] = []byte(l)
			}
			p, err := Detect(lines)
			if tt.format == "" {
				if err == nil {
					t.Fatalf("detected %q, want an error", p.Format())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Format() != tt.format {
				t.Errorf("detected %q, want %q", p.Format(), tt.format)
			}
		})
	}
}

// The registry is the one place a format is added: every entry builds a
// parser, is in the help text, and detection ranks are distinct (a tie
// would make Detect's choice depend on the table's order).
func TestRegistry(t *testing.T) {
	help := Help()
	ranks := map[int]string{}
	for _, f := range registry {
		shown := f.name
		if parameterised(f) {
			shown = f.usage
			if !strings.HasPrefix(f.usage, f.name) {
				t.Errorf("%s: usage %q does not start with the name", f.name, f.usage)
			}
		}
		if !strings.Contains(help, shown+" ") || f.doc == "" {
			t.Errorf("%s: not in the help text, or no doc", shown)
		}
		if f.detect == 0 {
			continue
		}
		if other, dup := ranks[f.detect]; dup {
			t.Errorf("%s and %s share detection rank %d", f.name, other, f.detect)
		}
		ranks[f.detect] = f.name
		if _, err := New(f.name); err != nil {
			t.Errorf("%s is detected but New fails: %v", f.name, err)
		}
	}
	for _, w := range wrappers {
		if p, err := New(w.prefix + "combined"); err != nil || p.Format() != w.prefix+"combined" {
			t.Errorf("New(%scombined): %v", w.prefix, err)
		}
	}
}
