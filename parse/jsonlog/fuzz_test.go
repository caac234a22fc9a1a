package jsonlog

import (
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

func FuzzJSON(f *testing.F) {
	for _, s := range []string{nginxUpstream, nginxCombined, caddy, traefik,
		`{"ts":1,"status":200,"upstream_addr":" : , : ","upstream_status":", "}`,
		`{"time_local":"[]","status":"-","request":"GET"}`,
		`{"ts":"1e400","status":2e2,"duration":"1e-05","Duration":-5,"request":{"headers":{"CF-RAY":["-x"]}}}`,
	} {
		f.Add([]byte(s))
	}
	parsers := []parse.Parser{New(nil), New(map[string]string{"Status": "a.b", "Time": "t", "DurationUs": "d", "CFRay": "r"})}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, p := range parsers {
			var r parse.Record
			err := p.Parse(line, &r)
			if err != nil {
				if !parse.IsMalformed(err) {
					t.Fatalf("error %v is not a malformed error", err)
				}
				continue
			}
			if r.Status < 0 || r.Status > 999 || r.OriginStatus < parse.Unknown || r.OriginStatus > 999 ||
				r.Bytes < parse.Unknown || r.Duration < parse.Unknown || r.Source != parse.SourceOrigin {
				t.Fatalf("impossible record %+v from %q", r, line)
			}
		}
	})
}
