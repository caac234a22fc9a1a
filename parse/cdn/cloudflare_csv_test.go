package cdn

import (
	"errors"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// The lines below are the record of testdata/cloudflare_logpush_http_requests_lnav_logfile_cloudflare.json
// (lnav's fixture) written as Logpush's CSV and TSV output would write its
// fields; the NDJSON parser's record of that file is the expected result.
const cfFields = "EdgeStartTimestamp,EdgeEndTimestamp,ClientIP,ClientRequestHost,ClientRequestMethod,ClientRequestURI,EdgeResponseStatus,EdgeResponseBytes,OriginResponseStatus,OriginIP,RayID,CacheCacheStatus,ClientRequestUserAgent,ClientRequestProtocol,OriginResponseHeaderReceiveDurationMs,OriginTCPHandshakeDurationMs"

func TestCloudflareDelimited(t *testing.T) {
	want := parseAll(t, NewCloudflare(), readLines(t, "cloudflare_logpush_http_requests_lnav_logfile_cloudflare.json"))[0]
	tests := []struct {
		name string
		sep  byte
		line string
	}{
		{"csv", ',', `2022-10-30T00:00:02Z,2022-10-30T00:00:02Z,87.226.160.250,www.ripe.net,HEAD,/,301,570,0,,761fde4e984e5ab2,unknown,,HTTP/1.1,0,0`},
		{"csv quoted", ',', `"2022-10-30T00:00:02Z",2022-10-30T00:00:02Z,87.226.160.250,"www.ripe.net",HEAD,"/",301,570,0,"",761fde4e984e5ab2,unknown,"","HTTP/1.1",0,"0"`},
		{"tsv", '\t', "2022-10-30T00:00:02Z\t2022-10-30T00:00:02Z\t87.226.160.250\twww.ripe.net\tHEAD\t/\t301\t570\t0\t\t761fde4e984e5ab2\tunknown\t\tHTTP/1.1\t0\t0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := splitList(cfFields)
			p, err := NewCloudflareDelimited(tt.sep, fields)
			if err != nil {
				t.Fatal(err)
			}
			var rec parse.Record
			if err := p.Parse([]byte(tt.line), &rec); err != nil {
				t.Fatal(err)
			}
			if rec != want {
				t.Errorf("\n got %+v\nwant %+v", rec, want)
			}
			header := cfFields
			if tt.sep == '\t' {
				header = joinTab(fields)
			}
			if err := p.Parse([]byte(header), &rec); !errors.Is(err, parse.ErrIgnored) {
				t.Errorf("header: %v, want ignored", err)
			}
			if sep, got, ok := CloudflareHeader([]byte(header)); !ok || sep != tt.sep || len(got) != len(fields) {
				t.Errorf("CloudflareHeader = %q %v %v", sep, got, ok)
			}
		})
	}
	p, _ := NewCloudflareDelimited(',', splitList(cfFields))
	var rec parse.Record
	for _, bad := range []string{"", "2022-10-30T00:00:02Z,2022-10-30T00:00:02Z,1.2.3.4", `x,y,1.2.3.4,h,GET,/,301,1,0,,r,u,a`} {
		if err := p.Parse([]byte(bad), &rec); !parse.IsMalformed(err) {
			t.Errorf("%q: %v, want malformed", bad, err)
		}
	}
	for _, f := range [][]string{nil, {"ClientIP"}, {"EdgeStartTimestamp", "EdgeResponseStatus", "a b"}} {
		if _, err := NewCloudflareDelimited(',', f); err == nil {
			t.Errorf("fields %q accepted", f)
		}
	}
	if _, _, ok := CloudflareHeader([]byte(`192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1`)); ok {
		t.Error("an access-log line taken for a header")
	}
}

// TestCloudflareWrapped: a record that record_prefix/record_suffix put
// inside an outer object is read as the record (lnav's fixture, wrapped).
func TestCloudflareWrapped(t *testing.T) {
	line := readLines(t, "cloudflare_logpush_http_requests_lnav_logfile_cloudflare.json")[0]
	want := parseAll(t, NewCloudflare(), [][]byte{line})[0]
	wrapped := append(append([]byte(`{"source":"cloudflare","zone":{"id":1},"log":`), line...), '}')
	var rec parse.Record
	if err := NewCloudflare().Parse(wrapped, &rec); err != nil || rec != want {
		t.Errorf("wrapped after another object: %v\n got %+v\nwant %+v", err, rec, want)
	}
	wrapped = append(append([]byte(`{"log":`), line...), []byte(`,"source":"cloudflare"}`)...)
	if err := NewCloudflare().Parse(wrapped, &rec); err != nil || rec != want {
		t.Errorf("wrapped record: %v\n got %+v\nwant %+v", err, rec, want)
	}
}

func splitList(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ',' {
			i++
		}
		out = append(out, s[:i])
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}

func joinTab(f []string) string {
	s := ""
	for i, x := range f {
		if i > 0 {
			s += "\t"
		}
		s += x
	}
	return s
}

func FuzzCloudflareCSV(f *testing.F) {
	f.Add([]byte(`2022-10-30T00:00:02Z,2022-10-30T00:00:02Z,87.226.160.250,www.ripe.net,HEAD,/,301,570,0,,761fde4e984e5ab2,unknown,,HTTP/1.1,0,0`))
	f.Add([]byte(`"a""b",",",1,"`))
	p, _ := NewCloudflareDelimited(',', splitList(cfFields))
	f.Fuzz(func(t *testing.T, line []byte) {
		var rec parse.Record
		err := p.Parse(line, &rec)
		if err == nil && (rec.Status < 0 || rec.Status > 999 || rec.Source != parse.SourceEdge) {
			t.Fatalf("implausible record %+v", rec)
		}
		if err != nil && !errors.Is(err, parse.ErrIgnored) && !parse.IsMalformed(err) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
