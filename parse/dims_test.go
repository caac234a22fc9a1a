package parse

import (
	"strings"
	"testing"
)

func TestDimValues(t *testing.T) {
	cases := []struct {
		path, route, segment string
	}{
		{"", "/", "/"},
		{"/", "/", "/"},
		{"/api/v1/cart", "/api/v1/cart", "/api"},
		{"/api/v1/orders/5975690", "/api/v1/orders/{id}", "/api"},
		{"/42/items", "/{id}/items", "/{id}"},
		{"/jobs/7f3e9a01-0b2c-4d5e-8f90-123456789abc/status", "/jobs/{id}/status", "/jobs"},
		{"/u/deadbeef00/x/abc123def", "/u/{id}/x/{id}", "/u"},
		{"/products/linen-shirt", "/products/linen-shirt", "/products"},
		{"/static/js/app.91ac2e.js", "/static/js/app.91ac2e.js", "/static"},
		{"*", "*", "*"},
		{"/a//7", "/a//{id}", "/a"},
	}
	var k DimKeyer
	for _, tc := range cases {
		route := k.Route(tc.path)
		if route != tc.route {
			t.Errorf("Route(%q) = %q, want %q", tc.path, route, tc.route)
		}
		if seg := PathSegment(route); seg != tc.segment {
			t.Errorf("PathSegment(%q) = %q, want %q", route, seg, tc.segment)
		}
	}
	nets := map[string]string{
		"203.0.113.7": "203.0.113", "2001:db8:a6c9::e1c": "2001:db8:a6c9", "2001:db8::1": "2001:db8",
		"2001:db8:1:2:3::9": "2001:db8:1", "-": "", "": "", "localhost": "localhost",
	}
	for ip, want := range nets {
		if got := ClientNet(ip); got != want {
			t.Errorf("ClientNet(%q) = %q, want %q", ip, got, want)
		}
	}
	uas := map[string]string{
		"curl/8.5.0": "curl", "Go-http-client/1.1": "Go-http-client", "python-requests/2.32.3": "python-requests",
		"okhttp/4.12.0": "okhttp", "Mozilla/5.0 (compatible; Googlebot/2.1)": "bot",
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":            "Firefox",
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36": "Chrome",
		"Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Version/17.4 Mobile/15E148 Safari/604.1": "Safari",
		"Wget/1.21": "other",
	}
	for ua, want := range uas {
		if f := k.UAFamily(ua); f < 0 || UAFamilies[f] != want {
			t.Errorf("UAFamily(%q) = %d, want %s", ua, f, want)
		}
	}
	if k.UAFamily("-") != -1 || k.UAFamily("") != -1 {
		t.Error("no user agent has no family")
	}
}

// Keys are the hashes of the values, the same from a cold keyer and from
// one whose caches hold the fields (a hit must not return another
// field's keys).
func TestDimKeys(t *testing.T) {
	recs := []Record{
		{Path: "/api/v1/orders/5975690", ClientIP: "198.51.100.77", UserAgent: "curl/8.5.0"},
		{Path: "/api/v1/orders/5975691", ClientIP: "198.51.100.78", UserAgent: "Go-http-client/1.1"},
		{Path: "/search", ClientIP: "2001:db8:a6c9::e1c", UserAgent: "-", POP: "FRA", Upstream: "192.0.2.7:443",
			CacheStatus: "miss", Input: "a.log", Method: "PROPFIND", Protocol: "HTTP/2"},
		{Path: "", ClientIP: "-", UserAgent: "", Input: "b.log", Method: "GET", Protocol: "SPDY"},
	}
	var warm DimKeyer
	for round := 0; round < 2; round++ {
		for i := range recs {
			r := &recs[i]
			var cold DimKeyer
			got, want := warm.Keys(r), cold.Keys(r)
			if got != want {
				t.Fatalf("round %d, %+v: warm keys %+v, cold %+v", round, r, got, want)
			}
			route := cold.Route(r.Path)
			if !got.Set || got.Route != DimHash(route) || got.Segment != DimHash(PathSegment(route)) {
				t.Errorf("%q: route keys %+v", r.Path, got)
			}
			if n := ClientNet(r.ClientIP); n == "" && got.Net != 0 || n != "" && got.Net != DimHash(n) {
				t.Errorf("%q: net key %x", r.ClientIP, got.Net)
			}
			if int(got.UA) != UAFamily(r.UserAgent) {
				t.Errorf("%q: family %d", r.UserAgent, got.UA)
			}
			if int(got.Method) != MethodIndex(r.Method) || int(got.Protocol) != ProtocolIndex(r.Protocol) {
				t.Errorf("%q %q: indexes %d %d", r.Method, r.Protocol, got.Method, got.Protocol)
			}
			if !got.Keyed {
				t.Errorf("%+v: Keys not Keyed", r)
			}
			// Light: the same indexes, no hashes
			light := DimKeys{UA: got.UA, Method: got.Method, Protocol: got.Protocol, Set: true}
			if l := warm.Light(r); l != light {
				t.Errorf("%+v: Light %+v, want %+v", r, l, light)
			}
		}
	}
	if recs[0].Dims.Set {
		t.Error("Keys must not change the record")
	}
	// Fill stores exactly Light's keys (it builds them in place), over
	// whatever the record held
	for i := range recs {
		r := &recs[i]
		r.Dims = DimKeys{Route: 7, Net: 9, UA: 3, Keyed: true}
		warm.Fill(r)
		if want := warm.Light(r); r.Dims != want {
			t.Errorf("%+v: Fill %+v, Light %+v", r, r.Dims, want)
		}
	}
	recs[0].Reset()
	if recs[0].Dims != (DimKeys{}) {
		t.Error("Reset clears Dims")
	}
}

