package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// logOptions is a pipeline state over real files: a plain log, the same
// log gzipped, and standard input held in the ring.
func logOptions(t *testing.T, n int) (Options, string) {
	plain, _ := writeLog(t, n, false, true)
	gz, _ := writeLog(t, 50, true, true)
	u := fixtureUpdate()
	u.Inputs = []parse.InputStats{
		{Path: plain, Format: "combined", Counts: parse.Counts{Lines: int64(n)}},
		{Path: gz, Format: "combined", Compression: "gzip", Counts: parse.Counts{Lines: 50}},
		{Path: "-", Format: "combined", Counts: parse.Counts{Lines: 9000}},
	}
	storm := rules.Finding{ID: "burst_5xx/x/504", Kind: rules.KindBurst5xx, Status: 504, Severity: rules.SeverityWarning,
		Origin: "x.example.com", Start: time.Date(2026, 11, 20, 10, 0, 10, 0, time.UTC), End: time.Date(2026, 11, 20, 10, 0, 20, 0, time.UTC), Count: 5}
	u.Snapshot.Findings = append([]rules.Finding{storm}, u.Snapshot.Findings...)
	opts := fixtureOptions(u)
	ring := NewRing(100)
	var batch []parse.Record
	for i := 0; i < 30; i++ {
		rec := parse.Record{Input: "-", Line: int64(8971 + i), Raw: fmt.Sprintf("stdin line %d", 8971+i), Status: 200}
		batch = append(batch, rec)
	}
	ring.Add(batch)
	opts.Recent = ring
	return opts, plain
}

// TestFullLog: L opens every line of every input; / searches with n and
// N, & filters with a field expression, both over the whole input.
func TestFullLog(t *testing.T) {
	const n = 3000
	opts, _ := logOptions(t, n)
	m := newDriven(t, opts, 100, 30)
	drive(t, m, runes("L"))
	v, ok := m.top().(*logView)
	if !ok {
		t.Fatalf("L did not open the full log: %s", titles(m))
	}
	waitIdle(t, m, v)
	view := m.View()
	checkFills(t, view, 100, 30)
	for _, want := range []string{"Full log 3 inputs · 3,080 lines", "access.log:1 203.0.113.0", "- cannot be read again: the last 30 records held of 9,000 lines read"} {
		if !strings.Contains(words(view), want) {
			t.Fatalf("view lacks %q:\n%s", want, view)
		}
	}
	// The last lines: the gzip file, then standard input.
	drive(t, m, runes("G"))
	if view = m.View(); !strings.Contains(words(view), "-:9000 stdin line 9000") {
		t.Fatalf("end of the log:\n%s", view)
	}
	drive(t, m, runes("g"))

	// Search.
	typeText(t, m, "/", "zzqq-rare")
	waitIdle(t, m, v)
	if view = m.View(); !strings.Contains(view, `search "zzqq-rare": 1 of 1`) || !strings.Contains(view, "› access.log:778") {
		t.Fatalf("search did not land on its match:\n%s", view)
	}
	drive(t, m, runes("n"))
	if !strings.Contains(m.View(), "no match after this line") {
		t.Fatalf("n past the last match:\n%s", m.View())
	}
	drive(t, m, runes("G"), runes("N"))
	if view = m.View(); !strings.Contains(view, "› access.log:778") {
		t.Fatalf("N did not go back:\n%s", view)
	}
	drive(t, m, keyEsc) // clears the search

	// Filter with a field expression.
	typeText(t, m, "&", "status=504 path~/v1/items/2")
	waitIdle(t, m, v)
	want := 0
	for i := 0; i < n; i++ {
		if i%3 == 1 && strings.HasPrefix(fmt.Sprint(i), "2") {
			want++
		}
	}
	for i := 0; i < 50; i++ {
		if i%3 == 1 && strings.HasPrefix(fmt.Sprint(i), "2") {
			want++
		}
	}
	if got := v.rows(); got != int64(want) {
		t.Fatalf("filter kept %d lines, want %d:\n%s", got, want, m.View())
	}
	if view = m.View(); !strings.Contains(view, fmt.Sprintf(`filter "status=504 path~/v1/items/2": %d lines`, want)) {
		t.Fatalf("filter not described:\n%s", view)
	}
	checkFills(t, view, 100, 30)
	drive(t, m, keyEnter)
	if got := titles(m); !strings.HasSuffix(got, "Full log > Raw line") {
		t.Fatalf("enter: %s", got)
	}
	if view = m.View(); !strings.Contains(view, "Parsed fields") || !strings.Contains(words(view), "status 504") {
		t.Fatalf("the raw line lacks its parsed fields:\n%s", view)
	}
	drive(t, m, keyEsc, keyEsc, keyEsc)
	if _, ok := m.top().(*overview); !ok {
		t.Fatalf("esc clears the filter, then leaves: %s", titles(m))
	}
}

