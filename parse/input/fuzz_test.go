package input

import (
	"bytes"
	"context"
	"testing"
)

// FuzzLineReader: whatever the bytes, slab size and line limit, the reader
// gives back exactly the lines a naive split gives (overlong ones counted
// instead), with the right numbers and offsets, and never panics.
//
//	go test -run '^$' -fuzz FuzzLineReader -fuzztime 20s ./parse/input/
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("a\nbb\r\n\nccc"), uint8(4), uint8(2))
	f.Add([]byte("\x00\xff\n\n\n"), uint8(1), uint8(1))
	f.Add(bytes.Repeat([]byte("x"), 300), uint8(16), uint8(8))
	f.Add([]byte("1 200\n2 200\nlong long long line\n3 200"), uint8(8), uint8(10))
	f.Fuzz(func(t *testing.T, data []byte, slab, maxLine uint8) {
		slabSize, limit := int(slab)+1, int(maxLine)+1
		lr := newLineReader(bytes.NewReader(data), slabSize, limit, false, nil)
		var lines []string
		var numbers, offsets []int64
		var total int64
		err := lr.run(context.Background(), func(c *chunk) bool {
			if c.overlong {
				lines = append(lines, "\x00overlong")
				numbers = append(numbers, c.first)
				offsets = append(offsets, c.offset)
				total += c.skipped
				return true
			}
			total += int64(len(c.data))
			d, n, off := c.data, c.first, c.offset
			var got int64
			for len(d) > 0 {
				i := bytes.IndexByte(d, '\n')
				line, next := d, len(d)
				if i >= 0 {
					line, next = d[:i], i+1
				}
				if len(line) > limit {
					lines = append(lines, "\x00overlong") // in a slab, but over the limit: the parser counts it overlong
				} else {
					lines = append(lines, string(line))
				}
				numbers = append(numbers, n)
				offsets = append(offsets, off)
				n++
				got++
				off += int64(next)
				d = d[next:]
			}
			if got != c.lines {
				t.Fatalf("chunk says %d lines, holds %d", c.lines, got)
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if total != int64(len(data)) || lr.bytes != int64(len(data)) {
			t.Fatalf("accounted %d bytes of %d", total, len(data))
		}
		want := bytes.Split(data, []byte{'\n'})
		if len(data) == 0 || data[len(data)-1] == '\n' {
			want = want[:len(want)-1]
		}
		if len(lines) != len(want) {
			t.Fatalf("%d lines, want %d", len(lines), len(want))
		}
		var off int64
		for i, w := range want {
			if numbers[i] != int64(i+1) || offsets[i] != off {
				t.Fatalf("line %d: number %d offset %d, want offset %d", i+1, numbers[i], offsets[i], off)
			}
			if len(w) > limit {
				if lines[i] != "\x00overlong" {
					t.Fatalf("line %d (%d bytes, limit %d) not overlong", i+1, len(w), limit)
				}
			} else if lines[i] != string(w) {
				t.Fatalf("line %d = %q, want %q", i+1, lines[i], w)
			}
			off += int64(len(w)) + 1
		}
	})
}
