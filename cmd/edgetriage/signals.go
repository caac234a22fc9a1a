package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
)

// exitSignals end the program: Ctrl-C, kill, the terminal closing and
// Ctrl-\ (whose default, a goroutine dump, would leave the terminal raw).
// SIGTSTP (suspend) is the interface's own business (tui.Run); SIGPIPE
// keeps Go's default, so `report | head` ends quietly.
var exitSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// graceTimeout is how long the program may take to wind down after an
// exit signal before it is ended by force (terminal restored first).
const graceTimeout = 800 * time.Millisecond

// signalError is the cancellation cause of the program's context when an
// exit signal arrived.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "received " + e.sig.String() }

// exitCode is the shell's convention for a process ended by a signal.
func (e signalError) exitCode() int { return 128 + int(e.sig) }

// signalContext returns a context cancelled (with a signalError cause) by
// the first exit signal. If the program has not ended graceTimeout after
// it, or a second signal arrives, the terminal is restored to its state at
// start and the process exits: whatever hangs, the user gets the shell
// back within a second. stop releases the signals.
func signalContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	restore := saveTerminal()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, exitSignals...)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		var force <-chan time.Time
		var first signalError
		for {
			select {
			case <-done:
				return
			case s := <-sigs:
				sig, _ := s.(syscall.Signal)
				if force != nil {
					restore()
					os.Exit(first.exitCode())
				}
				first = signalError{sig: sig}
				cancel(first)
				force = time.After(graceTimeout)
			case <-force:
				restore()
				fmt.Fprintf(os.Stderr, "edgetriage: %s: did not end within %s, ended by force\n", first, graceTimeout)
				os.Exit(first.exitCode())
			}
		}
	}()
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel(nil)
		})
	}
}

// saveTerminal records the state of the standard streams that are
// terminals and returns a function that puts them back and leaves the
// interface's screen modes (alternate screen, mouse, bracketed paste,
// hidden cursor), for an exit that cannot wait for the interface.
func saveTerminal() func() {
	type saved struct {
		fd    uintptr
		state *term.State
	}
	var all []saved
	for _, f := range []*os.File{os.Stdin, os.Stdout, os.Stderr} {
		if !term.IsTerminal(f.Fd()) {
			continue
		}
		if st, err := term.GetState(f.Fd()); err == nil {
			all = append(all, saved{f.Fd(), st})
		}
	}
	return func() {
		for _, s := range all {
			_ = term.Restore(s.fd, s.state)
		}
		if term.IsTerminal(os.Stdout.Fd()) {
			fmt.Fprint(os.Stdout, "\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[?25h\x1b[?1049l")
		}
	}
}

// signalExitCode is the exit code for a run ended by an exit signal, or
// code itself.
func signalExitCode(ctx context.Context, code int) int {
	if se, ok := context.Cause(ctx).(signalError); ok {
		return se.exitCode()
	}
	return code
}
