package jsonscan

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
)

// keyTag is the tag the tests give a key: any function of the key will
// do, so that a predicted tag can be checked against the key it came with;
// a third of the keys are Skip.
func keyTag(k []byte) uint8 {
	c := crc32.ChecksumIEEE(k)
	if c%3 == 0 {
		return Skip
	}
	return uint8(c % 250)
}

// checkBatch scans data with Batch (buffers of size n, predictions from o,
// learning every key it has to look up) and with Step, and fails unless
// they give the same members (less those predicted Skip with a scalar
// value), the same end and the same error.
func checkBatch(t *testing.T, data []byte, o *KeyOrder, n int) {
	t.Helper()
	st, bt := MembersOf(data), MembersOf(data)
	buf := make([]Member, 0, n)
	var got []Member
	for {
		batch := bt.Batch(o, buf)
		for j := range batch {
			mb := batch[j]
			key := mb.Key(data)
			switch {
			case mb.Tag == Unlearned:
				o.Learn(mb.Pos, key, keyTag(key))
			case mb.Tag != keyTag(key):
				t.Fatalf("%q member %d: key %q predicted with tag %d, learned %d", data, mb.Pos, key, mb.Tag, keyTag(key))
			case mb.Tag == Skip && mb.Kind != Object && mb.Kind != Array:
				t.Fatalf("%q member %d: a Skip member with a %v value was returned", data, mb.Pos, mb.Kind)
			}
			got = append(got, mb)
		}
		if len(batch) < cap(buf) {
			break
		}
	}
	i := 0
	for pos := 0; ; pos++ {
		k, v, ok := st.Step()
		if !ok {
			break
		}
		if i < len(got) && got[i].Pos == pos {
			mb := got[i]
			i++
			bv := mb.Value(data)
			if !bytes.Equal(k, mb.Key(data)) || v.Kind != bv.Kind || !bytes.Equal(v.Raw, bv.Raw) {
				t.Fatalf("%q member %d: Batch gave %q=%q, Step %q=%q", data, pos, mb.Key(data), bv.Raw, k, v.Raw)
			}
			if len(v.Raw) > 0 && &v.Raw[0] != &bv.Raw[0] {
				t.Fatalf("%q member %d: value is not a view of the same bytes", data, pos)
			}
			continue
		}
		// Left out: it must have been predicted Skip, with a scalar value.
		if keyTag(k) != Skip || v.Kind == Object || v.Kind == Array || pos >= len(o.keys) {
			t.Fatalf("%q member %d (%q=%q) missing from Batch", data, pos, k, v.Raw)
		}
	}
	if i != len(got) {
		t.Fatalf("%q: Batch gave %d members Step has not", data, len(got)-i)
	}
	if st.Err() != bt.Err() || st.CheckEnd() != bt.CheckEnd() || st.Offset() != bt.Offset() || st.Scanned() != bt.Scanned() {
		t.Fatalf("%q: Step ends with %q/%q@%d, Batch with %q/%q@%d", data, st.Err(), st.CheckEnd(), st.Offset(), bt.Err(), bt.CheckEnd(), bt.Offset())
	}
}

var batchInputs = []string{
	`{}`, `{"a":1}`, ` {"a":"x\"y","b":[1,{"c":null}],"d":{"e":true}} `, `{ "a" : 1 , "b" : "x" }`,
	`{"a":1,}`, `{"a":1`, `{"a" 1}`, `{"a":1} x`, `[1]`, `{"a":"`, "\xef\xbb\xbf{\"k\":false}",
	`{"a":1,"b":2,"c":3}`, `{"a":1,"b":2}`, `{"b":2,"a":1}`, `{"ab":1,"a":1}`, `{"a":1,"ab":1}`,
	`{"a\"b":1,"a\\":2}`, `{"a":1,"a":2}`, `{"":1,"":""}`, `{"a`, `{"a"`, `{"a":`, `{"a":-`, `{"a":-1,"b":tru}`,
	`{"abcdefgh":1,"abcdefghi":2}`, `{"abcdefg":"12345678","abcdefgh":"1234567\"","x":"\\"}`,
	`{"n":1234567890123456789,"m":12345678.5e-3,"o":0}`, `{"n":12345678`, `{"s":"abcdefg"}`, `{"s":"abcdefgh"}`,
	`{"k":"v"`, `{"k":"v",`, `{"k":"v",}`, `{"k":"v" "l":1}`, `{"k":{"a":[}}`, `{"k":[1,2]]}`,
	string(benchLogpush), strings.Replace(string(benchLogpush), `"ClientIP"`, `"ClientIp"`, 1),
	strings.Replace(string(benchLogpush), `"BotScore":99,`, ``, 1),
}

