package tui

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edgetriage/edgetriage/rules"
)

// Sort orders of the findings list (s cycles).
const (
	sortSeverity = iota
	sortCount
	sortTime
	sortModes
)

var sortNames = [sortModes]string{"severity", "count", "time"}

// Kind filters (t cycles).
var kindFilters = []struct {
	name string
	kind rules.Kind
}{{"all", ""}, {"520 bursts", rules.KindBurst520}, {"5xx storms", rules.KindBurst5xx}, {"202 never completed", rules.KindIncomplete202}}

// previewRows is the height of the preview pane under the list.
const previewRows = 6

// findingRow is a row of the list: an origin heading or a finding.
type findingRow struct {
	header bool
	origin string
	idx    int // into snap.Findings
	count  int // heading: findings in the group
	worst  rules.Severity
}

// findings lists findings grouped by origin.
type findings struct {
	c        *common
	w, h     int
	sortBy   int
	kind     int
	filter   filterInput
	since    time.Time // narrowed from the overview's timeline (zero: all)
	until    time.Time
	rows     []findingRow
	shown    int    // findings in rows
	titleW   int    // widest row title among the shown findings
	cursor   int    // row index (always a finding row when there is one)
	offset   int    // first row shown
	selID    string // selected finding, kept across rebuilds
	preview  bool   // the preview pane has the focus
	pvOff    int    // preview scroll
	keyCache map[*rules.Finding]string
	moved    bool // the user moved the cursor: what it rests on is seen
	muted    int  // findings hidden because they are muted
	showMute bool // show the muted ones too
}

func newFindings(c *common) *findings {
	f := &findings{c: c}
	f.rebuild()
	return f
}

func (f *findings) title() string    { return "Findings" }
func (f *findings) init() tea.Cmd    { return nil }
func (f *findings) capturing() bool  { return f.filter.active }
func (f *findings) setSize(w, h int) { f.w, f.h = w, h; f.scroll() }

func (f *findings) current() *rules.Finding {
	if f.cursor >= 0 && f.cursor < len(f.rows) && !f.rows[f.cursor].header {
		return &f.c.snap.Findings[f.rows[f.cursor].idx]
	}
	return nil
}

func (f *findings) shortHelp() []key.Binding {
	k := f.c.keys
	return []key.Binding{k.Enter, k.Back, k.Filter, k.Sort, k.Kind, withHelp(k.FullLog, "L", "in full log"), k.Mute, k.Tab, k.Export, k.Up, k.Down}
}

func (f *findings) fullHelp() [][]key.Binding {
	k := f.c.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Enter, k.Right, k.Left, k.Tab},
		{k.Filter, k.Sort, k.Kind, withHelp(k.FullLog, "L", "in the full log"), k.Mute, k.ShowMuted},
	}
}

// selectOrigin puts the cursor on the first finding of origin.
func (f *findings) selectOrigin(origin string) {
	for i, r := range f.rows {
		if !r.header && r.origin == origin {
			f.cursor = i
			f.selID = f.c.snap.Findings[r.idx].ID
			f.scroll()
			return
		}
	}
}

func (f *findings) back() bool {
	if f.filter.clear() {
		f.rebuild()
		return true
	}
	return false
}

