package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// The signal tests run the real binary on a real terminal (a tmux pane on
// a private tmux server), the way a user does, and send signals while the
// interface is still reading a large file.

var built struct {
	once sync.Once
	dir  string
	bin  string
	log  string
	err  error
}

// binaryAndLog builds edgetriage and writes a log big enough that the
// interface is still loading it well after it first draws; the tests that
// use it need tmux.
func binaryAndLog(t *testing.T) (bin, log string) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	return builtBinaryAndLog(t)
}

// builtBinaryAndLog is binaryAndLog without a terminal (built once per run).
func builtBinaryAndLog(t *testing.T) (bin, log string) {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "edgetriage-signals-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "edgetriage")
		out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		built.log = filepath.Join(built.dir, "big.log")
		f, err := os.Create(built.log)
		if err != nil {
			built.err = err
			return
		}
		w := bufio.NewWriterSize(f, 1<<20)
		_, built.err = samplelogs.WriteCombined(w, 600_000, 7)
		if err := w.Flush(); built.err == nil {
			built.err = err
		}
		f.Close()
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin, built.log
}

// pane is one tmux pane running an interactive shell on a private server.
type pane struct {
	t      *testing.T
	socket string
	dir    string
}

func newPane(t *testing.T) *pane {
	t.Helper()
	p := &pane{t: t, socket: fmt.Sprintf("edgetriage-test-%d-%d", os.Getpid(), time.Now().UnixNano()), dir: t.TempDir()}
	p.tmux("new-session", "-d", "-x", "100", "-y", "30", "bash --norc --noprofile -i")
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	return p
}

func (p *pane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (p *pane) screen() string { return p.tmux("capture-pane", "-p") }

// modes returns the terminal modes the shell wrote to file name.
func (p *pane) modes(name string) string {
	p.t.Helper()
	var b []byte
	waitUntil(p.t, name+" terminal modes", func() bool {
		b, _ = os.ReadFile(filepath.Join(p.dir, name))
		return len(b) > 0 && b[len(b)-1] == '\n'
	})
	return strings.TrimSpace(string(b))
}

// start runs the interface on log and returns its pid once it has drawn.
func (p *pane) start(bin, log string) int {
	p.t.Helper()
	// The shell's own terminal modes are recorded around the command, as
	// they are while it runs a command (at its prompt readline changes
	// them).
	// One job (a script), so a stopped interface stops the whole of it.
	p.tmux("send-keys", fmt.Sprintf("bash -c 'stty -g > %[3]s/before; %[1]s %[2]s; echo $? > %[3]s/rc; stty -g > %[3]s/after'", bin, log, p.dir), "Enter")
	shell := p.tmux("display-message", "-p", "#{pane_pid}")
	var pid int
	waitUntil(p.t, "the interface to draw", func() bool {
		pid = 0
		if job := child(shell); job != "" {
			pid, _ = strconv.Atoi(child(job))
		}
		return pid > 0 && strings.Contains(p.screen(), "edgetriage ›")
	})
	return pid
}

// child is the pid of a child of process pid, or "".
func child(pid string) string {
	out, _ := exec.Command("pgrep", "-P", pid).Output()
	return strings.TrimSpace(string(out))
}

// exitCode waits at most within for the interface's exit code.
func (p *pane) exitCode(within time.Duration) (int, bool) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(p.dir, "rc")); err == nil && len(b) > 0 && b[len(b)-1] == '\n' {
			n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			return n, true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, false
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logScreen logs the screen (for a wait about to time out) and reports false.
func logScreen(t *testing.T, p *pane) bool {
	if testing.Verbose() {
		t.Log(p.screen())
	}
	return false
}

func procState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2 : i+3]
	}
	return ""
}

// TestExitSignalsRestoreTerminal sends INT, TERM, HUP and QUIT to the
// interface while it loads a big file: each time it must exit within 1 s
// with the terminal as it found it.
func TestExitSignalsRestoreTerminal(t *testing.T) {
	bin, log := binaryAndLog(t)
	trials := 2
	if testing.Short() {
		trials = 1
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		for i := range trials {
			t.Run(fmt.Sprintf("%s/%d", sig, i), func(t *testing.T) {
				p := newPane(t)
				pid := p.start(bin, log)
				if strings.Contains(p.screen(), "✓ read") {
					t.Fatal("the file was read before the signal: make it bigger")
				}
				sent := time.Now()
				if err := syscall.Kill(pid, sig); err != nil {
					t.Fatal(err)
				}
				code, ok := p.exitCode(time.Second)
				took := time.Since(sent)
				if !ok {
					_ = syscall.Kill(pid, syscall.SIGKILL)
					t.Fatalf("still running 1 s after %s", sig)
				}
				if want := 128 + int(sig); code != want {
					t.Errorf("exit code %d, want %d", code, want)
				}
				if before, after := p.modes("before"), p.modes("after"); after != before {
					t.Errorf("terminal not restored after %s:\nbefore %s\nafter  %s", sig, before, after)
				}
				t.Logf("%s: exit %d after %s", sig, code, took.Round(time.Millisecond))
			})
		}
	}
}

// TestSuspendAndResume stops the interface with SIGTSTP and ^Z mid-load:
// the job stops with the terminal restored, and fg redraws it with its
// keys working again.
func TestSuspendAndResume(t *testing.T) {
	bin, log := binaryAndLog(t)
	p := newPane(t)
	pid := p.start(bin, log)
	before := p.modes("before")
	for _, how := range []string{"SIGTSTP", "^Z"} {
		if how == "SIGTSTP" {
			if err := syscall.Kill(pid, syscall.SIGTSTP); err != nil {
				t.Fatal(err)
			}
		} else {
			p.tmux("send-keys", "C-z")
		}
		waitUntil(t, how+" to stop the job", func() bool { return procState(pid) == "T" })
		// Ask the shell, which has the terminal now, what it looks like.
		os.Remove(filepath.Join(p.dir, "stopped"))
		p.tmux("send-keys", "stty -g > "+filepath.Join(p.dir, "stopped")+"; fg", "Enter")
		if got := p.modes("stopped"); got != before {
			t.Errorf("terminal while stopped by %s: %q, want %q", how, got, before)
		}
		waitUntil(t, "fg", func() bool { return procState(pid) != "T" && strings.Contains(p.screen(), "edgetriage ›") })
		p.tmux("send-keys", "?")
		waitUntil(t, "keys after fg", func() bool { return strings.Contains(p.screen(), "Keys for") || logScreen(t, p) })
		p.tmux("send-keys", "?")
		waitUntil(t, "help closed", func() bool { return !strings.Contains(p.screen(), "Keys for") })
	}
	p.tmux("resize-window", "-x", "80", "-y", "24")
	waitUntil(t, "a redraw at 80 columns", func() bool {
		lines := strings.Split(p.screen(), "\n")
		return len(lines) <= 24 && strings.HasPrefix(lines[0], "edgetriage ›") && strings.Contains(lines[0], "lines")
	})
	p.tmux("send-keys", "q")
	if _, ok := p.exitCode(5 * time.Second); !ok {
		t.Fatal("q did not end the interface")
	}
	if after := p.modes("after"); after != before {
		t.Errorf("terminal not restored after q")
	}
}
