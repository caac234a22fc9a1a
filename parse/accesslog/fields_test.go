package accesslog

import (
	"testing"
	"time"
)

func TestLastEntry(t *testing.T) {
	tests := map[string]string{
		"10.0.0.1:80":                                 "10.0.0.1:80",
		"10.0.0.1:80, 10.0.0.2:80":                    "10.0.0.2:80",
		"10.0.0.1:80, 10.0.0.2:80 : 10.0.1.1:80":      "10.0.1.1:80",
		"[2a02:cf40::7]:5000, [2a02:cf40::4e36]:5000": "[2a02:cf40::4e36]:5000",
		"502, 504 : 202":                              "202",
		"unix:/run/app.sock":                          "unix:/run/app.sock",
		"-":                                           "-",
		"":                                            "",
	}
	for in, want := range tests {
		if got := string(lastEntry([]byte(in))); got != want {
			t.Errorf("lastEntry(%q) = %q, want %q", in, got, want)
		}
	}
}

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

func TestTimeHelpers(t *testing.T) {
	okTests := []struct {
		name string
		fn   func([]byte) (int64, bool)
		in   string
		want int64
	}{
		{"clf", clfTime, "10/Oct/2000:13:55:36 -0700", clf("10/Oct/2000:13:55:36 -0700")},
		{"clf May", clfTime, "29/May/2017:19:02:48 +0000", clf("29/May/2017:19:02:48 +0000")},
		{"clf lower-case month, fraction", clfTime, "01/jul/2017:00:00:00.5 +0100", clf("01/Jul/2017:00:00:00 +0100") + 5e8},
		{"clf zone with colon", clfTime, "01/Jul/2017:00:00:00 +01:30", clf("01/Jul/2017:00:00:00 +0130")},
		{"epoch seconds", epochTime, "1714550401", 1714550401e9},
		{"epoch msec", epochTime, "1714550401.25", 1714550401e9 + 25e7},
		{"epoch ms", epochTime, "1714550401250", 1714550401250e6},
		{"epoch us", epochTime, "1714550401250000", 1714550401250000e3},
		{"epoch ns", epochTime, "1714550401250000001", 1714550401250000001},
		{"iso", isoTime, "2024-05-01T10:00:01+02:00", clf("01/May/2024:08:00:01 +0000")},
	}
	for _, tt := range okTests {
		if got, ok := tt.fn([]byte(tt.in)); !ok || got != tt.want {
			t.Errorf("%s(%q) = %d, %v; want %d", tt.name, tt.in, got, ok, tt.want)
		}
	}
	badTests := []struct {
		name string
		fn   func([]byte) (int64, bool)
		in   string
	}{
		{"clf year 3000 would overflow ns", clfTime, "10/Oct/3000:13:55:36 -0700"},
		{"clf year 1000", clfTime, "10/Oct/1000:13:55:36 -0700"},
		{"clf bad month", clfTime, "10/Okt/2000:13:55:36 -0700"},
		{"clf hour 24", clfTime, "10/Oct/2000:24:55:36 -0700"},
		{"clf no zone", clfTime, "10/Oct/2000:13:55:36"},
		{"clf trailing", clfTime, "10/Oct/2000:13:55:36 -0700 x"},
		{"iso year 3000", isoTime, "3000-05-01T10:00:01Z"},
		{"epoch 11 digits", epochTime, "17145504012"},
		{"epoch 13 digits too far", epochTime, "9999999999999"},
		{"epoch 19 digits too far", epochTime, "9999999999999999999"},
		{"epoch fraction on ms", epochTime, "1714550401250.5"},
		{"epoch empty fraction", epochTime, "1714550401."},
		{"epoch text", epochTime, "soon"},
	}
	for _, tt := range badTests {
		if got, ok := tt.fn([]byte(tt.in)); ok {
			t.Errorf("%s: %q accepted as %d (%v)", tt.name, tt.in, got, time.Unix(0, got).UTC())
		}
	}
}
