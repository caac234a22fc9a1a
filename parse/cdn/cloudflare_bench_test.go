package cdn

import (
	"bytes"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/cputime"
)

// benchLines are the real Cloudflare samples (wide Logpush and Logpull
// records of 1-2.5 KB, RFC 3339 and Unix timestamps).
func benchCloudflare(b *testing.B, lines [][]byte) {
	p := NewCloudflare()
	var total int
	for _, l := range lines {
		total += len(l) + 1
	}
	var rec parse.Record
	b.ReportAllocs()
	b.SetBytes(int64(total))
	b.ResetTimer()
	done := cputime.Thread(b)
	for b.Loop() {
		for _, l := range lines {
			if err := p.Parse(l, &rec); err != nil {
				b.Fatal(err)
			}
		}
	}
	done()
}

func BenchmarkCloudflare(b *testing.B) {
	var lines [][]byte
	for _, f := range []string{
		"cloudflare_logpush_http_requests_elastic_tf_test-http-request.ndjson",
		"cloudflare_logpull_http_elastic_test-http-json.ndjson",
		"cloudflare_logpush_http_requests_lnav_logfile_cloudflare.json",
	} {
		lines = append(lines, readLines(b, f)...)
	}
	benchCloudflare(b, lines)
}

// BenchmarkCloudflareTypical is a default Logpush job's field set (about
// 60 fields, unixnano timestamps), the shape of most production data.
func BenchmarkCloudflareTypical(b *testing.B) {
	benchCloudflare(b, [][]byte{bytes.TrimSpace([]byte(typicalLogpush))})
}
