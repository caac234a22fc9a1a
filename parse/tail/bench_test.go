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

// BenchmarkFollowFromStart reads a 100k-line access log from its start
// through Follow to a receiver: the cost of splitting, copying and batching.
func BenchmarkFollowFromStart(b *testing.B) {
	const n = 100_000
	path := filepath.Join(b.TempDir(), "access.log")
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `203.0.113.%d - - [10/Oct/2025:13:55:%02d +0000] "GET /api/v1/items/%d HTTP/1.1" 200 %d "-" "Mozilla/5.0 (X11; Linux x86_64)"`+"\n", i%250, i%60, i, 100+i%5000)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		lines := make(chan []Line, 4)
		done := make(chan error, 1)
		go func() {
			done <- Follow(ctx, []string{path}, Options{FromStart: true, PollInterval: time.Hour}, lines, nil)
		}()
		for got := 0; got < n; {
			got += len(<-lines)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkAppendLatency measures one append → one delivered line, woken
// by fsnotify (the safety poll is an hour away).
func BenchmarkAppendLatency(b *testing.B) {
	path := filepath.Join(b.TempDir(), "access.log")
	w, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	lines := make(chan []Line, 1)
	events := make(chan Event, 16)
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, []string{path}, Options{PollInterval: time.Hour}, lines, events) }()
	for ev := range events {
		if ev.Kind == Opened {
			break
		}
	}
	line := []byte("203.0.113.9 - - [10/Oct/2025:13:55:36 +0000] \"GET / HTTP/1.1\" 200 512 \"-\" \"curl\"\n")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := w.Write(line); err != nil {
			b.Fatal(err)
		}
		<-lines
	}
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
