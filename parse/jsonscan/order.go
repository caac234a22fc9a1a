package jsonscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// A log shipper writes the same keys in the same order on every line (a
// Logpush job's field list). KeyOrder remembers, for each member position,
// the key last seen there and a small tag the caller gave it (a field
// number), so that Batch recognises the key with one comparison instead of
// searching for its closing quote, and the caller need not look it up. A
// prediction is only a guess checked against the bytes: what Batch returns
// never depends on the objects scanned before.
type KeyOrder struct {
	keys []orderedKey
}

type orderedKey struct {
	text   []byte // the key as written (no escapes) and `":`; empty: nothing learned
	tag    uint8
	missed bool // the last object had another key here
}

// Unlearned is the tag of a member whose key was not the one learned for
// its position: the caller finds the key's tag itself and may Learn it.
const Unlearned uint8 = 0xFF

// Skip is the tag to Learn for a key the caller has no use for unless its
// value is an object or an array: Batch leaves out the members it predicts
// with this tag whose value is a string, a number, true, false or null
// (most of a wide record), and returns the others with this tag.
const Skip uint8 = 0xFE

// Keys longer than maxOrderedKey or past member maxOrderedMembers are not
// learned: they are looked up every time, and the memory a KeyOrder holds
// stays bounded whatever the input.
const (
	maxOrderedKey     = 64
	maxOrderedMembers = 256
)

// Learn records tag for key (as written, still escaped) at member position
// i, where Batch found another key than the one learned: the next object
// scanned with o expects it there. A learned key is replaced only when it
// missed twice in a row, so that an odd line (a key added or dropped,
// lines of two shapes taking turns) costs no relearning and leaves the
// prediction for the usual lines in place. A key with escapes is not
// learned.
func (o *KeyOrder) Learn(i int, key []byte, tag uint8) {
	if i < 0 || i >= maxOrderedMembers || tag == Unlearned {
		return
	}
	for len(o.keys) <= i {
		o.keys = append(o.keys, orderedKey{})
	}
	slot := &o.keys[i]
	if len(slot.text) > 0 && !slot.missed {
		slot.missed = true
		return
	}
	slot.text, slot.tag, slot.missed = slot.text[:0], tag, false
	if len(key) > 0 && len(key) <= maxOrderedKey && bytes.IndexByte(key, '\\') < 0 {
		slot.text = append(append(slot.text, key...), '"', ':')
	}
}

// Member is one member found by Batch, as offsets into the scanned data
// (no pointers: filling a batch costs no write barriers).
type Member struct {
	KeyStart, KeyEnd int // the key, still escaped: data[KeyStart:KeyEnd]
	Start, End       int // the value: data[Start:End], as Value.Raw
	Pos              int // the member's position in the object (0: the first), for Learn
	Kind             Kind
	Tag              uint8 // learned for the key at this position, or Unlearned
}

// Key is the member's key in data, the slice the Members were made from.
func (mb *Member) Key(data []byte) []byte { return data[mb.KeyStart:mb.KeyEnd] }

// Value is the member's value in data.
func (mb *Member) Value(data []byte) Value {
	return Value{Kind: mb.Kind, Raw: data[mb.Start:mb.End]}
}

// Scanned is how many members have been read so far.
func (m *Members) Scanned() int { return m.n }

