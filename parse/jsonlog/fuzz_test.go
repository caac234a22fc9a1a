package jsonlog

import (
	"errors"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func FuzzJSON(f *testing.F) {
	for _, s := range []string{nginxUpstream, nginxCombined, caddy, traefik,
		`{"ts":1,"status":200,"upstream_addr":" : , : ","upstream_status":", "}`,
		`{"time_local":"[]","status":"-","request":"GET"}`,
		`{"ts":"1e400","status":2e2,"duration":"1e-05","Duration":-5,"request":{"headers":{"CF-RAY":["-x"]}}}`,
		`{"ts":1,"status":503,"sent_http_retry_after":"Wed, 21 Oct 2015 07:28:00 GMT","upstream_http_retry_after":"-, 60","resp_headers":{"RETRY-AFTER":[7]}}`,
		`{"ts":1,"status":429,"retry_after":1e3,"rc":"3153600001"}`,
	} {
		f.Add([]byte(s))
	}
	parsers := []parse.Parser{New(nil), New(map[string]string{"Status": "a.b", "Time": "t", "DurationUs": "d", "CFRay": "r", "RetryAfter": "rc"})}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, p := range parsers {
			var r parse.Record
			err := p.Parse(line, &r)
			if err != nil {
				if !parse.IsMalformed(err) && !errors.Is(err, parse.ErrIgnored) {
					t.Fatalf("error %v is not a malformed error", err)
				}
				continue
			}
			if r.Status < 0 || r.Status > 999 || r.OriginStatus < parse.Unknown || r.OriginStatus > 999 ||
				r.Bytes < parse.Unknown || r.Duration < parse.Unknown || r.Source != parse.SourceOrigin ||
				r.RetryAfter < parse.Unknown || r.RetryAfter%time.Second != 0 && r.RetryAfter != parse.Unknown {
				t.Fatalf("impossible record %+v from %q", r, line)
			}
		}
	})
}
