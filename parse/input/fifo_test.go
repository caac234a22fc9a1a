//go:build unix

package input

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A named pipe without a writer: Run says it is waiting and ends as soon
// as its context does; with a writer, its lines are read.
func TestFIFOWaitsForWriterAndEndsWithContext(t *testing.T) {
	for _, writer := range []string{"none", "silent", "writes and closes"} {
		t.Run(writer, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "logs.fifo")
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			opt := testOptions(path)
			var mu sync.Mutex
			var waiting int
			opt.OnEvent = func(ev Event) {
				if ev.Kind == "waiting" {
					mu.Lock()
					waiting++
					mu.Unlock()
				}
			}
			p, err := New(opt)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sink := &syncSink{}
			done := make(chan *Result, 1)
			go func() {
				res, _ := p.Run(ctx, sink.add)
				done <- res
			}()
			waitFor(t, "the waiting event", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return waiting == 1
			})
			if writer != "none" {
				w, err := os.OpenFile(path, os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				if writer == "writes and closes" {
					if _, err := w.Write(tLines(100, 101, 102)); err != nil {
						t.Fatal(err)
					}
					w.Close()
					select {
					case res := <-done:
						checkBalanced(t, res)
						if sink.len() != 3 || res.Totals.Lines != 3 {
							t.Errorf("%d records of %d lines, want 3", sink.len(), res.Totals.Lines)
						}
					case <-time.After(10 * time.Second):
						t.Fatal("Run did not end at the writer's end")
					}
					return
				}
				time.Sleep(50 * time.Millisecond) // connected, and silent
			}
			cancel()
			select {
			case <-done:
			case <-time.After(time.Second):
				t.Fatal("Run still waiting 1 s after the context ended")
			}
		})
	}
}
