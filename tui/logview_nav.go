package tui

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/formats"
)

// rows is the number of rows: every line, or the filter's matches.
func (v *logView) rows() int64 {
	if v.filter != nil {
		return int64(v.filter.count())
	}
	if v.filterQ != "" {
		return 0 // a filter that could not start (bad query, no sources yet)
	}
	var n int64
	for _, s := range v.srcs {
		n += s.state().lines
	}
	return n
}

// refAt maps a row to its line.
func (v *logView) refAt(row int64) (logRef, bool) {
	if v.filter != nil {
		return v.filter.at(int(row))
	}
	if v.filterQ != "" {
		return 0, false
	}
	for i, s := range v.srcs {
		n := s.state().lines
		if row < n {
			return mkRef(i, row), row >= 0
		}
		row -= n
	}
	return 0, false
}

// rowOf maps a line to its row (-1 when the filter hides it).
func (v *logView) rowOf(r logRef) int64 {
	if v.filter != nil {
		i := v.filter.search(r)
		if got, ok := v.filter.at(i); ok && got == r {
			return int64(i)
		}
		return -1
	}
	var row int64
	for i := 0; i < r.src() && i < len(v.srcs); i++ {
		row += v.srcs[i].state().lines
	}
	return row + r.line()
}

func (v *logView) setCursor(row int64) {
	v.cursor = min(max(row, 0), max(v.rows()-1, 0))
	v.scroll()
}

func (v *logView) scroll() {
	page := int64(v.pageRows())
	n := v.rows()
	v.cursor = min(max(v.cursor, 0), max(n-1, 0))
	if v.cursor < v.offset {
		v.offset = v.cursor
	}
	if v.cursor >= v.offset+page {
		v.offset = v.cursor - page + 1
	}
	v.offset = min(max(v.offset, 0), max(n-page, 0))
}

// firstHit moves a new search to its first match after where it started,
// once one is found.
func (v *logView) firstHit() {
	for i := v.search.search(v.searchFrom); ; i++ {
		r, ok := v.search.at(i)
		if !ok {
			if v.search.done.Load() {
				v.pendingJmp = false
				if v.search.count() == 0 {
					v.note = "no line matches " + strconv.Quote(clean(v.searchQ))
				}
			}
			return
		}
		if row := v.rowOf(r); row >= 0 {
			v.pendingJmp = false
			v.center(row)
			return
		}
	}
}

// jump moves to the next (or previous) search match that is shown.
func (v *logView) jump(back bool) {
	if v.search == nil {
		v.note = "no search: / searches"
		return
	}
	cur, ok := v.refAt(v.cursor)
	if !ok {
		return
	}
	v.note = ""
	i := v.search.search(cur)
	step := 1
	if back {
		i, step = i-1, -1
	} else if r, ok := v.search.at(i); ok && r == cur {
		i++
	}
	for ; ; i += step {
		r, ok := v.search.at(i)
		if !ok {
			switch {
			case !v.search.done.Load():
				v.note = "searching… no match further yet"
			case back:
				v.note = "no match before this line"
			default:
				v.note = "no match after this line"
			}
			return
		}
		if row := v.rowOf(r); row >= 0 {
			v.center(row)
			return
		}
	}
}

// center puts the cursor on row, in the middle of the page when it was
// off the page.
func (v *logView) center(row int64) {
	page := int64(v.pageRows())
	if row < v.offset || row >= v.offset+page {
		v.offset = max(row-page/2, 0)
	}
	v.setCursor(row)
}

// open shows the selected line in the raw-line screen.
func (v *logView) open() screen {
	r, ok := v.refAt(v.cursor)
	if !ok || r.src() >= len(v.srcs) {
		return nil
	}
	s := v.srcs[r.src()]
	text := v.cache[r]
	t := rawTarget{input: s.name(), line: s.lineNo(r.line()), offset: s.offset(r.line()), retained: text}
	// The parsed fields: the line parsed again with its input's format.
	if p, err := formats.New(v.fmts[r.src()]); err == nil && text != "" {
		rec := &parse.Record{}
		if p.Parse([]byte(text), rec) == nil {
			rec.Input, rec.Line, rec.Offset, rec.Raw = t.input, t.line, t.offset, text
			t.rec = rec
		}
	}
	return newRawLine(v.c, t)
}

