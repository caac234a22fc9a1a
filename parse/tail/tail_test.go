package tail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

func TestStartAtEndOrFromStart(t *testing.T) {
	for _, m := range modes {
		for _, tc := range []struct {
			name      string
			fromStart bool
			existing  string
			appended  string
			want      []string
			offsets   []int64
			numbers   []int64
		}{
			{"end", false, "a\nbb\n", "c\n", []string{"c"}, []int64{5}, []int64{1}},
			{"start", true, "a\nbb\n", "c\n", []string{"a", "bb", "c"}, []int64{0, 2, 5}, []int64{1, 2, 3}},
			// Starting at the end does not cut a line being written in two.
			{"end in a partial line", false, "a\nbb\npart", "ial\nnext\n", []string{"partial", "next"}, []int64{5, 13}, []int64{1, 2}},
			{"end of an empty file", false, "", "x\n", []string{"x"}, []int64{0}, []int64{1}},
			{"end of one unfinished line", false, "no newline yet", " now\n", []string{"no newline yet now"}, []int64{0}, []int64{1}},
			// An unfinished last line already over MaxLine (100 here) began
			// too far back to be found: its rest is skipped silently.
			{"end in an overlong partial line", false, "ok\n" + strings.Repeat("x", 200), "xxx\nnext\n", []string{"next"}, []int64{207}, []int64{1}},
			{"CRLF", true, "a\r\n\r\nb\r\n", "", []string{"a", "", "b"}, []int64{0, 3, 5}, []int64{1, 2, 3}},
		} {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				path := tempPath(t, "access.log")
				writeFile(t, path, tc.existing)
				opt := m.opt
				opt.FromStart = tc.fromStart
				opt.MaxLine = 100
				h := startFollow(t, []string{path}, opt)
				h.waitEvent(path, Opened, 1)
				appendFile(t, path, tc.appended)
				got := h.waitLines(len(tc.want))
				if !equal(texts(got, ""), tc.want) {
					t.Fatalf("lines %q, want %q", texts(got, ""), tc.want)
				}
				for i, l := range got {
					if l.Offset != tc.offsets[i] || l.Number != tc.numbers[i] || l.Path != path {
						t.Errorf("line %d: path %s offset %d number %d, want offset %d number %d",
							i, l.Path, l.Offset, l.Number, tc.offsets[i], tc.numbers[i])
					}
				}
			})
		}
	}
}

func TestAppendsAndPartialLineHeldBack(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			path := tempPath(t, "app.log")
			writeFile(t, path, "")
			h := startFollow(t, []string{path}, m.opt)
			h.waitEvent(path, Opened, 1)

			appendFile(t, path, "one\ntw")
			h.waitLines(1)
			// The partial "tw" must not come out on its own. Absence can only
			// be checked by waiting a little; this cannot make the test flaky.
			time.Sleep(150 * time.Millisecond)
			if got := texts(h.snapshot(), ""); !equal(got, []string{"one"}) {
				t.Fatalf("partial line leaked: %q", got)
			}
			appendFile(t, path, "o\nthree\n")
			got := h.waitLines(3)
			if want := []string{"one", "two", "three"}; !equal(texts(got, ""), want) {
				t.Fatalf("lines %q, want %q", texts(got, ""), want)
			}
			if got[1].Offset != 4 || got[1].Number != 2 || got[1].Unterminated {
				t.Errorf("second line %+v", got[1])
			}
		})
	}
}

