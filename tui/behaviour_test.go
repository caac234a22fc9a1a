package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// TestEscapeSequencesInert: a raw line and a path carrying a screen clear
// and a title-setting OSC render as visible text, never as bytes a
// terminal would act on.
func TestEscapeSequencesInert(t *testing.T) {
	const evil = "/x\x1b[2J\x1b]0;title\x07y"
	u := fixtureUpdate()
	f := &u.Snapshot.Findings[0]
	f.Origin = "evil\x1b[2J.example.com"
	f.Causes[0].Title = "cause \x1b]0;title\x07"
	f.Context["paths"] = []string{evil + " (3)"}
	for i := range f.Samples {
		f.Samples[i].Path = evil
		f.Samples[i].Raw = `1.2.3.4 - - "GET ` + evil + ` HTTP/1.1" 520 0`
	}
	u.Inputs[0].Path = "logs/\x1b[31mred.log"
	u.Notices = []Notice{{Kind: NoticeError, Text: "tail: file vanished \x1b[2J"}}
	opts := fixtureOptions(u)
	ring := NewRing(10)
	rec := parse.Record{Path: evil, Host: "h\x1b[2J", Raw: "raw " + evil, Input: "in\x07", Line: 1}
	ring.Add([]parse.Record{rec})
	opts.Recent = ring
	opts.ReadRaw = nil

	m := newDriven(t, opts, 120, 40)
	var views []string
	views = append(views, m.View())
	drive(t, m, keyEnter) // findings
	views = append(views, m.View())
	drive(t, m, keyEnter) // detail
	views = append(views, m.View())
	drive(t, m, keyEnter) // requests
	views = append(views, m.View())
	drive(t, m, keyEnter) // raw line
	views = append(views, m.View())
	if !strings.HasSuffix(titles(m), "Raw line") {
		t.Fatalf("stack %q", titles(m))
	}
	for i := 0; i < 4; i++ {
		drive(t, m, keyEsc)
	}
	drive(t, m, runes("r"), keyEnter) // recent requests, raw line of the ring record
	views = append(views, m.View())

	for i, v := range views {
		if strings.ContainsAny(v, "\x1b\x07") {
			t.Fatalf("view %d carries a raw escape or BEL byte:\n%q", i, v)
		}
	}
	all := strings.Join(views, "\n")
	for _, want := range []string{`\x1b[2J`, `\x1b]0;title\x07`, `evil\x1b[2J.example.com`, `logs/\x1b[31mred.log`} {
		if !strings.Contains(all, want) {
			t.Errorf("escaped form %q not shown", want)
		}
	}
}

// TestSmallTerminals: every screen fills the terminal exactly at 80x24,
// 60x20 and odd sizes, and says so below 60x20.
func TestSmallTerminals(t *testing.T) {
	sizes := [][2]int{{80, 24}, {60, 20}, {61, 21}, {200, 60}, {59, 20}, {60, 19}, {40, 12}, {20, 5}}
	for _, sz := range sizes {
		for _, sc := range screens {
			m := newDriven(t, fixtureOptions(fixtureUpdate()), sz[0], sz[1])
			for _, k := range sc.keys {
				drive(t, m, k)
			}
			v := m.View()
			checkFills(t, v, sz[0], sz[1])
			small := sz[0] < MinWidth || sz[1] < MinHeight
			// The warning wraps: read it as one line of words.
			words := strings.Join(strings.Fields(v), " ")
			whole := fmt.Sprintf("terminal too small: %dx%d (need at least %dx%d)", sz[0], sz[1], MinWidth, MinHeight)
			if small && !strings.Contains(words, whole) {
				t.Fatalf("%dx%d: size warning not whole:\n%s", sz[0], sz[1], v)
			}
			if !small && !strings.HasSuffix(strings.TrimRight(strings.Split(v, "\n")[sz[1]-1], " "), "q quit") {
				t.Fatalf("%dx%d %s: the hint line does not end with q quit:\n%s", sz[0], sz[1], sc.name, v)
			}
			if got := strings.Contains(words, "terminal too small"); got != small {
				t.Fatalf("%dx%d %s: too-small message shown=%v:\n%s", sz[0], sz[1], sc.name, got, v)
			}
		}
	}
}

