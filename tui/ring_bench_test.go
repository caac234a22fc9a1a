package tui

import (
	"fmt"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/formats"
)

// combinedBatch is n parsed combined-log records, the interface's common
// case, with their contrast keys filled as the pipeline fills them.
func combinedBatch(b testing.TB, n int) []parse.Record {
	p, err := formats.New("combined")
	if err != nil {
		b.Fatal(err)
	}
	var keyer parse.DimKeyer
	out := make([]parse.Record, n)
	for i := range out {
		line := fmt.Sprintf("198.51.100.%d - - [20/Nov/2026:09:00:%02d +0000] \"GET /products/item-%d?x=%d HTTP/2.0\" 200 %d \"https://www.example.com/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\"",
			i%250, i%60, i%97, i, 1000+i)
		lb := []byte(line)
		if err := p.Parse(lb, &out[i]); err != nil {
			b.Fatal(err)
		}
		out[i].Raw = parse.View(lb) // as the pipeline sets it: fields view Raw
		out[i].Input, out[i].Line, out[i].Offset = "access.log", int64(i+1), int64(i*200)
		keyer.Fill(&out[i])
	}
	return out
}

// BenchmarkRingAdd is the interface's per-record cost of keeping the
// recent requests (it runs beside the engine on every batch): one batch of
// 4,096 combined records into a full default-size ring, copying each line
// (eager: stdin, a followed file) or deferring it (a file read once, see
// ring_lazy.go; Fill is not part of it).
func BenchmarkRingAdd(b *testing.B) {
	for _, deferred := range []bool{false, true} {
		name := "eager"
		if deferred {
			name = "deferred"
		}
		b.Run(name, func(b *testing.B) {
			batch := combinedBatch(b, 4096)
			r := NewRing(DefaultRingSize)
			if deferred {
				r.DeferText(func(string) bool { return true })
			}
			for i := 0; i < DefaultRingSize/len(batch)+1; i++ {
				r.Add(batch)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r.Add(batch)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/record")
		})
	}
}
