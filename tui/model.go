// Package tui is edgetriage's terminal interface: a stack of screens
// (overview → findings → detail → requests → raw line) over the snapshots
// the pipeline sends a few times a second.
//
// Rules it keeps: Update never does I/O (file reads, exports, the clipboard
// and SetFollow run as commands whose results carry a generation number);
// every view fills exactly the terminal; all log-derived text goes through
// parse.Printable before it is drawn.
package tui

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// Minimum usable terminal size.
const (
	MinWidth  = 60
	MinHeight = 20
)

// screen is one level of the navigation stack.
type screen interface {
	// title is the breadcrumb label.
	title() string
	// init starts the screen's own commands when it is pushed.
	init() tea.Cmd
	// setSize gives the body area the screen owns.
	setSize(w, h int)
	// update handles a message; a non-nil screen is pushed on the stack.
	update(msg tea.Msg) (screen, tea.Cmd)
	// view renders exactly the size last set.
	view() string
	// shortHelp and fullHelp list the screen's own bindings.
	shortHelp() []key.Binding
	fullHelp() [][]key.Binding
	// capturing is true while a text input takes every key.
	capturing() bool
	// current is the finding the screen is about (for e and y), or nil.
	current() *rules.Finding
}

// backer is a screen that may consume Esc itself (clear a filter, reset a zoom).
type backer interface {
	back() bool
}

// common is the state every screen shares: options, styles, keys and the
// latest data from the pipeline.
type common struct {
	opts   *Options
	st     *Styles
	keys   *KeyMap
	help   help.Model
	snap   *rules.Snapshot
	byID   map[string]int
	inputs []parse.InputStats
	totals parse.Totals
	prog   Progress
	closed bool // the pipeline closed its channel
	gen    int  // generation counter for async results
	// parsers re-parse retained lines by format name (nil: cannot).
	parsers map[string]parse.Parser
	ctxv    context.Context
	news    news
	rate    float64      // lines/s, a 10 s moving average
	mutes   []rules.Mute // the config's and this session's
}

// Model is the root model: header, the active screen, status and help lines.
type Model struct {
	c      *common
	stack  []screen
	width  int
	height int

	showHelp   bool
	exporting  bool // the export prompt has the keyboard
	muting     bool // the mute prompt has the keyboard
	muteGen    int
	following  bool
	followSet  bool // the user toggled follow: local state wins over updates
	status     string
	statusErr  bool
	pending    int // notices not shown because newer ones replaced them
	exportGen  int
	copyGen    int
	haveUpdate bool
}

var _ tea.Model = (*Model)(nil)

// New returns the interface's root model.
func New(opts Options) tea.Model { return newModel(opts) }

func newModel(opts Options) *Model {
	setZone(opts.Location)
	redactor.Store(nil)
	if opts.Redact {
		setRedactor(&rules.Snapshot{})
	}
	c := &common{
		opts: &opts,
		st:   NewStyles(DefaultTheme()),
		keys: DefaultKeyMap(),
		help: help.New(),
		snap: &rules.Snapshot{},
		byID: map[string]int{},
	}
	c.help.Styles = c.st.Help
	c.mutes = append([]rules.Mute(nil), opts.Mutes...)
	c.keys.Follow.SetEnabled(opts.Live)
	m := &Model{c: c}
	m.stack = []screen{newOverview(c)}
	return m
}

// Init starts reading pipeline updates.
func (m *Model) Init() tea.Cmd { return waitForUpdate(m.c.opts.Updates, m.c.opts.stop) }

func (m *Model) top() screen { return m.stack[len(m.stack)-1] }

func (m *Model) bodySize() (int, int) { return m.width, m.height - 3 }

func (m *Model) push(s screen) tea.Cmd {
	m.stack = append(m.stack, s)
	s.setSize(m.bodySize())
	return s.init()
}

