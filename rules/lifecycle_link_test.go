package rules

import "testing"

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
