package parse

import (
	"testing"
	"time"
)

func TestTimestamps(t *testing.T) {
	ref := func(layout, v string) int64 {
		tt, err := time.Parse(layout, v)
		if err != nil {
			t.Fatalf("reference parse %q: %v", v, err)
		}
		return tt.UnixNano()
	}
	tests := []struct {
		name string
		fn   func([]byte) (int64, bool)
		in   string
		want int64
		ok   bool
	}{
		{"clf", CLFTime, "10/Oct/2000:13:55:36 -0700", ref("02/Jan/2006:15:04:05 -0700", "10/Oct/2000:13:55:36 -0700"), true},
		{"clf utc", CLFTime, "29/Feb/2024:23:59:59 +0000", ref("02/Jan/2006:15:04:05 -0700", "29/Feb/2024:23:59:59 +0000"), true},
		{"clf lower month", CLFTime, "01/jan/2020:00:00:00 +0530", ref("02/Jan/2006:15:04:05 -0700", "01/Jan/2020:00:00:00 +0530"), true},
		{"clf frac", CLFTime, "10/Oct/2000:13:55:36.250 -0700", ref("02/Jan/2006:15:04:05 -0700", "10/Oct/2000:13:55:36 -0700") + 250e6, true},
		{"clf bad month", CLFTime, "10/Foo/2000:13:55:36 -0700", 0, false},
		{"clf bad day", CLFTime, "32/Oct/2000:13:55:36 -0700", 0, false},
		{"clf short", CLFTime, "10/Oct/2000:13:55", 0, false},
		{"clf no zone", CLFTime, "10/Oct/2000:13:55:36 +07", 0, false},
		{"clf May", CLFTime, "29/May/2017:19:02:48 +0000", ref("02/Jan/2006:15:04:05 -0700", "29/May/2017:19:02:48 +0000"), true},
		{"clf zone with colon", CLFTime, "01/Jul/2017:00:00:00 +01:30", ref("02/Jan/2006:15:04:05 -0700", "01/Jul/2017:00:00:00 +0130"), true},
		{"clf zone Z", CLFTime, "01/Jul/2017:00:00:00 Z", ref("02/Jan/2006:15:04:05 -0700", "01/Jul/2017:00:00:00 +0000"), true},
		{"clf year 3000 would overflow ns", CLFTime, "10/Oct/3000:13:55:36 -0700", 0, false},
		{"clf year 1000", CLFTime, "10/Oct/1000:13:55:36 -0700", 0, false},
		{"clf hour 24", CLFTime, "10/Oct/2000:24:55:36 -0700", 0, false},
		{"clf no zone at all", CLFTime, "10/Oct/2000:13:55:36", 0, false},
		{"clf trailing", CLFTime, "10/Oct/2000:13:55:36 -0700 x", 0, false},
		{"clf empty fraction", CLFTime, "10/Oct/2000:13:55:36. -0700", 0, false},
		{"clf 31 April", CLFTime, "31/Apr/2000:13:55:36 -0700", 0, false},
		{"rfc z", RFC3339, "2019-08-02T15:29:08Z", ref(time.RFC3339, "2019-08-02T15:29:08Z"), true},
		{"rfc ms", RFC3339, "2025-09-17T08:37:18.000Z", ref(time.RFC3339, "2025-09-17T08:37:18Z"), true},
		{"rfc ns offset", RFC3339, "2026-11-20T10:00:00.123456789+02:00", ref(time.RFC3339Nano, "2026-11-20T10:00:00.123456789+02:00"), true},
		{"rfc space", RFC3339, "2026-11-20 10:00:00Z", ref(time.RFC3339, "2026-11-20T10:00:00Z"), true},
		{"rfc bad", RFC3339, "2026-13-20T10:00:00Z", 0, false},
		{"rfc no zone", RFC3339, "2026-11-20T10:00:00", 0, false},
		{"epoch s", Epoch, "1625754264", 1625754264e9, true},
		{"epoch s frac", Epoch, "1625754264.5", 1625754264e9 + 5e8, true},
		{"epoch ms", Epoch, "1625754264123", 1625754264123e6, true},
		{"epoch us", Epoch, "1625754264123456", 1625754264123456e3, true},
		{"epoch ns", Epoch, "1625752958875000000", 1625752958875000000, true},
		{"epoch 13 digits too far", Epoch, "9999999999999", 0, false},
		{"epoch 16 digits too far", Epoch, "9999999999999999", 0, false},
		{"epoch 19 digits too far", Epoch, "9999999999999999999", 0, false},
		{"epoch fraction on ms", Epoch, "1714550401250.5", 0, false},
		{"epoch empty fraction", Epoch, "1714550401.", 0, false},
		{"epoch only fraction", Epoch, ".5", 0, false},
		{"rfc year 3000", RFC3339, "3000-05-01T10:00:01Z", 0, false},
		{"epoch junk", Epoch, "16257x", 0, false},
		{"epoch 12 digits", Epoch, "162575426412", 0, false},
		{"epoch empty", Epoch, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.fn([]byte(tt.in))
			if ok != tt.ok || (ok && got != tt.want) {
				t.Fatalf("%q: got %d,%v want %d,%v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSecondsAndStatus(t *testing.T) {
	if d, ok := Seconds([]byte("0.123")); !ok || d != 123*time.Millisecond {
		t.Fatalf("Seconds 0.123 = %v %v", d, ok)
	}
	if d, ok := Seconds([]byte("12")); !ok || d != 12*time.Second {
		t.Fatalf("Seconds 12 = %v %v", d, ok)
	}
	if d, ok := Seconds([]byte("-")); !ok || d != Unknown {
		t.Fatalf("Seconds - = %v %v", d, ok)
	}
	for _, bad := range []string{"", ".", "1.2.3", "abc", "1e3"} {
		if _, ok := Seconds([]byte(bad)); ok {
			t.Fatalf("Seconds(%q) accepted", bad)
		}
	}
	if s, ok := Status([]byte("520")); !ok || s != 520 {
		t.Fatal("Status 520")
	}
	for _, bad := range []string{"52", "5200", "2x0", ""} {
		if _, ok := Status([]byte(bad)); ok {
			t.Fatalf("Status(%q) accepted", bad)
		}
	}
}

func FuzzTimestamps(f *testing.F) {
	for _, s := range []string{"10/Oct/2000:13:55:36 -0700", "2019-08-02T15:29:08Z", "1625752958875000000", "1625754264.5"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		CLFTime(b)
		RFC3339(b)
		Epoch(b)
		Seconds(b)
		Status(b)
		Zone(b)
		Month(b)
		RetryAfter(b)
	})
}

func TestEveryMonth(t *testing.T) {
	for m := time.January; m <= time.December; m++ {
		want := time.Date(2026, m, 15, 12, 0, 0, 0, time.UTC)
		in := want.Format("02/Jan/2006:15:04:05 -0700")
		got, ok := CLFTime([]byte(in))
		if !ok || got != want.UnixNano() {
			t.Errorf("CLFTime(%q) = %d,%v want %d", in, got, ok, want.UnixNano())
		}
	}
}

func TestTimeRange(t *testing.T) {
	for _, in := range []string{"2100-02-29T00:00:00Z", "9999-01-01T00:00:00Z", "0001-01-01T00:00:00Z"} {
		if _, ok := RFC3339([]byte(in)); ok {
			t.Errorf("RFC3339(%q) accepted a date an int64 of ns cannot hold or that does not exist", in)
		}
	}
	if _, ok := RFC3339([]byte("2024-02-29T00:00:00Z")); !ok {
		t.Error("leap day rejected")
	}
	if _, ok := Epoch([]byte("9999999999")); ok {
		t.Error("Epoch accepted seconds past 2262")
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 120 * time.Second, true},
		{"0", 0, true},
		{" 5 ", 5 * time.Second, true},
		{"3153600000", 3153600000 * time.Second, true},
		{"3153600001", 0, false},
		{"99999999999999999999", 0, false},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, false},
		{"-", 0, false},
		{"", 0, false},
		{"1.5", 0, false},
		{"-5", 0, false},
		{"12s", 0, false},
	}
	for _, tt := range tests {
		got, ok := RetryAfter([]byte(tt.in))
		if ok != tt.ok || got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCivilZoneMonthEpochIn(t *testing.T) {
	for _, c := range []struct {
		y, mo, d, h, mi, s int
		ok                 bool
	}{
		{2024, 2, 29, 23, 59, 60, true}, {2023, 2, 29, 0, 0, 0, false}, {2024, 4, 31, 0, 0, 0, false},
		{MinYear, 1, 1, 0, 0, 0, true}, {MaxYear, 12, 31, 23, 59, 59, true}, {MinYear - 1, 12, 31, 0, 0, 0, false},
		{MaxYear + 1, 1, 1, 0, 0, 0, false}, {2024, 1, 1, -1, 0, 0, false}, {2024, 13, 1, 0, 0, 0, false},
	} {
		got, ok := Civil(c.y, c.mo, c.d, c.h, c.mi, c.s)
		if ok != c.ok {
			t.Errorf("Civil%v ok = %v", c, ok)
			continue
		}
		if ok && c.s < 60 {
			if want := time.Date(c.y, time.Month(c.mo), c.d, c.h, c.mi, c.s, 0, time.UTC).UnixNano(); got != want {
				t.Errorf("Civil%v = %d, want %d", c, got, want)
			}
		}
	}
	for in, want := range map[string]int64{"Z": 0, "+0130": 5400, "-05:00": -18000, "+2400": -1, "0100": -1, "+01:3": -1} {
		got, ok := Zone([]byte(in))
		if (want == -1) == ok || (ok && got != want) {
			t.Errorf("Zone(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for i, name := range []string{"Jan", "feb", "MAR", "apr", "May", "jun", "Jul", "aug", "Sep", "oct", "Nov", "dec"} {
		if got := Month([]byte(name)); got != i+1 {
			t.Errorf("Month(%q) = %d, want %d", name, got, i+1)
		}
	}
	for _, bad := range []string{"Mai", "Ju", "June", ""} {
		if got := Month([]byte(bad)); got != 0 {
			t.Errorf("Month(%q) = %d, want 0", bad, got)
		}
	}
	if ns, ok := EpochIn(1714550401250, time.Millisecond); !ok || ns != 1714550401250e6 {
		t.Errorf("EpochIn ms = %d, %v", ns, ok)
	}
	for _, c := range []struct {
		n    int64
		unit time.Duration
	}{{-1, time.Second}, {9_223_372_036, time.Second}, {9_223_372_036_000, time.Millisecond}, {1, 0}} {
		if _, ok := EpochIn(c.n, c.unit); ok {
			t.Errorf("EpochIn(%d, %v) accepted", c.n, c.unit)
		}
	}
}
