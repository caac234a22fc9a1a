package cdn

import (
	"bytes"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// checkRecord fails on values no parser may produce, whatever the input.
func checkRecord(t *testing.T, line []byte, r *parse.Record) {
	t.Helper()
	if r.Status < 0 || r.Status > 999 || r.OriginStatus < parse.Unknown || r.OriginStatus > 999 {
		t.Fatalf("status %d/%d from %q", r.Status, r.OriginStatus, line)
	}
	if r.Bytes < parse.Unknown || r.Duration < parse.Unknown || r.OriginHeaderTime < parse.Unknown || r.OriginConnectTime < parse.Unknown || r.RetryAfter < parse.Unknown {
		t.Fatalf("negative counts %+v from %q", r, line)
	}
	if r.Source != parse.SourceEdge {
		t.Fatalf("source %v", r.Source)
	}
}

func FuzzCloudflare(f *testing.F) {
	for _, name := range []string{
		"cloudflare_logpush_http_requests_elastic_tf_test-http-request.ndjson",
		"cloudflare_logpull_http_elastic_test-http-json.ndjson",
		"cloudflare_logpush_http_requests_lnav_logfile_cloudflare.json",
	} {
		for _, l := range readLines(f, name) {
			f.Add(l)
		}
	}
	f.Add([]byte(typicalLogpush))
	f.Add([]byte(`{"EdgeStartTimestamp":1,"EdgeResponseStatus":503,"ResponseHeaders":{"Retry-After":["Wed, 21 Oct 2015 07:28:00 GMT"],"retry-after":-3},"ResponseFields":{"retry-after":"\u0031"}}`))
	f.Add([]byte(`{"EdgeStartTimestamp":"1653485126000000000","EdgeResponseStatus":"520","ResponseHeaders":{"location":["/x"]}}`))
	f.Add([]byte(`{"EdgeStartTimestamp":1.6e9,"EdgeEndTimestamp":"x","EdgeResponseStatus":200.5,"ClientRequestURI":"\u002f?\u0000"}`))
	p := NewCloudflare()
	f.Fuzz(func(t *testing.T, line []byte) {
		var r parse.Record
		err := p.Parse(line, &r)
		if err == nil {
			checkRecord(t, line, &r)
			if bytes.IndexByte(line, '{') < 0 {
				t.Fatalf("accepted a line without an object: %q", line)
			}
		} else if err == parse.ErrIgnored {
			if len(bytes.Trim(line, "[], \t\r\n")) != 0 {
				t.Fatalf("ignored a line that is not only the array wrapper: %q", line)
			}
		} else if !parse.IsMalformed(err) {
			t.Fatalf("error %v is not a malformed error", err)
		}
	})
}

func FuzzCloudFront(f *testing.F) {
	lines := readLines(f, "aws_cloudfront_standard_elastic_test-cloudfront.log")
	f.Add(bytes.Join(lines, []byte("\n")))
	f.Add(bytes.Join(lines[2:4], []byte("\n")))
	f.Add([]byte("#Fields: sc-status date time\n200\t2026-11-20\t10:00:00\n000\t2026-02-30\t10:00:00"))
	f.Add([]byte("#Fields:\n\t\t\t"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := NewCloudFront()
		for _, line := range bytes.Split(data, []byte("\n")) {
			var r parse.Record
			err := p.Parse(line, &r)
			switch {
			case err == nil:
				checkRecord(t, line, &r)
				if len(line) > 0 && line[0] == '#' {
					t.Fatalf("parsed a comment line %q", line)
				}
			case err == parse.ErrIgnored:
				if len(line) == 0 || line[0] != '#' {
					t.Fatalf("ignored a non-comment line %q", line)
				}
			case !parse.IsMalformed(err):
				t.Fatalf("error %v is not a malformed error", err)
			}
		}
	})
}
