// Package jsonscan walks the members of a JSON object without building
// anything: keys and values come back as sub-slices of the input, values
// that are not needed are skipped at memory speed, and nothing is allocated
// unless the caller asks for an escaped string's text.
//
// It is deliberately lenient where the log parsers want it to be (raw
// control bytes and invalid UTF-8 inside strings are passed through; numbers
// are only checked for their character set) and strict where a wrong answer
// would follow (unterminated strings, missing colons or commas, unbalanced
// brackets are errors). It never panics, whatever the bytes.
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"

	"github.com/edgetriage/edgetriage/parse"
)

// Kind is the JSON type of a value.
type Kind uint8

const (
	Invalid Kind = iota
	String
	Number
	Object
	Array
	True
	False
	Null
)

// Value is one JSON value as it appears in the input.
type Value struct {
	Kind Kind
	// Raw is the value's text: for a String the bytes between the quotes,
	// still escaped; for every other kind the whole token including brackets.
	Raw []byte
}

// Text returns a String value's text: a view of the input when it has no
// escapes (no copy; valid while the input is unchanged), otherwise a newly
// allocated unescaped string. Numbers and literals return their raw text;
// objects and arrays return "".
func (v Value) Text() string {
	switch v.Kind {
	case String:
		if bytes.IndexByte(v.Raw, '\\') < 0 {
			return parse.View(v.Raw)
		}
		return string(Unescape(nil, v.Raw))
	case Number, True, False, Null:
		return parse.View(v.Raw)
	}
	return ""
}

// Bytes is Text as bytes: a sub-slice of the input when no unescaping is
// needed, else a new slice.
func (v Value) Bytes() []byte {
	switch v.Kind {
	case String:
		if bytes.IndexByte(v.Raw, '\\') < 0 {
			return v.Raw
		}
		return Unescape(nil, v.Raw)
	case Number, True, False, Null:
		return v.Raw
	}
	return nil
}

// Int returns the value as an integer: a JSON number, or a string holding
// one (type drift), truncating any fraction. ok is false for anything else.
func (v Value) Int() (int64, bool) {
	raw := v.Raw
	if v.Kind == String {
		raw = bytes.TrimSpace(raw)
	} else if v.Kind != Number {
		return 0, false
	}
	if n, ok := atoi(raw); ok {
		return n, true
	}
	if !numeric(raw) {
		return 0, false
	}
	f, err := strconv.ParseFloat(parse.View(raw), 64)
	if err != nil || f != f || f > 9.2e18 || f < -9.2e18 {
		return 0, false
	}
	return int64(f), true
}

// Float returns the value as a float64: a JSON number, or a string holding
// one.
func (v Value) Float() (float64, bool) {
	raw := v.Raw
	if v.Kind == String {
		raw = bytes.TrimSpace(raw)
	} else if v.Kind != Number {
		return 0, false
	}
	if !numeric(raw) {
		return 0, false
	}
	f, err := strconv.ParseFloat(parse.View(raw), 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// FirstString returns the first element of an array that is a string, so
// that a header logged as ["value"] reads like "value". A String returns
// itself. ok is false when there is none.
func (v Value) FirstString() (Value, bool) {
	switch v.Kind {
	case String:
		return v, true
	case Array:
		a := Elements(v.Raw)
		for {
			e, ok := a.Next()
			if !ok {
				return Value{}, false
			}
			if e.Kind == String {
				return e, true
			}
		}
	}
	return Value{}, false
}

// numeric reports whether b could be a number; strconv's errors allocate,
// so text that cannot be one never reaches it.
func numeric(b []byte) bool {
	if len(b) == 0 || len(b) > 64 {
		return false
	}
	digit := false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E':
		default:
			return false
		}
	}
	return digit
}

// atoi reads a JSON integer of up to 18 digits, with an optional minus.
func atoi(b []byte) (int64, bool) {
	if len(b) > 0 && b[0] == '-' {
		n, ok := parse.Atoi(b[1:])
		return -n, ok
	}
	return parse.Atoi(b)
}

