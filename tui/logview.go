package tui

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/rules"
)

// logTick is how often the full-log view polls its background work.
const (
	logTick     = 100 * time.Millisecond
	logLiveTick = time.Second
	maxLogCache = 8192 // lines of text kept for drawing
)

type (
	// logSourcesMsg carries the sources made for the inputs.
	logSourcesMsg struct {
		gen  int
		srcs []logSource
		fmts []string
	}
	// logTickMsg polls indexing and search progress.
	logTickMsg struct{ gen int }
	// logPageMsg carries lines read for drawing.
	logPageMsg struct {
		gen   int
		refs  []logRef
		texts []string
		err   error
	}
)

// logJump is where a finding sends the full log: a filter and a window.
type logJump struct {
	query    string
	from, to time.Time
}

// logView shows every line of every input: plain files through a line
// index read on demand, compressed ones through checkpoints, standard
// input from the ring. `/` searches and `&` filters over the whole input
// in the background.
type logView struct {
	c      *common
	w, h   int
	gen    int
	ctx    context.Context
	cancel context.CancelFunc

	srcs     []logSource
	fmts     []string
	have     map[string]bool
	indexing atomic.Int32
	ticking  bool

	cursor, offset int64

	prompt     filterInput
	promptKind string // "/" or "&" while typing
	filter     *logJob
	filterQ    string
	window     logJump // the time window of a jump from a finding
	search     *logJob
	searchQ    string
	searchHit  *textMatcher
	searchFrom logRef // a new search moves to its first match after this
	pendingJmp bool
	note       string // last message of n/N or a bad query

	cache   map[logRef]string
	loading bool
}

func newLogView(c *common, jump *logJump) *logView {
	v := &logView{c: c, gen: c.nextGen(), have: map[string]bool{}, cache: map[logRef]string{}}
	v.ctx, v.cancel = context.WithCancel(c.ctx())
	v.prompt.fields = true
	if jump != nil {
		v.window = *jump
		v.filterQ = jump.query
	}
	return v
}

func (v *logView) title() string           { return "Full log" }
func (v *logView) capturing() bool         { return v.prompt.active }
func (v *logView) current() *rules.Finding { return nil }
func (v *logView) setSize(w, h int)        { v.w, v.h = w, h; v.scroll() }
func (v *logView) pageRows() int           { return max(v.h-2, 1) }

// init makes the sources off the UI goroutine: it looks at the files.
func (v *logView) init() tea.Cmd {
	inputs := append(v.c.inputs[:0:0], v.c.inputs...)
	have := map[string]bool{}
	for k := range v.have {
		have[k] = true
	}
	ring, gen := v.c.opts.Recent, v.gen
	return func() tea.Msg {
		srcs := sourcesFor(inputs, ring, have, func(p string) error {
			_, err := os.Stat(p)
			return err
		})
		// What the ring holds is indexed here, at once: it is memory, and
		// the view then opens with those inputs whole.
		for _, s := range srcs {
			if rs, ok := s.(*ringSource); ok {
				_ = rs.index(context.Background())
			}
		}
		fmts := make([]string, len(srcs))
		for i, s := range srcs {
			for _, in := range inputs {
				if in.Path == s.name() {
					fmts[i] = in.Format
				}
			}
		}
		return logSourcesMsg{gen: gen, srcs: srcs, fmts: fmts}
	}
}

func (v *logView) shortHelp() []key.Binding {
	k := v.c.keys
	b := []key.Binding{k.Search, k.FilterLines}
	if v.search != nil {
		b = append(b, k.Next, k.Prev)
	}
	return append(b, withHelp(k.Enter, "enter", "raw line"), k.Back, k.Top, k.Bottom, k.Up, k.Down)
}

func (v *logView) fullHelp() [][]key.Binding {
	k := v.c.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Search, k.Next, k.Prev, k.FilterLines, withHelp(k.Enter, "enter", "raw line and fields"), k.Back},
	}
}

