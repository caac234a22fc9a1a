package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMembers(t *testing.T) {
	in := []byte(` {"a":1, "b" : "x\"y", "c":{"d":[1,{"e":"}"}]}, "f":[], "g":true,"h":false,"i":null,"j":-1.5e3} `)
	type kv struct {
		key  string
		kind Kind
		raw  string
	}
	want := []kv{
		{"a", Number, "1"}, {"b", String, `x\"y`}, {"c", Object, `{"d":[1,{"e":"}"}]}`}, {"f", Array, "[]"},
		{"g", True, "true"}, {"h", False, "false"}, {"i", Null, "null"}, {"j", Number, "-1.5e3"},
	}
	m := MembersOf(in)
	var got []kv
	for m.Next() {
		got = append(got, kv{string(m.Key), m.Val.Kind, string(m.Val.Raw)})
	}
	if m.Err() != "" || m.CheckEnd() != "" {
		t.Fatalf("err %q / %q", m.Err(), m.CheckEnd())
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("member %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{``, ErrNotObject},
		{`[1]`, ErrNotObject},
		{`{`, ErrTruncated},
		{`{"a"`, ErrTruncated},
		{`{"a":`, ErrTruncated},
		{`{"a":"x`, ErrTruncated},
		{`{"a":1`, ErrTruncated},
		{`{"a":1,}`, ErrSyntax},
		{`{"a" 1}`, ErrSyntax},
		{`{a:1}`, ErrSyntax},
		{`{"a":[1,2}`, ErrSyntax},
		{`{"a":{"b":1]}`, ErrSyntax},
		{`{"a":nul}`, ErrSyntax},
		{`{"a":}`, ErrSyntax},
		{`{"a":1 "b":2}`, ErrSyntax},
		{`{"a":` + string(bytes.Repeat([]byte("["), 100)) + `}`, ErrDepth},
	}
	for _, tt := range tests {
		m := MembersOf([]byte(tt.in))
		for m.Next() {
		}
		if m.Err() != tt.err {
			t.Errorf("%q: err %q, want %q", tt.in, m.Err(), tt.err)
		}
	}
	m := MembersOf([]byte("\xEF\xBB\xBF{\"a\":1}"))
	if !m.Next() || string(m.Key) != "a" {
		t.Errorf("byte order mark: %q", m.Err())
	}
	m = MembersOf([]byte(`{"a":1} x`))
	for m.Next() {
	}
	if m.Err() != "" || m.CheckEnd() != ErrTrailing {
		t.Errorf("trailing: %q %q", m.Err(), m.CheckEnd())
	}
}

func TestValueConversions(t *testing.T) {
	tests := []struct {
		v     Value
		text  string
		i     int64
		iok   bool
		first string
	}{
		{Value{String, []byte(`a\u00e9\n\/`)}, "aé\n/", 0, false, "aé\n/"},
		{Value{String, []byte(` 42 `)}, " 42 ", 42, true, " 42 "},
		{Value{Number, []byte(`200.0`)}, "200.0", 200, true, ""},
		{Value{Number, []byte(`-7`)}, "-7", -7, true, ""},
		{Value{Number, []byte(`1e3`)}, "1e3", 1000, true, ""},
		{Value{Number, []byte(`1e30`)}, "1e30", 0, false, ""},
		{Value{Array, []byte(`[1, "x", "y"]`)}, "", 0, false, "x"},
		{Value{Object, []byte(`{}`)}, "", 0, false, ""},
		{Value{Null, []byte(`null`)}, "null", 0, false, ""},
	}
	for _, tt := range tests {
		if got := tt.v.Text(); got != tt.text {
			t.Errorf("%s Text = %q, want %q", tt.v.Raw, got, tt.text)
		}
		if i, ok := tt.v.Int(); i != tt.i || ok != tt.iok {
			t.Errorf("%s Int = %d %v", tt.v.Raw, i, ok)
		}
		f, ok := tt.v.FirstString()
		if got := f.Text(); (ok && got != tt.first) || (!ok && tt.first != "") {
			t.Errorf("%s FirstString = %q %v", tt.v.Raw, got, ok)
		}
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`\"\\\/\b\f\n\r\t`, "\"\\/\b\f\n\r\t"},
		{`\u0041\u00e9\u20ac`, "Aé€"},
		{`\ud83d\ude00`, "😀"},
		{`\ud83d`, "\uFFFD"},
		{`\ud83dx`, "\uFFFDx"},
		{`\u12`, `\u12`},
		{`\x`, `\x`},
		{`end\`, `end\`},
	}
	for _, tt := range tests {
		if got := string(Unescape(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("Unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	in := []byte(`{"a":"plain","b":[1,2,{"c":"d"}],"n":123}`)
	allocs := testing.AllocsPerRun(100, func() {
		m := MembersOf(in)
		for m.Next() {
			_ = m.Val.Text()
			_, _ = m.Val.Int()
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocs", allocs)
	}
}

// FuzzMembers checks the scanner against encoding/json: valid objects scan
// cleanly with the same members and string values, and nothing panics.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1}`, `{"a":"x\"y","b":[1,{"c":null}],"d":{"e":true}}`, `{"a":"\ud83d\ude00\u0041"}`,
		`{"a":"\\"}`, `{"a":1,}`, `{"a":[}`, ` {"a" : -1.5e3 } `, `{"a":"\u00"}`, "{\"a\":\"\xff\"}",
		// Batch's fast paths: an escaped quote across the first word, a
		// backslash or the end of the data right after it, 19 digits.
		`{"abcdefg":"1234567\"","b":1}`, `{"a":"12345678\\"}`, `{"k":"abcdefgh`, `{"n":12345678`,
		`{"n":1234567890123456789,"m":-0.5e+3}`, `{"a":1,"a":1,"ab":1}`, `{"a":"x","a" :"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Batch against Step: with nothing learned, with what the input
		// itself taught, and with a Logpush line's key order.
		checkBatch(t, data, &KeyOrder{}, 3)
		var own, logpush KeyOrder
		checkBatch(t, data, &own, 64)
		checkBatch(t, data, &own, 64)
		checkBatch(t, benchLogpush, &logpush, 64)
		checkBatch(t, data, &logpush, 2)
		m := MembersOf(data)
		type member struct {
			key string
			val Value
		}
		var got []member
		for m.Next() {
			got = append(got, member{string(m.Key), m.Val})
			if m.Val.Kind == String {
				_ = m.Val.Text()
			}
			_, _ = m.Val.Int()
			_, _ = m.Val.FirstString()
		}
		end := m.CheckEnd()
		st, i := MembersOf(data), 0
		for k, v, ok := st.Step(); ok; k, v, ok = st.Step() {
			if i >= len(got) || string(k) != got[i].key || v.Kind != got[i].val.Kind || !bytes.Equal(v.Raw, got[i].val.Raw) {
				t.Fatalf("Step's member %d (%q) differs from Next's", i, k)
			}
			i++
		}
		if i != len(got) || st.CheckEnd() != end || st.Offset() != m.Offset() {
			t.Fatalf("Step ends after %d members with %q@%d, Next after %d with %q@%d",
				i, st.CheckEnd(), st.Offset(), len(got), end, m.Offset())
		}
		if !json.Valid(data) {
			return
		}
		// Skipped values are only checked for balance; in valid input they
		// must rescan cleanly.
		for _, mem := range got {
			if mem.val.Kind == Object {
				sub := MembersOf(mem.val.Raw)
				for sub.Next() {
				}
				if sub.CheckEnd() != "" {
					t.Fatalf("nested object %q rescans with %q", mem.val.Raw, sub.CheckEnd())
				}
			}
		}
		// encoding/json decodes null into a map without error, leaving it
		// nil: only a non-nil map means the input was an object.
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil || obj == nil {
			if end == "" {
				t.Fatalf("accepted a valid non-object %q", data)
			}
			return
		}
		if end != "" {
			t.Fatalf("valid object %q rejected: %s", data, end)
		}
		for _, mem := range got {
			if bytes.IndexByte([]byte(mem.key), '\\') >= 0 || !utf8.ValidString(mem.key) {
				continue // encoding/json rewrites such keys
			}
			raw, ok := obj[mem.key]
			if !ok {
				t.Fatalf("key %q not in %q", mem.key, data)
			}
			if mem.val.Kind == String && utf8.Valid(mem.val.Raw) {
				var s string
				if err := json.Unmarshal(raw, &s); err == nil && s != mem.val.Text() {
					// The last duplicate key wins in encoding/json.
					dup := 0
					for _, o := range got {
						if o.key == mem.key {
							dup++
						}
					}
					if dup == 1 {
						t.Fatalf("value of %q: %q, encoding/json says %q", mem.key, mem.val.Text(), s)
					}
				}
			}
		}
	})
}

// TestStringEndWords puts the closing quote and escapes at every position
// around the 8-byte words and the hand-over to bytes.IndexByte, against a
// byte-by-byte reference.
func TestStringEndWords(t *testing.T) {
	ref := func(d []byte, p int) (int, bool) {
		for q := p; q < len(d); q++ {
			switch d[q] {
			case '\\':
				q++
			case '"':
				return q, true
			}
		}
		return 0, false
	}
	pieces := []string{`"`, `\"`, `\\`, `\\"`, `\`, "\x80", "\xff", "a"}
	for n := 0; n <= swarBytes+10; n++ {
		for _, piece := range pieces {
			for _, tail := range []string{``, `"`, `x"`, `\""`, strings.Repeat("y", 40) + `"`} {
				d := []byte(`"` + strings.Repeat("a", n) + piece + tail)
				wantI, wantOK := ref(d, 1)
				gotI, gotOK := stringEnd(d, 1)
				if gotOK != wantOK || (wantOK && gotI != wantI) {
					t.Fatalf("stringEnd(%q) = %d, %v; want %d, %v", d, gotI, gotOK, wantI, wantOK)
				}
				// Resuming after a clean prefix gives the same end.
				for q := 1; q <= len(d) && !bytes.ContainsAny(d[1:q], `"\`); q++ {
					gotI, gotOK := stringEndFrom(d, 1, q)
					if gotOK != wantOK || (wantOK && gotI != wantI) {
						t.Fatalf("stringEndFrom(%q, 1, %d) = %d, %v; want %d, %v", d, q, gotI, gotOK, wantI, wantOK)
					}
				}
			}
		}
	}
}

// TestStepMatchesNext walks the same objects with Next and Step: the same
// members, the same end and error.
func TestStepMatchesNext(t *testing.T) {
	for _, in := range []string{
		`{}`, `{"a":1}`, ` {"a":"x\"y","b":[1,{"c":null}],"d":{"e":true}} `,
		`{"a":1,}`, `{"a":1`, `{"a" 1}`, `{"a":1} x`, `[1]`, `{"a":"`, "\xef\xbb\xbf{\"k\":false}",
		string(benchLogpush),
	} {
		a, b := MembersOf([]byte(in)), MembersOf([]byte(in))
		for {
			k, v, ok := b.Step()
			if a.Next() != ok || string(a.Key) != string(k) || a.Val.Kind != v.Kind || string(a.Val.Raw) != string(v.Raw) {
				t.Fatalf("%q: Next gave %q=%q, Step %q=%q (%v)", in, a.Key, a.Val.Raw, k, v.Raw, ok)
			}
			if !ok {
				break
			}
		}
		if a.CheckEnd() != b.CheckEnd() || a.Offset() != b.Offset() {
			t.Fatalf("%q: ends differ: %q@%d, %q@%d", in, a.Err(), a.Offset(), b.Err(), b.Offset())
		}
	}
}

// TestNumberEnd puts every byte value at every position of a run of
// digits around the 8-byte words, against a byte-by-byte reference.
func TestNumberEnd(t *testing.T) {
	ref := func(d []byte, p int) int {
		for p < len(d) && numberByte[d[p]] {
			p++
		}
		return p
	}
	for n := 0; n <= 20; n++ {
		for c := 0; c < 256; c++ {
			for _, tail := range []string{``, `1`, `,"a":1}`, `123456789012`} {
				d := []byte(`:` + strings.Repeat("7", n) + string([]byte{byte(c)}) + tail)
				if got, want := numberEnd(d, 1), ref(d, 1); got != want {
					t.Fatalf("numberEnd(%q) = %d, want %d", d, got, want)
				}
			}
		}
	}
}
