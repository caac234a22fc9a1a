package tail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCopyTruncateBetweenTwoReadsOfOneWakeUp truncates the file and writes
// it again, longer, while one wake-up is still reading it (after its first
// 64 KiB read, before its second): the truncation is seen at the next read
// by its changed overlap bytes, not read as the middle of the new content.
// Every new line is then delivered exactly once, from its first, and no
// line is a piece of one (issue 9, item 1; 59119d8). Deterministic: the
// truncation happens inside the first line's delivery.
func TestCopyTruncateBetweenTwoReadsOfOneWakeUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	line := func(gen string, i int) string {
		return fmt.Sprintf("%s %06d 203.0.113.7 GET /api/v1/items 200 %d", gen, i, i%977)
	}
	var old, renewed strings.Builder
	for i := 1; i <= 3000; i++ { // ~150 KiB: several reads of 64 KiB
		old.WriteString(line("old", i) + "\n")
	}
	for i := 1; i <= 6000; i++ { // longer than the old content
		renewed.WriteString(line("new", i) + "\n")
	}
	if err := os.WriteFile(path, []byte(old.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	lines := make(chan []Line, 64)
	events := make(chan Event, 64)
	f, err := newFollower(Options{FromStart: true, PollInterval: time.Hour}, []string{path}, lines, events)
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	f.ctx = context.Background()
	tf := f.files[0]
	emit, truncated := tf.split.emit, false
	tf.split.emit = func(l Line) error {
		if !truncated {
			truncated = true // copytruncate (no copy kept) and regrowth, mid-read
			if err := os.WriteFile(path, []byte(renewed.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return emit(l)
	}
	for range 2 { // this wake-up, and the next one
		tf.dirty = true
		if err := f.readDirty(); err != nil {
			t.Fatal(err)
		}
	}
	close(lines)
	shape := regexp.MustCompile(`^(old|new) (\d{6}) 203\.0\.113\.7 GET /api/v1/items 200 (\d+)$`)
	newSeen := map[int]int{}
	nextOld, cut := 1, 0
	for b := range lines {
		for _, l := range b {
			m := shape.FindStringSubmatch(string(l.Text))
			if l.Unterminated {
				cut++ // the old line the truncation cut: a prefix, in the gap
				if !strings.HasPrefix(line("old", nextOld), string(l.Text)) {
					t.Errorf("unterminated line %q is not the start of old line %d", l.Text, nextOld)
				}
				continue
			}
			if m == nil {
				t.Errorf("line %q is a piece of a line (read from the middle of the new content?)", l.Text)
				continue
			}
			i, _ := strconv.Atoi(m[2])
			if m[1] == "old" {
				if i != nextOld {
					t.Errorf("old line %d after old line %d", i, nextOld-1)
				}
				nextOld = i + 1
				continue
			}
			newSeen[i]++
		}
	}
	if cut > 1 {
		t.Errorf("%d lines cut short, want at most 1", cut)
	}
	for i := 1; i <= 6000; i++ {
		if newSeen[i] != 1 {
			t.Fatalf("new line %d delivered %d times, want once (%d distinct new lines)", i, newSeen[i], len(newSeen))
		}
	}
	gap := false
	for len(events) > 0 {
		if ev := <-events; ev.Kind == PossibleGap {
			gap = true
		}
	}
	for _, ev := range f.queue { // not sent yet: no batch came after it
		gap = gap || ev.Kind == PossibleGap
	}
	if !gap {
		t.Error("no possible_gap event for the old content not read")
	}
}
