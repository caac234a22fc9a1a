package accesslog

import (
	"fmt"
	"github.com/edgetriage/edgetriage/parse"
	"strings"
	"time"
)

// timeAcc gathers a line's time from one or several captures: a whole
// timestamp, or strftime pieces plus Apache's separate %{msec_frac}t.
type timeAcc struct {
	ns      int64
	hasNS   bool
	date    [6]int // year, month, day, hour, minute, second
	hasDate bool
	off     int64 // zone, seconds east of UTC
	frac    int64 // nanoseconds to add
}

func (t *timeAcc) setNS(ns int64) { t.ns, t.hasNS = ns, true }

func (t *timeAcc) resolve() (int64, bool) {
	if t.hasDate {
		d := t.date
		ns, ok := civilNS(d[0], d[1], d[2], d[3], d[4], d[5])
		if !ok {
			return 0, false
		}
		return ns - t.off*int64(time.Second) + t.frac, true
	}
	if t.hasNS {
		return t.ns + t.frac, true
	}
	return 0, false
}

var monthDays = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// Unix nanoseconds in an int64 reach from 1677 to 2262; years outside
// [minYear, maxYear] would wrap around, so they are rejected.
const (
	minYear = 1678
	maxYear = 2261
	// maxEpochSeconds keeps seconds*1e9 (and ms*1e6, µs*1e3) inside int64.
	maxEpochSeconds = 9_000_000_000
)

// civilNS converts a proleptic Gregorian date and time to Unix ns
// (Howard Hinnant's days-from-civil), rejecting impossible values.
func civilNS(y, mo, d, h, mi, s int) (int64, bool) {
	if y < minYear || y > maxYear || mo < 1 || mo > 12 || d < 1 || d > monthDays[mo] || h > 23 || mi > 59 || s > 60 {
		return 0, false
	}
	if mo <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (mo + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era)*146097 + int64(doe) - 719468
	return (days*86400 + int64(h*3600+mi*60+s)) * int64(time.Second), true
}

// strf is a compiled strftime layout, as Apache's %{...}t takes it.
type strf struct {
	items  []strfItem
	spaces int // literal spaces in the output, for finding the field's end
}

type strfItem struct {
	lit  string
	conv byte // 0 for a literal
}

