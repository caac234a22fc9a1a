package tui

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// requests is a virtual table of requests: a finding's retained samples, or
// the ring of recent records. Only the visible rows are ever read or drawn.
type requests struct {
	c    *common
	w, h int

	// Samples of a finding (fromRing false).
	f       *rules.Finding
	sIdx    []int // filtered indices into f.Samples
	srcNeed int   // widest "base name:line" among the samples

	// The recent ring (fromRing true). Positions map to sequence numbers:
	// first+pos without a filter, matches[pos] with one.
	fromRing    bool
	first, next int64   // ring bounds as of the last update (stable between frames)
	matches     []int64 // filtered sequence numbers, ascending
	scanned     int64   // the filter has looked at every seq below this
	cursorSeq   int64
	tailing     bool // the cursor follows the newest record

	filter filterInput
	recs   []*parse.Record // the samples' records, once loaded (nil entries: unknown)
	recGen int
	q      *query // the compiled filter; nil when empty or invalid
	qErr   error
	byLine bool // samples in input and line order instead of time order
	cursor int
	offset int
}

func newRequestsSamples(c *common, f *rules.Finding) *requests {
	r := &requests{c: c}
	r.filter.fields = true
	r.setFinding(f)
	return r
}

// setFinding shows f's samples (again, after an update replaced it).
func (r *requests) setFinding(f *rules.Finding) {
	r.f, r.srcNeed = f, 0
	for i := range f.Samples {
		s := &f.Samples[i]
		r.srcNeed = max(r.srcNeed, ansi.StringWidth(sourceLabel(s.Input, s.Line, 0)))
	}
	if len(r.recs) != len(f.Samples) {
		r.recs = nil // a new snapshot's samples: loaded again by the next init
	}
	r.refilter()
}

// newRequestsFiltered lists f's requests that have the contrast value p.
func newRequestsFiltered(c *common, f *rules.Finding, p contrastPick) *requests {
	r := &requests{c: c, f: f}
	r.filter.fields = true
	r.filter.value = []rune(pickQuery(p))
	r.setFinding(f)
	return r
}

func newRequestsRecent(c *common) *requests {
	r := &requests{c: c, fromRing: true, tailing: true}
	r.filter.fields = true
	r.refresh()
	return r
}

func (r *requests) title() string {
	if r.fromRing {
		return "Recent requests"
	}
	return "Requests"
}

// init loads the samples' full records off the UI goroutine (the ring,
// else the line read again and parsed), so filters can test every field.
func (r *requests) init() tea.Cmd {
	if r.fromRing || len(r.f.Samples) == 0 {
		return nil
	}
	r.recGen = r.c.nextGen()
	return loadSampleRecords(r.recGen, r.c, r.f)
}
func (r *requests) capturing() bool         { return r.filter.active }
func (r *requests) current() *rules.Finding { return r.f }
func (r *requests) setSize(w, h int)        { r.w, r.h = w, h; r.scroll() }

func (r *requests) shortHelp() []key.Binding {
	k := r.c.keys
	b := []key.Binding{withHelp(k.Enter, "enter", "raw line"), k.Filter}
	if !r.fromRing {
		b = append(b, r.sortBinding())
	}
	return append(b, k.Back, k.Top, k.Bottom, k.Up, k.Down)
}

// sortBinding is s with the order it switches to.
func (r *requests) sortBinding() key.Binding {
	if r.byLine {
		return withHelp(r.c.keys.Sort, "s", "sort by time")
	}
	return withHelp(r.c.keys.Sort, "s", "sort by line")
}

func (r *requests) fullHelp() [][]key.Binding {
	k := r.c.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{withHelp(k.Enter, "enter", "show the raw line"), k.Left, k.Filter, withHelp(k.Sort, "s", "sort by time / by line")},
	}
}

func (r *requests) back() bool {
	if r.filter.clear() {
		r.refilter()
		return true
	}
	return false
}

// rows is the number of rows in the (filtered) list.
func (r *requests) rows() int {
	switch {
	case !r.fromRing:
		return len(r.sIdx)
	case r.q != nil:
		return len(r.matches)
	}
	return int(r.next - r.first)
}

