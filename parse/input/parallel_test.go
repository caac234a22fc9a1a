package input

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// jitterParser is the "t" format, but yields the processor on some lines so
// that parallel workers finish their chunks out of order.
type jitterParser struct{ tParser }

func (jitterParser) Format() string { return "tj" }

func (p jitterParser) Parse(line []byte, rec *parse.Record) error {
	if len(line) > 2 && line[len(line)-1]%3 == 0 {
		runtime.Gosched()
	}
	return p.tParser.Parse(line, rec)
}

func jitterOptions(path string) Options {
	opt := testOptions(path)
	opt.Formats = []string{"tj"}
	opt.NewParser = func(name string) (parse.Parser, error) {
		if name == "tj" {
			return jitterParser{}, nil
		}
		return testNewParser(name)
	}
	return opt
}

// Chunks parsed out of order by several workers are passed on in input
// order, every line accounted for, whatever the worker count.
func TestParallelCommitInOrder(t *testing.T) {
	var b bytes.Buffer
	const n = 20000
	for i := range n {
		b.WriteString(itoa(int64(1000+i/10)) + " 200 r" + itoa(int64(i)) + "\n")
		if i%1000 == 0 {
			b.WriteString("garbage\n\n")
		}
	}
	path := writeFile(t, filepath.Join(t.TempDir(), "a.log"), b.Bytes())
	for _, workers := range []int{2, 3, 5} {
		for _, slab := range []int{128, 1000} {
			opt := jitterOptions(path)
			opt.Workers, opt.slabSize = workers, slab
			recs, res := collect(t, opt)
			c := res.Totals.Counts
			if len(recs) != n || c.Parsed != n || c.Malformed != n/1000 || c.Ignored != n/1000 ||
				c.Lines != n+2*n/1000 || c.Bytes != int64(b.Len()) {
				t.Fatalf("workers %d slab %d: %d records, counts %+v", workers, slab, len(recs), c)
			}
			for i := 1; i < len(recs); i++ {
				if recs[i].Line <= recs[i-1].Line || recs[i].Offset <= recs[i-1].Offset {
					t.Fatalf("workers %d slab %d: record %d (line %d) after line %d",
						workers, slab, i, recs[i].Line, recs[i-1].Line)
				}
			}
		}
	}
}

// Cancelling a batch run while parallel workers are busy ends Run promptly
// with the context's error.
func TestParallelCancelMidRun(t *testing.T) {
	var b bytes.Buffer
	for i := range 200000 {
		b.WriteString(itoa(int64(1000+i/10)) + " 200\n")
	}
	path := writeFile(t, filepath.Join(t.TempDir(), "a.log"), b.Bytes())
	for _, workers := range []int{2, 4} {
		ctx, cancel := context.WithCancel(context.Background())
		opt := jitterOptions(path)
		opt.Workers, opt.slabSize = workers, 4096
		seen := 0
		done := make(chan error, 1)
		go func() {
			_, err := Run(ctx, opt, func(batch []parse.Record) {
				seen += len(batch)
				if seen > 1000 {
					cancel()
				}
			})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("workers %d: err %v, want context.Canceled", workers, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("workers %d: Run did not end after cancel", workers)
		}
		cancel()
	}
}
