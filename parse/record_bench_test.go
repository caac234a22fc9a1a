package parse

import "testing"

// BenchmarkClone is the copy the interface's ring of recent requests makes
// of every record read (a Logpush record's fields).
func BenchmarkClone(b *testing.B) {
	var r Record
	r.Reset()
	r.Host, r.Upstream, r.ClientIP, r.Method = "shop.example.com", "192.0.2.10", "203.0.113.7", "GET"
	r.Path, r.Query, r.Protocol = "/img/products/1020.webp", "w=640", "HTTP/2"
	r.UserAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	r.Referer, r.RequestID, r.POP, r.CacheStatus = "https://shop.example.com/", "3c7b6c15eff0fbdf", "LHR", "hit"
	r.Input = "cloudflare/http_requests.log"
	var sink Record
	b.ReportAllocs()
	for b.Loop() {
		sink = r.Clone()
	}
	if sink.Host != r.Host {
		b.Fatal("bad clone")
	}
}