// BenchmarkDimKeys is what the parse worker adds per record, on fields
// already in cache as they are right after parsing.
func BenchmarkDimKeys(b *testing.B) {
	recs := []Record{
		{Path: "/api/v1/orders/5975690", ClientIP: "198.51.100.77", Method: "GET", Protocol: "HTTP/1.1",
			UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
		{Path: "/products/linen-shirt", ClientIP: "2001:db8:a6c9::e1c", Method: "POST", Protocol: "HTTP/2.0", UserAgent: "Go-http-client/1.1"},
		{Path: "/search", ClientIP: "203.0.113.9", Method: "GET", Protocol: "HTTP/1.0", UserAgent: "curl/8.5.0"},
	}
	var k DimKeyer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		k.Fill(&recs[i%len(recs)])
	}
}

func TestIsIDSegment(t *testing.T) {
	cases := map[string]bool{
		"42": true, "0": true, "v1": false, "exports": false, "ABCDEF0123": true, "deadbeef": true,
		"deadbee": false, "abc123def": true, "linen-shirt": false, "hello_world": false, "12ab_cd34": true,
		"7f3e9a01-0b2c-4d5e-8f90-123456789abc": true, "7f3e9a01-0b2c-4d5e-8f90-123456789abz": true,
		"7f3e": false, "a1b2": false, "ab%20cd12": false, "": false, "app.91ac2e.js": false, "café1234": false,
	}
	for seg, want := range cases {
		if got := IsIDSegment(seg); got != want {
			t.Errorf("IsIDSegment(%q) = %v, want %v", seg, got, want)
		}
	}
}

// The user-agent cache never returns another agent's family: agents that
// differ in one byte, share a fingerprint's words, or are longer than the
// cache keeps, over and over in an order that makes them evict each other.
func TestUAFamilyCache(t *testing.T) {
	var uas []string
	bases := []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
		"curl/8.5.0", "okhttp/4", "Go", "x",
	}
	for _, b := range bases {
		for i := 0; i < 40; i++ {
			// same length, first, middle and last words: only the marked
			// bytes differ, a bot's or not
			v := []byte(b + "----")
			copy(v[len(v)/3:], []string{"bot", "xyz", "Bot", "abc"}[i%4])
			uas = append(uas, string(v), b+strings.Repeat("z", i*5)+"bot")
		}
	}
	var k DimKeyer
	for round := 0; round < 3; round++ {
		for i := range uas {
			ua := uas[(i*7919+round)%len(uas)]
			if got, want := k.UAFamily(ua), UAFamily(ua); got != want {
				t.Fatalf("%q: family %d, want %d", ua, got, want)
			}
		}
	}
}

// TestKnownIndexes checks MethodIndex and ProtocolIndex against their
// lists, and that near misses are another value (-1).
func TestKnownIndexes(t *testing.T) {
	for i, m := range KnownMethods {
		if got := MethodIndex(m); got != i {
			t.Errorf("MethodIndex(%q) = %d, want %d", m, got, i)
		}
	}
	for i, p := range KnownProtocols {
		if got := ProtocolIndex(p); got != i {
			t.Errorf("ProtocolIndex(%q) = %d, want %d", p, got, i)
		}
	}
	for _, p := range []string{"", "HTTP/1.2", "http/1.1", "HTTP/1,1", "HTTP 1.1", "HTTP/1.1 ", "HTTP/11", "HTTP/4",
		"HTTP/2.1", "HTTP/0.9", "HTTP/1.1\x00", "XTTP/1.1", "HTTP/10.", "HTTP/1.10"} {
		if got := ProtocolIndex(p); got != -1 {
			t.Errorf("ProtocolIndex(%q) = %d, want -1", p, got)
		}
	}
}
