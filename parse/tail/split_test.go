package tail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// splitAll feeds data to a splitter in chunks of size chunk and returns the
// lines through a real batcher (which copies and drops "\r").
func splitAll(t *testing.T, data string, chunk, maxLine int) ([]Line, *generation) {
	t.Helper()
	var b batcher
	s := splitter{maxLine: maxLine, path: "p", emit: func(l Line) error { b.add(l); return nil }}
	g := &generation{}
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		base := g.offset
		g.offset += int64(end - off)
		if err := s.consume(g, []byte(data[off:end]), base); err != nil {
			t.Fatal(err)
		}
		if len(g.pending) > maxLine {
			t.Fatalf("held %d bytes of a partial line, MaxLine %d", len(g.pending), maxLine)
		}
	}
	return b.take(), g
}

func TestSplitterAnyChunking(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    string
		maxLine int
		want    []string
		offsets []int64
		pending string // held back at the end
	}{
		{"plain", "a\nbb\nccc\n", 10, []string{"a", "bb", "ccc"}, []int64{0, 2, 5}, ""},
		{"partial tail", "a\nbb", 10, []string{"a"}, []int64{0}, "bb"},
		{"empty lines", "\n\nx\n", 10, []string{"", "", "x"}, []int64{0, 1, 2}, ""},
		{"CRLF", "a\r\nb\r\n", 10, []string{"a", "b"}, []int64{0, 3}, ""},
		{"exactly MaxLine", "12345\n", 5, []string{"12345"}, []int64{0}, ""},
		{"one over MaxLine", "123456\nok\n", 5, []string{"<overlong 6>", "ok"}, []int64{0, 7}, ""},
		{"long and unfinished", "ok\n1234567890", 5, []string{"ok"}, []int64{0}, ""},
		{"invalid UTF-8 and NUL", "\xff\x00\xfe\n", 10, []string{"\xff\x00\xfe"}, []int64{0}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for chunk := 1; chunk <= len(tc.data); chunk++ {
				got, g := splitAll(t, tc.data, chunk, tc.maxLine)
				if !equal(texts(got, ""), tc.want) {
					t.Fatalf("chunk %d: lines %q, want %q", chunk, texts(got, ""), tc.want)
				}
				for i, l := range got {
					if l.Offset != tc.offsets[i] || l.Number != int64(i+1) {
						t.Fatalf("chunk %d: line %d offset %d number %d, want %d %d", chunk, i, l.Offset, l.Number, tc.offsets[i], i+1)
					}
				}
				if string(g.pending) != tc.pending {
					t.Fatalf("chunk %d: pending %q, want %q", chunk, g.pending, tc.pending)
				}
			}
		})
	}
}

// TestTextIsNeverReused keeps every line of many batches and checks them
// all at the end: a reused buffer would have overwritten earlier lines.
func TestTextIsNeverReused(t *testing.T) {
	var b batcher
	var kept [][]Line
	var want []string
	for i := 0; i < 5000; i++ {
		s := fmt.Sprintf("line %d %s", i, strings.Repeat("x", i%300))
		want = append(want, s)
		if b.add(Line{Text: []byte(s)}) {
			kept = append(kept, b.take())
		}
	}
	kept = append(kept, b.take())
	var got []Line
	for _, batch := range kept {
		if len(batch) > maxBatchLines {
			t.Fatalf("batch of %d lines", len(batch))
		}
		got = append(got, batch...)
	}
	if !equal(texts(got, ""), want) {
		t.Fatal("kept lines were overwritten")
	}
	// A receiver appending to a line must not clobber the next one.
	if len(got) > 1 {
		_ = append(got[0].Text, "CLOBBER"...)
		if string(got[1].Text) != want[1] {
			t.Fatalf("append to one line changed the next: %q", got[1].Text)
		}
	}
}

// TestUnreadEventsDoNotBlockLines: with hundreds of events and nobody
// reading them, lines still flow; the first event read later says how many
// were dropped.
func TestUnreadEventsDoNotBlockLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var paths []string
	for i := 0; i < maxQueuedEvents+50; i++ {
		paths = append(paths, filepath.Join(dir, fmt.Sprintf("missing-%d.log", i))) // one Waiting each
	}
	real := filepath.Join(dir, "real.log")
	writeFile(t, real, "a\nb\n")
	paths = append(paths, real)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines := make(chan []Line)
	events := make(chan Event)
	done := make(chan error, 1)
	go func() {
		done <- Follow(ctx, paths, Options{FromStart: true, PollInterval: time.Hour}, lines, events)
	}()
	var got []Line
	for len(got) < 2 {
		select {
		case b := <-lines:
			got = append(got, b...)
		case <-time.After(waitTimeout):
			t.Fatal("lines blocked behind unread events")
		}
	}
	select {
	case ev := <-events:
		if !strings.Contains(ev.Msg, "earlier events dropped") {
			t.Errorf("first event after the overflow %q does not say events were dropped", ev)
		}
	case <-time.After(waitTimeout):
		t.Fatal("no event")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSymlinkedPath(t *testing.T) {
	t.Parallel()
	realDir, linkDir := t.TempDir(), t.TempDir()
	target := filepath.Join(realDir, "app.log")
	writeFile(t, target, "")
	link := filepath.Join(linkDir, "current.log")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	// Notifications only: writes to the target must wake the link's reader.
	h := startFollow(t, []string{link}, modes[0].opt)
	h.waitEvent(link, Opened, 1)
	appendFile(t, target, "via target\n")
	if got := h.waitLines(1); string(got[0].Text) != "via target" || got[0].Path != link {
		t.Fatalf("got %+v", got[0])
	}
}

// FuzzSplitter checks the splitter, fed in chunks of any size, against a
// plain reference: bytes.Split on "\n", "\r" dropped, lines over maxLine
// overlong, the unterminated rest held back.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte("a\nbb\r\n\nccc"), uint8(3), uint8(2))
	f.Add([]byte("\xff\x00\n\n\r\r\n"), uint8(1), uint8(1))
	f.Add([]byte(strings.Repeat("x", 300)+"\ny\n"), uint8(7), uint8(100))
	f.Fuzz(func(t *testing.T, data []byte, chunk, maxLine uint8) {
		c, m := int(chunk)+1, int(maxLine)+1
		got, g := splitAll(t, string(data), c, m)

		var want []string
		var offsets []int64
		parts := strings.Split(string(data), "\n")
		rest := parts[len(parts)-1]
		off := int64(0)
		for _, p := range parts[:len(parts)-1] {
			offsets = append(offsets, off)
			if len(p) > m {
				want = append(want, fmt.Sprintf("<overlong %d>", len(p)))
			} else {
				want = append(want, strings.TrimSuffix(p, "\r"))
			}
			off += int64(len(p)) + 1
		}
		if !equal(texts(got, ""), want) {
			t.Fatalf("chunk %d max %d: lines %q, want %q", c, m, texts(got, ""), want)
		}
		for i, l := range got {
			if l.Offset != offsets[i] || l.Number != int64(i+1) {
				t.Fatalf("line %d: offset %d number %d, want %d %d", i, l.Offset, l.Number, offsets[i], i+1)
			}
		}
		if len(rest) <= m && string(g.pending) != rest {
			t.Fatalf("pending %q, want %q", g.pending, rest)
		}
		if len(rest) > m && (!g.skipping || g.skipLen != int64(len(rest))) {
			t.Fatalf("over-long rest of %d bytes: skipping %v skipLen %d", len(rest), g.skipping, g.skipLen)
		}
		if g.lineStart != off {
			t.Fatalf("lineStart %d, want %d", g.lineStart, off)
		}
	})
}
