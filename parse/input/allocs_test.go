package input

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// logpushLines makes n default-field-set Logpush lines, one a millisecond,
// each with its own RayID, all 200s.
func logpushLines(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		ts := strconv.FormatInt(1795165204859000000+int64(i)*1e6, 10)
		b.WriteString(`{"CacheCacheStatus":"hit","ClientIP":"203.0.113.223","ClientRequestBytes":336,` +
			`"ClientRequestHost":"shop.example.com","ClientRequestMethod":"GET","ClientRequestPath":"/img/products/1020.webp",` +
			`"ClientRequestProtocol":"HTTP/2","ClientRequestReferer":"","ClientRequestURI":"/img/products/1020.webp",` +
			`"ClientRequestUserAgent":"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0.0.0",` +
			`"EdgeColoCode":"LHR","EdgeEndTimestamp":` + ts + `,"EdgeRequestHost":"shop.example.com","EdgeResponseBytes":45870,` +
			`"EdgeResponseStatus":200,"EdgeStartTimestamp":` + ts + `,"OriginIP":"","OriginResponseStatus":0,` +
			`"RayID":"` + strconv.FormatInt(0x3c7b6c15e0000000+int64(i), 16) + `","ResponseHeaders":{},"SecurityAction":"unknown"}` + "\n")
	}
	return b.Bytes()
}

// TestPipelineAllocsPerRecord counts the heap allocations of the whole
// ingestion path (read, split, parse, merge, dedupe) per 2xx Logpush
// record, with a sink that only looks: the read slabs (one per 128 KiB,
// about one per hundred lines) and per-run setup are all there should be.
func TestPipelineAllocsPerRecord(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	const n = 50_000
	data := logpushLines(n)
	opt := Options{Formats: []string{"cloudflare"}, Sources: []Source{{Name: "lp", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}}}
	var ok int
	run := func() {
		ok = 0
		if _, err := Run(context.Background(), opt, func(b []parse.Record) {
			for i := range b {
				if b[i].Status == 200 {
					ok++
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	run() // warm the pools
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	run()
	runtime.ReadMemStats(&after)
	if ok != n {
		t.Fatalf("%d records passed on, want %d", ok, n)
	}
	perRec := float64(after.Mallocs-before.Mallocs) / n
	t.Logf("%.4f allocations per record (%d in all), %.0f bytes per record",
		perRec, after.Mallocs-before.Mallocs, float64(after.TotalAlloc-before.TotalAlloc)/n)
	if perRec > 0.05 {
		t.Errorf("%.4f allocations per record, want at most 0.05 (slabs and setup only)", perRec)
	}
}