// Update routes a message: global keys first, then the active screen.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.c.help.Width = msg.Width
		w, h := m.bodySize()
		for _, s := range m.stack {
			s.setSize(w, h)
		}
		return m, nil

	case updateMsg:
		alarm := m.apply(msg.u)
		cmds := []tea.Cmd{m.broadcast(dataMsg{}), waitForUpdate(m.c.opts.Updates, m.c.opts.stop)}
		if alarm && m.c.opts.Bell {
			cmds = append(cmds, ringBell(m.c.opts.bell))
		}
		return m, tea.Batch(cmds...)

	case feedClosedMsg:
		m.c.closed = true
		// The ring's last records may have got their text since the
		// last update (Ring.Fill runs before the feed closes).
		return m, m.broadcast(dataMsg{})

	case exportDoneMsg:
		if msg.gen != m.exportGen {
			return m, nil // a newer export replaced it
		}
		if msg.err != nil {
			m.setStatus("export failed: "+msg.err.Error(), true)
		} else {
			m.setStatus("exported to "+msg.path, false)
		}
		return m, nil

	case copyDoneMsg:
		if msg.gen != m.copyGen {
			return m, nil
		}
		if msg.err != nil {
			m.setStatus("copy failed: "+msg.err.Error(), true)
		} else {
			m.setStatus(fmt.Sprintf("copied finding as Markdown (%s) via OSC 52 — if nothing was copied, the terminal does not allow it", bytesHuman(int64(msg.bytes))), false)
		}
		return m, nil

	case followSetMsg:
		return m, nil

	case muteSavedMsg:
		if msg.gen != m.muteGen {
			return m, nil
		}
		if msg.err != nil {
			m.setStatus("muted for this session; writing the config failed: "+msg.err.Error(), true)
		} else {
			m.setStatus("muted "+msg.mute.String()+" (written to the config)", false)
		}
		return m, nil

	case tea.MouseMsg:
		if msg.Action != tea.MouseActionPress {
			return m, nil
		}
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			return m.toTop(scrollMsg{-3})
		case tea.MouseButtonWheelDown:
			return m.toTop(scrollMsg{3})
		case tea.MouseButtonLeft:
			if _, h := m.bodySize(); !m.showHelp && !m.exporting && msg.Y >= 1 && msg.Y <= h {
				return m.toTop(clickMsg{msg.X, msg.Y - 1})
			}
		}
		return m, nil

	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	return m.toTop(msg)
}

// toTop hands a message to the active screen and pushes what it opens.
func (m *Model) toTop(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.top().update(msg)
	if next != nil {
		return m, tea.Batch(cmd, m.push(next))
	}
	return m, cmd
}

func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range m.stack {
		if _, cmd := s.update(msg); cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...)
}

// apply stores a pipeline state; it reports whether a new warning or
// critical finding appeared (for --bell).
func (m *Model) apply(u Update) (alarm bool) {
	c := m.c
	if u.Snapshot != nil {
		c.snap = u.Snapshot
		c.byID = make(map[string]int, len(c.snap.Findings))
		for i := range c.snap.Findings {
			c.byID[c.snap.Findings[i].ID] = i
		}
		alarm = c.news.take(c.snap, u.Progress, c.muted)
		if c.opts.Redact {
			setRedactor(c.snap)
		}
	}
	c.inputs, c.totals, c.prog = u.Inputs, u.Totals, u.Progress
	c.rate = c.news.rate.add(c.opts.now(), u.Progress.Lines)
	if !m.followSet {
		m.following = u.Progress.Following
	}
	if len(u.Notices) > 0 {
		m.pending += len(u.Notices) - 1
		m.setStatus(shownNotice(u.Notices))
		if len(u.Notices) > 1 {
			m.status += fmt.Sprintf(" (+%d more)", len(u.Notices)-1)
		}
	}
	m.haveUpdate = true
	return alarm
}

// shownNotice picks the notice the status line shows: the latest failure
// (an unreadable input, a failing rule) if there is one, else the latest.
func shownNotice(ns []Notice) (string, bool) {
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].failure() {
			return ns[i].Text, true
		}
	}
	last := ns[len(ns)-1]
	return last.Text, last.failure()
}