// streamReadAround is how many lines around the page a compressed input
// reads at once.
const streamReadAround = 1000

// ensurePage reads the visible lines that are not cached yet.
func (v *logView) ensurePage() tea.Cmd {
	if v.loading || len(v.srcs) == 0 {
		return nil
	}
	var refs []logRef
	for i := int64(0); i < int64(v.pageRows()); i++ {
		r, ok := v.refAt(v.offset + i)
		if !ok {
			break
		}
		if _, have := v.cache[r]; !have {
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	v.loading = true
	srcs, gen := v.srcs, v.gen
	return func() tea.Msg {
		msg := logPageMsg{gen: gen}
		// Runs of consecutive lines of one source are read at once.
		for i := 0; i < len(refs); {
			j := i + 1
			for j < len(refs) && refs[j].src() == refs[i].src() && refs[j].line() == refs[j-1].line()+1 {
				j++
			}
			s := srcs[refs[i].src()]
			from, to := refs[i].line(), refs[j-1].line()+1
			if _, stream := s.(*streamSource); stream {
				// A compressed block costs its decompression from the
				// start: read well around the page, so scrolling is free.
				lo, hi := max(from-streamReadAround, 0), min(to+streamReadAround, s.state().lines)
				texts, err := s.read(lo, hi)
				if err != nil {
					msg.err = err
				}
				for k, t := range texts {
					msg.refs, msg.texts = append(msg.refs, mkRef(refs[i].src(), lo+int64(k))), append(msg.texts, t)
				}
				i = j
				continue
			}
			texts, err := s.read(from, to)
			if err != nil {
				msg.err = err
			}
			for k := i; k < j; k++ {
				t := "(not read)"
				if k-i < len(texts) {
					t = texts[k-i]
				}
				msg.refs, msg.texts = append(msg.refs, refs[k]), append(msg.texts, t)
			}
			i = j
		}
		return msg
	}
}

func (v *logView) view() string {
	st := v.c.st
	var b strings.Builder
	line := func(s string) { b.WriteString(fitLine(s, v.w)); b.WriteByte('\n') }
	if v.prompt.active {
		line(v.prompt.viewPrompt(st, v.promptKind+" "))
	} else {
		line(v.titleLine())
	}
	line(v.statusLine())
	srcW := v.sourceWidth()
	textW := max(v.w-srcW-3, 10)
	n := v.rows()
	for i := 0; i < v.pageRows(); i++ {
		row := v.offset + int64(i)
		r, ok := v.refAt(row)
		if !ok || row >= n {
			if i == 0 {
				line(st.Muted.Render("  " + v.emptyText()))
			} else {
				line("")
			}
			continue
		}
		marker := "  "
		if row == v.cursor {
			marker = st.Cursor.Render("› ")
		}
		s := v.srcs[r.src()]
		label := pad(truncLeft(sourceLabel(s.name(), s.lineNo(r.line()), 0), srcW), srcW)
		text, have := v.cache[r]
		var body string
		if !have {
			body = st.Muted.Render("…")
		} else {
			body = v.highlight(ansi.Truncate(clean(text), textW, "…"), row == v.cursor)
		}
		line(marker + st.Label.Render(label) + " " + body)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (v *logView) emptyText() string {
	switch {
	case len(v.srcs) == 0:
		return "opening the inputs…"
	case v.filter != nil && !v.filter.done.Load():
		return "filtering… no line matches yet"
	case v.filterQ != "":
		return "no line matches the filter"
	}
	return "no lines"
}

// highlight marks the search text in a shown line.
func (v *logView) highlight(text string, selected bool) string {
	st := v.c.st
	if selected {
		return st.Selected.Render(text)
	}
	if v.searchHit == nil || len(v.searchHit.needle) == 0 {
		return text
	}
	var out strings.Builder
	for rest := text; ; {
		i := v.searchHit.index([]byte(rest))
		if i < 0 {
			out.WriteString(rest)
			return out.String()
		}
		end := i + len(v.searchHit.needle)
		out.WriteString(rest[:i])
		out.WriteString(st.Accent.Render(rest[i:end]))
		rest = rest[end:]
	}
}

// sourceWidth fits the widest "name:line" label, within a third of the width.
func (v *logView) sourceWidth() int {
	w := 8
	for _, s := range v.srcs {
		st := s.state()
		w = max(w, len(filepath.Base(s.name()))+1+len(strconv.FormatInt(max(st.lines, st.extra), 10)))
	}
	return min(w, max(v.w/3, 12))
}

func (v *logView) titleLine() string {
	st := v.c.st
	var lines, bytes, total int64
	done := true
	for _, s := range v.srcs {
		ss := s.state()
		lines, bytes, total = lines+ss.lines, bytes+ss.bytes, total+ss.total
		done = done && ss.done
	}
	parts := []string{plural(len(v.srcs), "input"), num(lines) + " lines"}
	if !done && total > 0 {
		parts = append(parts, fmt.Sprintf("indexing %s", pct(float64(bytes)/float64(total))))
	} else if !done {
		parts = append(parts, "indexing…")
	}
	if v.filterQ != "" {
		f := "filter " + strconv.Quote(clean(v.filterQ))
		if !v.window.from.IsZero() {
			f += " " + clock(v.window.from) + "–" + clock(v.window.to)
		}
		if v.filter != nil {
			f += ": " + num(v.filter.count()) + " lines" + jobProgress(v.filter)
		}
		parts = append(parts, f)
	}
	return st.Title.Render("Full log ") + st.Muted.Render(strings.Join(parts, " · "))
}

// statusLine says what the search found, and what of the log is held
// when an input cannot be read again.
func (v *logView) statusLine() string {
	st := v.c.st
	var parts []string
	if v.search != nil {
		s := "search " + strconv.Quote(clean(v.searchQ)) + ": "
		if r, ok := v.refAt(v.cursor); ok && v.search.count() > 0 {
			i := v.search.search(r)
			if got, ok := v.search.at(i); ok && got == r {
				s += num(i+1) + " of "
			}
		}
		parts = append(parts, s+num(v.search.count())+jobProgress(v.search)+" · n/N next/previous")
	}
	if v.note != "" {
		parts = append(parts, v.note)
	}
	var ringN int
	var ringName string
	var held, read int64
	for _, s := range v.srcs {
		ss := s.state()
		if _, ring := s.(*ringSource); ring {
			ringN, ringName, held, read = ringN+1, filepath.Base(s.name()), held+ss.held, read+ss.extra
			continue
		}
		switch {
		case ss.err != nil:
			parts = append(parts, clean(ss.err.Error()))
		case ss.sparse && ss.stride > 1:
			if _, stream := s.(*streamSource); !stream {
				parts = append(parts, fmt.Sprintf("%s: sparse index (every %s lines)", filepath.Base(s.name()), num(ss.stride)))
			}
		}
	}
	if ringN == 1 {
		parts = append(parts, fmt.Sprintf("%s cannot be read again: the last %s records held of %s lines read", ringName, num(held), num(read)))
	} else if ringN > 1 {
		parts = append(parts, fmt.Sprintf("%d inputs cannot be read again (standard input, embedded or gone): the last %s records held of %s lines read",
			ringN, num(held), num(read)))
	}
	if len(parts) == 0 {
		return st.Muted.Render("/ search · & filter · status=504 status>=500 path~/account colo=FRA duration>2s")
	}
	return st.Muted.Render(clean(strings.Join(parts, " · ")))
}

// jobProgress is a running job's share of the input looked at.
func jobProgress(j *logJob) string {
	if j.done.Load() {
		j.mu.Lock()
		defer j.mu.Unlock()
		s := fmt.Sprintf(" (%s)", shortDur(j.took))
		if j.capped {
			s += ", capped"
		}
		if j.err != nil {
			s += ", " + j.err.Error()
		}
		return s
	}
	if j.total > 0 {
		return fmt.Sprintf(" · scanning %s", pct(float64(j.scanned.Load())/float64(j.total)))
	}
	return fmt.Sprintf(" · scanning, %s lines so far", num(j.lines.Load()))
}
