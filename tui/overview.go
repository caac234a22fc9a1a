package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/rules"
)

// Overview panes (Tab moves between them).
const (
	paneOrigins = iota
	paneTimeline
	paneCount
)

// overview is the first screen: origins in trouble, the timeline, inputs
// and line accounting.
type overview struct {
	c      *common
	w, h   int
	focus  int
	cursor int // selected origin
	offset int // first origin row shown
	// Timeline zoom: the bucket window [lo, hi) of Snapshot.Timeline shown
	// (hi == 0: everything) and the selected column within it.
	lo, hi int
	col    int
	// troubled are the origins with at least one finding, ranked as the
	// snapshot ranks them (it may also list origins without findings).
	troubled []rules.OriginSummary
}

func troubledOrigins(snap *rules.Snapshot) []rules.OriginSummary {
	out := make([]rules.OriginSummary, 0, len(snap.Origins))
	for _, s := range snap.Origins {
		if s.Findings > 0 {
			out = append(out, s)
		}
	}
	return out
}

func newOverview(c *common) *overview { return &overview{c: c} }

func (o *overview) title() string           { return "Overview" }
func (o *overview) init() tea.Cmd           { return nil }
func (o *overview) setSize(w, h int)        { o.w, o.h = w, h; o.scroll() }
func (o *overview) capturing() bool         { return false }
func (o *overview) current() *rules.Finding { return nil }

func (o *overview) shortHelp() []key.Binding {
	k := o.c.keys
	if o.focus == paneTimeline {
		return []key.Binding{k.Enter, k.Left, k.Right, k.ZoomIn, k.ZoomOut, k.Tab, k.FullLog, k.Recent, k.Malformed, k.Export}
	}
	return []key.Binding{k.Enter, k.Tab, k.FullLog, k.Recent, k.Malformed, k.Export, k.Up, k.Down}
}

func (o *overview) fullHelp() [][]key.Binding {
	k := o.c.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Enter, k.Tab, k.FullLog, k.Recent, k.Malformed},
		{withHelp(k.Left, "←/h", "timeline: earlier"), withHelp(k.Right, "→/l", "timeline: later"), k.ZoomIn, k.ZoomOut},
	}
}

// withHelp returns a copy of b with another help text (same keys).
func withHelp(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}

func (o *overview) back() bool {
	if o.hi != 0 {
		o.lo, o.hi, o.col = 0, 0, 0
		return true
	}
	return false
}

func (o *overview) update(msg tea.Msg) (screen, tea.Cmd) {
	k := o.c.keys
	n := len(o.troubled)
	switch msg := msg.(type) {
	case dataMsg:
		o.troubled = troubledOrigins(o.c.snap)
		n = len(o.troubled)
		o.cursor = clampInt(o.cursor, 0, n-1)
		o.clampZoom()
	case scrollMsg:
		o.cursor = clampInt(o.cursor+msg.delta, 0, n-1)
	case clickMsg:
		// Origin rows follow the section head.
		if row := o.offset + msg.y - 1; msg.y >= 1 && msg.y <= o.originRows() && row < n {
			if o.focus == paneOrigins && row == o.cursor {
				return o.enter(), nil
			}
			o.focus, o.cursor = paneOrigins, row
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Tab):
			o.focus = (o.focus + 1) % paneCount
		case key.Matches(msg, k.FullLog):
			return newLogView(o.c, nil), nil
		case key.Matches(msg, k.Malformed):
			return newMalformed(o.c), nil
		case key.Matches(msg, k.Recent):
			if o.c.opts.Recent == nil {
				return nil, nil
			}
			return newRequestsRecent(o.c), nil
		case key.Matches(msg, k.Enter), o.focus == paneOrigins && key.Matches(msg, k.Right):
			return o.enter(), nil
		case o.focus == paneTimeline:
			o.timelineKey(msg)
		default:
			o.cursor = clampInt(moveCursor(k, msg, o.cursor, n, o.originRows()), 0, n-1)
		}
	}
	o.scroll()
	return nil, nil
}