// back clears the search, then the filter, before leaving.
func (v *logView) back() bool {
	switch {
	case v.search != nil:
		v.search.stop()
		v.search, v.searchQ, v.searchHit, v.note = nil, "", nil, ""
		return true
	case v.filter != nil || v.filterQ != "":
		v.filter.stop()
		v.filter, v.filterQ, v.window, v.note = nil, "", logJump{}, ""
		v.cursor, v.offset = 0, 0
		return true
	}
	v.cancel() // leaving: the background work ends
	return false
}

func (v *logView) update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case logSourcesMsg:
		if msg.gen != v.gen {
			return nil, nil
		}
		v.addSources(msg.srcs, msg.fmts)
		if v.filterQ != "" && v.filter == nil {
			v.startFilter(v.filterQ)
		}
		return nil, tea.Batch(v.armTick(), v.ensurePage())
	case logTickMsg:
		if msg.gen != v.gen {
			return nil, nil
		}
		v.ticking = false
		if v.c.opts.Live {
			// Tailing: the filter and the search go on over new lines.
			v.filter.extend(v.srcs)
			v.search.extend(v.srcs)
		}
		if v.pendingJmp {
			v.firstHit()
		}
		v.scroll()
		return nil, tea.Batch(v.armTick(), v.ensurePage())
	case logPageMsg:
		if msg.gen != v.gen {
			return nil, nil
		}
		v.loading = false
		if len(v.cache) > maxLogCache {
			v.cache = map[logRef]string{}
		}
		for i, r := range msg.refs {
			if i < len(msg.texts) {
				v.cache[r] = msg.texts[i]
			}
		}
		if msg.err != nil {
			v.note = clean(msg.err.Error())
		}
		return nil, v.ensurePage()
	case dataMsg:
		// New inputs (a followed directory) and, tailing, new lines.
		return nil, tea.Batch(v.init(), v.armTick())
	case scrollMsg:
		v.setCursor(v.cursor + int64(msg.delta))
	case clickMsg:
		if row := v.offset + int64(msg.y-2); msg.y >= 2 && row < v.rows() {
			if row == v.cursor {
				return v.open(), nil
			}
			v.setCursor(row)
		}
	case tea.KeyMsg:
		return v.key(msg)
	}
	return nil, v.ensurePage()
}

func (v *logView) key(msg tea.KeyMsg) (screen, tea.Cmd) {
	k := v.c.keys
	if v.prompt.active {
		before := v.prompt.active
		v.prompt.handle(msg)
		if before && !v.prompt.active && msg.Type == tea.KeyEnter {
			text := strings.TrimSpace(string(v.prompt.value))
			if v.promptKind == "&" {
				v.window = logJump{}
				v.startFilter(text)
			} else {
				v.startSearch(text)
			}
		}
		return nil, tea.Batch(v.armTick(), v.ensurePage())
	}
	// Keys typed fast arrive as one message ("/abc"): the prompt key opens
	// its prompt and the rest is typed into it.
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && (msg.Runes[0] == '/' || msg.Runes[0] == '&') {
		v.promptKind, v.prompt.active, v.prompt.value = string(msg.Runes[0]), true, nil
		v.prompt.handle(tea.KeyMsg{Type: tea.KeyRunes, Runes: msg.Runes[1:]})
		return nil, nil
	}
	switch {
	case key.Matches(msg, k.Search):
		v.promptKind, v.prompt.active, v.prompt.value = "/", true, []rune(v.searchQ)
	case key.Matches(msg, k.FilterLines):
		v.promptKind, v.prompt.active, v.prompt.value = "&", true, []rune(v.filterQ)
	case key.Matches(msg, k.Next):
		v.jump(false)
	case key.Matches(msg, k.Prev):
		v.jump(true)
	case key.Matches(msg, k.Enter, k.Right):
		return v.open(), nil
	default:
		v.setCursor(int64(moveCursor(k, msg, int(v.cursor), int(min(v.rows(), 1<<31-1)), v.pageRows())))
	}
	return nil, v.ensurePage()
}

