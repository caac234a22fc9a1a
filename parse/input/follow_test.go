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
