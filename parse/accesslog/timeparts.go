package accesslog

import (
	"fmt"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
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
		ns, ok := parse.Civil(d[0], d[1], d[2], d[3], d[4], d[5])
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
	var f strfFields
	for _, it := range s.items {
		if it.conv == 0 {
			if len(v) < len(it.lit) || string(v[:len(it.lit)]) != it.lit {
				return false
			}
			v = v[len(it.lit):]
			continue
		}
		var ok bool
		if v, ok = f.number(it.conv, v); !ok {
			return false
		}
	}
	return len(v) == 0 && f.finish(t)
}

// strfFields is what one value's conversions have read so far.
type strfFields struct {
	y, mo, d, h, mi, sec int
	pm, twelve           bool
	off                  int64
	hasOff               bool
	ns                   int64
	hasNS                bool
}

// number reads a numeric conversion at the start of v; the others go to
// text.
func (f *strfFields) number(conv byte, v []byte) (rest []byte, ok bool) {
	switch conv {
	case 'd':
		f.d, v, ok = digits(v, 1, 2)
	case 'e':
		if len(v) > 0 && v[0] == ' ' {
			v = v[1:]
		}
		f.d, v, ok = digits(v, 1, 2)
	case 'm':
		f.mo, v, ok = digits(v, 1, 2)
	case 'Y':
		f.y, v, ok = digits(v, 4, 4)
	case 'y':
		f.y, v, ok = digits(v, 2, 2)
		if f.y < 69 {
			f.y += 2000
		} else {
			f.y += 1900
		}
	case 'H':
		f.h, v, ok = digits(v, 1, 2)
	case 'I':
		f.h, v, ok = digits(v, 1, 2)
		f.twelve = true
	case 'M':
		f.mi, v, ok = digits(v, 1, 2)
	case 'S':
		f.sec, v, ok = digits(v, 1, 2)
	case 'j':
		_, v, ok = digits(v, 1, 3)
	default:
		return f.text(conv, v)
	}
	return v, ok
}

// text reads a conversion of names, zones and epoch seconds.
func (f *strfFields) text(conv byte, v []byte) (rest []byte, ok bool) {
	switch conv {
	case 'b':
		if len(v) >= 3 {
			f.mo = parse.Month(v[:3])
			v, ok = v[3:], f.mo > 0
		}
	case 'B':
		for i, name := range fullMonths {
			if len(v) >= len(name) && equalFold(v[:len(name)], name) {
				f.mo, v, ok = i+1, v[len(name):], true
				break
			}
		}
	case 'p':
		if len(v) >= 2 {
			ok = equalFold(v[:2], "am") || equalFold(v[:2], "pm")
			f.pm = ok && (v[0]|0x20) == 'p'
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
			return v, false
		}
		f.off, ok = parse.Zone(v[:n])
		f.hasOff = true
		v = v[n:]
	case 's':
		n := 0
		for n < len(v) && v[n] >= '0' && v[n] <= '9' {
			n++
		}
		if secs, good := parse.Atoi(v[:n]); good && n <= 10 {
			f.ns, ok = parse.EpochIn(secs, time.Second)
		}
		f.hasNS = true
		v = v[n:]
	}
	return v, ok
}

// finish hands what was read to t: the 12-hour clock resolved, the date
// kept only if one was read.
func (f *strfFields) finish(t *timeAcc) bool {
	h := f.h
	if f.twelve {
		if h < 1 || h > 12 {
			return false
		}
		h %= 12
		if f.pm {
			h += 12
		}
	}
	if f.hasOff {
		t.off = f.off
	}
	if f.hasNS {
		t.setNS(f.ns)
	}
	if f.y != 0 || f.mo != 0 || f.d != 0 {
		t.date = [6]int{f.y, f.mo, f.d, h, f.mi, f.sec}
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