// TestResize: resizing mid-screen keeps the screen and refills it.
func TestResize(t *testing.T) {
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 120, 40)
	drive(t, m, keyEnter, keyEnter)
	for _, sz := range [][2]int{{80, 24}, {40, 10}, {100, 30}} {
		drive(t, m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkFills(t, m.View(), sz[0], sz[1])
	}
	if !strings.Contains(m.View(), "Verdict") {
		t.Fatalf("detail lost after resize:\n%s", m.View())
	}
}

// TestFindingsSortKindFilter drives s, t and / on the findings list.
func TestFindingsSortKindFilter(t *testing.T) {
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 120, 40)
	drive(t, m, keyEnter)
	fs := m.top().(*findings)
	firstOrigin := func() string { return fs.rows[0].origin }
	if got := firstOrigin(); got != "api.example.com" {
		t.Fatalf("severity sort: first group %q", got)
	}
	drive(t, m, runes("s")) // count
	if got := firstOrigin(); got != "beacon.example.com" {
		t.Fatalf("count sort: first group %q", got)
	}
	drive(t, m, runes("s")) // time
	if got := firstOrigin(); got != "beacon.example.com" || !strings.Contains(m.View(), "sort: time") {
		t.Fatalf("time sort: first group %q", got)
	}
	drive(t, m, runes("s")) // back to severity
	drive(t, m, runes("t")) // 520 bursts only
	if fs.shown != 1 || !strings.Contains(m.View(), "kind: 520 bursts") {
		t.Fatalf("kind 520: %d shown", fs.shown)
	}
	drive(t, m, runes("t"), runes("t")) // 202s
	if fs.shown != 7 {
		t.Fatalf("kind 202: %d shown, want 7", fs.shown)
	}
	drive(t, m, runes("t")) // all
	drive(t, m, runes("/"))
	if !m.top().capturing() {
		t.Fatal("filter not capturing")
	}
	drive(t, m, runes("q")) // typed, does not quit
	drive(t, m, tea.KeyMsg{Type: tea.KeyBackspace})
	for _, r := range "files" {
		drive(t, m, runes(string(r)))
	}
	if fs.shown != 2 {
		t.Fatalf("filter files: %d shown, want 2", fs.shown)
	}
	drive(t, m, keyEnter) // keep the filter, leave the input
	if m.top().capturing() || !strings.Contains(m.View(), "filter: files") {
		t.Fatalf("filter not kept:\n%s", m.View())
	}
	drive(t, m, keyEsc) // clears the filter, stays on the screen
	if fs.shown != 9 || titles(m) != "Overview > Findings" {
		t.Fatalf("esc: %d shown, stack %q", fs.shown, titles(m))
	}
}