// setStatus shows s in the status line. Errors and notices carry paths and
// log text, so everything shown there is made printable here, in one place.
func (m *Model) setStatus(s string, isErr bool) {
	m.status, m.statusErr = clean(s), isErr
}

func (m *Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.c.keys
	switch msg.String() {
	case "ctrl+c":
		return m, tea.Quit
	case "ctrl+z":
		// Raw mode turns ^Z into a key: suspend as the shell would, with
		// the terminal restored while stopped.
		return m, suspendKey
	}
	if m.exporting {
		return m.handleExportKey(msg)
	}
	if m.muting {
		return m.handleMuteKey(msg)
	}
	if m.top().capturing() {
		return m.toTop(msg)
	}
	if m.showHelp {
		switch {
		case key.Matches(msg, k.Help, k.Back):
			m.showHelp = false
		case key.Matches(msg, k.Quit):
			return m, tea.Quit
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return m, nil
	case key.Matches(msg, k.Back):
		if b, ok := m.top().(backer); ok && b.back() {
			return m, nil
		}
		m.pop()
		return m, nil
	case key.Matches(msg, k.Left) && len(m.stack) > 1:
		m.pop()
		return m, nil
	case key.Matches(msg, k.Follow):
		m.following = !m.following
		m.followSet = true
		if m.following {
			m.setStatus("following: new lines are read again", false)
		} else {
			m.setStatus("paused: new lines wait until you press f", false)
		}
		return m, setFollow(m.c.opts.SetFollow, m.following)
	case key.Matches(msg, k.Export):
		m.exporting = true
		return m, nil
	case key.Matches(msg, k.Mute) && m.top().current() != nil:
		m.muting = true
		return m, nil
	case key.Matches(msg, k.Copy):
		f := m.top().current()
		if f == nil {
			m.setStatus("nothing to copy here: open a finding first", true)
			return m, nil
		}
		m.copyGen = m.c.nextGen()
		return m, copyText(m.copyGen, m.c.opts.Clipboard, findingMarkdown(f, m.c.opts.Redact))
	}
	return m.toTop(msg)
}

// pop goes one level back; the overview is never popped.
func (m *Model) pop() {
	if len(m.stack) > 1 {
		m.stack = m.stack[:len(m.stack)-1]
	}
}

// handleMuteKey reads the mute prompt's answer: mute the finding's kind of
// trouble for the session, or also in the config file.
func (m *Model) handleMuteKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	m.muting = false
	f := m.top().current()
	if f == nil {
		return m, nil
	}
	mu := rules.MuteFor(f)
	switch msg.String() {
	case "s":
	case "c":
		if m.c.opts.SaveMute == nil {
			m.setStatus("mute cancelled: no config file to write", true)
			return m, nil
		}
	default:
		m.setStatus("mute cancelled", false)
		return m, nil
	}
	m.c.mutes = append(m.c.mutes, mu)
	cmds := []tea.Cmd{m.broadcast(dataMsg{})}
	m.setStatus("muted "+mu.String()+" for this session", false)
	if msg.String() == "c" {
		m.muteGen = m.c.nextGen()
		cmds = append(cmds, saveMute(m.muteGen, m.c.opts.SaveMute, mu))
	}
	return m, tea.Batch(cmds...)
}

// handleExportKey reads the export prompt's answer.
func (m *Model) handleExportKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	m.exporting = false
	f := m.top().current()
	var req exportRequest
	switch msg.String() {
	case "m":
		req = exportRequest{scope: exportFinding, markdown: true, finding: f}
	case "j":
		req = exportRequest{scope: exportFinding, finding: f}
	case "M":
		req = exportRequest{scope: exportReport, markdown: true}
	case "J":
		req = exportRequest{scope: exportReport}
	default:
		m.setStatus("export cancelled", false)
		return m, nil
	}
	if req.scope == exportFinding && f == nil {
		m.setStatus("no finding here: M or J export the whole report", true)
		return m, nil
	}
	m.exportGen = m.c.nextGen()
	m.setStatus("exporting…", false)
	return m, exportCmd(m.exportGen, m.c, req)
}
