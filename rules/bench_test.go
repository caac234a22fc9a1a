package rules

import (
	"fmt"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// combinedLike is traffic as a combined-format log yields it: no host, no
// CDN fields, mostly 200s, a few errors and a few async jobs.
func combinedLike(n int) []parse.Record {
	recs := make([]parse.Record, 0, n)
	paths := []string{"/", "/index.html", "/api/items", "/api/items/42", "/static/app.js", "/login", "/api/search"}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "Go-http-client/1.1"}
	for i := 0; len(recs) < n; i++ {
		var r parse.Record
		r.Reset()
		r.Source = parse.SourceOrigin
		r.Time = t0.Add(time.Duration(i) * time.Millisecond).UnixNano()
		r.Input = "web1/access.log"
		r.ClientIP = fmt.Sprintf("203.0.113.%d", i%200)
		r.UserAgent = agents[i%len(agents)]
		r.Method = "GET"
		r.Path = paths[i%len(paths)]
		r.Protocol = "HTTP/1.1"
		r.Bytes = 512
		r.Line = int64(i + 1)
		switch {
		case i%1000 == 7:
			r.Status = 502
		case i%500 == 3:
			r.Method, r.Path, r.Status = "POST", "/v1/exports", 202
			r.StatusLocation = fmt.Sprintf("/v1/exports/%08d", i)
		case i%500 == 250:
			r.Path, r.Status = fmt.Sprintf("/v1/exports/%08d", i-247), 200
		case i%50 == 1:
			r.Status = 404
		case i%10 == 2:
			r.Status = 304
		default:
			r.Status = 200
		}
		recs = append(recs, r)
	}
	return recs
}

func BenchmarkEngineAdd(b *testing.B) {
	const batch = 4096
	recs := combinedLike(1 << 16)
	span := recs[len(recs)-1].Time - recs[0].Time + int64(time.Millisecond)
	e := NewEngine(DefaultConfig())
	b.ReportAllocs()
	b.ResetTimer()
	done := 0
	for done < b.N {
		for off := 0; off < len(recs) && done < b.N; off += batch {
			end := min(off+batch, len(recs), off+b.N-done)
			e.Add(recs[off:end])
			done += end - off
		}
		b.StopTimer()
		for i := range recs {
			recs[i].Time += span
		}
		b.StartTimer()
	}
}

func BenchmarkSnapshot(b *testing.B) {
	e := NewEngine(DefaultConfig())
	e.Add(scenario())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = e.Snapshot()
	}
}

// BenchmarkContrastShare feeds the combined-like records to an engine with
// the contrast's counting and to one without it (every origin past the
// contrast's budget), alternately, so both see the same machine load: the
// difference is the contrast's cost per record.
func BenchmarkContrastShare(b *testing.B) {
	recs := combinedLike(1 << 16)
	span := recs[len(recs)-1].Time - recs[0].Time + int64(time.Millisecond)
	for _, on := range []bool{true, false} {
		name := "without"
		if on {
			name = "with"
		}
		b.Run(name, func(b *testing.B) {
			e := NewEngine(DefaultConfig())
			if !on {
				e.dimOrigins = maxContrastOrigins
			}
			rs := append([]parse.Record(nil), recs...)
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; {
				for off := 0; off < len(rs) && done < b.N; off += 4096 {
					end := min(off+4096, len(rs), off+b.N-done)
					e.Add(rs[off:end])
					done += end - off
				}
				b.StopTimer()
				for i := range rs {
					rs[i].Time += span
				}
				b.StartTimer()
			}
		})
	}
}