// compileStrftime compiles the conversions Apache logs commonly use.
func compileStrftime(layout string) (*strf, error) {
	// Composite conversions as the C locale writes them.
	expand := map[byte]string{'T': "%H:%M:%S", 'F': "%Y-%m-%d", 'D': "%m/%d/%y", 'R': "%H:%M",
		'X': "%H:%M:%S", 'x': "%m/%d/%y", 'c': "%a %b %e %H:%M:%S %Y", 'r': "%I:%M:%S %p", 'h': "%b"}
	for i := 0; i+1 < len(layout); i++ {
		if layout[i] == '%' {
			if e, ok := expand[layout[i+1]]; ok {
				layout = layout[:i] + e + layout[i+2:]
				i--
				continue
			}
			i++
		}
	}
	s := &strf{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			s.items = append(s.items, strfItem{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' {
			lit.WriteByte(c)
			if c == ' ' {
				s.spaces++
			}
			continue
		}
		if i+1 == len(layout) {
			return nil, fmt.Errorf("strftime %q ends with %%", layout)
		}
		i++
		switch c = layout[i]; c {
		case '%':
			lit.WriteByte('%')
		case 'n', 't':
			lit.WriteByte(map[byte]byte{'n': '\n', 't': '\t'}[c])
		case 'd', 'e', 'm', 'b', 'B', 'Y', 'y', 'H', 'I', 'M', 'S', 'p', 'z', 'Z', 'a', 'A', 's', 'j':
			flush()
			s.items = append(s.items, strfItem{conv: c})
		default:
			return nil, fmt.Errorf("strftime %q: %%%c is not supported", layout, c)
		}
	}
	flush()
	return s, nil
}

var fullMonths = [12]string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

// parse reads v by the layout into t. Without a %z the time is UTC.
func (s *strf) parse(v []byte, t *timeAcc) bool {
	var y, mo, d, h, mi, sec int
	pm, twelve := false, false
	for _, it := range s.items {
		if it.conv == 0 {
			if len(v) < len(it.lit) || string(v[:len(it.lit)]) != it.lit {
				return false
			}
			v = v[len(it.lit):]
			continue
		}
		var ok bool
		switch it.conv {
		case 'd':
			d, v, ok = digits(v, 1, 2)
		case 'e':
			if len(v) > 0 && v[0] == ' ' {
				v = v[1:]
			}
			d, v, ok = digits(v, 1, 2)
		case 'm':
			mo, v, ok = digits(v, 1, 2)
		case 'Y':
			y, v, ok = digits(v, 4, 4)
		case 'y':
			y, v, ok = digits(v, 2, 2)
			if y < 69 {
				y += 2000
			} else {
				y += 1900
			}
		case 'H':
			h, v, ok = digits(v, 1, 2)
		case 'I':
			h, v, ok = digits(v, 1, 2)
			twelve = true
		case 'M':
			mi, v, ok = digits(v, 1, 2)
		case 'S':
			sec, v, ok = digits(v, 1, 2)
		case 'j':
			_, v, ok = digits(v, 1, 3)
		case 'b':
			if len(v) >= 3 {
				mo = month3(v[:3])
				v, ok = v[3:], mo > 0
			}
		case 'B':
			for i, name := range fullMonths {
				if len(v) >= len(name) && equalFold(v[:len(name)], name) {
					mo, v, ok = i+1, v[len(name):], true
					break
				}
			}
		case 'p':
			if len(v) >= 2 {
				ok = equalFold(v[:2], "am") || equalFold(v[:2], "pm")
				pm = ok && (v[0]|0x20) == 'p'
				v = v[2:]
			}
		case 'a', 'A', 'Z':
			n := 0
			for n < len(v) && (v[n]|0x20) >= 'a' && (v[n]|0x20) <= 'z' {
				n++
			}
			v, ok = v[n:], n > 0
		case 'z':
			n := 5
			if len(v) >= 6 && v[3] == ':' {
				n = 6
			}
			if len(v) >= 1 && (v[0] == 'Z' || v[0] == 'z') {
				n = 1
			}
			if len(v) < n {
				return false
			}
			t.off, ok = zoneOffset(v[:n])
			v = v[n:]
		case 's':
			n := 0
			for n < len(v) && v[n] >= '0' && v[n] <= '9' {
				n++
			}
			var secs int
			secs, _, ok = digits(v, 1, 10)
			ok = ok && n <= 10 && secs <= maxEpochSeconds
			v = v[n:]
			t.setNS(int64(secs) * int64(time.Second))
		}
		if !ok {
			return false
		}
	}
	if len(v) != 0 {
		return false
	}
	if twelve {
		if h < 1 || h > 12 {
			return false
		}
		h %= 12
		if pm {
			h += 12
		}
	}
	if y != 0 || mo != 0 || d != 0 {
		t.date = [6]int{y, mo, d, h, mi, sec}
		t.hasDate = true
	}
	return true
}

// digits reads between min and max decimal digits.
func digits(v []byte, min, max int) (int, []byte, bool) {
	n, i := 0, 0
	for i < len(v) && i < max && v[i] >= '0' && v[i] <= '9' {
		n = n*10 + int(v[i]-'0')
		i++
	}
	return n, v[i:], i >= min
}

// month3 reads a three-letter month name, any case.
func month3(b []byte) int {
	if len(b) != 3 {
		return 0
	}
	var m int
	switch b[0] | 0x20 {
	case 'j':
		switch {
		case equalFold(b, "jan"):
			m = 1
		case equalFold(b, "jun"):
			m = 6
		case equalFold(b, "jul"):
			m = 7
		}
	case 'f':
		m = 2
	case 'm':
		m = 3
		if (b[2] | 0x20) == 'y' {
			m = 5
		}
	case 'a':
		m = 4
		if (b[1] | 0x20) == 'u' {
			m = 8
		}
	case 's':
		m = 9
	case 'o':
		m = 10
	case 'n':
		m = 11
	case 'd':
		m = 12
	default:
		return 0
	}
	if m == 0 || !equalFold(b, fullMonths[m-1][:3]) {
		return 0
	}
	return m
}

// zoneOffset reads "+hhmm", "+hh:mm" or "Z" as seconds east of UTC.
func zoneOffset(b []byte) (int64, bool) {
	if len(b) == 1 {
		return 0, b[0] == 'Z' || b[0] == 'z'
	}
	if b[0] != '+' && b[0] != '-' {
		return 0, false
	}
	h, rest, ok := digits(b[1:], 2, 2)
	if !ok {
		return 0, false
	}
	if len(rest) > 0 && rest[0] == ':' {
		rest = rest[1:]
	}
	m, rest, ok := digits(rest, 2, 2)
	if !ok || len(rest) != 0 || h > 23 || m > 59 {
		return 0, false
	}
	off := int64(h*3600 + m*60)
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// clfTime parses "10/Oct/2000:13:55:36 -0700" (an optional ".123" fraction
// after the seconds is accepted) into Unix ns UTC. It stands in for
// parse.CLFTime, whose month table maps "May" and "Jul" to the same slot.
func clfTime(b []byte) (int64, bool) {
	if len(b) < 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' {
		return 0, false
	}
	d, r1, ok1 := digits(b[0:2], 2, 2)
	y, r2, ok2 := digits(b[7:11], 4, 4)
	h, r3, ok3 := digits(b[12:14], 2, 2)
	mi, r4, ok4 := digits(b[15:17], 2, 2)
	s, r5, ok5 := digits(b[18:20], 2, 2)
	mo := month3(b[3:6])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || mo == 0 || len(r1)+len(r2)+len(r3)+len(r4)+len(r5) != 0 {
		return 0, false
	}
	rest := b[20:]
	var frac int64
	if rest[0] == '.' {
		i := 1
		scale := int64(100_000_000)
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			frac += int64(rest[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == 1 || i > 10 {
			return 0, false
		}
		rest = rest[i:]
	}
	if len(rest) < 2 || rest[0] != ' ' {
		return 0, false
	}
	off, ok := zoneOffset(rest[1:])
	if !ok || len(rest) > 7 {
		return 0, false
	}
	ns, ok := civilNS(y, mo, d, h, mi, s)
	if !ok {
		return 0, false
	}
	return ns + frac - off*int64(time.Second), true
}

// epochTime reads a Unix time in seconds (up to 10 digits, optionally with
// a fraction: nginx's $msec "1714550401.250"), milliseconds (13 digits),
// microseconds (16) or nanoseconds (19), told apart by the digit count.
func epochTime(b []byte) (int64, bool) {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 0 || i > 19 {
		return 0, false
	}
	var whole int64
	for _, c := range b[:i] {
		whole = whole*10 + int64(c-'0')
	}
	var frac int64
	if i < len(b) {
		if b[i] != '.' || i > 10 || i+1 == len(b) || len(b)-i-1 > 9 {
			return 0, false
		}
		scale := int64(100_000_000)
		for _, c := range b[i+1:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			frac += int64(c-'0') * scale
			scale /= 10
		}
	}
	switch {
	case i <= 10:
		if whole > maxEpochSeconds {
			return 0, false
		}
		return whole*int64(time.Second) + frac, true
	case i == 13:
		return epochScaled(whole, int64(time.Millisecond))
	case i == 16:
		return epochScaled(whole, int64(time.Microsecond))
	case i == 19:
		return whole, whole >= 0 && whole <= maxEpochSeconds*int64(time.Second)
	}
	return 0, false
}

// epochScaled multiplies an epoch count by its unit, refusing overflow.
func epochScaled(n, unit int64) (int64, bool) {
	if n < 0 || n > maxEpochSeconds*(int64(time.Second)/unit) {
		return 0, false
	}
	return n * unit, true
}

// isoTime parses RFC 3339 through parse.RFC3339 after checking the year
// stays inside what Unix nanoseconds can hold.
func isoTime(b []byte) (int64, bool) {
	if len(b) < 4 {
		return 0, false
	}
	y, rest, ok := digits(b[:4], 4, 4)
	if !ok || len(rest) != 0 || y < minYear || y > maxYear {
		return 0, false
	}
	return parse.RFC3339(b)
}
