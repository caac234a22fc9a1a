package input

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func seq(from, n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = from + int64(i)
	}
	return out
}

func TestCompressionsByMagic(t *testing.T) {
	plain := tLines(seq(1000, 500)...)
	multi := append(gzipBytes(t, tLines(seq(1000, 200)...)), gzipBytes(t, tLines(seq(1200, 300)...))...)
	cases := []struct {
		name, file, comp string
		data             func(t *testing.T) []byte
	}{
		{"plain", "a.log", "", func(*testing.T) []byte { return plain }},
		{"plain named .gz", "a.log.gz", "", func(*testing.T) []byte { return plain }},
		{"gzip", "a.log.gz", "gzip", func(t *testing.T) []byte { return gzipBytes(t, plain) }},
		{"gzip named .log", "a.log", "gzip", func(t *testing.T) []byte { return gzipBytes(t, plain) }},
		{"gzip multi-member", "a.log.gz", "gzip", func(*testing.T) []byte { return multi }},
		{"zstd", "a.log.zst", "zstd", func(t *testing.T) []byte { return zstdBytes(t, plain) }},
		{"bzip2", "a.log.bz2", "bzip2", func(t *testing.T) []byte { return bzip2Bytes(t, plain) }},
		{"xz", "a.log.xz", "xz", func(t *testing.T) []byte { return xzBytes(t, plain) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), tc.file), tc.data(t))
			recs, res := collect(t, testOptions(path))
			in := res.Inputs[0]
			if in.Err != nil || in.Compression != tc.comp || in.Format != "t" {
				t.Fatalf("input = %+v", in)
			}
			if len(recs) != 500 || in.Lines != 500 || in.Parsed != 500 || in.Bytes != int64(len(plain)) {
				t.Fatalf("got %d records, counts %+v", len(recs), in.Counts)
			}
			for i, r := range recs {
				if r.Time != (1000+int64(i))*int64(time.Second) || r.Line != int64(i+1) || r.Input != path {
					t.Fatalf("record %d = time %d line %d input %q", i, r.Time, r.Line, r.Input)
				}
			}
		})
	}
}

func TestBrokenArchivesNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	data := tLines(seq(1000, 20000)...)
	gz := gzipBytes(t, data)
	cut := writeFile(t, filepath.Join(dir, "cut.log.gz"), gz[:len(gz)/2])
	zs := zstdBytes(t, tLines(seq(1000, 200000)...)) // many blocks: the damage is far in
	bad := bytes.Clone(zs)
	for i := len(bad) * 3 / 4; i < len(bad)*3/4+64; i++ {
		bad[i] ^= 0x5a
	}
	corrupt := writeFile(t, filepath.Join(dir, "corrupt.log.zst"), bad)
	good := writeFile(t, filepath.Join(dir, "good.log"), tLines(seq(500, 10)...))

	recs, res := collect(t, testOptions(cut, corrupt, good))
	for i, path := range []string{cut, corrupt} {
		in := res.Inputs[i]
		if in.Err == nil {
			t.Fatalf("%s: no error, counts %+v", path, in.Counts)
		}
		msg := in.Err.Error()
		if !strings.Contains(msg, path) || !strings.Contains(msg, "line "+itoa(in.Lines)) || !strings.Contains(msg, "data broken off") {
			t.Errorf("%s: error %q should name the file and the line reached (%d)", path, msg, in.Lines)
		}
		if in.Parsed < 1000 || in.Lines >= 20000 && i == 0 || in.Lines >= 200000 {
			t.Errorf("%s: %+v: what was read before the break should count", path, in.Counts)
		}
		t.Logf("%s: %v (%+v)", filepath.Base(path), in.Err, in.Counts)
	}
	if g := res.Inputs[2]; g.Err != nil || g.Parsed != 10 {
		t.Fatalf("good input not read: %+v", g)
	}
	if !res.Failed() {
		t.Error("Failed() = false with broken inputs")
	}
	if int64(len(recs)) != res.Totals.Parsed {
		t.Errorf("passed on %d of %d parsed", len(recs), res.Totals.Parsed)
	}
}

