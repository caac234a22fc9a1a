package rules

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/accesslog"
	"github.com/edgetriage/edgetriage/parse/cputime"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
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
	recs := combinedLike(1 << 16)
	span := recs[len(recs)-1].Time - recs[0].Time + int64(time.Millisecond)
	benchAdd(b, recs, func() {
		for i := range recs {
			recs[i].Time += span
		}
	})
}

// benchAdd feeds recs to one engine in batches of 4096, b.N records in
// all; between rounds over recs, untimed, next makes them the next
// round's (later times, new jobs).
func benchAdd(b *testing.B, recs []parse.Record, next func()) {
	const batch = 4096
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
		next()
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
			cpu := cputime.Process()
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
			cputime.Report(b, cpu)
		})
	}
}

// contrastFileRecords parses n lines of the 1M benchmark file's generator
// (sample-logs, about 12 lines a second, so about 240 records per contrast
// bucket as on the real file), once per test binary.
var contrastFileRecords = sync.OnceValue(func() []parse.Record {
	var buf bytes.Buffer
	if _, err := samplelogs.WriteCombined(&buf, 100_000, 1); err != nil {
		panic(err)
	}
	p, err := accesslog.New("combined")
	if err != nil {
		panic(err)
	}
	data := buf.Bytes()
	var recs []parse.Record
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		var r parse.Record
		if p.Parse(line, &r) != nil {
			continue
		}
		r.Input = "access.log"
		recs = append(recs, r)
	}
	return recs
})

// BenchmarkContrastFile is BenchmarkContrastShare on the benchmark file's
// traffic (hundreds of paths and client networks, a dozen user agents,
// its planted storms): the engine alone with the contrast's counting
// (with: keys filled as the parse workers fill them, parse.DimKeyer.Fill)
// and without it, and keys: what filling the keys costs a parse worker.
// The contrast's cost per record is keys + with - without (the keys' part
// runs in parallel, on the parse workers). With includes counting the
// logged buckets that bursts read (dimlog.go).
func BenchmarkContrastFile(b *testing.B) {
	recs := contrastFileRecords()
	keyed := slices.Clone(recs)
	var k parse.DimKeyer
	for i := range keyed {
		k.Fill(&keyed[i])
	}
	b.Run("keys", func(b *testing.B) {
		var k parse.DimKeyer
		rs := slices.Clone(recs)
		b.ReportAllocs()
		b.ResetTimer()
		cpu := cputime.Process()
		for i := 0; i < b.N; i++ {
			k.Fill(&rs[i%len(rs)])
		}
		cputime.Report(b, cpu)
	})
	for _, on := range []bool{true, false} {
		name, rs := "without", recs
		if on {
			name, rs = "with", keyed
		}
		b.Run(name, func(b *testing.B) {
			rs := slices.Clone(rs)
			span := rs[len(rs)-1].Time - rs[0].Time + int64(time.Second)
			e := NewEngine(DefaultConfig())
			if !on {
				e.dimOrigins = maxContrastOrigins
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cputime.Process()
			for done, off := 0, 0; done < b.N; {
				if off == len(rs) {
					// the same traffic again, later: one engine in its
					// steady state, as on a long file
					b.StopTimer()
					for i := range rs {
						rs[i].Time += span
					}
					off = 0
					b.StartTimer()
				}
				n := min(4096, len(rs)-off, b.N-done)
				e.Add(rs[off : off+n])
				off += n
				done += n
			}
			cputime.Report(b, cpu)
		})
	}
}
