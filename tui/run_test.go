package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse/safe"
)

type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestPanicInPipelineRestoresTerminal: a panic in one of our goroutines
// (started through parse/safe, as cmd does) ends the interface cleanly: Run
// returns the panic as an error, and the terminal is handed back (the
// alternate screen is left, the cursor shown again) instead of the process
// dying mid-render.
func TestPanicInPipelineRestoresTerminal(t *testing.T) {
	g, ctx := safe.NewGroup(context.Background(), nil)
	updates := make(chan Update)
	started := make(chan struct{})
	g.Go("pipeline", func(ctx context.Context) error {
		<-started
		var rows []int
		_ = rows[len(rows)] // a real runtime panic, recovered by safe
		return nil
	})
	inR, inW := io.Pipe() // keys that never come
	defer inW.Close()
	out := &lockedWriter{}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Updates: updates, input: inR, output: out,
			Now: func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) }})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "\x1b[?1049h") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // wait until the interface is up
	}
	close(started)
	select {
	case err := <-done:
		var pe *safe.PanicError
		if !errors.As(err, &pe) || pe.Name != "pipeline" {
			t.Fatalf("Run returned %v, want the pipeline's panic", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the interface did not end after a pipeline panic")
	}
	s := out.String()
	enter, leave := strings.LastIndex(s, "\x1b[?1049h"), strings.LastIndex(s, "\x1b[?1049l")
	if enter < 0 || leave < enter {
		t.Errorf("alternate screen not left after the panic (enter at %d, leave at %d)", enter, leave)
	}
	if g.Wait() == nil {
		t.Error("the group lost the panic")
	}
}
