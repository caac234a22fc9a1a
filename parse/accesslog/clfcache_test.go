package accesslog

import (
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// The cache's same-minute shortcut must give exactly what a full parse
// gives, across seconds, minutes, days, zones, fractions and bad input.
func TestCLFCacheMatchesCLFTime(t *testing.T) {
	stamps := []string{
		"20/Nov/2026:09:00:00 +0000",
		"20/Nov/2026:09:00:00 +0000", // exact repeat
		"20/Nov/2026:09:00:07 +0000",
		"20/Nov/2026:09:00:59 +0000",
		"20/Nov/2026:09:00:60 +0000", // leap second, as CLFTime accepts it
		"20/Nov/2026:09:00:03 +0000", // back in time within the minute
		"20/Nov/2026:09:01:00 +0000",
		"20/Nov/2026:09:01:30 -0700", // zone changes
		"20/Nov/2026:09:01:31 -0700",
		"20/Nov/2026:09:01:61 -0700", // bad second: not taken from the cache
		"20/Nov/2026:09:01:6x -0700",
		"20/Nov/2026:09:01:32 -0700",
		"20/Nov/2026:09:01:32 -0730", // only the zone's minutes differ (the last two bytes)
		"20/Nov/2026:09:01:32 +0730", // only its sign
		"21/Nov/2026:09:01:32 +0730", // only the day
		"21/Nov/2026:09:01:33 +0731", // the seconds and the zone
		"21/Nov/2027:09:01:33 +0731", // the year
		"21/Nov/2027:09:01:34.5 +0731",
		"21/Nov/2027:09:01:34 +0731",
		"31/Dec/2026:23:59:59 +0100",
		"31/Dec/2026:23:59:58 +0100",
		"10/Oct/2000:13:55:36.123 -0700", // fraction kept
		"10/Oct/2000:13:55:37.123 -0700",
		"10/Oct/2000:13:55:37.124 -0700",
		"29/Feb/2024:00:00:00 +0000",
		"29/Feb/2024:00:00:01 +0000",
	}
	var c clfCache
	for _, s := range stamps {
		want, wantOK := parse.CLFTime([]byte(s))
		got, ok := c.parse([]byte(s))
		if got != want || ok != wantOK {
			t.Errorf("%s: cache gives %d %v, CLFTime %d %v", s, got, ok, want, wantOK)
		}
	}
}

// The shortcut that looks for the end of the stamp at byte 26 must agree
// with the first ']' whatever the stamp's length.
func TestNCSAStampEnd(t *testing.T) {
	cases := []struct {
		line string
		path string
		ok   bool
	}{
		{`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5`, "/a", true},
		{`1.2.3.4 - - [10/Oct/2000:13:55:36 Z] "G]T /a HTTP/1.1" 200 5`, "", true}, // ']' at byte 26, Z zone
		{`1.2.3.4 - - [10/Oct/2000:13:55:36 Z] "GET /]a HTTP/1.1" 200 5`, "/]a", true},
		{`1.2.3.4 - - [10/Oct/2000:13:55:36.1 Z] "GET /a HTTP/1.1" 200 5`, "/a", true},
		{`1.2.3.4 - - [10/Oct/2000:13:55:36 +01:00] "GET /a HTTP/1.1" 200 5`, "/a", true},
		{`1.2.3.4 - - [10/Oct/2000:13:55:3] -0700] "GET /a HTTP/1.1" 200 5`, "", false},
	}
	for _, c := range cases {
		p, _ := New("combined")
		var rec parse.Record
		err := p.Parse([]byte(c.line), &rec)
		if (err == nil) != c.ok || (err == nil && rec.Path != c.path) {
			t.Errorf("%s: err %v path %q, want ok %v path %q", c.line, err, rec.Path, c.ok, c.path)
		}
	}
}
