package formats

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// FuzzDetect detects a format on arbitrary lines and parses them all with
// it: nothing panics, every line is parsed, ignored or malformed.
func FuzzDetect(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	for _, name := range files {
		if filepath.Ext(name) == ".md" || filepath.Ext(name) == ".txt" {
			continue
		}
		data, err := os.ReadFile(name)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add(bytes.Join([][]byte{dockerWrap("stdout", combinedLine+"\n"), dockerWrap("stdout", "x")}, []byte("\n")))
	f.Add(bytes.Join([][]byte{criWrap("stdout", "P", jsonLine[:20]), criWrap("stdout", "F", jsonLine[20:])}, []byte("\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		p, err := Detect(lines)
		if err != nil {
			return
		}
		if p.Format() == "" {
			t.Fatal("empty format name")
		}
		var rec parse.Record
		for _, l := range lines {
			if err := p.Parse(l, &rec); err != nil && !errors.Is(err, parse.ErrIgnored) && !parse.IsMalformed(err) {
				t.Fatalf("%s: error %v is neither ignored nor malformed", p.Format(), err)
			}
		}
	})
}

// fuzzNames are the parsers FuzzByName drives: every plain name, the
// parameterised ones, and container unwrapping around each kind of inner
// format.
var fuzzNames = []string{
	"combined", "common", "vhost_combined", "json", "cloudflare", "cloudfront",
	`nginx:$remote_addr [$time_local] "$request" $status $body_bytes_sent "$sent_http_retry_after" $upstream_addr`,
	`apache:%h %t \"%r\" %>s %b \"%{Retry-After}o\"`,
	"json:Status=code,Time=t,RetryAfter=ra",
	"docker+combined", "cri+json", "docker+cloudflare", "cri+cloudfront",
}

// FuzzByName parses arbitrary lines with each parser formats.New builds,
// as --log-format chooses them (no detection in between): nothing panics,
// every error is a malformed reason or an ignored line, and a record's
// numbers are possible.
func FuzzByName(f *testing.F) {
	f.Add(uint8(0), []byte(combinedLine))
	f.Add(uint8(3), []byte(jsonLine))
	f.Add(uint8(6), []byte(`10.0.0.1 [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 503 0 "Wed, 21 Oct 2015 07:28:00 GMT" 10.0.0.2:80, 10.0.0.3:80`))
	f.Add(uint8(7), []byte(`10.0.0.1 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 202 5 "30"`))
	f.Add(uint8(8), []byte(`{"t":"2026-11-20T10:00:00Z","code":"429","ra":"7"}`))
	f.Add(uint8(9), dockerWrap("stdout", combinedLine+"\n"))
	f.Add(uint8(10), criWrap("stdout", "P", jsonLine[:20]))
	f.Add(uint8(10), criWrap("stderr", "F", jsonLine[20:]))
	f.Add(uint8(12), []byte("#Fields: date time sc-status\n"))
	parsers := make([]parse.Parser, len(fuzzNames))
	for i, name := range fuzzNames {
		p, err := New(name)
		if err != nil {
			f.Fatalf("New(%q): %v", name, err)
		}
		parsers[i] = p
	}
	f.Fuzz(func(t *testing.T, which uint8, line []byte) {
		p := parsers[int(which)%len(parsers)]
		var r parse.Record
		err := p.Parse(line, &r)
		switch {
		case err == nil:
			if r.Status < 0 || r.Status > 999 || r.OriginStatus < parse.Unknown || r.OriginStatus > 999 ||
				r.Bytes < parse.Unknown || r.Duration < parse.Unknown || r.RetryAfter < parse.Unknown ||
				r.OriginHeaderTime < parse.Unknown || r.OriginConnectTime < parse.Unknown {
				t.Fatalf("%s: impossible record %+v from %q", p.Format(), r, line)
			}
		case errors.Is(err, parse.ErrIgnored), parse.IsMalformed(err):
		default:
			t.Fatalf("%s: error %v is neither ignored nor malformed", p.Format(), err)
		}
	})
}