// TestFullLogFromFinding: L on a finding opens the full log filtered to
// its requests (status and span).
func TestFullLogFromFinding(t *testing.T) {
	opts, _ := logOptions(t, 3000)
	m := newDriven(t, opts, 100, 30)
	drive(t, m, keyEnter)
	fs := m.top().(*findings)
	fs.setCursor(rowOf(fs, "burst_5xx/x/504"), 1)
	drive(t, m, runes("L"))
	v, ok := m.top().(*logView)
	if !ok {
		t.Fatalf("L on a finding: %s", titles(m))
	}
	waitIdle(t, m, v)
	want := 0
	for i := 0; i < 3000; i++ {
		if i%3 == 1 && i%60 >= 10 && i%60 <= 20 {
			want++
		}
	}
	for i := 0; i < 50; i++ {
		if i%3 == 1 && i%60 >= 10 && i%60 <= 20 {
			want++
		}
	}
	if got := v.rows(); got != int64(want) {
		t.Fatalf("jump kept %d lines, want %d:\n%s", got, want, m.View())
	}
	if view := m.View(); !strings.Contains(view, `filter "status=504" 10:00:10–10:00:20`) {
		t.Fatalf("jump filter not shown:\n%s", view)
	}
}

func typeText(t *testing.T, m *Model, prompt, text string) {
	t.Helper()
	drive(t, m, runes(prompt))
	for _, r := range text {
		drive(t, m, runes(string(r)))
	}
	drive(t, m, keyEnter)
}

// waitIdle lets the view's background work finish and delivers its ticks.
func waitIdle(t *testing.T, m *Model, v *logView) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		idle := len(v.srcs) > 0 && !v.busy()
		drive(t, m, logTickMsg{v.gen})
		if idle && !v.loading {
			drive(t, m, logTickMsg{v.gen})
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("full log still busy")
}

var _ tea.Msg = logTickMsg{}

// TestFullLogFastTyping: "/abc" arriving as one message opens the prompt
// with "abc" typed.
func TestFullLogFastTyping(t *testing.T) {
	opts, _ := logOptions(t, 100)
	m := newDriven(t, opts, 100, 30)
	drive(t, m, runes("L"))
	v := m.top().(*logView)
	drive(t, m, runes("/zzq"))
	if !v.prompt.active || v.promptKind != "/" || string(v.prompt.value) != "zzq" {
		t.Fatalf("prompt %v %q %q", v.prompt.active, v.promptKind, string(v.prompt.value))
	}
}

// Two makings of the sources under way at once (a snapshot arrived while
// the first still looked at the files) show each input once: the tmux
// test once saw "Full log 2 inputs" for one file.
func TestFullLogSourcesOnce(t *testing.T) {
	opts, _ := logOptions(t, 300)
	m := newDriven(t, opts, 100, 30)
	drive(t, m, runes("L"))
	v, ok := m.top().(*logView)
	if !ok {
		t.Fatalf("L did not open the full log: %s", titles(m))
	}
	w := newLogView(v.c, nil)
	defer w.cancel()
	first, second := w.init()(), w.init()()
	w.update(first)
	w.update(second)
	if len(w.srcs) != 3 {
		var names []string
		for _, s := range w.srcs {
			names = append(names, s.name())
		}
		t.Fatalf("sources %v, want the 3 inputs once each", names)
	}
}
