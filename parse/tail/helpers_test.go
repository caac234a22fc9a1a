package tail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The machine running the tests may be heavily loaded: waits are generous,
// but each ends as soon as its condition holds.
const waitTimeout = 10 * time.Second

// follow runs Follow in the background and collects what it sends.
type follow struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan error

	mu      sync.Mutex
	lines   []Line
	batches int
	firsts  int // complete lines numbered 1: generations whose first line was read
	events  []Event
}

func startFollow(t *testing.T, paths []string, opt Options) *follow {
	t.Helper()
	return startFollowAdding(t, paths, nil, opt)
}

// startFollowAdding is startFollow through FollowAdding, with add for the
// paths handed to it later.
func startFollowAdding(t *testing.T, paths []string, add <-chan []string, opt Options) *follow {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lines := make(chan []Line)
	events := make(chan Event)
	h := &follow{t: t, cancel: cancel, done: make(chan error, 1)}
	go func() { h.done <- FollowAdding(ctx, paths, add, opt, lines, events) }()
	go func() {
		for {
			select {
			case b := <-lines:
				h.mu.Lock()
				h.lines = append(h.lines, b...)
				h.batches++
				for _, l := range b {
					// A last line cut short (Unterminated) may be the
					// first of its generation without its first bytes
					// being all that was there: not counted.
					if l.Number == 1 && !l.Unterminated {
						h.firsts++
					}
				}
				h.mu.Unlock()
			case ev := <-events:
				h.mu.Lock()
				h.events = append(h.events, ev)
				h.mu.Unlock()
				t.Logf("event: %s", ev)
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { h.stop() })
	return h
}

// stop cancels Follow and requires it to return promptly.
func (h *follow) stop() {
	h.t.Helper()
	h.cancel()
	select {
	case err, ok := <-h.done:
		if ok && err != nil {
			h.t.Errorf("Follow returned %v", err)
		}
		close(h.done)
	case <-time.After(waitTimeout):
		h.t.Fatal("Follow did not return after cancel")
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitLines waits until at least n lines arrived and returns a copy.
func (h *follow) waitLines(n int) []Line {
	h.t.Helper()
	var got []Line
	waitFor(h.t, fmt.Sprintf("%d lines", n), func() bool {
		got = h.snapshot()
		return len(got) >= n
	})
	return got
}

func (h *follow) snapshot() []Line {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Line(nil), h.lines...)
}

func (h *follow) eventsSeen() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Event(nil), h.events...)
}

func (h *follow) countEvents(path string, kind EventKind) int {
	n := 0
	for _, ev := range h.eventsSeen() {
		if ev.Kind == kind && (path == "" || ev.Path == path) {
			n++
		}
	}
	return n
}

// waitEvent waits until the n-th event of kind for path (any if "") arrived.
func (h *follow) waitEvent(path string, kind EventKind, n int) {
	h.t.Helper()
	waitFor(h.t, fmt.Sprintf("%d %s events for %q", n, kind, path), func() bool {
		return h.countEvents(path, kind) >= n
	})
}

// waitGenerations waits until n files were opened at path (the first one
// and each new one after rotation, removal or re-creation).
func (h *follow) waitGenerations(path string, n int) {
	h.t.Helper()
	waitFor(h.t, fmt.Sprintf("%d generations of %s", n, path), func() bool {
		return h.countEvents(path, Opened)+h.countEvents(path, Rotated) >= n
	})
}

// texts returns the text of lines (of path, if not empty), Overlong as "<overlong N>".
func texts(lines []Line, path string) []string {
	var out []string
	for _, l := range lines {
		if path != "" && l.Path != path {
			continue
		}
		if l.Overlong {
			out = append(out, fmt.Sprintf("<overlong %d>", l.Size))
			continue
		}
		out = append(out, string(l.Text))
	}
	return out
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func numbered(prefix string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// modes runs a scenario with fsnotify wake-ups alone (the poll interval is
// so long that the safety poll never runs) and with stat polling alone.
var modes = []struct {
	name string
	opt  Options
}{
	{"notify", Options{PollInterval: time.Hour, drainWindow: 300 * time.Millisecond}},
	{"poll", Options{Poll: true, PollInterval: 20 * time.Millisecond, drainWindow: 300 * time.Millisecond}},
}

func tempPath(t *testing.T, name string) string {
	return filepath.Join(t.TempDir(), name)
}