// TestRenameRotation writes to the old file just before the rename, to the
// new file just after, and to the old file after the rename (a writer that
// has not reopened yet): nothing may be lost or duplicated.
func TestRenameRotation(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "access.log")
			writeFile(t, path, "")
			opt := m.opt
			opt.drainWindow = 5 * time.Second // generous: the machine may be slow
			h := startFollow(t, []string{path}, opt)
			h.waitEvent(path, Opened, 1)

			const rotations = 4
			var want []string
			for r := 0; r < rotations; r++ {
				old, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
				if err != nil {
					t.Fatal(err)
				}
				write := func(prefix string, n int) {
					lines := numbered(fmt.Sprintf("gen%d-%s", r, prefix), 1, n)
					if _, err := old.WriteString(joinLines(lines)); err != nil {
						t.Fatal(err)
					}
					want = append(want, lines...)
				}
				write("before", 50)
				if err := os.Rename(path, fmt.Sprintf("%s.%d", path, r)); err != nil {
					t.Fatal(err)
				}
				write("late", 5) // most likely before the rotation is noticed
				after := numbered(fmt.Sprintf("gen%d-after", r+1), 1, 50)
				writeFile(t, path, joinLines(after))
				want = append(want, after...)
				// A file rotated away before it was ever opened cannot be read
				// (by tail -F either): let each new file be noticed.
				h.waitGenerations(path, r+2)
				write("later", 5) // after the switch: the old file is still drained
				old.Close()
			}
			got := h.waitLines(len(want))
			checkSameLinesPerGeneration(t, got, want)
			// Seen as one swap (Rotated) or, when a check fell between the
			// rename and the create, as Removed then Opened again.
			if n := h.countEvents(path, Rotated) + h.countEvents(path, Removed); n != rotations {
				t.Errorf("%d Rotated+Removed events, want %d", n, rotations)
			}
			// Nothing more arrives: no duplicates after a while either.
			appendFile(t, path, "marker\n")
			got = h.waitLines(len(want) + 1)
			if len(got) != len(want)+1 || string(got[len(got)-1].Text) != "marker" {
				t.Fatalf("after marker: %d lines, last %q", len(got), got[len(got)-1].Text)
			}
		})
	}
}

// checkSameLinesPerGeneration checks that got holds exactly the lines of
// want (each once), and that lines of one generation (same prefix before
// the last '-') keep their order.
func checkSameLinesPerGeneration(t *testing.T, got []Line, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d lines, want %d", len(got), len(want))
	}
	seen := map[string]int{}
	last := map[string]int{}
	for _, l := range got {
		s := string(l.Text)
		seen[s]++
		gen, num, ok := strings.Cut(s, "-")
		if !ok {
			t.Fatalf("unexpected line %q", s)
		}
		gen += "-" + num[:strings.LastIndexByte(num, '-')+1]
		var n int
		fmt.Sscanf(s[strings.LastIndexByte(s, '-')+1:], "%d", &n)
		if n <= last[gen] {
			t.Errorf("line %q after line %d of its generation", s, last[gen])
		}
		last[gen] = n
	}
	for _, w := range want {
		if seen[w] != 1 {
			t.Errorf("line %q seen %d times", w, seen[w])
		}
	}
}

func TestRotationFlushesPartialLine(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "access.log")
			writeFile(t, path, "")
			opt := m.opt
			opt.PollInterval = min(opt.PollInterval, 50*time.Millisecond) // lets the drain window end
			opt.drainWindow = 100 * time.Millisecond
			h := startFollow(t, []string{path}, opt)
			h.waitEvent(path, Opened, 1)
			appendFile(t, path, "a\nunfinished")
			h.waitLines(1)
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, "b\n")
			got := h.waitLines(3)
			if want := []string{"a", "b", "unfinished"}; !equal(texts(got, ""), want) {
				t.Fatalf("lines %q, want %q", texts(got, ""), want)
			}
			if u := got[2]; !u.Unterminated || u.Offset != 2 || u.Number != 2 {
				t.Errorf("flushed partial line %+v", u)
			}
			if got[1].Offset != 0 || got[1].Number != 1 {
				t.Errorf("first line of the new file %+v", got[1])
			}
		})
	}
}

func TestCopyTruncate(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			path := tempPath(t, "access.log")
			writeFile(t, path, "")
			h := startFollow(t, []string{path}, m.opt)
			h.waitEvent(path, Opened, 1)
			before := numbered("before", 1, 20)
			appendFile(t, path, joinLines(before))
			h.waitLines(len(before))

			// logrotate's copytruncate: copy, then empty the file in place;
			// the writer (O_APPEND) goes on at offset 0.
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			after := numbered("after", 1, 3)
			appendFile(t, path, joinLines(after))
			got := h.waitLines(len(before) + len(after))
			if want := append(before, after...); !equal(texts(got, ""), want) {
				t.Fatalf("lines %q, want %q", texts(got, ""), want)
			}
			if l := got[len(before)]; l.Offset != 0 || l.Number != 1 {
				t.Errorf("first line after truncation %+v, want offset 0 number 1", l)
			}
			h.waitEvent(path, Truncated, 1)
		})
	}
}