// TestLiveUpdates: a new snapshot while on a screen updates counters and
// keeps the selection; the live header shows rate, last line and follow.
func TestLiveUpdates(t *testing.T) {
	var mu sync.Mutex
	var follow []bool
	// Updates are sent by hand below (no channel: drive runs commands synchronously).
	clock := fixedNow.Add(-10 * time.Second)
	opts := Options{Live: true, Now: func() time.Time { return clock },
		SetFollow: func(on bool) { mu.Lock(); follow = append(follow, on); mu.Unlock() }}
	m := newModel(opts)
	drive(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if v := m.View(); !strings.Contains(v, "waiting for data") || !strings.Contains(v, "No trouble found so far") {
		t.Fatalf("before data:\n%s", v)
	}
	// First state: no findings yet.
	u := fixtureUpdate()
	empty := *u.Snapshot
	empty.Findings, empty.Origins = nil, nil
	u.Snapshot = &empty
	u.Progress = Progress{Lines: 10, LinesPerSec: 99, Live: true, Following: true, LastLine: fixedNow.Add(-3 * time.Second)}
	drive(t, m, updateMsg{u})
	// The rate is the lines of the last 10 s, not the pipeline's instant one.
	clock = fixedNow
	u.Progress.Lines = 12_350
	drive(t, m, updateMsg{u})
	v := m.View()
	if !strings.Contains(v, "● live 1.2k lines/s") || !strings.Contains(v, "(3s ago)") {
		t.Fatalf("live header:\n%s", v)
	}
	// The first finding appears: the overview names its origin at once.
	u2 := fixtureUpdate()
	u2.Snapshot.Findings = u2.Snapshot.Findings[:1]
	u2.Snapshot.Origins = u2.Snapshot.Origins[:1]
	u2.Progress = u.Progress
	u2.Notices = []Notice{{Kind: NoticeInfo, Text: "logs/a.log: rotated"}, {Kind: NoticeError, Text: "logs/b.log: removed (file vanished)"}}
	drive(t, m, updateMsg{u2})
	v = m.View()
	if !strings.Contains(v, "api.example.com") || !strings.Contains(v, "file vanished) (+1 more)") {
		t.Fatalf("after first finding:\n%s", v)
	}
	// Into its detail; a newer snapshot keeps us on it.
	drive(t, m, keyEnter, keyEnter)
	u3 := fixtureUpdate()
	u3.Snapshot.Findings[0].Count = 4321
	u3.Progress = u.Progress
	drive(t, m, updateMsg{u3})
	if v := m.View(); !strings.Contains(v, "4,321 requests") {
		t.Fatalf("detail not refreshed:\n%s", v)
	}
	// Pause and resume.
	drive(t, m, runes("f"))
	if v := m.View(); !strings.Contains(v, "paused") {
		t.Fatalf("not paused:\n%s", v)
	}
	drive(t, m, updateMsg{u3}) // a late update saying following must not flip it back
	if v := m.View(); !strings.Contains(v, "paused") {
		t.Fatalf("update overrode pause:\n%s", v)
	}
	drive(t, m, runes("f"))
	mu.Lock()
	defer mu.Unlock()
	if len(follow) != 2 || follow[0] || !follow[1] {
		t.Fatalf("SetFollow calls %v", follow)
	}
}

// TestProgress: while open reads, the header shows a bar, bytes, rate, ETA.
func TestProgress(t *testing.T) {
	m := newModel(Options{Now: func() time.Time { return fixedNow }})
	drive(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	u := fixtureUpdate()
	u.Progress = Progress{BytesRead: 25 << 20, BytesTotal: 100 << 20, Lines: 100_000, LinesPerSec: 50_000}
	drive(t, m, updateMsg{u})
	head := strings.SplitN(m.View(), "\n", 2)[0]
	for _, want := range []string{"███░░░░░░░░░", "25%", "25.0 MiB/100.0 MiB", "50.0k lines/s", "ETA 6s"} {
		if !strings.Contains(head, want) {
			t.Fatalf("progress header lacks %q: %q", want, head)
		}
	}
}

// TestExportAndCopy: e writes the current finding or the report to
// ExportDir and shows the path; y copies the finding's Markdown.
func TestExportAndCopy(t *testing.T) {
	dir := t.TempDir()
	var copied string
	opts := fixtureOptions(fixtureUpdate())
	opts.ExportDir = dir
	opts.Clipboard = func(s string) error { copied = s; return nil }
	m := newDriven(t, opts, 100, 30)

	drive(t, m, runes("e"), runes("m")) // overview: no finding
	if !strings.Contains(m.View(), "no finding here") {
		t.Fatalf("finding export from overview:\n%s", m.View())
	}
	drive(t, m, runes("e"), runes("J"))
	reportPath := filepath.Join(dir, "edgetriage-report-20261120-120000.json")
	if _, err := os.Stat(reportPath); err != nil {
		t.Fatalf("report export: %v\n%s", err, m.View())
	}
	drive(t, m, keyEnter, keyEnter, runes("e"), runes("m"))
	matches, _ := filepath.Glob(filepath.Join(dir, "edgetriage-finding-*.md"))
	if len(matches) != 1 || m.status != "exported to "+matches[0] || !strings.Contains(m.View(), "exported to ") {
		t.Fatalf("finding export: %v\n%s", matches, m.View())
	}
	body, _ := os.ReadFile(matches[0])
	if !strings.Contains(string(body), "Likely causes") || !strings.Contains(string(body), "keep-alive timeout") ||
		!strings.Contains(string(body), "api.example.com") || !strings.Contains(string(body), "203.0.113.1 ") {
		t.Fatalf("finding markdown:\n%s", body)
	}
	drive(t, m, runes("e"), runes("m")) // same second: a second file, not overwritten
	if matches, _ = filepath.Glob(filepath.Join(dir, "edgetriage-finding-*.md")); len(matches) != 2 {
		t.Fatalf("second export: %v", matches)
	}
	drive(t, m, runes("e"), runes("x"))
	if !strings.Contains(m.View(), "export cancelled") {
		t.Fatalf("cancel:\n%s", m.View())
	}
	drive(t, m, runes("y"))
	if !strings.Contains(copied, "Likely causes") || !strings.Contains(m.View(), "copied finding as Markdown") {
		t.Fatalf("copy: %q\n%s", copied, m.View())
	}
	// An unwritable directory is an error in the status line, not a crash.
	m.c.opts.ExportDir = filepath.Join(dir, "report.json-is-a-file")
	os.WriteFile(m.c.opts.ExportDir, nil, 0o644)
	drive(t, m, runes("e"), runes("M"))
	if !strings.Contains(m.View(), "export failed") {
		t.Fatalf("failed export:\n%s", m.View())
	}
}

// TestExportRedacts: --redact reaches the exported file.
func TestExportRedacts(t *testing.T) {
	dir := t.TempDir()
	opts := fixtureOptions(fixtureUpdate())
	opts.ExportDir, opts.Redact = dir, true
	m := newDriven(t, opts, 100, 30)
	drive(t, m, keyEnter, keyEnter, runes("e"), runes("m"), runes("e"), runes("J"))
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 {
		t.Fatalf("exports: %v (%s)", files, m.status)
	}
	for _, f := range files {
		body, _ := os.ReadFile(f)
		if strings.Contains(string(body), "203.0.113.1 ") {
			t.Fatalf("%s carries a client IP despite Redact", f)
		}
	}
}

// TestStaleResultsDropped: a raw-line read that finishes after the user
// left (or re-entered) the screen is ignored.
func TestStaleResultsDropped(t *testing.T) {
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 100, 30)
	drive(t, m, keyEnter, keyEnter, keyEnter)
	// Push the raw screen without running its load command.
	next, _ := m.top().update(keyEnter)
	m.push(next)
	raw := m.top().(*rawLine)
	drive(t, m, rawLoadedMsg{gen: raw.gen - 1, text: "STALE", origin: "retained copy"})
	if strings.Contains(m.View(), "STALE") || !strings.Contains(m.View(), "loading") {
		t.Fatalf("stale result shown:\n%s", m.View())
	}
	drive(t, m, rawLoadedMsg{gen: raw.gen, text: "FRESH", origin: "retained copy"})
	if !strings.Contains(m.View(), "FRESH") {
		t.Fatalf("fresh result not shown:\n%s", m.View())
	}
	// Stale export results leave the status line alone.
	m.exportGen = 7
	drive(t, m, exportDoneMsg{gen: 6, path: "/old"})
	if strings.Contains(m.View(), "/old") {
		t.Fatal("stale export shown")
	}
}

// TestOverviewTimeline: Tab focuses the timeline; moving, zooming and
// Enter narrow the findings to the selected minutes.
func TestOverviewTimeline(t *testing.T) {
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 120, 40)
	drive(t, m, keyTab)
	for i := 0; i < 3; i++ {
		drive(t, m, runes("l"))
	}
	v := m.View()
	if !strings.Contains(v, "▸ Timeline") || !strings.Contains(v, "10:03:00–10:04:00: 100 × 520") {
		t.Fatalf("timeline cursor:\n%s", v)
	}
	drive(t, m, runes("z"))
	if !strings.Contains(m.View(), "zoomed") {
		t.Fatalf("zoom:\n%s", m.View())
	}
	drive(t, m, keyEnter)
	fs, ok := m.top().(*findings)
	if !ok || fs.since.IsZero() {
		t.Fatalf("enter on timeline: %q", titles(m))
	}
	if fs.shown == 0 || fs.shown == len(m.c.snap.Findings) {
		t.Fatalf("narrowed list shows %d findings:\n%s", fs.shown, m.View())
	}
	for _, r := range fs.rows {
		if r.header {
			continue
		}
		f := &m.c.snap.Findings[r.idx]
		if f.End.Before(fs.since) || !f.Start.Before(fs.until) {
			t.Fatalf("finding %s outside %v..%v", f.ID, fs.since, fs.until)
		}
	}
	drive(t, m, keyEsc, keyEsc) // back to the overview, then reset the zoom
	if strings.Contains(m.View(), "zoomed") {
		t.Fatalf("esc did not reset zoom:\n%s", m.View())
	}
}