// Errors are constant so that reporting them does not allocate.
const (
	ErrNotObject = "not a JSON object"
	ErrTruncated = "truncated JSON"
	ErrSyntax    = "invalid JSON syntax"
	ErrTrailing  = "data after the JSON object"
	ErrDepth     = "JSON nested too deeply"
)

// maxDepth bounds nesting of skipped values (one bit per level records
// whether it is an object or an array); logs never come close.
const maxDepth = 64

// Members iterates over the members of one object.
//
//	m := jsonscan.Members(line)
//	for m.Next() { switch string(m.Key) { ... m.Val ... } }
//	if m.Err() != "" { malformed }
type Members struct {
	data []byte
	pos  int
	err  string
	done bool
	n    int

	Key []byte // the current key, still escaped (see KeyEscaped)
	Val Value  // the current value
}

// MembersOf starts iterating over the object in data, which may be surrounded
// by whitespace (and start with a UTF-8 byte order mark, as the first line of
// a file written by some tools does). For an object nested in another, pass
// its Value.Raw.
func MembersOf(data []byte) Members {
	m := Members{data: data}
	p := 0
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		p = 3
	}
	p = skipWS(data, p)
	if p >= len(data) || data[p] != '{' {
		m.err, m.done, m.pos = ErrNotObject, true, p
		return m
	}
	m.pos = p + 1
	return m
}

// Next advances to the next member, setting Key and Val; false at the end
// or on an error.
func (m *Members) Next() bool {
	var ok bool
	m.Key, m.Val, ok = m.Step()
	return ok
}

// Step is Next returning the member instead of storing it in Key and Val
// (which it leaves alone). A hot loop should use it: results come back in
// registers, while storing slices through m costs a write barrier per
// member whenever the collector is marking.
func (m *Members) Step() (key []byte, val Value, ok bool) {
	if m.done {
		return nil, Value{}, false
	}
	d := m.data
	p := skipWS(d, m.pos)
	if p >= len(d) {
		return m.fail(p, ErrTruncated)
	}
	if m.n > 0 {
		switch d[p] {
		case ',':
			p = skipWS(d, p+1)
		case '}':
			return m.end(p + 1)
		default:
			return m.fail(p, ErrSyntax)
		}
	} else if d[p] == '}' {
		return m.end(p + 1)
	}
	if p >= len(d) {
		return m.fail(p, ErrTruncated)
	}
	if d[p] != '"' {
		return m.fail(p, ErrSyntax)
	}
	e, found := stringEnd(d, p+1)
	if !found {
		return m.fail(p, ErrTruncated)
	}
	key = d[p+1 : e]
	p = skipWS(d, e+1)
	if p >= len(d) {
		return m.fail(p, ErrTruncated)
	}
	if d[p] != ':' {
		return m.fail(p, ErrSyntax)
	}
	p = skipWS(d, p+1)
	var errs string
	val, p, errs = value(d, p)
	if errs != "" {
		return m.fail(p, errs)
	}
	m.pos = p
	m.n++
	return key, val, true
}

// Err returns "" after a clean end of the object, else a short reason.
func (m *Members) Err() string { return m.err }

// CheckEnd reports an error unless only whitespace follows the object.
func (m *Members) CheckEnd() string {
	if m.err != "" {
		return m.err
	}
	if p := skipWS(m.data, m.pos); p != len(m.data) {
		m.pos = p
		return ErrTrailing
	}
	return ""
}

// Offset is the byte offset in the data where the scan stopped: after the
// object, or at the token an error was found in (for a line's error
// column).
func (m *Members) Offset() int { return m.pos }

func (m *Members) fail(p int, reason string) ([]byte, Value, bool) {
	m.err, m.done, m.pos = reason, true, p
	return nil, Value{}, false
}

func (m *Members) end(p int) ([]byte, Value, bool) {
	m.pos, m.done = p, true
	return nil, Value{}, false
}

// Elems iterates over the elements of an array.
type Elems struct {
	data []byte
	pos  int
	n    int
	done bool
	err  string
}