// TestCopyTruncateRegrown truncates the file and writes more than it held
// before Follow looks again (polling only, every 300 ms): the size alone no
// longer shows the truncation, the changed bytes before the offset do.
func TestCopyTruncateRegrown(t *testing.T) {
	for _, fromStart := range []bool{true, false} {
		t.Run(fmt.Sprint("fromStart=", fromStart), func(t *testing.T) {
			t.Parallel()
			path := tempPath(t, "access.log")
			before := numbered("before", 1, 20)
			writeFile(t, path, joinLines(before))
			h := startFollow(t, []string{path}, Options{Poll: true, PollInterval: 300 * time.Millisecond, FromStart: fromStart})
			h.waitEvent(path, Opened, 1)
			n := 0
			if fromStart {
				n = len(before)
				h.waitLines(n)
			}
			after := numbered("rewritten", 1, 40) // longer than before
			writeFile(t, path, joinLines(after))  // O_TRUNC, then write
			got := h.waitLines(n + len(after))
			if !equal(texts(got[n:], ""), after) {
				t.Fatalf("lines %q, want %q", texts(got[n:], ""), after)
			}
			h.waitEvent(path, Truncated, 1)
		})
	}
}

func TestDeleteAndRecreate(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			path := tempPath(t, "access.log")
			writeFile(t, path, "")
			h := startFollow(t, []string{path}, m.opt)
			h.waitEvent(path, Opened, 1)
			appendFile(t, path, "first\n")
			h.waitLines(1)
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			h.waitEvent(path, Removed, 1)
			writeFile(t, path, "second\nthird\n")
			got := h.waitLines(3)
			if want := []string{"first", "second", "third"}; !equal(texts(got, ""), want) {
				t.Fatalf("lines %q, want %q", texts(got, ""), want)
			}
			if got[1].Offset != 0 || got[1].Number != 1 {
				t.Errorf("first line of the re-created file %+v", got[1])
			}
			h.waitEvent(path, Opened, 2)
		})
	}
}

func TestFileCreatedLater(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			path := tempPath(t, "later.log")
			h := startFollow(t, []string{path}, m.opt) // not FromStart: a new file is read whole anyway
			h.waitEvent(path, Waiting, 1)
			writeFile(t, path, "hello\nworld\n")
			got := h.waitLines(2)
			if want := []string{"hello", "world"}; !equal(texts(got, ""), want) {
				t.Fatalf("lines %q, want %q", texts(got, ""), want)
			}
		})
	}
}

func TestDirectoryCreatedLater(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "not", "yet")
	path := filepath.Join(dir, "x.log")
	opt := Options{PollInterval: 20 * time.Millisecond}
	h := startFollow(t, []string{path}, opt)
	h.waitEvent(path, Polling, 1) // no directory to watch
	h.waitEvent(path, Waiting, 1)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "late\n")
	got := h.waitLines(1)
	if string(got[0].Text) != "late" {
		t.Fatalf("got %q", got[0].Text)
	}
}

func TestManyFiles(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			var paths []string
			for d := 0; d < 3; d++ {
				dir := t.TempDir()
				for i := 0; i < 8; i++ {
					p := filepath.Join(dir, fmt.Sprintf("f%d.log", i))
					writeFile(t, p, "")
					paths = append(paths, p)
				}
			}
			h := startFollow(t, paths, m.opt)
			h.waitEvent("", Opened, len(paths))
			const perFile = 300
			var wg sync.WaitGroup
			for _, p := range paths {
				wg.Add(1)
				go func() {
					defer wg.Done()
					f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
					if err != nil {
						t.Error(err)
						return
					}
					defer f.Close()
					for i := 1; i <= perFile; i++ {
						fmt.Fprintf(f, "%s line %d\n", filepath.Base(p), i)
					}
				}()
			}
			wg.Wait()
			got := h.waitLines(len(paths) * perFile)
			if len(got) != len(paths)*perFile {
				t.Fatalf("got %d lines, want %d", len(got), len(paths)*perFile)
			}
			for _, p := range paths {
				lines := texts(got, p)
				for i, s := range lines {
					if want := fmt.Sprintf("%s line %d", filepath.Base(p), i+1); s != want {
						t.Fatalf("%s line %d = %q, want %q", p, i+1, s, want)
					}
				}
			}
		})
	}
}