// TestRecentRequestsFilter filters the ring incrementally as it grows.
func TestRecentRequestsFilter(t *testing.T) {
	opts := fixtureOptions(fixtureUpdate())
	m := newDriven(t, opts, 100, 30)
	drive(t, m, runes("r"), runes("/"))
	for _, r := range "items/5" {
		drive(t, m, runes(string(r)))
	}
	drive(t, m, keyEnter)
	rq := m.top().(*requests)
	want := 0
	opts.Recent.Scan(0, func(_ int64, rec *parse.Record) bool {
		if strings.Contains(rec.Path, "items/5") {
			want++
		}
		return true
	})
	if rq.rows() != want || want == 0 {
		t.Fatalf("matches %d, want %d", rq.rows(), want)
	}
	// More records arrive: only they are scanned, evicted matches go.
	opts.Recent.Add([]parse.Record{{Path: "/v1/items/5", Input: "x", Line: 9999}, {Path: "/other"}})
	drive(t, m, updateMsg{fixtureUpdate()})
	first, _ := opts.Recent.Bounds()
	for _, s := range rq.matches {
		if s < first {
			t.Fatalf("evicted match %d kept (first %d)", s, first)
		}
	}
	if last, _ := opts.Recent.At(rq.matches[len(rq.matches)-1]); last.Line != 9999 {
		t.Fatalf("new match not found: %+v", last)
	}
	if !rq.tailing || rq.cursor != rq.rows()-1 {
		t.Fatalf("cursor does not follow newest: %d of %d", rq.cursor, rq.rows())
	}
}

