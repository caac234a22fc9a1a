package input

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveRun follows opt in the background, recording events.
type liveRun struct {
	p      *Pipeline
	cancel context.CancelFunc
	done   chan struct{}
	res    *Result
	err    error

	mu     sync.Mutex
	events []string
}

func startLive(t *testing.T, opt Options) *liveRun {
	t.Helper()
	opt.Follow, opt.FromStart = true, true
	opt.FollowLatency = 20 * time.Millisecond
	opt.PollInterval = 20 * time.Millisecond
	opt.detectWait = 20 * time.Millisecond
	r := &liveRun{done: make(chan struct{})}
	opt.OnEvent = func(ev Event) {
		r.mu.Lock()
		r.events = append(r.events, ev.String())
		r.mu.Unlock()
	}
	p, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	r.p = p
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		r.res, r.err = p.Run(ctx, (&syncSink{}).add)
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *liveRun) stop(t *testing.T) *Result {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if r.err != nil {
		t.Fatalf("Run: %v", r.err)
	}
	return r.res
}

func (r *liveRun) hasEvent(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.events {
		if strings.Contains(ev, s) {
			return true
		}
	}
	return false
}

func inputNames(p *Pipeline) []string {
	var out []string
	for _, in := range p.Inputs() {
		out = append(out, filepath.Base(in.Path))
	}
	slices.Sort(out)
	return out
}

// A followed directory picks up log files that appear later, read from
// their start with an "opened" event, but neither non-logs nor the names
// rotation gives a followed file (renamed away, or a dated copy left by
// copytruncate), whose lines the tailer has read already.
func TestFollowDirectoryPicksUpNewFiles(t *testing.T) {
	dir := t.TempDir()
	access := writeFile(t, filepath.Join(dir, "access.log"), tLines(100, 101))
	r := startLive(t, testOptions(dir))
	waitFor(t, "the existing file", func() bool { return r.p.Totals().Parsed == 2 })

	vhost := writeFile(t, filepath.Join(dir, "vhost.log"), tLines(102, 103))
	writeFile(t, filepath.Join(dir, "error.log"), []byte("not an access log\n"))
	waitFor(t, "the new file", func() bool { return r.p.Totals().Parsed == 4 })
	waitFor(t, "its opened event", func() bool { return r.hasEvent("vhost.log: opened") })
	appendFile(t, vhost, tLines(104))
	waitFor(t, "an append to the new file", func() bool { return r.p.Totals().Parsed == 5 })

	// Rename-and-create rotation to a name that looks like a live log.
	if err := os.Rename(access, filepath.Join(dir, "access-old.log")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, access, tLines(105))
	waitFor(t, "the re-created file", func() bool { return r.p.Totals().Parsed == 6 })
	// copytruncate with dateext: a dated copy, then the live file emptied.
	data, err := os.ReadFile(access)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "access.log-20261121"), data)
	if err := os.Truncate(access, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, access, tLines(106))
	waitFor(t, "the truncated file", func() bool { return r.p.Totals().Parsed == 7 })

	// A file created after the rotations is found by a scan that saw them
	// too: once its line is in, nothing else may have come.
	writeFile(t, filepath.Join(dir, "zz.log"), tLines(107))
	waitFor(t, "the last new file", func() bool { return r.p.Totals().Parsed == 8 })
	res := r.stop(t)
	checkBalanced(t, res)
	if res.Totals.Lines != 8 || res.Totals.Parsed != 8 {
		t.Fatalf("totals %+v", res.Totals)
	}
	if got := inputNames(r.p); !slices.Equal(got, []string{"access.log", "vhost.log", "zz.log"}) {
		t.Fatalf("inputs %v", got)
	}
}

// A glob with no match and an empty directory are waited for when
// following, not input errors.
func TestFollowGlobAndEmptyDirWait(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	glob := filepath.Join(dir, "logs", "*.log")
	r := startLive(t, testOptions(glob, empty))
	waitFor(t, "waiting events", func() bool {
		return r.hasEvent("*.log: waiting") && r.hasEvent("empty: waiting")
	})
	if in := r.p.Inputs(); len(in) != 0 {
		t.Fatalf("inputs before any file: %+v", in)
	}
	writeFile(t, filepath.Join(dir, "logs", "a.log"), tLines(1, 2))
	writeFile(t, filepath.Join(dir, "logs", "b.txt"), tLines(3))
	writeFile(t, filepath.Join(empty, "c.log"), tLines(4))
	waitFor(t, "the matching files", func() bool { return r.p.Totals().Parsed == 3 })
	res := r.stop(t)
	checkBalanced(t, res)
	if got := inputNames(r.p); !slices.Equal(got, []string{"a.log", "c.log"}) || res.Totals.Lines != 3 {
		t.Fatalf("inputs %v totals %+v", got, res.Totals)
	}
	for _, in := range res.Inputs {
		if in.Err != nil {
			t.Fatalf("input %s: %v", in.Path, in.Err)
		}
	}
}
