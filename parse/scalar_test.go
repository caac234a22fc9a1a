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