func TestOverlongLine(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			path := tempPath(t, "big.log")
			writeFile(t, path, "")
			opt := m.opt
			opt.MaxLine = 100
			h := startFollow(t, []string{path}, opt)
			h.waitEvent(path, Opened, 1)
			long := strings.Repeat("x", 1000)
			// Written in pieces, so the long line crosses several reads.
			appendFile(t, path, "short\n"+long[:300])
			appendFile(t, path, long[300:])
			appendFile(t, path, "\n"+strings.Repeat("y", 100)+"\n"+strings.Repeat("z", 101)+"\nend\n")
			got := h.waitLines(5)
			want := []string{"short", "<overlong 1000>", strings.Repeat("y", 100), "<overlong 101>", "end"}
			if !equal(texts(got, ""), want) {
				t.Fatalf("lines %q, want %q", texts(got, ""), want)
			}
			if l := got[1]; l.Text != nil || l.Offset != 6 || l.Number != 2 {
				t.Errorf("overlong line %+v", l)
			}
			if l := got[4]; l.Offset != 6+1001+101+102 || l.Number != 5 {
				t.Errorf("line after the overlong ones %+v", l)
			}
		})
	}
}

func TestLinesAreBatched(t *testing.T) {
	t.Parallel()
	path := tempPath(t, "burst.log")
	writeFile(t, path, "")
	h := startFollow(t, []string{path}, modes[0].opt)
	h.waitEvent(path, Opened, 1)
	const n = 20000
	appendFile(t, path, joinLines(numbered("l", 1, n)))
	got := h.waitLines(n)
	if !equal(texts(got, ""), numbered("l", 1, n)) {
		t.Fatal("lines differ")
	}
	h.mu.Lock()
	batches := h.batches
	h.mu.Unlock()
	// One write of 20000 lines: a handful of bounded batches, not 20000 sends.
	if batches > n/maxBatchLines*4 {
		t.Errorf("%d batches for %d lines", batches, n)
	}
}

// TestOverflowFallsBackToPolling feeds the loop the error inotify reports
// when its queue overflows: Follow must say it is polling, and keep reading.
func TestOverflowFallsBackToPolling(t *testing.T) {
	t.Parallel()
	path := tempPath(t, "x.log")
	writeFile(t, path, "")
	errs := make(chan error, 1)
	opt := Options{PollInterval: 20 * time.Millisecond, watchErrors: errs}
	h := startFollow(t, []string{path}, opt)
	h.waitEvent(path, Opened, 1)
	errs <- fmt.Errorf("inotify: %w", fsnotify.ErrEventOverflow)
	h.waitEvent("", Polling, 1)
	appendFile(t, path, "still here\n")
	if got := h.waitLines(1); string(got[0].Text) != "still here" {
		t.Fatalf("got %q", got[0].Text)
	}
}

// TestForcedPollingSeesChangesWithoutNotifications checks the Polling event
// of Poll mode; the scenario tests above run whole in that mode too.
func TestForcedPollingSaysSo(t *testing.T) {
	t.Parallel()
	path := tempPath(t, "x.log")
	writeFile(t, path, "")
	h := startFollow(t, []string{path}, Options{Poll: true, PollInterval: 20 * time.Millisecond})
	h.waitEvent("", Polling, 1)
	appendFile(t, path, "polled\n")
	if got := h.waitLines(1); string(got[0].Text) != "polled" {
		t.Fatalf("got %q", got[0].Text)
	}
}

func TestBadArguments(t *testing.T) {
	ctx := context.Background()
	if err := Follow(ctx, nil, Options{}, make(chan []Line), nil); err == nil {
		t.Error("no paths: want an error")
	}
	if err := Follow(ctx, []string{"x"}, Options{}, nil, nil); err == nil {
		t.Error("nil lines channel: want an error")
	}
}

func TestUnreadableAndDirectoryPathsAreEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := startFollow(t, []string{dir}, modes[0].opt)
	h.waitEvent(dir, Error, 1)
}