func (f *findings) update(msg tea.Msg) (screen, tea.Cmd) {
	k := f.c.keys
	switch msg := msg.(type) {
	case dataMsg:
		f.keyCache = nil
		f.rebuild()
	case clickMsg:
		if row := f.offset + msg.y - 1; msg.y >= 1 && msg.y <= f.listRows() && row < len(f.rows) && !f.rows[row].header {
			f.moved = true
			if row == f.cursor {
				return newDetail(f.c, f.current()), nil
			}
			f.setCursor(row, 1)
		}
	case scrollMsg:
		if f.preview {
			f.pvOff = max(f.pvOff+msg.delta, 0)
		} else {
			f.move(msg.delta)
		}
	case tea.KeyMsg:
		if f.filter.active {
			if f.filter.handle(msg) {
				f.rebuild()
			}
			return nil, nil
		}
		f.moved = true
		switch {
		case key.Matches(msg, k.Filter):
			f.filter.active = true
		case key.Matches(msg, k.Sort):
			f.sortBy = (f.sortBy + 1) % sortModes
			f.rebuild()
		case key.Matches(msg, k.Kind):
			f.kind = (f.kind + 1) % len(kindFilters)
			f.rebuild()
		case key.Matches(msg, k.ShowMuted):
			f.showMute = !f.showMute
			f.rebuild()
		case key.Matches(msg, k.FullLog):
			if cur := f.current(); cur != nil {
				j := f.c.findingJump(cur)
				return newLogView(f.c, &j), nil
			}
		case key.Matches(msg, k.Tab):
			f.preview = !f.preview
		case key.Matches(msg, k.Enter, k.Right):
			if cur := f.current(); cur != nil {
				return newDetail(f.c, cur), nil
			}
		case f.preview:
			switch {
			case key.Matches(msg, k.Up):
				f.pvOff = max(f.pvOff-1, 0)
			case key.Matches(msg, k.Down):
				if cur := f.current(); cur != nil {
					f.pvOff = min(f.pvOff+1, max(len(previewContent(cur))-(previewRows-1), 0))
				}
			case key.Matches(msg, k.Top):
				f.pvOff = 0
			}
		case key.Matches(msg, k.Left):
			return nil, nil
		default:
			switch {
			case key.Matches(msg, k.Top):
				f.setCursor(0, 1)
			case key.Matches(msg, k.Bottom):
				f.setCursor(len(f.rows)-1, -1)
			default:
				f.move(moveCursor(k, msg, f.cursor, len(f.rows), f.listRows()) - f.cursor)
			}
		}
	}
	return nil, nil
}

// move shifts the cursor by delta rows, skipping origin headings.
func (f *findings) move(delta int) {
	if delta == 0 {
		return
	}
	dir := 1
	if delta < 0 {
		dir = -1
	}
	f.setCursor(f.cursor+delta, dir)
}

// setCursor moves to row i, or the nearest finding row in direction dir.
func (f *findings) setCursor(i, dir int) {
	if len(f.rows) == 0 {
		f.cursor, f.selID = 0, ""
		return
	}
	i = clampInt(i, 0, len(f.rows)-1)
	for j := i; j >= 0 && j < len(f.rows); j += dir {
		if !f.rows[j].header {
			i = j
			break
		}
	}
	if f.rows[i].header { // nothing that way: look the other way
		for j := i; j >= 0 && j < len(f.rows); j -= dir {
			if !f.rows[j].header {
				i = j
				break
			}
		}
	}
	if f.cursor != i {
		f.pvOff = 0
	}
	f.cursor = i
	if !f.rows[i].header {
		f.selID = f.c.snap.Findings[f.rows[i].idx].ID
		if f.moved {
			f.c.news.see(&f.c.snap.Findings[f.rows[i].idx])
		}
	}
	f.scroll()
}

func (f *findings) listRows() int {
	rows := f.h - 1
	if f.h >= 16 {
		rows -= previewRows
	}
	return max(rows, 1)
}

func (f *findings) scroll() {
	f.offset = scrollOffset(f.cursor, f.offset, f.listRows(), len(f.rows))
	// Show the group heading above the first finding of the list.
	if f.offset == 1 && f.cursor < f.listRows() {
		f.offset = 0
	}
}

// bySortKey compares two rows by the sort key the user chose: the count
// (most first) or the start (earliest first); 0 for severity, which every
// order compares next.
func (f *findings) bySortKey(countA, countB int, startA, startB time.Time) int {
	switch f.sortBy {
	case sortCount:
		return cmp.Compare(countB, countA)
	case sortTime:
		return startA.Compare(startB)
	}
	return 0
}

// matchKey is the lower-case text the filter searches.
func (f *findings) matchKey(fd *rules.Finding) string {
	if f.keyCache == nil {
		f.keyCache = make(map[*rules.Finding]string, len(f.c.snap.Findings))
	}
	if s, ok := f.keyCache[fd]; ok {
		return s
	}
	s := strings.ToLower(strings.Join([]string{fd.Origin, fd.Title(), fd.Endpoint, fd.Subtype,
		string(fd.Kind), fd.Severity.String(), fd.TopCause(), fd.ID}, " "))
	f.keyCache[fd] = s
	return s
}

