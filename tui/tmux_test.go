package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxSession runs the real program in a detached tmux session of w x h.
type tmuxSession struct {
	t    *testing.T
	name string
}

// needTmux skips without tmux, or fails when the environment says every
// service must be there (CI: EDGETRIAGE_REQUIRE_SERVICES=1).
func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("EDGETRIAGE_REQUIRE_SERVICES") == "1" {
			t.Fatal("tmux is required (EDGETRIAGE_REQUIRE_SERVICES=1) but not installed")
		}
		t.Skip("tmux not installed")
	}
}

// buildBinary builds cmd/edgetriage once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "edgetriage")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/edgetriage").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func startTmux(t *testing.T, w, h int, command string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{t: t, name: fmt.Sprintf("edgetriage-test-%d", time.Now().UnixNano())}
	cmd := exec.Command("tmux", "new-session", "-d", "-s", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), command)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", s.name).Run() })
	return s
}

func (s *tmuxSession) capture() string {
	out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", s.name).Output()
	return string(out)
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	if out, err := exec.Command("tmux", append([]string{"send-keys", "-t", s.name}, keys...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys %v: %v\n%s", keys, err, out)
	}
}

// wait polls the pane until it shows every one of want, and returns it.
func (s *tmuxSession) wait(want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var pane string
	for time.Now().Before(deadline) {
		pane = s.capture()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(pane, w)
		}
		if ok {
			return pane
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("pane never showed %q:\n%s", want, pane)
	return ""
}

// waitGone polls the pane until it no longer shows text.
func (s *tmuxSession) waitGone(text string) {
	s.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if !strings.Contains(s.capture(), text) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("pane still shows %q:\n%s", text, s.capture())
}

func (s *tmuxSession) alive() bool {
	return exec.Command("tmux", "has-session", "-t", s.name).Run() == nil
}

// TestTmux drives the real program in tmux at 80x24: the demo's
// overview with ? and q in the hint line, a finding, the full log with a
// search over a real file, a resize, and q.
func TestTmux(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	path, _ := writeLog(t, 20000, false, true)
	s := startTmux(t, 80, 24, bin+" --tz UTC "+path)
	pane := s.wait("Origins in trouble", "✓ read 20,000 lines")
	last := strings.TrimRight(strings.Split(strings.TrimRight(pane, "\n"), "\n")[23], " ")
	if !strings.HasSuffix(last, "? help • q quit") {
		t.Fatalf("the hint line does not end with ? help • q quit: %q\n%s", last, pane)
	}
	s.keys("L")
	s.wait("Full log 1 input · 20,000 lines", "access.log:1 ")
	s.keys("/")
	s.wait("/ █")
	for _, k := range "zzqq-rare" {
		s.keys(string(k))
	}
	s.keys("Enter")
	s.wait(`search "zzqq-rare": 1 of 1`, "› access.log:778")
	s.keys("&")
	s.wait("& █")
	for _, k := range "status=504" {
		s.keys(string(k))
	}
	s.keys("Enter")
	s.wait(`filter "status=504": 6,667 lines`)
	// Esc clears the search, then the filter, then leaves.
	s.keys("Escape")
	s.waitGone(`search "`)
	s.keys("Escape")
	s.waitGone(`filter "`)
	s.keys("Escape")
	s.wait("Origins in trouble")
	// Resize: the frame follows.
	if out, err := exec.Command("tmux", "resize-window", "-t", s.name, "-x", "100", "-y", "30").CombinedOutput(); err != nil {
		t.Fatalf("resize: %v %s", err, out)
	}
	// The header's right end moves to the new width, the hints to the new last row.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		lines := strings.Split(strings.TrimRight(s.capture(), "\n"), "\n")
		if len(lines) == 30 && len([]rune(strings.TrimRight(lines[0], " "))) > 80 &&
			strings.HasSuffix(strings.TrimRight(lines[29], " "), "q quit") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimRight(s.capture(), "\n"), "\n")
	if len(lines) != 30 || len([]rune(strings.TrimRight(lines[0], " "))) <= 80 || !strings.HasSuffix(strings.TrimRight(lines[29], " "), "q quit") {
		t.Fatalf("after resizing to 100x30:\n%s", s.capture())
	}
	s.keys("q")
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && s.alive(); {
		time.Sleep(20 * time.Millisecond)
	}
	if s.alive() {
		t.Fatalf("q did not end the program:\n%s", s.capture())
	}
}

// TestTmuxFirstScreen measures the time to the first useful screen (the
// overview with the reading bar) on a big log: set EDGETRIAGE_BIGLOG
// (go run ./sample-logs/gen -combined 1000000 -o /tmp/c1m.log).
func TestTmuxFirstScreen(t *testing.T) {
	big := os.Getenv("EDGETRIAGE_BIGLOG")
	if big == "" {
		t.Skip("EDGETRIAGE_BIGLOG not set")
	}
	needTmux(t)
	bin := buildBinary(t)
	best := time.Duration(1 << 62)
	for i := 0; i < 3; i++ {
		start := time.Now()
		s := startTmux(t, 80, 24, bin+" "+big)
		s.wait("Origins in trouble", "Timeline")
		best = min(best, time.Since(start))
		s.keys("q")
	}
	t.Logf("first useful screen on %s: %v (best of 3, tmux start included)", big, best)
	if best > 300*time.Millisecond {
		t.Errorf("first useful screen took %v, want <= 0.3 s", best)
	}
}