// scroll keeps the selected origin in view.
func (o *overview) scroll() {
	o.offset = scrollOffset(o.cursor, o.offset, o.originRows(), len(o.troubled))
}

// enter opens the findings screen on the selected origin, or narrowed to
// the selected stretch of the timeline.
func (o *overview) enter() screen {
	f := newFindings(o.c)
	if o.focus == paneTimeline {
		if from, to, ok := o.colRange(); ok {
			f.since, f.until = from, to
			f.rebuild()
		}
		return f
	}
	if o.cursor >= 0 && o.cursor < len(o.troubled) {
		f.selectOrigin(o.troubled[o.cursor].Origin)
	}
	return f
}

func (o *overview) timelineKey(msg tea.KeyMsg) {
	k := o.c.keys
	tl := &o.c.snap.Timeline
	switch {
	case key.Matches(msg, k.Left, k.Up):
		o.col = o.stepCol(-1)
	case key.Matches(msg, k.Right, k.Down):
		o.col = o.stepCol(1)
	case key.Matches(msg, k.Top):
		o.col = 0
	case key.Matches(msg, k.Bottom):
		o.col = 1 << 30
	case key.Matches(msg, k.ZoomIn):
		a, b := o.colBuckets(o.col)
		center := (a + b) / 2
		lo, hi := o.window()
		width := max((hi-lo)/2, 4)
		o.lo = max(min(center-width/2, len(tl.Status520)-width), 0)
		o.hi = min(o.lo+width, len(tl.Status520))
		o.col = o.colOf(center)
	case key.Matches(msg, k.ZoomOut):
		lo, hi := o.window()
		width := (hi - lo) * 2
		if width >= len(tl.Status520) {
			o.lo, o.hi = 0, 0
		} else {
			o.lo = max(lo-(hi-lo)/2, 0)
			o.hi = min(o.lo+width, len(tl.Status520))
		}
	}
	o.clampZoom()
}

// window is the bucket range shown.
func (o *overview) window() (lo, hi int) {
	n := len(o.c.snap.Timeline.Status520)
	if o.hi == 0 || o.hi > n {
		return 0, n
	}
	return o.lo, o.hi
}

func (o *overview) clampZoom() {
	lo, hi := o.window()
	if hi <= lo {
		o.col = 0
		return
	}
	o.col = clampInt(o.col, 0, o.chartCols()-1)
}

// sparkWidth is how many columns the sparklines get: the whole width but
// the label, whatever the number of buckets.
func (o *overview) sparkWidth() int { return max(o.w-6, 10) }

// maxStretch is how many columns one bucket may take: a chart of a few
// seconds of tailing is a few narrow bars that grow to the right as time
// passes, not a wall of blocks.
const maxStretch = 4

// chartCols is how many columns the chart uses: the whole width, unless
// the window has too few buckets to fill it.
func (o *overview) chartCols() int {
	lo, hi := o.window()
	return clampInt((hi-lo)*maxStretch, 1, o.sparkWidth())
}

// colBuckets is the bucket range [a, b) column col shows. Columns split the
// window evenly: with more buckets than columns one column sums a few, with
// fewer a bucket stretches over a few columns, so the chart fills the width.
func (o *overview) colBuckets(col int) (a, b int) {
	lo, hi := o.window()
	n, cols := hi-lo, o.chartCols()
	a = lo + col*n/cols
	b = max(lo+(col+1)*n/cols, a+1)
	return a, min(b, hi)
}

// colOf is the first column showing bucket i.
func (o *overview) colOf(i int) int {
	for c := 0; c < o.chartCols(); c++ {
		if _, b := o.colBuckets(c); i < b {
			return c
		}
	}
	return o.chartCols() - 1
}

