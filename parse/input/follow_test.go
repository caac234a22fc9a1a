package input

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func appendFile(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// Follow two files, one of which does not exist yet and then stays idle:
// records of the live one arrive without waiting for it, events are
// surfaced, and the accounting holds when the context ends.
func TestFollowLiveFiles(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.log"), tLines(100, 101))
	b := filepath.Join(dir, "b.log") // created later
	var evMu sync.Mutex
	var events []string
	opt := testOptions(a, b)
	opt.Follow, opt.FromStart = true, true
	opt.FollowLatency = 50 * time.Millisecond
	opt.PollInterval = 50 * time.Millisecond
	opt.detectWait = 50 * time.Millisecond
	opt.OnEvent = func(ev Event) {
		evMu.Lock()
		events = append(events, ev.String())
		evMu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &syncSink{}
	var ticks atomic.Int64
	opt.OnTick = func(time.Time) { ticks.Add(1) }
	p, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var res *Result
	var runErr error
	go func() {
		defer close(done)
		res, runErr = p.Run(ctx, sink.add)
	}()
	waitFor(t, "the first two records", func() bool { return sink.len() == 2 })
	appendFile(t, a, tLines(102, 103, 104))
	appendFile(t, a, []byte("junk line here\n\n"))
	waitFor(t, "appended records (b idle)", func() bool { return sink.len() == 5 })
	appendFile(t, b, tLines(105, 106))
	waitFor(t, "records of the new file", func() bool { return sink.len() == 7 })
	if pr := p.Progress(); pr.Lines != 9 || pr.Done {
		t.Fatalf("progress %+v", pr)
	}
	waitFor(t, "ticks while idle", func() bool { return ticks.Load() > 2 })
	cancel()
	<-done
	if runErr != nil {
		t.Fatalf("Run: %v", runErr)
	}
	checkBalanced(t, res)
	if res.Totals.Parsed != 7 || res.Totals.Malformed != 1 || res.Totals.Ignored != 1 || len(res.Inputs) != 2 {
		t.Fatalf("totals %+v inputs %+v", res.Totals, res.Inputs)
	}
	for i, r := range sink.recs {
		if r.Time != int64(100+i)*int64(time.Second) {
			t.Fatalf("record %d at %d", i, r.Time)
		}
	}
	evMu.Lock()
	defer evMu.Unlock()
	all := strings.Join(events, "\n")
	if !strings.Contains(all, "a.log: opened") || !strings.Contains(all, "b.log: waiting") {
		t.Fatalf("events:\n%s", all)
	}
}

// stdin in follow mode: lines are parsed as they come and the run ends at EOF.
func TestFollowStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	opt := testOptions("-")
	opt.Stdin = r
	opt.Follow = true
	opt.FollowLatency = 20 * time.Millisecond
	opt.detectWait = 20 * time.Millisecond
	sink := &syncSink{}
	done := make(chan struct{})
	var res *Result
	go func() {
		defer close(done)
		res, _ = Run(context.Background(), opt, sink.add)
	}()
	if _, err := w.Write(tLines(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "live stdin records", func() bool { return sink.len() == 3 })
	if _, err := w.Write(tLines(4)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	<-done
	checkBalanced(t, res)
	if res.Totals.Parsed != 4 || sink.len() != 4 || res.Inputs[0].Format != "t" {
		t.Fatalf("%+v", res.Inputs)
	}
}

// A last line without its newline counts its own bytes only, whether stdin
// ends after it or a followed file is truncated under it (or it is overlong).
func TestFollowUnterminatedBytes(t *testing.T) {
	t.Run("stdin", func(t *testing.T) {
		for _, tc := range []struct {
			name, data string
			maxLine    int
		}{
			{"text", "1 200\n2 200", 0},
			{"overlong", "1 200\n2 200 a-long-request-id", 12},
			{"CRLF", "1 200\r\n2 200\r", 0},
			{"blank only", "\n \t", 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				opt := testOptions("-")
				opt.Stdin = strings.NewReader(tc.data)
				opt.Follow = true
				opt.MaxLine = tc.maxLine
				opt.FollowLatency = 20 * time.Millisecond
				opt.detectWait = 20 * time.Millisecond
				p, err := New(opt)
				if err != nil {
					t.Fatal(err)
				}
				res, err := p.Run(context.Background(), func([]parse.Record) {})
				if err != nil {
					t.Fatal(err)
				}
				checkBalanced(t, res)
				if res.Totals.Lines != 2 || res.Totals.Bytes != int64(len(tc.data)) || p.Progress().Bytes != int64(len(tc.data)) {
					t.Fatalf("lines %d bytes %d progress %d, want 2 lines of %d bytes",
						res.Totals.Lines, res.Totals.Bytes, p.Progress().Bytes, len(tc.data))
				}
			})
		}
	})
	t.Run("truncated file", func(t *testing.T) {
		dir := t.TempDir()
		a := writeFile(t, filepath.Join(dir, "a.log"), nil)
		opt := testOptions(a)
		opt.Formats = []string{"t"}
		opt.Follow, opt.FromStart = true, true
		opt.FollowLatency = 20 * time.Millisecond
		opt.PollInterval = 20 * time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p, err := New(opt)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		var res *Result
		go func() {
			defer close(done)
			res, err = p.Run(ctx, func([]parse.Record) {})
		}()
		waitFor(t, "the file to be followed", func() bool { return len(p.Inputs()) == 1 })
		appendFile(t, a, []byte("100 200\n101 200"))
		waitFor(t, "the first line", func() bool { return p.Totals().Parsed == 1 })
		if err := os.Truncate(a, 0); err != nil {
			t.Fatal(err)
		}
		appendFile(t, a, []byte("102 200\n"))
		waitFor(t, "the held line and the new one", func() bool { return p.Totals().Parsed == 3 })
		cancel()
		<-done
		if err != nil {
			t.Fatal(err)
		}
		checkBalanced(t, res)
		if want := int64(len("100 200\n101 200") + len("102 200\n")); res.Totals.Bytes != want {
			t.Fatalf("bytes %d, want %d", res.Totals.Bytes, want)
		}
	})
}

// Following a directory follows its live files only: rotated-away and
// compressed members of a family are neither tailed nor re-read when a
// rotation renames them.
func TestFollowDirectoryLiveFilesOnly(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "access.log"), nil)
	writeFile(t, filepath.Join(dir, "access.log.1"), tLines(1, 2))
	writeFile(t, filepath.Join(dir, "access.log.2.gz"), gzipBytes(t, tLines(0)))
	writeFile(t, filepath.Join(dir, "app-20261120.log"), nil)
	srcs := expandFollow([]string{dir}, false)
	var got []string
	for _, s := range srcs {
		got = append(got, filepath.Base(s.path))
	}
	if strings.Join(got, " ") != "access.log app-20261120.log" {
		t.Fatalf("followed %v", got)
	}
	// Named explicitly, a rotated file is followed as asked.
	if srcs := expandFollow([]string{filepath.Join(dir, "access.log.1")}, false); len(srcs) != 1 || srcs[0].err != nil {
		t.Fatalf("explicit path: %+v", srcs)
	}
}

// A copytruncate whose copy is not beside the file may have lost lines:
// the input's accounting carries the possible gap with its offsets.
func TestFollowReportsPossibleGap(t *testing.T) {
	dir, away := t.TempDir(), t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.log"), tLines(100, 101))
	opt := testOptions(a)
	opt.Follow, opt.FromStart = true, true
	opt.FollowLatency = 50 * time.Millisecond
	opt.PollInterval = 50 * time.Millisecond
	opt.detectWait = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &syncSink{}
	p, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = p.Run(ctx, sink.add)
	}()
	waitFor(t, "the first two records", func() bool { return sink.len() == 2 })
	data, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(away, "a.log.1"), data) // logrotate's olddir
	if err := os.Truncate(a, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, a, tLines(102))
	waitFor(t, "a possible gap", func() bool { return len(p.Inputs()[0].PossibleGaps) == 1 })
	if g := p.Inputs()[0].PossibleGaps[0]; g.From != int64(len(data)) || g.To != -1 || g.Generation != 0 || g.Reason == "" {
		t.Errorf("gap %+v, want generation 0 from %d to -1 with a reason", g, len(data))
	}
	cancel()
	<-done
}
