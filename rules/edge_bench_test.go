package rules

import (
	"fmt"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// logpushLike is traffic as Cloudflare Logpush yields it: edge records of a
// few hosts with data centre, cache status, origin IP and timings, mostly
// 2xx (half of them cache hits), a few 520s and 5xx: every contrast
// dimension has a value, unlike the combined-format records.
func logpushLike(n int) []parse.Record {
	recs := make([]parse.Record, 0, n)
	hosts := []string{"shop.example.com", "api.example.com", "static.example.com"}
	paths := []string{"/", "/api/v1/orders/12345", "/img/products/1020.webp", "/static/css/site.css", "/search"}
	pops := []string{"LHR", "FRA", "SJC", "NRT"}
	caches := []string{"hit", "miss", "dynamic", "hit"}
	agents := []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "curl/8.5.0"}
	for i := 0; len(recs) < n; i++ {
		var r parse.Record
		r.Reset()
		r.Source = parse.SourceEdge
		r.Time = t0.Add(time.Duration(i) * time.Millisecond).UnixNano()
		r.Input = "cloudflare/http_requests.log"
		r.Host = hosts[i%len(hosts)]
		r.Upstream = fmt.Sprintf("192.0.2.%d", 10+i%len(hosts))
		r.ClientIP = fmt.Sprintf("203.0.113.%d", i%200)
		r.UserAgent = agents[i%len(agents)]
		r.Method, r.Path, r.Protocol = "GET", paths[i%len(paths)], "HTTP/2"
		r.POP, r.CacheStatus = pops[i%len(pops)], caches[i%len(caches)]
		r.RequestID = fmt.Sprintf("%016x", 0x3c7b6c15eff0fbdf+i)
		r.Bytes = 4096
		r.OriginHeaderTime, r.OriginConnectTime = 40*time.Millisecond, 2*time.Millisecond
		r.Line = int64(i + 1)
		switch {
		case i%700 == 5:
			r.Status, r.OriginStatus = 520, 0
		case i%300 == 9:
			r.Status, r.OriginStatus = 502, 502
		case i%40 == 1:
			r.Status = 404
		default:
			r.Status, r.OriginStatus = 200, 200
		}
		recs = append(recs, r)
	}
	return recs
}

// BenchmarkEngineAddEdge is Engine.Add with the contrast's counting on, on
// Logpush-like records (every dimension filled); allocations a record
// should be 0.
func BenchmarkEngineAddEdge(b *testing.B) {
	recs := logpushLike(1 << 16)
	span := recs[len(recs)-1].Time - recs[0].Time + int64(time.Millisecond)
	e := NewEngine(DefaultConfig())
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		for off := 0; off < len(recs) && done < b.N; off += 4096 {
			end := min(off+4096, len(recs), off+b.N-done)
			e.Add(recs[off:end])
			done += end - off
		}
		b.StopTimer()
		for i := range recs {
			recs[i].Time += span
		}
		b.StartTimer()
	}
	if b.N >= 1000 && e.dimOrigins == 0 {
		b.Fatalf("no origin counted its dimensions (%d origins, %d records)", len(e.origins), e.records)
	}
}