// TestBatchMatchesStep scans every input with fresh predictions, then
// with those it learned itself and with every other input's, in buffers
// of 1, 2, 3 and 64 members.
func TestBatchMatchesStep(t *testing.T) {
	for _, n := range []int{1, 2, 3, 64} {
		for _, in := range batchInputs {
			checkBatch(t, []byte(in), &KeyOrder{}, n)
			var o KeyOrder
			checkBatch(t, []byte(in), &o, n)
			checkBatch(t, []byte(in), &o, n)
			for _, other := range batchInputs {
				var o KeyOrder
				checkBatch(t, []byte(other), &o, n)
				checkBatch(t, []byte(in), &o, n)
			}
		}
	}
}

// TestLearnBounds: keys with escapes, over-long keys and positions past
// the limit are not learned, and an unlearned tag is never stored.
func TestLearnBounds(t *testing.T) {
	var o KeyOrder
	o.Learn(0, []byte(`a\"b`), 1)
	o.Learn(1, []byte(strings.Repeat("k", maxOrderedKey+1)), 2)
	o.Learn(2, []byte("ok"), 3)
	o.Learn(maxOrderedMembers, []byte("far"), 4)
	o.Learn(3, []byte("x"), Unlearned)
	if len(o.keys) != 3 || len(o.keys[0].text) != 0 || len(o.keys[1].text) != 0 || string(o.keys[2].text) != `ok":` {
		t.Fatalf("learned %+v", o.keys)
	}
}

// TestBatchValueBoundaries puts quotes, escapes, digits and the end of the
// data at every position around Batch's first-word string and number
// reading, predicted and not.
func TestBatchValueBoundaries(t *testing.T) {
	pieces := []string{`"`, `\"`, `\\`, `\\"`, `\`, `\u0022"`, "\x00", "\xff", "a"}
	tails := []string{``, `"`, `",`, `"}`, `","z":1}`, `x"}`, `\""}`}
	for n := 0; n <= 20; n++ {
		for _, piece := range pieces {
			for _, tail := range tails {
				in := `{"key":"` + strings.Repeat("a", n) + piece + tail
				var o KeyOrder
				checkBatch(t, []byte(in), &o, 64)
				checkBatch(t, []byte(in), &o, 64)
			}
		}
		for _, num := range []string{"", "-", "1.5", "e", "x", ",", "}", " "} {
			for _, tail := range []string{``, `}`, `,"z":"y"}`} {
				in := `{"key":` + strings.Repeat("9", n) + num + tail
				var o KeyOrder
				checkBatch(t, []byte(in), &o, 64)
				checkBatch(t, []byte(in), &o, 64)
			}
		}
	}
}

// TestRelearnAfterTwoMisses: lines of two shapes taking turns leave the
// first shape predicted; a shape that stays is learned from its second
// line on.
func TestRelearnAfterTwoMisses(t *testing.T) {
	predicted := func(o *KeyOrder, in string) int {
		m, hits := MembersOf([]byte(in)), 0
		buf := make([]Member, 0, 8)
		batch := m.Batch(o, buf)
		for i := range batch {
			if batch[i].Tag == Unlearned {
				o.Learn(batch[i].Pos, batch[i].Key([]byte(in)), 1)
			} else {
				hits++
			}
		}
		return hits
	}
	a, b := `{"a":1,"b":2,"c":3}`, `{"x":1,"y":2,"c":3}`
	var o KeyOrder
	for i, want := range []struct {
		in   string
		hits int
	}{{a, 0}, {a, 3}, {b, 1}, {a, 3}, {b, 1}, {a, 3}, {b, 1}, {b, 1}, {b, 3}, {a, 1}, {b, 3}} {
		if got := predicted(&o, want.in); got != want.hits {
			t.Fatalf("object %d (%s): %d keys predicted, want %d", i, want.in, got, want.hits)
		}
	}
}

// TestSkipLeavesOutScalars: members learned as Skip come back only when
// their value is an object or an array, and Pos still counts them.
func TestSkipLeavesOutScalars(t *testing.T) {
	in := []byte(`{"a":1,"b":{"c":2},"d":"x","e":[true],"f":null,"g":3}`)
	var o KeyOrder
	buf := make([]Member, 0, 8)
	for pass := 0; pass < 2; pass++ {
		m := MembersOf(in)
		var got []string
		for _, mb := range m.Batch(&o, buf) {
			if mb.Tag == Unlearned {
				tag := Skip
				if string(mb.Key(in)) == "g" {
					tag = 7
				}
				o.Learn(mb.Pos, mb.Key(in), tag)
			}
			got = append(got, fmt.Sprintf("%d:%s=%s/%d", mb.Pos, mb.Key(in), mb.Value(in).Raw, mb.Tag))
		}
		want := "0:a=1/255 1:b={\"c\":2}/255 2:d=x/255 3:e=[true]/255 4:f=null/255 5:g=3/255"
		if pass == 1 {
			want = "1:b={\"c\":2}/254 3:e=[true]/254 5:g=3/7"
		}
		if strings.Join(got, " ") != want || m.CheckEnd() != "" {
			t.Fatalf("pass %d: %s (%q), want %s", pass, strings.Join(got, " "), m.CheckEnd(), want)
		}
	}
}