// rebuild recomputes the rows from the latest snapshot, filters and sort.
func (f *findings) rebuild() {
	snap := f.c.snap
	want := kindFilters[f.kind].kind
	text := f.filter.text()
	type group struct {
		origin string
		idx    []int
		worst  rules.Severity
		count  int
		first  time.Time
	}
	groups := map[string]*group{}
	var order []*group
	f.shown, f.titleW, f.muted = 0, 0, 0
	for i := range snap.Findings {
		fd := &snap.Findings[i]
		if !f.showMute && f.c.muted(fd) {
			f.muted++
			continue
		}
		if want != "" && fd.Kind != want {
			continue
		}
		if !f.since.IsZero() && (fd.End.Before(f.since) || !fd.Start.Before(f.until)) {
			continue
		}
		if text != "" && !strings.Contains(f.matchKey(fd), text) {
			continue
		}
		g := groups[fd.Origin]
		if g == nil {
			g = &group{origin: fd.Origin, first: fd.Start}
			groups[fd.Origin] = g
			order = append(order, g)
		}
		g.idx = append(g.idx, i)
		g.worst = max(g.worst, fd.Severity)
		g.count += fd.Count
		if fd.Start.Before(g.first) {
			g.first = fd.Start
		}
		f.shown++
		f.titleW = max(f.titleW, ansi.StringWidth(rowTitle(fd)))
	}
	// Findings and groups sort alike: by the chosen key, then the worst
	// first, the most first, the earliest first.
	less := func(a, b *rules.Finding) bool {
		return cmp.Or(f.bySortKey(a.Count, b.Count, a.Start, b.Start), cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(b.Count, a.Count), a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID)) < 0
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		return cmp.Or(f.bySortKey(a.count, b.count, a.first, b.first), cmp.Compare(b.worst, a.worst),
			cmp.Compare(b.count, a.count), strings.Compare(a.origin, b.origin)) < 0
	})
	rows := f.rows[:0]
	for _, g := range order {
		sort.SliceStable(g.idx, func(i, j int) bool { return less(&snap.Findings[g.idx[i]], &snap.Findings[g.idx[j]]) })
		rows = append(rows, findingRow{header: true, origin: g.origin, count: len(g.idx), worst: g.worst})
		for _, i := range g.idx {
			rows = append(rows, findingRow{origin: g.origin, idx: i})
		}
	}
	f.rows = rows
	// Keep the selected finding selected.
	cur := -1
	for i, r := range rows {
		if !r.header && snap.Findings[r.idx].ID == f.selID {
			cur = i
			break
		}
	}
	if cur < 0 {
		cur = min(f.cursor, len(rows)-1)
	}
	f.setCursor(cur, 1)
}