// Elements starts iterating over the array whose text (with brackets) is raw.
func Elements(raw []byte) Elems {
	a := Elems{data: raw}
	p := skipWS(raw, 0)
	if p >= len(raw) || raw[p] != '[' {
		a.done, a.err = true, ErrSyntax
		return a
	}
	a.pos = p + 1
	return a
}

// Next returns the next element; false at the end or on an error.
func (a *Elems) Next() (Value, bool) {
	if a.done {
		return Value{}, false
	}
	d := a.data
	p := skipWS(d, a.pos)
	if p >= len(d) {
		a.done, a.err = true, ErrTruncated
		return Value{}, false
	}
	if d[p] == ']' {
		a.done = true
		return Value{}, false
	}
	if a.n > 0 {
		if d[p] != ',' {
			a.done, a.err = true, ErrSyntax
			return Value{}, false
		}
		p = skipWS(d, p+1)
	}
	v, p, errs := value(d, p)
	if errs != "" {
		a.done, a.err = true, errs
		return Value{}, false
	}
	a.pos = p
	a.n++
	return v, true
}

func skipWS(d []byte, p int) int {
	for p < len(d) {
		switch d[p] {
		case ' ', '\t', '\n', '\r':
			p++
		default:
			return p
		}
	}
	return p
}

// stringEnd returns the index of the quote closing the string whose
// contents start at p.
//
// Most keys and values of a log line are short (method, status, colo, a
// key name), where a call into the vectorised bytes.IndexByte costs more
// than the search: the first swarBytes are looked at 8 bytes a word, for a
// quote and a backslash at once; a longer string (a user agent, a URI) goes
// on with IndexByte.
func stringEnd(d []byte, p int) (int, bool) {
	return stringEndFrom(d, p, p)
}

// stringEndFrom is stringEnd for a string starting at p whose bytes up to
// q (p <= q) are known to hold no quote and no backslash.
func stringEndFrom(d []byte, p, q int) (int, bool) {
	if q > len(d) {
		return 0, false
	}
	for end := min(len(d), q+swarBytes); q+8 <= end; q += 8 {
		if m := quoteOrBackslash(binary.LittleEndian.Uint64(d[q:])); m != 0 {
			q += bits.TrailingZeros64(m) >> 3
			if d[q] == '"' {
				return q, true
			}
			return escapedEnd(d, q)
		}
	}
	i := bytes.IndexByte(d[q:], '"')
	if i < 0 {
		return 0, false
	}
	// An escaped quote is always directly preceded by a backslash, so a
	// quote that is not ends the string: the common case, found by one
	// vectorised search. The words above held no backslash.
	if i == 0 && q == p || d[q+i-1] != '\\' {
		return q + i, true
	}
	return escapedEnd(d, q)
}

// swarBytes is how much of a string stringEnd searches a word at a time
// before it hands over to bytes.IndexByte.
const swarBytes = 32

const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// quoteOrBackslash returns a word with the top bit set in each byte of x
// that may be '"' or '\\': the lowest set bit marks the first such byte
// exactly (the borrow of the zero-byte test only spills upwards).
func quoteOrBackslash(x uint64) uint64 {
	a := x ^ (lsbs * '"')
	b := x ^ (lsbs * '\\')
	return ((a-lsbs)&^a | (b-lsbs)&^b) & msbs
}

// escapedEnd finds the closing quote from q, at or before the string's
// first backslash, stepping over escapes.
func escapedEnd(d []byte, q int) (int, bool) {
	for ; q < len(d); q++ {
		switch d[q] {
		case '\\':
			q++
		case '"':
			return q, true
		}
	}
	return 0, false
}

// value reads the value starting at p and returns it with the position
// after it.
func value(d []byte, p int) (Value, int, string) {
	k, s, e, next, errs := valueSpan(d, p)
	if errs != "" {
		return Value{}, next, errs
	}
	return Value{Kind: k, Raw: d[s:e]}, next, ""
}

