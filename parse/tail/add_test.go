package tail

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Paths handed to a running Follow are followed from their first byte,
// with an Opened event; a path followed already is not followed twice; a
// path in a directory not watched yet works too.
func TestFollowAddingPaths(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			first := filepath.Join(dir, "first.log")
			writeFile(t, first, "old\n")
			add := make(chan []string)
			h := startFollowAdding(t, []string{first}, add, m.opt)
			h.waitEvent(first, Opened, 1)

			later := filepath.Join(dir, "later.log")
			writeFile(t, later, "l1\nl2\n")
			add <- []string{later, first} // first again: not followed twice
			h.waitEvent(later, Opened, 1)
			got := h.waitLines(2)
			if !equal(texts(got, later), []string{"l1", "l2"}) {
				t.Fatalf("added file: %q", texts(got, ""))
			}
			appendFile(t, later, "l3\n")
			appendFile(t, first, "f1\n")
			got = h.waitLines(4)
			if !equal(texts(got, later), []string{"l1", "l2", "l3"}) || !equal(texts(got, first), []string{"f1"}) {
				t.Fatalf("lines %q", texts(got, ""))
			}

			sub := filepath.Join(dir, "sub")
			other := filepath.Join(sub, "other.log")
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			add <- []string{other} // in a directory not watched yet, not created yet
			h.waitEvent(other, Waiting, 1)
			writeFile(t, other, "o1\n")
			got = h.waitLines(5)
			if !equal(texts(got, other), []string{"o1"}) {
				t.Fatalf("lines %q", texts(got, ""))
			}
			appendFile(t, other, "o2\n")
			got = h.waitLines(6)
			if !equal(texts(got, other), []string{"o1", "o2"}) {
				t.Fatalf("lines %q", texts(got, ""))
			}
			if n := h.countEvents(first, Opened); n != 1 {
				t.Fatalf("first opened %d times", n)
			}
			if len(got) != 6 {
				t.Fatalf("lines %q", texts(got, ""))
			}
		})
	}
}

// With an add channel, Follow may start with no paths at all (a directory
// that has no log files yet), and a closed add channel is harmless.
func TestFollowAddingStartsEmpty(t *testing.T) {
	dir := t.TempDir()
	add := make(chan []string, 1)
	h := startFollowAdding(t, nil, add, Options{PollInterval: 20 * time.Millisecond})
	path := filepath.Join(dir, "new.log")
	writeFile(t, path, "a\n")
	add <- []string{path}
	close(add)
	h.waitEvent(path, Opened, 1)
	if got := h.waitLines(1); !equal(texts(got, ""), []string{"a"}) {
		t.Fatalf("lines %q", texts(got, ""))
	}
	if err := Follow(context.Background(), nil, Options{}, make(chan []Line), nil); err == nil {
		t.Fatal("Follow with no paths and no add channel: want an error")
	}
}
