package accesslog

import (
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

func TestStripPort(t *testing.T) {
	tests := map[string]string{
		"example.com:443":  "example.com",
		"example.com":      "example.com",
		"10.0.0.1:80":      "10.0.0.1",
		"[2001:db8::1]:80": "2001:db8::1",
		"2001:db8::1":      "2001:db8::1",
		"[2001:db8::1]":    "[2001:db8::1]",
		"host:":            "host:",
		"host:http":        "host:http",
	}
	for in, want := range tests {
		if got := string(stripPort([]byte(in))); got != want {
			t.Errorf("stripPort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitRayAndCacheStatus(t *testing.T) {
	for in, want := range map[string][2]string{
		"8a1b2c3d4e5f6a7b-AMS": {"8a1b2c3d4e5f6a7b", "AMS"},
		"8a1b2c3d4e5f6a7b":     {"8a1b2c3d4e5f6a7b", ""},
		"8a1b2c3d4e5f6a7b-":    {"8a1b2c3d4e5f6a7b-", ""},
	} {
		ray, colo := splitRay([]byte(in))
		if string(ray) != want[0] || string(colo) != want[1] {
			t.Errorf("splitRay(%q) = %q, %q; want %q, %q", in, ray, colo, want[0], want[1])
		}
	}
	for in, want := range map[string]string{"HIT": "hit", "MISS": "miss", "Revalidated": "revalidated",
		"BYPASS": "bypass", "dynamic": "dynamic", "SPECIAL": "SPECIAL"} {
		if got := cacheStatus([]byte(in)); got != want {
			t.Errorf("cacheStatus(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCLFCache checks the cache returns what parse.CLFTime does, hit or miss,
// and does not keep a failed value.
func TestCLFCache(t *testing.T) {
	var c clfCache
	for _, in := range []string{"10/Oct/2000:13:55:36 -0700", "10/Oct/2000:13:55:36 -0700", "10/Oct/2000:13:55:37 -0700",
		"29/May/2017:19:02:48 +0000", "10/Okt/2000:13:55:36 -0700", "29/May/2017:19:02:48 +0000",
		"01/jul/2017:00:00:00.5 +01:30"} {
		want, wok := parse.CLFTime([]byte(in))
		got, ok := c.parse([]byte(in))
		if got != want || ok != wok {
			t.Errorf("cache %q = %d, %v; parse.CLFTime %d, %v", in, got, ok, want, wok)
		}
	}
}