// seqAt maps a list position to a ring sequence number.
func (r *requests) seqAt(pos int) int64 {
	if r.q != nil {
		return r.matches[pos]
	}
	return r.first + int64(pos)
}

func (r *requests) pageRows() int { return max(r.h-2, 1) }

func (r *requests) update(msg tea.Msg) (screen, tea.Cmd) {
	k := r.c.keys
	switch msg := msg.(type) {
	case sampleRecordsMsg:
		if msg.gen == r.recGen && !r.fromRing && len(msg.recs) == len(r.f.Samples) {
			r.recs = msg.recs
			r.refilter()
		}
	case dataMsg:
		if !r.fromRing {
			if f := r.c.finding(r.f.ID); f != nil && f != r.f {
				r.setFinding(f)
				if r.recs == nil {
					return nil, r.init()
				}
			}
			return nil, nil
		}
		r.refresh()
	case scrollMsg:
		r.setCursor(r.cursor + msg.delta)
	case clickMsg:
		// Rows follow the title and the table header.
		if row := r.offset + msg.y - 2; msg.y >= 2 && row < r.rows() {
			if row == r.cursor {
				return r.open(), nil
			}
			r.setCursor(row)
		}
	case tea.KeyMsg:
		if r.filter.active {
			if r.filter.handle(msg) {
				r.refilter()
			}
			return nil, nil
		}
		switch {
		case key.Matches(msg, k.Filter):
			r.filter.active = true
		case key.Matches(msg, k.Sort) && !r.fromRing:
			r.byLine = !r.byLine
			r.refilter()
		case key.Matches(msg, k.Enter, k.Right):
			return r.open(), nil
		case key.Matches(msg, k.Bottom):
			r.setCursor(r.rows() - 1)
			r.tailing = r.fromRing
		default:
			r.setCursor(moveCursor(k, msg, r.cursor, r.rows(), r.pageRows()))
		}
	}
	return nil, nil
}

func (r *requests) setCursor(pos int) {
	r.cursor = clampInt(pos, 0, r.rows()-1)
	r.tailing = false
	if r.fromRing && r.rows() > 0 {
		r.cursorSeq = r.seqAt(r.cursor)
	}
	r.scroll()
}

func (r *requests) scroll() {
	r.offset = scrollOffset(r.cursor, r.offset, r.pageRows(), r.rows())
}

// refresh takes the ring's new bounds, extends the filter over the new
// records only, and keeps the cursor on its record (or on the newest).
func (r *requests) refresh() {
	r.first, r.next = r.c.opts.Recent.Bounds()
	if r.q != nil {
		// Drop evicted matches, then scan only what arrived since.
		cut := sort.Search(len(r.matches), func(i int) bool { return r.matches[i] >= r.first })
		r.matches = r.matches[cut:]
		r.scanTo(r.q)
	}
	n := r.rows()
	switch {
	case n == 0:
		r.cursor = 0
	case r.tailing:
		r.cursor = n - 1
		r.cursorSeq = r.seqAt(r.cursor)
	case r.q != nil:
		r.cursor = min(sort.Search(len(r.matches), func(i int) bool { return r.matches[i] >= r.cursorSeq }), n-1)
	default:
		r.cursor = clampInt(int(r.cursorSeq-r.first), 0, n-1)
	}
	r.scroll()
}

func (r *requests) scanTo(q *query) {
	next := r.next
	from := max(r.scanned, r.first)
	upTo := r.c.opts.Recent.Scan(from, func(seq int64, rec *parse.Record) bool {
		if seq >= next {
			return false
		}
		if q.match(recordText(rec), rec) {
			r.matches = append(r.matches, seq)
		}
		return true
	})
	r.scanned = min(next, upTo) // Scan stops before a record without its text yet
}

// refilter recomputes the filtered list after the filter text changed.
func (r *requests) refilter() {
	r.q, r.qErr = nil, nil
	if v := strings.TrimSpace(string(r.filter.value)); v != "" {
		r.q, r.qErr = parseQuery(v)
	}
	text := r.filter.text()
	if !r.fromRing {
		r.sIdx = r.sIdx[:0]
		for i := range r.f.Samples {
			if r.q == nil || r.sampleMatches(i) {
				r.sIdx = append(r.sIdx, i)
			}
		}
		r.sortSamples()
		r.cursor = clampInt(r.cursor, 0, len(r.sIdx)-1)
		r.scroll()
		return
	}
	r.matches, r.scanned = r.matches[:0], 0
	r.tailing = r.tailing || text != ""
	r.refresh()
}

