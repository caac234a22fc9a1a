package tui

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	os.Exit(m.Run())
}

var (
	keyEnter = tea.KeyMsg{Type: tea.KeyEnter}
	keyEsc   = tea.KeyMsg{Type: tea.KeyEsc}
	keyTab   = tea.KeyMsg{Type: tea.KeyTab}
)

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// drive feeds messages to the model and runs the commands they return
// synchronously (as the program would), so direct tests are deterministic.
func drive(t testing.TB, m *Model, msgs ...tea.Msg) {
	t.Helper()
	for _, msg := range msgs {
		_, cmd := m.Update(msg)
		runCmd(t, m, cmd, 0)
	}
}

func runCmd(t testing.TB, m *Model, cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 20 {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			runCmd(t, m, c, depth+1)
		}
	case tea.QuitMsg:
	default:
		_, next := m.Update(msg)
		runCmd(t, m, next, depth+1)
	}
}

// newDriven returns a model that has received the fixture at w x h.
func newDriven(t testing.TB, opts Options, w, h int) *Model {
	t.Helper()
	m := newModel(opts)
	drive(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	runCmd(t, m, m.Init(), 0)
	return m
}

// checkFills asserts a view is exactly w x h cells.
func checkFills(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d:\n%s", len(lines), h, view)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, got, w, l)
		}
	}
}

// screens lists how to reach each screen from the overview.
var screens = []struct {
	name string
	keys []tea.KeyMsg
	wait string // text that shows the screen is ready
}{
	{"overview", nil, "api.example.com"},
	{"timeline", []tea.KeyMsg{keyTab}, "▸ Timeline"},
	{"findings", []tea.KeyMsg{keyEnter}, "› Findings"},
	{"detail", []tea.KeyMsg{keyEnter, keyEnter}, "› 520 burst"},
	{"detail_202", []tea.KeyMsg{runes("j"), runes("j"), runes("j"), runes("j"), runes("j"), runes("j"), keyEnter, keyEnter}, "› 202 "},
	{"requests", []tea.KeyMsg{keyEnter, keyEnter, keyEnter}, "› Requests"},
	{"rawline", []tea.KeyMsg{keyEnter, keyEnter, keyEnter, keyEnter}, "re-read from"},
	{"recent", []tea.KeyMsg{runes("r")}, "› Recent requests"},
	{"help", []tea.KeyMsg{keyEnter, runes("?")}, "Keys for Findings"},
	{"fulllog", []tea.KeyMsg{runes("L")}, `{"CacheCacheStatus"`},
}

// TestGolden runs the whole program (teatest) over the bundled sample logs
// (real pipeline, engine and cause rules) to each screen at 80x24 and
// 120x40 and compares the final frame with testdata/TestGolden/*.golden
// (refresh with go test ./tui -update).
func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				tm := teatest.NewTestModel(t, New(sampleOptions(t)), teatest.WithInitialTermSize(size[0], size[1]))
				waitText(t, tm, "api.example.com")
				for _, k := range sc.keys {
					tm.Send(k)
				}
				if len(sc.keys) > 0 {
					waitText(t, tm, sc.wait)
				}
				if err := tm.Quit(); err != nil {
					t.Fatal(err)
				}
				view := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()
				checkFills(t, view, size[0], size[1])
				golden.RequireEqual(t, []byte(view))
			})
		}
	}
}

func waitText(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

func titles(m *Model) string {
	var names []string
	for _, s := range m.stack {
		names = append(names, s.title())
	}
	return strings.Join(names, " > ")
}

// TestNavigation goes down into a finding, its requests and a raw line,
// and back out, checking the stack and what each screen shows.
func TestNavigation(t *testing.T) {
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 80, 24)
	steps := []struct {
		key   tea.KeyMsg
		stack string
		shows string
	}{
		{keyEnter, "Overview > Findings", "520 burst"},
		{keyEnter, "Overview > Findings > 520 burst", "What separates the failures"},
		{keyEnter, "Overview > Findings > 520 burst > Requests", "/v1/orders"},
		{runes("j"), "Overview > Findings > 520 burst > Requests", "› "},
		{keyEnter, "Overview > Findings > 520 burst > Requests > Raw line", "line 110"},
		{keyEsc, "Overview > Findings > 520 burst > Requests", "retained request"},
		{runes("h"), "Overview > Findings > 520 burst", "Verdict"},
		{tea.KeyMsg{Type: tea.KeyBackspace}, "Overview > Findings", "sort: severity"},
		{keyEsc, "Overview", "Origins in trouble"},
		{keyEsc, "Overview", "Origins in trouble"}, // the overview is never popped
	}
	for i, s := range steps {
		drive(t, m, s.key)
		if got := titles(m); got != s.stack {
			t.Fatalf("step %d (%s): stack %q, want %q", i, s.key, got, s.stack)
		}
		view := m.View()
		checkFills(t, view, 80, 24)
		if !strings.Contains(view, s.shows) {
			t.Fatalf("step %d: view lacks %q:\n%s", i, s.shows, view)
		}
	}
}

// TestRawLineSources: a plain file is re-read by offset, a compressed one
// falls back to the retained copy, and with neither it says so.
func TestRawLineSources(t *testing.T) {
	cases := []struct {
		name    string
		finding int // index in the fixture
		readRaw func(string, int64) (string, error)
		noCopy  bool
		want    string
	}{
		{"plain file re-read", 1, fakeReadRaw, false, "re-read from logs/nginx-access.log at byte 12,000"},
		{"archive uses retained copy", 0, fakeReadRaw, false, "retained copy (file not re-read: compressed input: cannot seek)"},
		{"nothing", 0, nil, true, "line not retained"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := fixtureUpdate()
			f := &u.Snapshot.Findings[c.finding]
			if c.noCopy {
				for i := range f.Samples {
					f.Samples[i].Raw = ""
				}
			}
			opts := fixtureOptions(u)
			opts.ReadRaw = c.readRaw
			opts.Recent = nil
			m := newDriven(t, opts, 100, 30)
			drive(t, m, keyEnter)
			m.top().(*findings).setCursor(rowOf(m.top().(*findings), f.ID), 1)
			drive(t, m, keyEnter, keyEnter, keyEnter)
			if got := titles(m); !strings.HasSuffix(got, "Raw line") {
				t.Fatalf("stack %q", got)
			}
			if v := m.View(); !strings.Contains(v, c.want) {
				t.Fatalf("raw view lacks %q:\n%s", c.want, v)
			}
		})
	}
}

// rowOf is the findings-list row of the finding with id.
func rowOf(f *findings, id string) int {
	for i, r := range f.rows {
		if !r.header && f.c.snap.Findings[r.idx].ID == id {
			return i
		}
	}
	return -1
}