// TestCancelEndsPromptlyWithoutLeaks cancels Follow while its send is
// blocked on a receiver that never reads, with events nobody reads either,
// and checks that every goroutine it started is gone.
func TestCancelEndsPromptlyWithoutLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 3; i++ {
		dir := t.TempDir()
		var paths []string
		for j := 0; j < 3; j++ {
			p := filepath.Join(dir, fmt.Sprintf("%d.log", j))
			writeFile(t, p, joinLines(numbered("x", 1, 5000)))
			paths = append(paths, p)
		}
		paths = append(paths, filepath.Join(dir, "missing.log"))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		opt := Options{FromStart: true, Poll: i == 2, PollInterval: 10 * time.Millisecond}
		go func() { done <- Follow(ctx, paths, opt, make(chan []Line), make(chan Event)) }()
		time.Sleep(50 * time.Millisecond) // let it get stuck in a send (not needed for correctness)
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Follow returned %v", err)
			}
		case <-time.After(waitTimeout):
			t.Fatal("Follow did not return after cancel")
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Follow took %s to return after cancel", d)
		}
	}
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

// TestWatcherUnavailableFallsBackToPolling: when fsnotify cannot start (no
// inotify instances left, say), Follow says so and polls.
func TestWatcherUnavailableFallsBackToPolling(t *testing.T) {
	t.Parallel()
	path := tempPath(t, "x.log")
	writeFile(t, path, "")
	opt := Options{PollInterval: 20 * time.Millisecond, newWatcher: func() (*fsnotify.Watcher, error) {
		return nil, errors.New("too many open files")
	}}
	h := startFollow(t, []string{path}, opt)
	h.waitEvent("", Polling, 1)
	if ev := h.eventsSeen()[0]; ev.Err == nil || !strings.Contains(ev.String(), "too many open files") {
		t.Errorf("Polling event %q does not carry the cause", ev)
	}
	h.waitEvent(path, Opened, 1)
	appendFile(t, path, "polled\n")
	if got := h.waitLines(1); string(got[0].Text) != "polled" {
		t.Fatalf("got %q", got[0].Text)
	}
}

// TestWatchedDirectoryRemovedAndRecreated: the directory's watch dies with
// it (or, while a file in it is open, silently watches the dead directory);
// Follow polls until it is back, watches it again and reads the new file.
func TestWatchedDirectoryRemovedAndRecreated(t *testing.T) {
	for _, stepwise := range []bool{false, true} {
		t.Run(fmt.Sprint("stepwise=", stepwise), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "logs")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "x.log")
			writeFile(t, path, "")
			// No safety poll, and the old file stays open: only a re-added
			// watch can see the new file.
			opt := Options{PollInterval: 20 * time.Millisecond, drainWindow: time.Hour, safetyEvery: 1 << 30}
			h := startFollow(t, []string{path}, opt)
			h.waitEvent(path, Opened, 1)
			appendFile(t, path, "one\n")
			h.waitLines(1)
			if stepwise {
				// The file goes first and is noticed while the directory
				// still exists; then the directory goes.
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				h.waitEvent(path, Removed, 1)
			}
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			h.waitEvent(path, Removed, 1)
			h.waitEvent(path, Polling, 1)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, "two\n")
			got := h.waitLines(2)
			if want := []string{"one", "two"}; !equal(texts(got, ""), want) {
				t.Fatalf("lines %q, want %q", texts(got, ""), want)
			}
		})
	}
}

// TestRelativeAndDuplicatePaths: lines carry the path as given, and a path
// given twice (here once relative, once absolute) is followed once.
func TestRelativeAndDuplicatePaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // not parallel: changes the working directory
	writeFile(t, "rel.log", "")
	h := startFollow(t, []string{"rel.log", filepath.Join(dir, "rel.log"), "./rel.log"}, modes[0].opt)
	h.waitEvent("rel.log", Opened, 1)
	appendFile(t, "rel.log", "x\n")
	appendFile(t, "rel.log", "marker\n")
	got := h.waitLines(2)
	if len(got) != 2 || got[0].Path != "rel.log" || string(got[1].Text) != "marker" {
		t.Fatalf("got %+v", got)
	}
	if n := h.countEvents("", Opened); n != 1 {
		t.Errorf("%d Opened events, want 1", n)
	}
}