// sortSamples orders the shown samples by time (then input and line), or
// by input and line.
func (r *requests) sortSamples() {
	ss := r.f.Samples
	sort.SliceStable(r.sIdx, func(i, j int) bool {
		a, b := &ss[r.sIdx[i]], &ss[r.sIdx[j]]
		if !r.byLine && !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Input != b.Input {
			return a.Input < b.Input
		}
		return a.Line < b.Line
	})
}

// recordText is what plain words of a filter search in a record: its raw
// line, or its fields when the line was not kept.
func recordText(rec *parse.Record) []byte {
	if rec.Raw != "" {
		return []byte(rec.Raw)
	}
	return []byte(strings.Join([]string{rec.Method, rec.Host, rec.Path, rec.Query, strconv.Itoa(rec.Status),
		rec.ClientIP, rec.RequestID, rec.POP, rec.Upstream, rec.Input}, " "))
}

// sampleFields is a record of what a sample itself says, for a sample
// whose line cannot be parsed again; a Cloudflare Ray ID ends in its data
// centre ("8f1a...-FRA").
func sampleFields(s *rules.Sample) *parse.Record {
	rec := &parse.Record{}
	rec.Reset()
	rec.Method, rec.Path, rec.Status, rec.RequestID, rec.Input = s.Method, s.Path, s.Status, s.RequestID, s.Input
	if i := strings.LastIndexByte(s.RequestID, '-'); i > 0 && len(s.RequestID)-i == 4 {
		rec.POP = s.RequestID[i+1:]
	}
	return rec
}

// sampleMatches tests a sample: its retained line parsed again with its
// input's format gives the fields a filter may test.
func (r *requests) sampleMatches(i int) bool {
	s := &r.f.Samples[i]
	var rec *parse.Record
	if i < len(r.recs) {
		rec = r.recs[i]
	}
	if rec == nil {
		rec = r.c.sampleRecord(s)
	}
	if rec == nil {
		rec = sampleFields(s)
	}
	text := s.Raw
	if text == "" && rec != nil && rec.Raw != "" {
		text = rec.Raw
	}
	if text == "" {
		text = strings.Join([]string{s.Method, s.Path, strconv.Itoa(s.Status), s.RequestID, s.Role, s.Input}, " ")
	}
	return r.q.match([]byte(text), rec)
}

// open pushes the raw-line screen for the selected row.
func (r *requests) open() screen {
	if r.rows() == 0 {
		return nil
	}
	if !r.fromRing {
		s := r.f.Samples[r.sIdx[r.cursor]]
		return newRawLine(r.c, rawTarget{input: s.Input, line: s.Line, offset: s.Offset, retained: s.Raw, sample: &s})
	}
	rec, ok := r.c.opts.Recent.At(r.seqAt(r.cursor))
	if !ok {
		return nil // evicted between frames: nothing to open
	}
	return newRawLine(r.c, rawTarget{input: rec.Input, line: rec.Line, offset: rec.Offset, retained: rec.Raw, rec: &rec})
}

// reqRow is one table row, from a sample or a record.
type reqRow struct {
	time               time.Time
	status             int
	method, path, host string
	input              string
	line               int64
	role               string
	ok                 bool
}

func (r *requests) rowAt(pos int) reqRow {
	if !r.fromRing {
		s := &r.f.Samples[r.sIdx[pos]]
		return reqRow{time: s.Time, status: s.Status, method: s.Method, path: s.Path,
			input: s.Input, line: s.Line, role: s.Role, ok: true}
	}
	rec, ok := r.c.opts.Recent.At(r.seqAt(pos))
	if !ok {
		return reqRow{}
	}
	return reqRow{time: rec.TimeUTC(), status: rec.Status, method: rec.Method, path: rec.Path, host: rec.Host,
		input: rec.Input, line: rec.Line, ok: true}
}