// valueSpan reads the value starting at p: its kind, the span of its Raw
// text, and the position after it; on an error, the position is p.
func valueSpan(d []byte, p int) (k Kind, start, end, next int, errs string) {
	if p >= len(d) {
		return Invalid, 0, 0, p, ErrTruncated
	}
	switch c := d[p]; c {
	case '"':
		// Most values are short (a method, a status, a colo): the first
		// word is looked at here, before any call.
		q := p + 1
		if q+8 <= len(d) {
			if w := quoteOrBackslash(binary.LittleEndian.Uint64(d[q:])); w != 0 {
				if i := q + bits.TrailingZeros64(w)>>3; d[i] == '"' {
					return String, q, i, i + 1, ""
				}
			}
		}
		e, ok := stringEnd(d, q)
		if !ok {
			return Invalid, 0, 0, p, ErrTruncated
		}
		return String, q, e, e + 1, ""
	case '{', '[':
		e, errs := skipNested(d, p)
		if errs != "" {
			return Invalid, 0, 0, p, errs
		}
		k := Object
		if c == '[' {
			k = Array
		}
		return k, p, e, e, ""
	case 't':
		return literal(d, p, "true", True)
	case 'f':
		return literal(d, p, "false", False)
	case 'n':
		return literal(d, p, "null", Null)
	default:
		q := numberEnd(d, p)
		if q == p {
			return Invalid, 0, 0, p, ErrSyntax
		}
		return Number, p, q, q, ""
	}
}

// numberEnd returns the end of the number token starting at p (p itself
// when there is none). Digits are stepped over a word at a time
// (timestamps are 19 of them), the rest of the token a byte at a time.
func numberEnd(d []byte, p int) int {
	q := p
	for q+8 <= len(d) {
		if m := nonDigits(binary.LittleEndian.Uint64(d[q:])); m != 0 {
			q += bits.TrailingZeros64(m) >> 3
			break
		}
		q += 8
	}
	for q < len(d) && numberByte[d[q]] {
		q++
	}
	return q
}

// nonDigits returns a word with the top bit set in each byte of x that is
// not an ASCII digit, exactly up to the first such byte (a carry only
// spills upwards, past the byte that caused it, which is itself marked).
func nonDigits(x uint64) uint64 {
	const (
		highs  = 0xF0F0F0F0F0F0F0F0
		threes = 0x3030303030303030
		sixes  = 0x0606060606060606
		lows7  = 0x7F7F7F7F7F7F7F7F
	)
	// A digit has the high nibble 3, and adding 6 keeps it 3.
	t := (x&highs ^ threes) | ((x+sixes)&highs ^ threes)
	// The top bit of each non-zero byte of t.
	return (t | (t&lows7 + lows7)) & msbs
}

// numberByte marks the bytes a number token is made of (one load per byte
// instead of a chain of comparisons: timestamps are 19 digits long).
var numberByte = [256]bool{'0': true, '1': true, '2': true, '3': true, '4': true, '5': true,
	'6': true, '7': true, '8': true, '9': true, '-': true, '+': true, '.': true, 'e': true, 'E': true}

func literal(d []byte, p int, word string, k Kind) (Kind, int, int, int, string) {
	if len(d)-p < len(word) {
		return Invalid, 0, 0, p, ErrTruncated
	}
	if string(d[p:p+len(word)]) != word {
		return Invalid, 0, 0, p, ErrSyntax
	}
	return k, p, p + len(word), p + len(word), ""
}

// skipNested returns the position after the object or array starting at p,
// checking only that brackets balance outside strings.
func skipNested(d []byte, p int) (int, string) {
	var objects uint64 // bit i set: level i is an object
	depth := 0
	for q := p; q < len(d); q++ {
		switch c := d[q]; c {
		case '"':
			e, ok := stringEnd(d, q+1)
			if !ok {
				return 0, ErrTruncated
			}
			q = e
		case '{', '[':
			if depth == maxDepth {
				return 0, ErrDepth
			}
			if c == '{' {
				objects |= 1 << depth
			} else {
				objects &^= 1 << depth
			}
			depth++
		case '}', ']':
			if depth == 0 {
				return 0, ErrSyntax
			}
			depth--
			if isObj := objects&(1<<depth) != 0; (c == '}') != isObj {
				return 0, ErrSyntax
			}
			if depth == 0 {
				return q + 1, ""
			}
		}
	}
	return 0, ErrTruncated
}
