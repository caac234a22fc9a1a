//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFOWithoutWriterEndsOnSignal: `report` on a named pipe nobody writes
// to says it is waiting for a writer, and INT, TERM, HUP and QUIT each end
// it within 1 s with the shell's 128+signal code (issue 9, item 3: it once
// blocked in open(2) for ever, deaf to signals).
func TestFIFOWithoutWriterEndsOnSignal(t *testing.T) {
	bin, _ := builtBinaryAndLog(t)
	sigs := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}
	if testing.Short() {
		sigs = sigs[1:2] // TERM, the one that once hung
	}
	for _, sig := range sigs {
		t.Run(sig.String(), func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "in.fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			var stderr lockedBuffer
			cmd := exec.Command(bin, "report", fifo)
			cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir())
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitUntil(t, "the waiting message", func() bool { return strings.Contains(stderr.String(), "waiting for a writer") })
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != 128+int(sig) {
					t.Errorf("ended with %v, want exit code %d; stderr:\n%s", err, 128+int(sig), stderr.String())
				}
			case <-time.After(time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("still running 1 s after %s; stderr:\n%s", sig, stderr.String())
			}
		})
	}
}

// TestReportBrokenPipeIsQuiet: `report … | head` whose reader has gone
// ends without a word on stderr (Go's default for SIGPIPE on stdout, which
// the exit-signal handler must not catch), and does not hang (issue 9,
// item 2: "PIPE in report exits quietly").
func TestReportBrokenPipeIsQuiet(t *testing.T) {
	bin, log := builtBinaryAndLog(t)
	for _, args := range [][]string{{"report", log}, {"report", "--json", log}} {
		t.Run(strings.Join(args[:len(args)-1], " "), func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close() // the reader is gone before the first byte is written
			var stderr lockedBuffer
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir())
			cmd.Stdout, cmd.Stderr = w, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if msg := stderr.String(); msg != "" {
					t.Errorf("stderr after a broken pipe: %q", msg)
				}
				var exit *exec.ExitError
				if err != nil && !(errors.As(err, &exit) && exitSignal(exit) == syscall.SIGPIPE) {
					t.Errorf("ended with %v, want killed by SIGPIPE (or exit 0)", err)
				}
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("report still running 60 s after its reader went")
			}
		})
	}
}

// exitSignal is the signal that ended the process, or 0.
func exitSignal(exit *exec.ExitError) syscall.Signal {
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal()
	}
	return 0
}