// Batch reads members into buf[:0] until it holds cap(buf) of them, and
// returns them tagged from o: the members Step would return, less those o
// predicts as Skip with a scalar value, in one call that keeps the scan in
// registers. Fewer than cap(buf) means the object ended or an error was
// found (Err, CheckEnd and Offset then say what Step's would); buf needs
// room for at least one member.
func (m *Members) Batch(o *KeyOrder, buf []Member) []Member {
	out := buf[:cap(buf)]
	if m.done {
		return out[:0]
	}
	d, p, n := m.data, m.pos, m.n
	kept := 0
	var reason string // set: the scan failed at p
	for kept < len(out) {
		if p+1 < len(d) && d[p] == ',' && d[p+1] == '"' && n > 0 {
			p++ // the next member follows at once, as a shipper writes it
		} else {
			var end bool
			if p, end, reason = nextKey(d, p, n); end {
				m.n = n
				m.end(p)
				return out[:kept]
			} else if reason != "" {
				break
			}
		}
		ks, ke, tag := p+1, 0, Unlearned
		// A learned key holds no backslash, so when the bytes after the
		// opening quote are that key, a quote and a colon, the quote
		// closes the key: the member reads as Step would read it.
		if n < len(o.keys) {
			if k := &o.keys[n]; len(k.text) > 0 && len(d)-(p+1) >= len(k.text) && sameBytes(d[p+1:], k.text) {
				tag, ke = k.tag, p+len(k.text)-1
				p += 1 + len(k.text)
				if k.missed {
					k.missed = false
				}
			}
		}
		if tag == Unlearned {
			if ke, p, reason = keyColon(d, p); reason != "" {
				break
			}
		}
		// The two kinds most values are, short strings and numbers, are
		// read here; the rest (and long strings) by valueSpan.
		var kind Kind
		var vs, ve int
		p = skipWS(d, p)
		if p+9 <= len(d) && d[p] == '"' {
			if w := quoteOrBackslash(binary.LittleEndian.Uint64(d[p+1:])); w == 0 {
				// Longer than a word: stringEndFrom goes on after it.
				e, found := stringEndFrom(d, p+1, p+9)
				if !found {
					reason = ErrTruncated
					break
				}
				kind, vs, ve = String, p+1, e
				p = e + 1
			} else if i := p + 1 + bits.TrailingZeros64(w)>>3; d[i] == '"' {
				kind, vs, ve = String, p+1, i
				p = i + 1
			}
		} else if p < len(d) && d[p]-'0' < 10 {
			kind, vs, ve = Number, p, numberEnd(d, p)
			p = ve
		}
		if kind == Invalid {
			if kind, vs, ve, p, reason = valueSpan(d, p); reason != "" {
				break
			}
		}
		if tag == Skip && kind != Object && kind != Array {
			n++
			continue
		}
		// Stored field by field: a struct literal is built on the stack
		// and copied with 16-byte moves, which stall on the 8-byte stores
		// just made.
		mb := &out[kept]
		mb.KeyStart, mb.KeyEnd, mb.Start, mb.End, mb.Pos, mb.Kind, mb.Tag = ks, ke, vs, ve, n, kind, tag
		n++
		kept++
	}
	m.n = n
	if reason != "" {
		m.fail(p, reason)
	} else {
		m.pos = p
	}
	return out[:kept]
}

// nextKey finds the opening quote of the next key from p, after n members:
// its position, or the position after the object's closing brace and end
// set, or the error and where it is (Step's, for the same bytes).
func nextKey(d []byte, p, n int) (next int, end bool, reason string) {
	p = skipWS(d, p)
	if p >= len(d) {
		return p, false, ErrTruncated
	}
	if d[p] == '}' {
		return p + 1, true, ""
	}
	if n > 0 {
		if d[p] != ',' {
			return p, false, ErrSyntax
		}
		if p = skipWS(d, p+1); p >= len(d) {
			return p, false, ErrTruncated
		}
	}
	if d[p] != '"' {
		return p, false, ErrSyntax
	}
	return p, false, ""
}

// keyColon reads the key whose opening quote is at p and the colon after
// it: the key's end and the position after the colon, or the error and
// where it is (Step's, for the same bytes).
func keyColon(d []byte, p int) (keyEnd, next int, reason string) {
	e, found := stringEnd(d, p+1)
	if !found {
		return 0, p, ErrTruncated
	}
	if p = skipWS(d, e+1); p >= len(d) {
		return 0, p, ErrTruncated
	}
	if d[p] != ':' {
		return 0, p, ErrSyntax
	}
	return e, p + 1, ""
}

// sameBytes reports whether d starts with k (len(d) >= len(k)), comparing
// a word at a time: keys are 5-40 bytes, where a call to the general
// comparison costs more than the comparison.
func sameBytes(d, k []byte) bool {
	n := len(k)
	if n < 8 {
		return string(d[:n]) == string(k)
	}
	d = d[:n]
	for i := 0; i+8 < n; i += 8 {
		if binary.LittleEndian.Uint64(d[i:]) != binary.LittleEndian.Uint64(k[i:]) {
			return false
		}
	}
	return binary.LittleEndian.Uint64(d[n-8:]) == binary.LittleEndian.Uint64(k[n-8:])
}