// Lines must come out exactly as a naive split gives them, whatever the
// slab size, CRLF, long lines and parallel workers.
func TestSlabBoundaries(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	var want []string
	for i := range 3000 {
		line := itoa(int64(1000+i)) + " 200 id" + itoa(int64(i)) + strings.Repeat(" ", 0)
		if pad := rng.IntN(10); pad == 0 {
			line = itoa(int64(1000+i)) + " 200 id" + itoa(int64(i)) + strings.Repeat("x", rng.IntN(700))
		}
		want = append(want, line)
		b.WriteString(line)
		if i%7 == 0 {
			b.WriteString("\r\n")
		} else {
			b.WriteString("\n")
		}
	}
	path := writeFile(t, filepath.Join(t.TempDir(), "a.log"), b.Bytes())
	for _, slab := range []int{64, 100, 4096, 1 << 20} {
		for _, workers := range []int{1, 2} {
			opt := testOptions(path)
			opt.slabSize, opt.Workers = slab, workers
			recs, res := collect(t, opt)
			if len(recs) != len(want) || res.Totals.Bytes != int64(b.Len()) {
				t.Fatalf("slab %d: %d records, counts %+v", slab, len(recs), res.Totals.Counts)
			}
			var off int64
			for i, r := range recs {
				if r.Raw != want[i] || r.Line != int64(i+1) || r.Offset != off {
					t.Fatalf("slab %d workers %d: record %d = %q line %d off %d, want %q off %d",
						slab, workers, i, r.Raw, r.Line, r.Offset, want[i], off)
				}
				off += int64(len(want[i])) + 1
				if i%7 == 0 {
					off++
				}
			}
		}
	}
}

func TestOverlongSkippedNotHeld(t *testing.T) {
	var b bytes.Buffer
	b.Write(tLines(1, 2))
	b.WriteString("3 200 " + strings.Repeat("y", 5000) + "\n") // over the limit
	b.Write(tLines(4))
	b.WriteString("5 200 " + strings.Repeat("z", 900) + "\n") // under it, longer than a slab
	b.WriteString(strings.Repeat("w", 3000))                  // overlong last line, no newline
	path := writeFile(t, filepath.Join(t.TempDir(), "a.log"), b.Bytes())
	opt := testOptions(path)
	opt.MaxLine, opt.slabSize = 1024, 256
	recs, res := collect(t, opt)
	in := res.Inputs[0]
	if in.Lines != 6 || in.Overlong != 2 || in.Parsed != 4 || in.Bytes != int64(b.Len()) {
		t.Fatalf("counts %+v (bytes want %d)", in.Counts, b.Len())
	}
	lines := []int64{}
	for _, r := range recs {
		lines = append(lines, r.Line)
	}
	if len(lines) != 4 || lines[2] != 4 || lines[3] != 5 || recs[3].Offset != int64(b.Len()-3000-len("5 200 ")-901) {
		t.Fatalf("lines %v offsets wrong: %d", lines, recs[3].Offset)
	}
}

func TestBlankCommentMalformedAccounting(t *testing.T) {
	data := "# header\n\n100 200\n  \t\nnot a line\n101 2x0\n\r\n102 200"
	path := writeFile(t, filepath.Join(t.TempDir(), "a.log"), []byte(data))
	opt := testOptions(path)
	opt.Formats = []string{"t"}
	recs, res := collect(t, opt)
	in := res.Inputs[0]
	want := parse.Counts{Lines: 8, Parsed: 2, Ignored: 4, Malformed: 2, Bytes: int64(len(data))}
	if in.Counts != want || len(recs) != 2 {
		t.Fatalf("counts %+v, want %+v", in.Counts, want)
	}
	if len(in.MalformedExamples) != 2 || in.MalformedExamples[0].Line != 5 || in.MalformedExamples[1].Reason != "bad status" {
		t.Fatalf("examples %+v", in.MalformedExamples)
	}
	if in.First != time.Unix(100, 0).UTC() || in.Last != time.Unix(102, 0).UTC() {
		t.Fatalf("range %v..%v", in.First, in.Last)
	}
}
