package rules

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// splitLocation's shortcut for plain absolute URLs (plainURL) gives what
// the full url.Parse path gives, on plain URLs and on near misses.
func TestPlainURLAgreesWithParse(t *testing.T) {
	locs := []string{
		"https://api.example.com/v1/jobs/2f8a2897-bd1c-432c-9129-cf05d15e7dcf",
		"http://api.example.com/v1/jobs/42",
		"https://api.example.com",
		"https://api.example.com/",
		"https://API.Example.com/V1/Jobs/42",
		"https://api.example.com/v1/jobs/a_b~c.d",
		"https://api.example.com:8443/v1/jobs/42",
		"https://[2001:db8::1]/v1/jobs/42",
		"https://user@api.example.com/v1/jobs/42",
		"https://api.example.com/v1/jobs/42?x=1",
		"https://api.example.com/v1/jobs/42#frag",
		"https://api.example.com/v1/jobs/%34%32",
		"https://api.example.com/v1/../jobs/42",
		"https://api.example.com/v1/./jobs",
		"https://api.example.com//v1/jobs",
		"https://api.example.com/v1/jobs/(42)",
		"https://api.example.com/v1/jobs/4 2",
		"https:///v1/jobs/42",
		"HTTPS://api.example.com/v1/jobs/42",
		"https://api.example.com/v1/jobs/42 ",
		" https://api.example.com/v1/jobs/42",
		"https://api_x.example.com/v1",
		"ftp://api.example.com/v1/jobs/42",
		"https://api.example.com/v1/jobs/\u00e9",
	}
	for _, loc := range locs {
		host, p, ok := plainURL(loc)
		if !ok {
			continue
		}
		// the full parse, as splitLocation does without the shortcut
		wantHost, wantP, wantRel := parseLocation(loc, "/v1/exports")
		if host != wantHost || p != wantP || wantRel {
			t.Errorf("%q: shortcut %q %q, parse %q %q (relative %v)", loc, host, p, wantHost, wantP, wantRel)
		}
	}
	if _, _, ok := plainURL(locs[0]); !ok {
		t.Errorf("%q: no shortcut", locs[0])
	}
}

func FuzzPlainURL(f *testing.F) {
	f.Add("https://api.example.com/v1/jobs/42")
	f.Add("http://a.b/c/d_e~f")
	f.Add("https://x:1/")
	f.Fuzz(func(t *testing.T, loc string) {
		host, p, ok := plainURL(loc)
		if !ok {
			return
		}
		wantHost, wantP, wantRel := parseLocation(loc, "/v1/exports")
		if host != wantHost || p != wantP || wantRel {
			t.Errorf("%q: shortcut %q %q, parse %q %q (relative %v)", loc, host, p, wantHost, wantP, wantRel)
		}
	})
}

// TestLastSlash checks the word-at-a-time scan against the standard one on
// every length around the word size, with '/' in each position (and bytes
// next to it that a borrowing zero-byte test would mistake for one: '.' is
// '/'^1, 0xaf is '/'|0x80) and on random paths.
func TestLastSlash(t *testing.T) {
	for _, filler := range []byte{'a', '.', 0xaf, 0x30, 0x00, 0xff} {
		for n := 0; n <= 26; n++ {
			b := bytes.Repeat([]byte{filler}, n)
			check := func() {
				t.Helper()
				if got, want := lastSlash(string(b)), strings.LastIndexByte(string(b), '/'); got != want {
					t.Fatalf("lastSlash(%q) = %d, want %d", b, got, want)
				}
			}
			check()
			for i := range b {
				b[i] = '/'
				check()
				for j := i + 1; j < n; j++ {
					b[j] = '/'
					check()
					b[j] = filler
				}
				b[i] = filler
			}
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 20_000 {
		b := make([]byte, r.IntN(70))
		for i := range b {
			b[i] = "/.ab\x2e\xaf\x00\xff"[r.IntN(8)]
		}
		if got, want := lastSlash(string(b)), strings.LastIndexByte(string(b), '/'); got != want {
			t.Fatalf("lastSlash(%q) = %d, want %d", b, got, want)
		}
	}
}
