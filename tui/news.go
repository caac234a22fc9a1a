package tui

import (
	"fmt"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/rules"
)

// news tracks what changed since the user looked: a finding is new when
// its id was not there when the user last saw the list, changed when its
// count grew. The baseline is the first complete state (the final
// snapshot of a read, or the first update while tailing): what a file
// holds from the start is not news.
type news struct {
	ready bool
	seen  map[string]int // finding id -> count when last seen
	// rate is the lines/s over the last rateWindow of updates.
	rate rateWindow
}

// rateWindow is a moving average of lines per second over 10 s.
type rateWindow struct {
	at    []time.Time
	lines []int64
}

const rateSpan = 10 * time.Second

// add records the line count at t and returns the rate over the window.
func (r *rateWindow) add(t time.Time, lines int64) float64 {
	r.at, r.lines = append(r.at, t), append(r.lines, lines)
	// Keep one sample at or before the window's start.
	cut := 0
	for cut+1 < len(r.at) && t.Sub(r.at[cut+1]) >= rateSpan {
		cut++
	}
	r.at, r.lines = r.at[cut:], r.lines[cut:]
	dt := t.Sub(r.at[0]).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(lines-r.lines[0]) / dt
}

// mark is a finding's badge: "NEW", "+37", or "".
func (n *news) mark(f *rules.Finding) string {
	if !n.ready {
		return ""
	}
	was, ok := n.seen[f.ID]
	switch {
	case !ok:
		return "NEW"
	case f.Count > was:
		return fmt.Sprintf("+%s", num(f.Count-was))
	}
	return ""
}

// see clears a finding's badge.
func (n *news) see(f *rules.Finding) {
	if n.ready && f != nil {
		n.seen[f.ID] = f.Count
	}
}

// unseen counts the findings with a badge (muted ones aside).
func (n *news) unseen(snap *rules.Snapshot, muted func(*rules.Finding) bool) int {
	c := 0
	for i := range snap.Findings {
		if n.mark(&snap.Findings[i]) != "" && !muted(&snap.Findings[i]) {
			c++
		}
	}
	return c
}

// take looks at a new snapshot: it sets the baseline once the first read
// is complete, and reports whether a new warning or critical appeared.
func (n *news) take(snap *rules.Snapshot, p Progress, muted func(*rules.Finding) bool) (alarm bool) {
	if !n.ready {
		// The final snapshot of a read, not the progress saying the bytes
		// are read: the engine judges what is pending at the end.
		if !(snap.Final || p.Live) {
			return false
		}
		n.ready, n.seen = true, make(map[string]int, len(snap.Findings))
		for i := range snap.Findings {
			n.seen[snap.Findings[i].ID] = snap.Findings[i].Count
		}
		return false
	}
	for i := range snap.Findings {
		f := &snap.Findings[i]
		if _, ok := n.seen[f.ID]; !ok && f.Severity >= rules.SeverityWarning && !muted(f) {
			alarm = true
		}
	}
	return alarm
}

// saveMute writes a mute to the config off the UI goroutine.
func saveMute(gen int, save func(rules.Mute) error, m rules.Mute) tea.Cmd {
	return func() tea.Msg { return muteSavedMsg{gen: gen, mute: m, err: save(m)} }
}

// ringBell rings the terminal bell off the UI goroutine.
func ringBell(bell func() error) tea.Cmd {
	return func() tea.Msg {
		if bell == nil {
			bell = func() error { _, err := os.Stdout.WriteString("\a"); return err }
		}
		_ = bell() // a terminal without a bell is no error worth showing
		return nil
	}
}
