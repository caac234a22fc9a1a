package units

import (
	"math"
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	for _, tt := range []struct {
		in   int64
		want string
	}{
		{-1, "?"}, {0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{129_024, "126.0 KiB"}, {780_200, "761.9 KiB"}, {2_460_000, "2.3 MiB"},
		{5 << 30, "5.0 GiB"}, {3 << 40, "3.0 TiB"}, {math.MaxInt64, "8.0 EiB"},
	} {
		if got := Bytes(tt.in); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		in   int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {-1234, "-1,234"}, {1_000_000, "1,000,000"},
		{123456789, "123,456,789"}, {math.MinInt64, "-9,223,372,036,854,775,808"},
	} {
		if got := Count(tt.in); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if Count(int(1234)) != "1,234" || Number(2.5) != "2.50" || Number(1234) != "1,234" {
		t.Error("Count on int or Number")
	}
}

func TestShare(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want string
	}{
		{-1, "?"}, {math.NaN(), "?"}, {0, "0%"}, {0.001, "<1%"}, {0.5, "50%"}, {0.834, "83%"},
		{0.995, ">99%"}, {1, "100%"},
	} {
		if got := Share(tt.in); got != tt.want {
			t.Errorf("Share(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, tt := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"}, {350 * time.Millisecond, "350ms"}, {time.Microsecond, "1ms"}, {45 * time.Second, "45s"},
		{147 * time.Second, "2m27s"}, {2 * time.Minute, "2m"}, {65 * time.Minute, "1h5m"}, {time.Hour, "1h"},
		{24 * time.Hour, "1d"}, {51 * time.Hour, "2d3h"}, {-90 * time.Second, "1m30s"},
	} {
		if got := Duration(tt.in); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   float64
		want string
	}{{-1, "?"}, {0.25, "250 ms"}, {42, "42s"}, {95, "1m35s"}} {
		if got := Seconds(tt.in); got != tt.want {
			t.Errorf("Seconds(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRateAndTimes(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want string
	}{{0, "0"}, {950.4, "950"}, {12_345, "12.3k"}, {1_234_567, "1.2M"}} {
		if got := Rate(tt.in); got != tt.want {
			t.Errorf("Rate(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	at := time.Date(2026, 11, 20, 10, 2, 13, 0, time.FixedZone("CET", 3600))
	if got := Time(at); got != "2026-11-20 09:02:13 UTC" {
		t.Errorf("Time = %q", got)
	}
	if Time(time.Time{}) != "unknown time" || Clock(time.Time{}) != "--:--:--" || Clock(at) != "09:02:13" {
		t.Error("Clock or zero Time")
	}
}
