package parse

import (
	"time"
	"unsafe"
)

// View returns a string that shares b's bytes (no copy). The string is valid
// only while b is not modified; see Record's memory note.
func View(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Atoi parses a non-negative decimal integer of up to 18 digits.
func Atoi(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// Status parses an HTTP status: three digits, or "-"/"000" style unknowns as 0.
func Status(b []byte) (int, bool) {
	if len(b) == 1 && b[0] == '-' {
		return 0, true
	}
	if len(b) != 3 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Seconds parses a decimal number of seconds such as "0.123" or "12" into a
// duration. "-" yields Unknown with ok true.
func Seconds(b []byte) (time.Duration, bool) {
	if len(b) == 1 && b[0] == '-' {
		return Unknown, true
	}
	if len(b) == 0 {
		return 0, false
	}
	var whole, frac int64
	var scale int64 = int64(time.Second)
	i := 0
	digits := 0
	for ; i < len(b) && b[i] != '.'; i++ {
		c := b[i]
		if c < '0' || c > '9' || digits >= 12 {
			return 0, false
		}
		whole = whole*10 + int64(c-'0')
		digits++
	}
	if i < len(b) {
		i++ // '.'
		if i == len(b) && digits == 0 {
			return 0, false
		}
		for ; i < len(b); i++ {
			c := b[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			if scale > 1 {
				scale /= 10
				frac += int64(c-'0') * scale
			}
		}
	} else if digits == 0 {
		return 0, false
	}
	return time.Duration(whole*int64(time.Second) + frac), true
}

var monthNames = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// Month reads a three-letter English month name in any case ("May", "jan"):
// 1-12, or 0 when b is not one.
func Month(b []byte) int {
	if len(b) != 3 {
		return 0
	}
	a, c, d := b[0]|0x20, b[1]|0x20, b[2]|0x20
	for i, n := range monthNames {
		if a == n[0] && c == n[1] && d == n[2] {
			return i + 1
		}
	}
	return 0
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm), so timestamps convert without time.Date.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// MinYear and MaxYear bound the years whose every instant fits Unix
// nanoseconds in an int64; timestamps outside are refused, not wrapped.
const MinYear, MaxYear = 1678, 2261

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func num(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(b) > 0
}

// Civil converts a UTC date and time of day into Unix nanoseconds, refusing
// impossible dates (31 April, 29 February of a common year), hours past 23
// and years outside MinYear..MaxYear. A leap second (60) is accepted.
func Civil(y, mo, d, h, mi, s int) (int64, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > daysIn[mo] || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 ||
		y < MinYear || y > MaxYear {
		return 0, false
	}
	if mo == 2 && d == 29 && !leap(y) {
		return 0, false
	}
	days := daysFromCivil(y, mo, d)
	return (days*86400 + int64(h*3600+mi*60+s)) * int64(time.Second), true
}

// fraction parses ".123456" style digits (after the dot) into nanoseconds;
// digits past the ninth are dropped.
func fraction(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var ns int64
	scale := int64(100_000_000)
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		ns += int64(c-'0') * scale
		scale /= 10
	}
	return ns, true
}

// optFraction reads an optional ".123" (or ",123") fraction of a second at
// the start of rest: its nanoseconds and what follows it.
func optFraction(rest []byte) (int64, []byte, bool) {
	if len(rest) == 0 || (rest[0] != '.' && rest[0] != ',') {
		return 0, rest, true
	}
	i := 1
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i > 10 {
		return 0, nil, false
	}
	frac, ok := fraction(rest[1:i])
	return frac, rest[i:], ok
}

// Zone parses a UTC offset "+hhmm", "-hh:mm" or "Z" into seconds east of UTC.
func Zone(b []byte) (int64, bool) {
	if len(b) == 1 && (b[0] == 'Z' || b[0] == 'z') {
		return 0, true
	}
	if len(b) != 5 && len(b) != 6 {
		return 0, false
	}
	sign := int64(1)
	switch b[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return 0, false
	}
	h, ok1 := num(b[1:3])
	var m int
	var ok2 bool
	if len(b) == 6 {
		if b[3] != ':' {
			return 0, false
		}
		m, ok2 = num(b[4:6])
	} else {
		m, ok2 = num(b[3:5])
	}
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	return sign * int64(h*3600+m*60), true
}

// CLFTime parses the common log format timestamp "10/Oct/2000:13:55:36 -0700"
// (brackets already removed; an optional ".123" fraction after the seconds is
// accepted, and so is a zone written "+01:00" or "Z") into Unix nanoseconds UTC.
func CLFTime(b []byte) (int64, bool) {
	// dd/Mon/yyyy:hh:mm:ss[.frac] +zzzz
	if len(b) < 22 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' {
		return 0, false
	}
	d, ok1 := num(b[0:2])
	mo := Month(b[3:6])
	y, ok2 := num(b[7:11])
	h, ok3 := num(b[12:14])
	mi, ok4 := num(b[15:17])
	s, ok5 := num(b[18:20])
	if !ok1 || mo == 0 || !ok2 || !ok3 || !ok4 || !ok5 {
		return 0, false
	}
	frac, rest, ok := optFraction(b[20:])
	if !ok || len(rest) < 2 || rest[0] != ' ' {
		return 0, false
	}
	return zoned(y, mo, d, h, mi, s, frac, rest[1:])
}

// zoned converts a local date and time with its fraction and UTC offset
// text into Unix nanoseconds UTC.
func zoned(y, mo, d, h, mi, s int, frac int64, zoneText []byte) (int64, bool) {
	off, ok := Zone(zoneText)
	if !ok {
		return 0, false
	}
	t, ok := Civil(y, mo, d, h, mi, s)
	if !ok {
		return 0, false
	}
	return t + frac - off*int64(time.Second), true
}

// RFC3339 parses "2006-01-02T15:04:05[.frac](Z|±hh:mm)" (a space in place of
// the T is accepted, as some servers write) into Unix nanoseconds UTC.
func RFC3339(b []byte) (int64, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	s, ok6 := num(b[17:19])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return 0, false
	}
	frac, rest, ok := optFraction(b[19:])
	if !ok {
		return 0, false
	}
	return zoned(y, mo, d, h, mi, s, frac, rest)
}

// maxEpochSeconds keeps seconds*1e9 inside an int64 (year 2262).
const maxEpochSeconds = 9_223_372_035

// EpochIn converts n units (time.Second, time.Millisecond, ...) since the
// Unix epoch into Unix nanoseconds, refusing a negative n or one whose
// nanoseconds would overflow an int64.
func EpochIn(n int64, unit time.Duration) (int64, bool) {
	if n < 0 || unit <= 0 || n > maxEpochSeconds*(int64(time.Second)/int64(unit)) {
		return 0, false
	}
	return n * int64(unit), true
}

// Epoch parses a Unix timestamp given in seconds (up to 10 digits, optionally
// with a fraction: "1625754264.123"), milliseconds (13 digits), microseconds
// (16) or nanoseconds (19), telling them apart by the number of digits.
func Epoch(b []byte) (int64, bool) {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	var frac int64
	if i < len(b) {
		if b[i] != '.' || i > 10 {
			return 0, false
		}
		var ok bool
		if frac, ok = fraction(b[i+1:]); !ok {
			return 0, false
		}
	}
	if i == 19 { // nanoseconds overflow Atoi's 18-digit guard
		var whole int64
		for _, c := range b[:19] {
			whole = whole*10 + int64(c-'0')
		}
		return whole, whole >= 0
	}
	whole, ok := Atoi(b[:i])
	if !ok {
		return 0, false
	}
	switch {
	case i <= 10:
		ns, ok := EpochIn(whole, time.Second)
		return ns + frac, ok
	case i == 13:
		return EpochIn(whole, time.Millisecond)
	case i == 16:
		return EpochIn(whole, time.Microsecond)
	}
	return 0, false
}

// maxRetryAfter keeps a Retry-After delay inside a Duration with room to
// spare (about 292 years would overflow; nobody asks to wait a century).
const maxRetryAfter = 100 * 365 * 24 * 3600

// RetryAfter parses a Retry-After header value in its delay-seconds form
// ("120", surrounding spaces allowed). The HTTP-date form, "-", an empty value
// and anything else give ok false: the caller leaves the field Unknown.
func RetryAfter(b []byte) (time.Duration, bool) {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	n, ok := Atoi(b)
	if !ok || n > maxRetryAfter {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}
