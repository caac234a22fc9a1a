// Package units is the one formatter of numbers for people: byte counts in
// IEC units (KiB, MiB: what a file manager, du -h and ls -lh show), counts
// with thousands separators, shares as percentages, compact durations and
// UTC times. The report, the interface and the command line all use it, so
// one input reads the same on every screen ("126.0 KiB" everywhere, never
// "129.0 kB" in one place and "126.0 KiB" in another).
//
// It sits under parse because that is the lowest layer every other package
// imports; it imports nothing of the project.
package units

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Bytes formats a byte count in IEC units with one decimal: 512 B, 1.5 KiB,
// 126.0 KiB, 2.3 MiB. Negative counts (unknown) read "?".
func Bytes(n int64) string {
	if n < 0 {
		return "?"
	}
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64) + " " + string("KMGTPE"[exp]) + "iB"
}

// Count formats an integer with thousands separators: 1,234,567.
func Count[T ~int | ~int32 | ~int64](v T) string {
	n := int64(v)
	if n < 0 {
		if n == math.MinInt64 {
			return "-9,223,372,036,854,775,808"
		}
		return "-" + Count(-n)
	}
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/3)
	pre := len(s) % 3
	b.WriteString(s[:pre])
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// Number formats a float: as a Count when it is whole, else with two
// decimals.
func Number(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return Count(int64(x))
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

// Share formats a share 0..1 as a whole percentage. A share that is not
// zero never reads 0% (it is "<1%"), one that is not all never 100%
// (">99%"). Negative shares are the feature contract's "unknown": "?".
func Share(x float64) string {
	if x < 0 || math.IsNaN(x) {
		return "?"
	}
	p := x * 100
	switch {
	case p > 0 && p < 1:
		return "<1%"
	case p > 99 && p < 100:
		return ">99%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

// Duration formats a duration compactly, to the second above one second:
// 350ms, 45s, 2m27s, 1h5m, 2d3h. Negative durations read as their size.
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d > 0 && d < time.Second {
		return strconv.FormatInt(max(d.Milliseconds(), 1), 10) + "ms"
	}
	total := int64(d.Round(time.Second) / time.Second)
	h, m, s := total/3600, total/60%60, total%60
	switch {
	case h >= 24 && h%24 > 0:
		return strconv.FormatInt(h/24, 10) + "d" + strconv.FormatInt(h%24, 10) + "h"
	case h >= 24:
		return strconv.FormatInt(h/24, 10) + "d"
	case h > 0 && m > 0:
		return strconv.FormatInt(h, 10) + "h" + strconv.FormatInt(m, 10) + "m"
	case h > 0:
		return strconv.FormatInt(h, 10) + "h"
	case m > 0 && s > 0:
		return strconv.FormatInt(m, 10) + "m" + strconv.FormatInt(s, 10) + "s"
	case m > 0:
		return strconv.FormatInt(m, 10) + "m"
	}
	return strconv.FormatInt(s, 10) + "s"
}

// Seconds formats a number of seconds (a feature's unit) as Duration does,
// with milliseconds below one second: 350 ms, 42s, 1m35s.
func Seconds(x float64) string {
	if x < 0 || math.IsNaN(x) {
		return "?"
	}
	if x < 1 {
		return strconv.FormatFloat(math.Round(x*1000), 'f', 0, 64) + " ms"
	}
	return Duration(time.Duration(math.Round(x)) * time.Second)
}

// Rate formats a per-second rate compactly: 950, 12.3k, 1.2M.
func Rate(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
}

// Time formats an instant in UTC to the second: 2026-11-20 10:02:13 UTC.
func Time(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// Clock formats the time of day in UTC: 10:02:13.
func Clock(t time.Time) string {
	if t.IsZero() {
		return "--:--:--"
	}
	return t.UTC().Format("15:04:05")
}
