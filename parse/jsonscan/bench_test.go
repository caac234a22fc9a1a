package jsonscan

import (
	"github.com/edgetriage/edgetriage/parse/cputime"
	"strings"
	"testing"
)

// benchLogpush is one default-field-set Logpush line (the shape of most of
// a Cloudflare file): the scanner walks every member, as the cdn parser
// does, skipping values it does not need without unescaping them.
var benchLogpush = []byte(`{"BotScore":99,"CacheCacheStatus":"hit","CacheResponseBytes":45870,"CacheResponseStatus":200,` +
	`"ClientASN":13335,"ClientCountry":"ie","ClientDeviceType":"mobile","ClientIP":"203.0.113.223","ClientIPClass":"noRecord",` +
	`"ClientRequestBytes":336,"ClientRequestHost":"shop.example.com","ClientRequestMethod":"GET",` +
	`"ClientRequestPath":"/img/products/1020.webp","ClientRequestProtocol":"HTTP/2","ClientRequestReferer":"https://shop.example.com/p/1020?ref=\"x\"",` +
	`"ClientRequestScheme":"https","ClientRequestSource":"eyeball","ClientRequestURI":"/img/products/1020.webp?w=640",` +
	`"ClientRequestUserAgent":"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",` +
	`"ClientSSLCipher":"AEAD-AES128-GCM-SHA256","ClientSSLProtocol":"TLSv1.3","EdgeColoCode":"LHR","EdgeEndTimestamp":1795167001478000000,` +
	`"EdgePathingOp":"wl","EdgePathingSrc":"macro","EdgePathingStatus":"nr","EdgeRequestHost":"shop.example.com","EdgeResponseBytes":45870,` +
	`"EdgeResponseContentType":"image/webp","EdgeResponseStatus":200,"EdgeServerIP":"","EdgeStartTimestamp":1795167001369000000,` +
	`"EdgeTimeToFirstByteMs":4,"OriginIP":"","OriginResponseStatus":0,"OriginSSLProtocol":"unknown","RayID":"3c7b6c15eff0fbdf",` +
	`"RequestHeaders":{"cf-ray":"3c7b6c15eff0fbdf"},"ResponseHeaders":{},"SecurityAction":"unknown","WAFFlags":"0","ZoneName":"example.com"}`)

// BenchmarkMembers is the JSON scanner alone over one Logpush line: keys and
// raw values, nothing decoded.
func BenchmarkMembers(b *testing.B) {
	benchWalk(b, func(m *Members) (n int) {
		for m.Next() {
			n += len(m.Val.Raw)
		}
		return n
	})
}

// benchWalk times walk over benchLogpush (the bytes of the values it
// reached are its result), on this thread's CPU clock, and fails when the
// line does not scan or nothing was reached.
func benchWalk(b *testing.B, walk func(m *Members) int) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchLogpush) + 1))
	var n int
	var m Members // one, reused: a new one each round would escape to walk
	done := cputime.Thread(b)
	for b.Loop() {
		m = MembersOf(benchLogpush)
		n += walk(&m)
		if m.Err() != "" {
			b.Fatal(m.Err())
		}
	}
	done()
	if n == 0 {
		b.Fatal("no members")
	}
}

// BenchmarkMembersDecode also reads the fields the engine needs (status,
// times, host), as numbers and unescaped text, into a reused buffer.
func BenchmarkMembersDecode(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchLogpush) + 1))
	var buf []byte
	var sum int64
	done := cputime.Thread(b)
	for b.Loop() {
		m := MembersOf(benchLogpush)
		for m.Next() {
			switch string(m.Key) {
			case "EdgeResponseStatus", "EdgeStartTimestamp", "OriginResponseStatus":
				v, _ := m.Val.Int()
				sum += v
			case "ClientRequestHost", "ClientRequestReferer":
				buf = Unescape(buf[:0], m.Val.Raw)
			}
		}
	}
	done()
	if sum == 0 || !strings.Contains(string(buf), "shop") {
		b.Fatal("fields not read")
	}
}

// BenchmarkMembersStep is BenchmarkMembers through Step, the loop the
// Cloudflare and JSON parsers use.
func BenchmarkMembersStep(b *testing.B) {
	benchWalk(b, func(m *Members) (n int) {
		for _, v, ok := m.Step(); ok; _, v, ok = m.Step() {
			n += len(v.Raw)
		}
		return n
	})
}

// BenchmarkBatch is BenchmarkMembersStep through Batch with the line's key
// order learned, the loop the Cloudflare parser uses: every key predicted.
func BenchmarkBatch(b *testing.B) {
	var o KeyOrder
	buf := make([]Member, 0, 64)
	benchWalk(b, func(m *Members) (n int) {
		for {
			batch := m.Batch(&o, buf)
			for i := range batch {
				mb := &batch[i]
				if mb.Tag == Unlearned {
					o.Learn(mb.Pos, mb.Key(benchLogpush), 1)
				}
				n += mb.End - mb.Start
			}
			if len(batch) < cap(buf) {
				return n
			}
		}
	})
}