// stepCol moves the caret to the next column (dir ±1) that shows other
// buckets than the current one.
func (o *overview) stepCol(dir int) int {
	a, _ := o.colBuckets(o.col)
	c := o.col + dir
	for c > 0 && c < o.chartCols()-1 {
		if na, _ := o.colBuckets(c); na != a {
			break
		}
		c += dir
	}
	return c
}

// columns sums a series into the chart's columns.
func (o *overview) columns(series []int) []int {
	out := make([]int, o.chartCols())
	if _, hi := o.window(); hi > len(series) {
		return out // a series the engine does not keep yet: flat
	}
	for c := range out {
		a, b := o.colBuckets(c)
		for _, v := range series[a:b] {
			out[c] += v
		}
	}
	return out
}

// colRange is the time range of the selected column.
func (o *overview) colRange() (time.Time, time.Time, bool) {
	tl := &o.c.snap.Timeline
	lo, hi := o.window()
	if hi <= lo || tl.Step <= 0 {
		return time.Time{}, time.Time{}, false
	}
	a, b := o.colBuckets(o.col)
	return tl.Start.Add(time.Duration(a) * tl.Step), tl.Start.Add(time.Duration(b) * tl.Step), true
}

// overviewFixedRows are the rows that do not grow: two section heads and
// the gaps after the origins and the timeline, the timeline's title and
// axis, and the lines, span and status rows. Each lane of the timeline
// takes chartRows more.
const overviewFixedRows = 9

// layout splits the body's height between the sections: at least 8 origin
// rows whether or not they exist yet (so the first ones appearing do not
// move the rest), a timeline that grows with the terminal's height, then
// more origins, then the inputs; what is left makes the chart taller.
func (o *overview) layout() (originRows, inputRows, chartRows int) {
	avail := o.h - overviewFixedRows
	chartRows = clampInt((o.h-21)/6+1, 1, 4)
	lanes := max(len(o.lanes()), 2) // the height does not jump as kinds appear
	avail -= lanes * chartRows
	inputsWant := max(len(o.c.inputs), 1)
	originsWant := max(len(o.troubled), 8)
	inputRows = min(inputsWant, max(1, avail/4))
	originRows = max(min(avail-inputRows, 8), 1)
	left := avail - inputRows - originRows
	more := clampInt(originsWant-originRows, 0, left)
	originRows += more
	left -= more
	more = clampInt(inputsWant-inputRows, 0, left)
	inputRows += more
	left -= more
	// Both lists fit: a taller chart rather than blank rows.
	grow := min(left/lanes, 8-chartRows)
	chartRows += grow
	// What the lanes cannot share evenly goes to the origins' room.
	originRows += left - grow*lanes
	return originRows, inputRows, max(chartRows, 1)
}

func (o *overview) originRows() int { r, _, _ := o.layout(); return r }

func (o *overview) view() string {
	st := o.c.st
	snap := o.c.snap
	originRows, inputRows, chartRows := o.layout()
	var b strings.Builder
	line := func(s string) { b.WriteString(fitLine(s, o.w)); b.WriteByte('\n') }

	// Origins in trouble, ranked.
	head := fmt.Sprintf("Origins in trouble (%d)", len(o.troubled))
	if o.focus == paneOrigins {
		head = "▸ " + head
	} else {
		head = "  " + head
	}
	sub := "  ranked by trouble"
	if quiet := len(snap.Origins) - len(o.troubled); quiet > 0 {
		sub += fmt.Sprintf(" · %s without findings", plural(quiet, "other origin"))
	}
	line(st.Section.Render(head) + st.Muted.Render(sub))
	for i := 0; i < originRows; i++ {
		idx := o.offset + i
		switch {
		case idx < len(o.troubled):
			line(o.originRow(&o.troubled[idx], idx == o.cursor && o.focus == paneOrigins))
		case i == 0 && len(o.troubled) == 0:
			msg := "  No trouble found."
			if !o.c.prog.Done && !o.c.closed {
				msg = "  No trouble found so far."
			}
			line(st.Muted.Render(msg))
		default:
			line("")
		}
	}
	line("")
	for _, l := range o.timelineLines(chartRows) {
		line(l)
	}
	line("")
	// Inputs and accounting.
	line(st.Section.Render(fmt.Sprintf("  Inputs (%d)", len(o.c.inputs))))
	for i := 0; i < inputRows; i++ {
		switch {
		case i == inputRows-1 && len(o.c.inputs) > inputRows:
			line(st.Muted.Render(o.moreInputs(i)))
		case i < len(o.c.inputs):
			line(o.inputRow(i))
		case i == 0:
			line(st.Muted.Render("    none yet"))
		default:
			line("")
		}
	}
	line(o.linesRow())
	line(o.spanRow())
	b.WriteString(fitLine(o.statusRow(), o.w))
	return b.String()
}