// cols are the flexible column widths: path, host, source. A finding's
// samples all share its origin (named in the title line), so they have no
// host column (host 0) and their source column is as wide as its longest
// base name needs; the path takes what is left.
func (r *requests) cols() (path, host, source int) {
	if !r.fromRing {
		rest := max(r.w-2-9-4-7-7-1, 12)
		source = min(max(r.srcNeed, len("INPUT:LINE")), rest/2)
		return rest - source, 0, source
	}
	rest := max(r.w-2-9-4-7-2, 12)
	host = min(rest*2/7, 20)
	source = min(rest/3, 28)
	return rest - host - source, host, source
}

// sourceLabel names an input and line within w columns (w <= 0: the base
// name): the whole path when it fits, else as many trailing path elements
// as fit, at least the base name, which is cut from the left last of all.
func sourceLabel(input string, line int64, w int) string {
	suffix := ":" + strconv.FormatInt(line, 10)
	const seps = "/" + string(filepath.Separator)
	if w <= 0 {
		return clean(input[strings.LastIndexAny(input, seps)+1:]) + suffix
	}
	for s := input; ; {
		label := clean(s) + suffix
		if ansi.StringWidth(label) <= w {
			return label
		}
		i := strings.IndexAny(s, seps)
		if i < 0 {
			return truncLeft(label, w)
		}
		s = s[i+1:]
	}
}

func (r *requests) view() string {
	st := r.c.st
	var b strings.Builder
	line := func(s string) { b.WriteString(fitLine(s, r.w)); b.WriteByte('\n') }
	if r.filter.active {
		line(r.filter.view(st))
	} else {
		line(r.titleLine())
	}
	pw, hw, sw := r.cols()
	role := ""
	if !r.fromRing {
		role = pad("ROLE", 7)
	}
	hostCol := func(s string) string {
		if hw == 0 {
			return ""
		}
		return pad(s, hw) + " "
	}
	line(st.TableHeader.Render("  " + pad("TIME", 9) + pad("ST", 4) + pad("METHOD", 7) + role + pad("PATH", pw) + " " + hostCol("HOST") + pad("INPUT:LINE", sw)))
	n := r.rows()
	for i := 0; i < r.pageRows(); i++ {
		pos := r.offset + i
		if pos >= n {
			if i == 0 {
				line(st.Muted.Render("  no requests" + map[bool]string{true: " match", false: ""}[r.filter.text() != ""]))
			} else {
				line("")
			}
			continue
		}
		row := r.rowAt(pos)
		selected := pos == r.cursor
		marker := "  "
		if selected {
			marker = st.Cursor.Render("› ")
		}
		if !row.ok {
			why := "(evicted from the ring)"
			if r.fromRing && r.c.opts.Recent.Waiting(r.seqAt(pos)) {
				why = "(reading…)" // its text is read again at the next batch (ring_lazy.go)
			}
			line(marker + st.Muted.Render(why))
			continue
		}
		if !r.fromRing {
			role = pad(clean(row.role), 7)
		}
		text := pad(clock(row.time), 9) + pad(strconv.Itoa(row.status), 4) + pad(clean(row.method), 7) + role +
			pad(clean(row.path), pw) + " " + hostCol(clean(row.host)) + pad(sourceLabel(row.input, row.line, sw), sw)
		if selected {
			text = st.Selected.Render(text)
		}
		line(marker + text)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (r *requests) titleLine() string {
	st := r.c.st
	var parts []string
	if r.fromRing {
		ring := r.c.opts.Recent
		parts = append(parts, fmt.Sprintf("%s held of the last %s", num(r.next-r.first), num(ring.Cap())),
			fmt.Sprintf("%s seen", num(r.next)))
		if r.tailing {
			parts = append(parts, "following newest")
		}
	} else {
		parts = append(parts, clean(r.f.Title())+" · "+clean(r.f.Origin))
	}
	if v := string(r.filter.value); v != "" {
		if r.qErr != nil {
			parts = append(parts, "filter: "+clean(r.qErr.Error()))
		} else {
			parts = append(parts, fmt.Sprintf("%s match %q", num(r.rows()), clean(v)))
		}
	}
	if !r.fromRing {
		order := "by time"
		if r.byLine {
			order = "by line"
		}
		parts = append(parts, plural(len(r.f.Samples), "retained request"), order)
	}
	return st.Title.Render(r.title()+" ") + st.Muted.Render(strings.Join(parts, " · "))
}
