package input

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// panicParser is the t format, except that it panics on a line "boom".
type panicParser struct{ tParser }

func (panicParser) Format() string { return "panicky" }

func (p panicParser) Parse(line []byte, rec *parse.Record) error {
	if bytes.Equal(line, []byte("boom")) {
		var s []int
		_ = s[len(line)] // a real runtime panic: index out of range
	}
	return p.tParser.Parse(line, rec)
}

// A parser that panics ends its own input with an error; the other inputs
// are read, the run itself does not fail, and the caller hears of it.
func TestParserPanicEndsOnlyItsInput(t *testing.T) {
	dir := t.TempDir()
	var data []byte
	data = append(data, tLines(seq(1000, 5000)...)...)
	data = append(data, "boom\n"...)
	data = append(data, tLines(seq(6000, 100)...)...)
	bad := writeFile(t, filepath.Join(dir, "bad.log"), data)
	good := writeFile(t, filepath.Join(dir, "good.log"), tLines(seq(1000, 10)...))
	for _, workers := range []int{1, 2} {
		var panics atomic.Int64
		opt := testOptions(bad, good)
		opt.Formats = []string{"bad.log=panicky"}
		opt.NewParser = func(name string) (parse.Parser, error) {
			if name == "panicky" {
				return panicParser{}, nil
			}
			return testNewParser(name)
		}
		opt.Workers = workers
		opt.slabSize = 4096
		opt.OnPanic = func(error) { panics.Add(1) }
		_, res := collect(t, opt)
		in := res.Inputs[0]
		if in.Err == nil || !strings.Contains(in.Err.Error(), "bad.log") || !strings.Contains(in.Err.Error(), "internal error") {
			t.Fatalf("workers %d: err %v", workers, in.Err)
		}
		if res.Inputs[1].Err != nil || res.Inputs[1].Parsed != 10 || panics.Load() != 1 {
			t.Fatalf("workers %d: other input %+v, panics %d", workers, res.Inputs[1], panics.Load())
		}
	}
}