func (o *overview) originRow(s *rules.OriginSummary, selected bool) string {
	st := o.c.st
	marker := "  "
	if selected {
		marker = st.Cursor.Render("› ")
	}
	sev := st.Severity(s.Worst).Render(pad(sevIcon(s.Worst)+" "+s.Worst.String(), 11))
	nameW := max(o.w-2-11-40, 16)
	name := pad(clean(s.Origin), nameW)
	if selected {
		name = st.Selected.Render(name)
	}
	detail := fmt.Sprintf(" %-11s %s", plural(s.Findings, "finding"), num(s.Count))
	if s.Requests > 0 {
		detail += " of " + num(s.Requests)
	}
	detail += " req"
	return marker + sev + name + st.Muted.Render(detail)
}

func sevIcon(s rules.Severity) string {
	switch s {
	case rules.SeverityCritical:
		return "▲"
	case rules.SeverityWarning:
		return "■"
	}
	return "●"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return num(n) + " " + word + "s"
}

// bars draws values as a bar chart rows high (one row: a sparkline), the
// top row first; max is the value of a full column.
func bars(values []int, max, rows int) []string {
	if rows <= 1 {
		return []string{sparkline(values, max)}
	}
	out := make([]string, rows)
	var b strings.Builder
	for r := range rows {
		b.Reset()
		floor := (rows - 1 - r) * 8 // eighths below this row
		for _, v := range values {
			if v <= 0 || max <= 0 {
				b.WriteByte(' ')
				continue
			}
			eighths := (v*rows*8 + max - 1) / max // round up: any value shows
			switch n := eighths - floor; {
			case n <= 0:
				b.WriteByte(' ')
			case n >= 8:
				b.WriteRune('█')
			default:
				b.WriteRune(sparkRunes[n-1])
			}
		}
		out[r] = b.String()
	}
	return out
}

func at(s []int, i int) int {
	if i >= 0 && i < len(s) {
		return s[i]
	}
	return 0
}

// rebucketPer sums every per buckets into one.
func rebucketPer(values []int, per int) []int {
	if per <= 1 {
		return values
	}
	out := make([]int, (len(values)+per-1)/per)
	for i, v := range values {
		out[i/per] += v
	}
	return out
}

// moveCursor applies the list navigation keys to a cursor over n rows with
// a page of page rows.
func moveCursor(k *KeyMap, msg tea.KeyMsg, cur, n, page int) int {
	switch {
	case key.Matches(msg, k.Up):
		return cur - 1
	case key.Matches(msg, k.Down):
		return cur + 1
	case key.Matches(msg, k.Top):
		return 0
	case key.Matches(msg, k.Bottom):
		return n - 1
	case key.Matches(msg, k.PageUp):
		return cur - max(page, 1)
	case key.Matches(msg, k.PageDown):
		return cur + max(page, 1)
	}
	return cur
}

// scrollOffset keeps the cursor within a window of rows rows.
func scrollOffset(cursor, offset, rows, n int) int {
	if rows <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+rows {
		offset = cursor - rows + 1
	}
	return clampInt(offset, 0, max(n-rows, 0))
}

func clampInt(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return min(max(v, lo), hi)
}

func secsDur(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