// TestMouseWheel scrolls the active list.
func TestMouseWheel(t *testing.T) {
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 100, 30)
	drive(t, m, keyEnter)
	fs := m.top().(*findings)
	before := fs.cursor
	drive(t, m, tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if fs.cursor <= before {
		t.Fatalf("wheel did not move the cursor: %d -> %d", before, fs.cursor)
	}
}

// TestHelpFromBindings: the help screen lists the screen's own bindings.
func TestHelpFromBindings(t *testing.T) {
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 120, 40)
	drive(t, m, keyEnter, runes("?"))
	v := m.View()
	for _, b := range m.top().fullHelp() {
		for _, kb := range b {
			if !strings.Contains(v, kb.Help().Desc) {
				t.Fatalf("help lacks %q:\n%s", kb.Help().Desc, v)
			}
		}
	}
	drive(t, m, runes("?"))
	if m.showHelp {
		t.Fatal("? did not close help")
	}
	drive(t, m, runes("?"), keyEsc)
	if m.showHelp || titles(m) != "Overview > Findings" {
		t.Fatalf("esc closes help only: help=%v stack=%q", m.showHelp, titles(m))
	}
}

// TestQuit: q and ctrl+c quit, except q while typing a filter.
func TestQuit(t *testing.T) {
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 100, 30)
	if _, cmd := m.Update(runes("q")); cmd == nil || cmd() != tea.Quit() {
		t.Fatal("q does not quit")
	}
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC}); cmd == nil || cmd() != tea.Quit() {
		t.Fatal("ctrl+c does not quit")
	}
	_ = rules.KindBurst520
}

// TestMouseClicks: a click selects the row under it, a click on the
// selected row opens it, on every list screen.
func TestMouseClicks(t *testing.T) {
	click := func(x, y int) tea.MouseMsg {
		return tea.MouseMsg{X: x, Y: y, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft}
	}
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 100, 30)
	ov := m.top().(*overview)
	drive(t, m, click(10, 3)) // header, section head, origin 0, origin 1
	if ov.cursor != 1 {
		t.Fatalf("click on the second origin: cursor %d", ov.cursor)
	}
	drive(t, m, click(10, 3))
	fs, ok := m.top().(*findings)
	if !ok {
		t.Fatalf("click on the selected origin did not open it: %s", titles(m))
	}
	row := fs.offset + 3 - 1 - 1
	for fs.rows[row].header {
		row++
	}
	y := row - fs.offset + 2
	drive(t, m, click(10, y))
	if fs.cursor != row {
		t.Fatalf("click on finding row %d: cursor %d", row, fs.cursor)
	}
	drive(t, m, click(10, y))
	if _, ok := m.top().(*detail); !ok {
		t.Fatalf("second click did not open the finding: %s", titles(m))
	}
	drive(t, m, keyEnter)
	r := m.top().(*requests)
	drive(t, m, click(10, 1+2+2)) // header, title, table header, rows 0, 1, 2
	if r.cursor != 2 {
		t.Fatalf("click on request row 2: cursor %d", r.cursor)
	}
	drive(t, m, click(10, 5))
	if _, ok := m.top().(*rawLine); !ok {
		t.Fatalf("second click did not open the raw line: %s", titles(m))
	}
}