// addSources adds the sources made for inputs not shown yet. Two makings
// can be under way at once (the inputs list grew while the first looked
// at the files): a source already added is not added twice.
func (v *logView) addSources(srcs []logSource, fmts []string) {
	for i, s := range srcs {
		if v.have[s.name()] {
			continue
		}
		v.have[s.name()] = true
		v.srcs = append(v.srcs, s)
		v.fmts = append(v.fmts, fmts[i])
	}
	for _, s := range v.srcs {
		v.startIndex(s)
	}
}

// startIndex extends a source's index in the background (once at a time).
func (v *logView) startIndex(s logSource) {
	if st := s.state(); st.done && !v.c.opts.Live && st.lines > 0 {
		if _, ring := s.(*ringSource); !ring {
			return
		}
	}
	if _, stream := s.(*streamSource); stream && s.state().done {
		return // counted once: re-counting a compressed file costs its size
	}
	if !v.indexing.CompareAndSwap(0, 1) {
		return
	}
	srcs, ctx := v.srcs, v.ctx
	go func() {
		defer v.indexing.Store(0)
		for _, s := range srcs {
			if ctx.Err() != nil {
				return
			}
			_ = s.index(ctx) // errors show in the source's state
		}
	}()
}

// busy says background work is running.
func (v *logView) busy() bool {
	return v.indexing.Load() > 0 || (v.filter != nil && !v.filter.done.Load()) || (v.search != nil && !v.search.done.Load())
}

// armTick polls again while work runs (and, tailing, slowly for growth).
func (v *logView) armTick() tea.Cmd {
	if v.ticking || v.ctx.Err() != nil {
		return nil
	}
	every := logTick
	if !v.busy() {
		if !v.c.opts.Live || v.c.closed {
			return nil
		}
		every = logLiveTick
		for _, s := range v.srcs {
			v.startIndex(s)
		}
	}
	v.ticking = true
	gen := v.gen
	return tea.Tick(every, func(time.Time) tea.Msg { return logTickMsg{gen} })
}

func (v *logView) startFilter(text string) {
	v.filter.stop()
	v.filter, v.filterQ, v.note = nil, text, ""
	v.cursor, v.offset = 0, 0
	if text == "" {
		return
	}
	q, err := parseQuery(text)
	if err != nil {
		v.note = clean(err.Error())
		return
	}
	v.filter = startJob(v.ctx, v.srcs, v.fmts, q, v.window.from, v.window.to)
}

func (v *logView) startSearch(text string) {
	v.search.stop()
	v.search, v.searchQ, v.searchHit, v.note = nil, text, nil, ""
	if text == "" {
		return
	}
	q, err := parseQuery(text)
	if err != nil {
		v.note = clean(err.Error())
		return
	}
	for _, t := range q.terms {
		if t.text != nil {
			v.searchHit = t.text
		}
	}
	v.search = startJob(v.ctx, v.srcs, v.fmts, q, time.Time{}, time.Time{})
	v.searchFrom, _ = v.refAt(v.cursor)
	v.pendingJmp = true
}

// findingJump is the full-log filter of a finding's requests: its status
// (and, for a 202, its endpoint), its host when the lines carry one, and
// its span.
func (c *common) findingJump(f *rules.Finding) logJump {
	var q []string
	switch f.Kind {
	case rules.KindBurst520:
		q = append(q, "status=520")
	case rules.KindBurst5xx:
		q = append(q, "status="+strconv.Itoa(f.Status))
	case rules.KindIncomplete202:
		q = append(q, "status=202")
		if method, path, ok := strings.Cut(f.Endpoint, " "); ok {
			if i := strings.IndexByte(path, '{'); i >= 0 {
				path = path[:i]
			}
			q = append(q, "method="+method, "path~"+strings.ReplaceAll(path, " ", ""))
		}
	}
	if len(f.Samples) > 0 {
		if rec := c.sampleRecord(&f.Samples[0]); rec != nil && rec.Host != "" && strings.EqualFold(rec.Host, f.Origin) {
			q = append(q, "host="+strings.ReplaceAll(f.Origin, " ", ""))
		}
	}
	return logJump{query: strings.Join(q, " "), from: f.Start, to: f.End}
}