func (f *findings) view() string {
	st := f.c.st
	var b strings.Builder
	line := func(s string) { b.WriteString(fitLine(s, f.w)); b.WriteByte('\n') }
	if f.filter.active {
		line(f.filter.view(st))
	} else {
		line(f.titleLine())
	}
	rows := f.listRows()
	for i := 0; i < rows; i++ {
		idx := f.offset + i
		switch {
		case idx < len(f.rows):
			line(f.rowView(idx))
		case i == 0 && len(f.rows) == 0:
			line(st.Muted.Render("  No findings match."))
		default:
			line("")
		}
	}
	if f.h >= 16 {
		for _, l := range f.previewLines() {
			line(l)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (f *findings) titleLine() string {
	st := f.c.st
	parts := []string{fmt.Sprintf("%d of %d", f.shown, len(f.c.snap.Findings)),
		"sort: " + sortNames[f.sortBy], "kind: " + kindFilters[f.kind].name}
	if !f.since.IsZero() {
		parts = append(parts, "time: "+clock(f.since)+"–"+clock(f.until))
	}
	if v := string(f.filter.value); v != "" {
		parts = append(parts, "filter: "+clean(v))
	}
	if f.muted > 0 {
		parts = append(parts, fmt.Sprintf("%d muted (u shows)", f.muted))
	} else if f.showMute {
		parts = append(parts, "muted shown (u hides)")
	}
	return st.Title.Render("Findings ") + st.Muted.Render(strings.Join(parts, " · "))
}

// minCauseW is the narrowest top-cause column worth showing; below it the
// title (kind and endpoint) takes the room and the preview names the cause.
const minCauseW = 16

// Column widths of a finding row: the title is as wide as the widest shown
// title needs (at least 22), the top cause gets the rest.
func (f *findings) cols() (title, count, when, cause int) {
	count, when = 8, 11
	avail := max(f.w-2-11-count-2-when, 22)
	title = max(f.titleW, 22)
	if title+2+minCauseW > avail {
		return avail, count, when, 0
	}
	return title, count, when, avail - title - 2
}

// rowTitle is a finding's row title: its kind, and the endpoint of a 202.
func rowTitle(fd *rules.Finding) string {
	if fd.Endpoint != "" {
		return clean(fd.Title() + " · " + fd.Endpoint)
	}
	return clean(fd.Title())
}

func (f *findings) rowView(i int) string {
	st := f.c.st
	r := f.rows[i]
	if r.header {
		return st.Section.Render(clean(r.origin)) +
			st.Muted.Render(fmt.Sprintf("  %s · worst %s", plural(r.count, "finding"), r.worst))
	}
	fd := &f.c.snap.Findings[r.idx]
	tw, cw, ww, causeW := f.cols()
	selected := i == f.cursor
	marker := "  "
	if selected {
		marker = st.Cursor.Render("› ")
	}
	sev := st.Severity(fd.Severity).Render(pad(sevIcon(fd.Severity)+" "+fd.Severity.String(), 11))
	title := pad(rowTitle(fd), tw)
	if f.c.muted(fd) {
		title = pad(trunc(rowTitle(fd), max(tw-6, 1))+" "+st.Muted.Render("muted"), tw)
	} else if mark := f.c.news.mark(fd); mark != "" {
		title = pad(trunc(rowTitle(fd), max(tw-len(mark)-1, 1))+" "+st.Warning.Render(mark), tw)
	}
	body := title + padLeft(num(fd.Count), cw) + "  " + pad(shortSpan(fd.Start, fd.End), ww)
	if causeW > 0 {
		cause := fd.TopCause()
		if cause == "" {
			cause = "no cause matched"
		}
		body += "  " + pad(clean(cause), causeW)
	}
	if selected {
		body = st.Selected.Render(body)
	}
	return marker + sev + body
}

// previewLines is the pane under the list: the selected finding's causes
// and fixes, scrollable after Tab.
func (f *findings) previewLines() []string {
	st := f.c.st
	out := make([]string, previewRows)
	head := "  Preview"
	if f.preview {
		head = "▸ Preview"
	}
	out[0] = st.Section.Render(head) + st.Muted.Render(" "+strings.Repeat("─", max(f.w-10, 0)))
	fd := f.current()
	if fd == nil {
		return out
	}
	out[0] = st.Section.Render(head) + " " + spanStrip(st, &f.c.snap.Timeline, f.c.snap.Now, fd, max(f.w-10, 0))
	lines := previewContent(fd)
	off := min(f.pvOff, max(len(lines)-(previewRows-1), 0))
	for i := 1; i < previewRows; i++ {
		if j := off + i - 1; j < len(lines) {
			out[i] = lines[j]
		}
	}
	return out
}

// previewContent is the preview's text: causes with evidence, then fixes.
func previewContent(fd *rules.Finding) []string {
	var lines []string
	for i, c := range fd.Causes {
		lines = append(lines, fmt.Sprintf("  %d. %s (%s)", i+1, clean(c.Title), pct(c.Confidence)))
		for _, e := range c.Evidence {
			lines = append(lines, "     "+clean(e))
		}
	}
	if len(fd.Causes) == 0 {
		lines = append(lines, "  no cause rule matched")
	}
	for _, fix := range findingFixes(fd) {
		lines = append(lines, "  fix: "+clean(fix))
	}
	return lines
}

// findingFixes is the finding's fix list, or its causes' fixes when the
// engine did not merge them.
func findingFixes(fd *rules.Finding) []string {
	if len(fd.Fixes) > 0 {
		return fd.Fixes
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range fd.Causes {
		for _, fx := range c.Fixes {
			if !seen[fx] {
				seen[fx] = true
				out = append(out, fx)
			}
		}
	}
	return out
}
