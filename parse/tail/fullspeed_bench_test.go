//go:build unix

package tail

import (
	"context"
	"fmt"
	"github.com/edgetriage/edgetriage/parse/cputime"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkFollowFullSpeedWriter tails a file while a writer appends to it
// as fast as it can, one write(2) per line (nginx's access_log without a
// buffer): the reader wakes on fsnotify and reads a few lines at a time, so
// the per-read costs (the check of the bytes before the offset, the system
// calls of one read) weigh as much as they ever do. cpu-ns/line is the
// process's user+system time per line (the writer's share included; it is
// the same for every version of the reader).
func BenchmarkFollowFullSpeedWriter(b *testing.B) {
	const n = 50_000
	line := make([][]byte, 64)
	for i := range line {
		line[i] = fmt.Appendf(nil, `203.0.113.%d - - [10/Oct/2025:13:55:%02d +0000] "GET /api/v1/items/%d HTTP/1.1" 200 %d "-" "Mozilla/5.0 (X11; Linux x86_64)"`+"\n", i%250, i%60, i, 100+i*37)
	}
	dir := b.TempDir()
	var cpu time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	k := 0
	for b.Loop() {
		k++
		path := filepath.Join(dir, fmt.Sprintf("access-%d.log", k))
		w, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		lines := make(chan []Line, 4)
		events := make(chan Event, 16)
		done := make(chan error, 1)
		go func() {
			done <- Follow(ctx, []string{path}, Options{PollInterval: time.Hour}, lines, events)
		}()
		for ev := range events {
			if ev.Kind == Opened {
				break // later events queue inside Follow (bounded), never block it
			}
		}
		before := cputime.Process()
		werr := make(chan error, 1)
		go func() {
			for i := 0; i < n; i++ {
				if _, err := w.Write(line[i%len(line)]); err != nil {
					werr <- err
					return
				}
			}
			werr <- nil
		}()
		for got := 0; got < n; {
			got += len(<-lines)
		}
		cpu += cputime.Process() - before
		if err := <-werr; err != nil {
			b.Fatal(err)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		w.Close()
		os.Remove(path)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n*b.N), "cpu-ns/line")
}

// BenchmarkWakeUpOneLine is one wake-up that finds one new line: append a
// line, check the file, take the batch. No fsnotify, no other goroutine:
// the per-read cost of the reader alone (system calls and the check of the
// bytes before the offset), without the scheduling noise of the full-speed
// benchmark above. ns/op includes the writer's write(2).
func BenchmarkWakeUpOneLine(b *testing.B) {
	path := filepath.Join(b.TempDir(), "access.log")
	w, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	line := []byte(`203.0.113.9 - - [10/Oct/2025:13:55:36 +0000] "GET /api/v1/items/7 HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64)"` + "\n")
	lines := make(chan []Line, 1)
	f, err := newFollower(Options{FromStart: true, PollInterval: time.Hour}, []string{path}, lines, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer f.close()
	f.ctx = context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Write(line); err != nil {
			b.Fatal(err)
		}
		for _, tf := range f.files {
			tf.dirty = true
		}
		if err := f.readDirty(); err != nil {
			b.Fatal(err)
		}
		if got := <-lines; len(got) != 1 {
			b.Fatalf("%d lines in one wake-up, want 1", len(got))
		}
	}
}
