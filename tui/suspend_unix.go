//go:build unix

package tui

import (
	"os"
	"os/signal"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
)

// relaySuspend turns SIGTSTP (kill -TSTP, or ^Z through suspendKey) into
// a suspend with the terminal restored: the interface lets the terminal
// go, the job stops (SIGSTOP to its process group, as the shell expects of
// a stopped job), and once it runs again (fg, SIGCONT) the interface takes
// the terminal back and redraws. Bubble Tea's own suspend cannot be used:
// it stops the job with SIGTSTP, which Go no longer lets take its default
// action once the program has asked for it. It ends with stop.
func relaySuspend(p *tea.Program, stop <-chan struct{}) {
	tstp, cont := make(chan os.Signal, 1), make(chan os.Signal, 1)
	signal.Notify(tstp, syscall.SIGTSTP)
	signal.Notify(cont, syscall.SIGCONT)
	defer signal.Stop(tstp)
	defer signal.Stop(cont)
	for {
		select {
		case <-tstp:
		case <-stop:
			return
		}
		if p.ReleaseTerminal() != nil {
			continue
		}
		select {
		case <-cont: // a stale one
		default:
		}
		// The stop takes effect a moment after kill returns: wait for the
		// SIGCONT that ends it, not for kill.
		_ = syscall.Kill(0, syscall.SIGSTOP)
		select {
		case <-cont:
		case <-stop:
			return // ended while stopped: the terminal is already restored
		}
		_ = p.RestoreTerminal()
	}
}

// suspendKey is what ^Z does in raw mode, where it is a key and not a
// signal: it raises SIGTSTP, so it takes relaySuspend's path.
func suspendKey() tea.Msg {
	_ = syscall.Kill(os.Getpid(), syscall.SIGTSTP)
	return nil
}
