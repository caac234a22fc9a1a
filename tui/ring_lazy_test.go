package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// lazyFile writes n lines to a file and returns its path and the records
// as the pipeline would hand them over (fields view Raw, offsets set).
func lazyFile(t *testing.T, n int) (string, []parse.Record) {
	t.Helper()
	return lazyFileOf(t, n, "10.0.0.")
}

// lazyFileOf is lazyFile with its lines' clients starting with net.
func lazyFileOf(t *testing.T, n int, net string) (string, []parse.Record) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "access.log")
	var b strings.Builder
	recs := make([]parse.Record, n)
	for i := range recs {
		line := fmt.Sprintf("%s%d GET /item/%d %d", net, i%256, i, 200+i%3)
		off := b.Len()
		b.WriteString(line + "\n")
		raw := []byte(line) // the reader's slab: reused after Add
		recs[i] = parse.Record{Input: path, Line: int64(i + 1), Offset: int64(off), Status: 200 + i%3,
			Raw: parse.View(raw), Path: parse.View(raw[strings.Index(line, "/"):][:len(fmt.Sprintf("/item/%d", i))])}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, recs
}

func wantLine(t *testing.T, rec parse.Record, i int) {
	t.Helper()
	if want := fmt.Sprintf("/item/%d", i); rec.Path != want || !strings.Contains(rec.Raw, " "+want+" ") || rec.Line != int64(i+1) {
		t.Fatalf("record %d: raw %q path %q line %d", i, rec.Raw, rec.Path, rec.Line)
	}
}

// TestRingDeferText: with DeferText, a file's records get their text by
// Fill, from the file; before it nobody sees them without text; once
// somebody looked, the next batch copies everything again.
func TestRingDeferText(t *testing.T) {
	t.Run("filled at the end", func(t *testing.T) {
		path, recs := lazyFile(t, 300)
		r := NewRing(100)
		asked := 0
		r.DeferText(func(p string) bool { asked++; return p == path })
		for i := 0; i < len(recs); i += 64 {
			r.Add(recs[i:min(i+64, len(recs))])
		}
		if asked != 1 {
			t.Fatalf("rereadable asked %d times, want once per input", asked)
		}
		first, next := r.Bounds()
		if first != 200 || next != 300 {
			t.Fatalf("bounds %d..%d", first, next)
		}
		r.Fill()
		for seq := first; seq < next; seq++ {
			rec, ok := r.At(seq)
			if !ok {
				t.Fatalf("At(%d) not found after Fill", seq)
			}
			wantLine(t, rec, int(seq))
		}
	})
	t.Run("unseen until filled, copied once observed", func(t *testing.T) {
		path, recs := lazyFile(t, 50)
		r := NewRing(100)
		r.DeferText(func(p string) bool { return p == path })
		r.Add(recs[:20])
		if _, ok := r.At(5); ok || !r.Waiting(5) {
			t.Fatal("a record without its text was returned, or not said to be waiting")
		}
		if n := r.Scan(0, func(int64, *parse.Record) bool { t.Fatal("visited a record without text"); return true }); n != 0 {
			t.Fatalf("Scan returned %d, want 0 (stopped before the first)", n)
		}
		if _, ok := r.Find(path, 3); ok {
			t.Fatal("Find returned a record without its text")
		}
		r.Add(recs[20:30]) // somebody looked: this batch fills and copies
		if r.Waiting(5) || r.Waiting(25) {
			t.Fatal("still waiting after the next batch")
		}
		for seq := int64(0); seq < 30; seq++ {
			rec, ok := r.At(seq)
			if !ok {
				t.Fatalf("At(%d) after the next batch", seq)
			}
			wantLine(t, rec, int(seq))
		}
	})
	t.Run("file rewritten", func(t *testing.T) {
		path, recs := lazyFile(t, 10)
		r := NewRing(100)
		r.DeferText(func(p string) bool { return p == path })
		r.Add(recs)
		data, _ := os.ReadFile(path)
		// Replaced by other lines of the same lengths (the check reads a
		// line's first and last 8 bytes: where their time and client differ).
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "10.0.0.", "10.9.9.")), 0o600); err != nil {
			t.Fatal(err)
		}
		r.Fill()
		rec, ok := r.At(3)
		if !ok || rec.Raw != "" || rec.Path != "" || rec.Status != recs[3].Status || rec.Line != 4 {
			t.Fatalf("a changed line must keep its numbers, not wrong text: %+v %v", rec, ok)
		}
	})
	t.Run("file gone or not deferrable", func(t *testing.T) {
		path, recs := lazyFile(t, 10)
		other := append([]parse.Record(nil), recs...)
		for i := range other {
			other[i].Input = "stdin"
		}
		r := NewRing(100)
		r.DeferText(func(p string) bool { return p == path })
		r.Add(append(recs[:5:5], other[5:]...))
		os.Remove(path)
		r.Fill()
		if rec, ok := r.At(2); !ok || rec.Raw != "" || rec.Line != 3 {
			t.Fatalf("gone file: %+v %v", rec, ok)
		}
		if rec, ok := r.At(7); !ok {
			t.Fatal("stdin record missing")
		} else {
			wantLine(t, rec, 7)
		}
	})
}

// TestRingDeferTextConcurrent: the interface reads while batches are
// added and the ring is filled (run with -race).
func TestRingDeferTextConcurrent(t *testing.T) {
	path, recs := lazyFile(t, 2000)
	r := NewRing(300)
	r.DeferText(func(p string) bool { return p == path })
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < len(recs); i += 50 {
			r.Add(recs[i : i+50])
		}
		r.Fill()
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
			first, next := r.Bounds()
			for seq := first; seq < next; seq++ {
				rec, ok := r.At(seq)
				if !ok {
					t.Fatalf("At(%d) after Fill", seq)
				}
				wantLine(t, rec, int(seq))
			}
			return
		default:
		}
		if i > 2 { // a few batches deferred, then the first look: the next Add fills them while reads go on
			_, next := r.Bounds()
			if rec, ok := r.At(next - 1); ok {
				wantLine(t, rec, int(next-1))
			}
		}
	}
}

// TestRingDeferTextInterleaved: records of two files merged by time come
// back right, each file read in order once.
func TestRingDeferTextInterleaved(t *testing.T) {
	pathA, a := lazyFileOf(t, 500, "10.1.1.")
	pathB, b := lazyFileOf(t, 500, "10.2.2.")
	var merged []parse.Record
	for i := range a {
		merged = append(merged, a[i], b[i])
	}
	r := NewRing(600)
	r.DeferText(func(p string) bool { return p == pathA || p == pathB })
	for i := 0; i < len(merged); i += 100 {
		r.Add(merged[i : i+100])
	}
	r.Fill()
	first, next := r.Bounds()
	for seq := first; seq < next; seq++ {
		rec, ok := r.At(seq)
		if !ok {
			t.Fatalf("At(%d)", seq)
		}
		if want := []string{pathA, pathB}[seq%2]; rec.Input != want || !strings.HasPrefix(rec.Raw, []string{"10.1.1.", "10.2.2."}[seq%2]) {
			t.Fatalf("record %d from %s (%q), want %s", seq, rec.Input, rec.Raw, want)
		}
		wantLine(t, rec, int(seq/2))
	}
}
