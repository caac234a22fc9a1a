package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// rawTarget says which line to show.
type rawTarget struct {
	input    string
	line     int64
	offset   int64
	retained string        // the copy kept in memory, if any
	rec      *parse.Record // the parsed record, when known
	sample   *rules.Sample // the finding's sample, when entered from one
}

// rawLine shows one raw log line with its input, line number and the
// parsed fields beside it.
type rawLine struct {
	c      *common
	w, h   int
	t      rawTarget
	gen    int
	loaded bool
	text   string
	origin string
	err    error
	vp     viewport.Model
}

func newRawLine(c *common, t rawTarget) *rawLine {
	r := &rawLine{c: c, t: t, gen: c.nextGen(), vp: viewport.New(0, 0)}
	r.vp.KeyMap = viewport.KeyMap{}
	r.vp.MouseWheelEnabled = false
	return r
}

func (r *rawLine) title() string           { return "Raw line" }
func (r *rawLine) capturing() bool         { return false }
func (r *rawLine) current() *rules.Finding { return nil }

// init re-reads the line off the UI goroutine.
func (r *rawLine) init() tea.Cmd {
	return loadRaw(r.gen, r.c.opts, r.t.input, r.t.line, r.t.offset, r.t.retained, r.t.rec == nil)
}

func (r *rawLine) setSize(w, h int) {
	r.w, r.h = w, h
	r.vp.Width, r.vp.Height = w, max(h-1, 1)
	r.build()
}

func (r *rawLine) shortHelp() []key.Binding {
	k := r.c.keys
	return []key.Binding{k.Back, k.Up, k.Down, k.PageUp, k.PageDown}
}

func (r *rawLine) fullHelp() [][]key.Binding {
	k := r.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {k.Left}}
}

func (r *rawLine) update(msg tea.Msg) (screen, tea.Cmd) {
	k := r.c.keys
	switch msg := msg.(type) {
	case rawLoadedMsg:
		if msg.gen != r.gen {
			return nil, nil // a stale read for a screen that has gone
		}
		r.loaded, r.text, r.origin, r.err = true, msg.text, msg.origin, msg.err
		if msg.rec != nil {
			r.t.rec = msg.rec
		}
		r.build()
	case scrollMsg, tea.KeyMsg:
		scrollViewport(&r.vp, k, msg)
	}
	return nil, nil
}

func (r *rawLine) build() {
	if r.w <= 0 {
		return
	}
	w := r.w - 2
	raw := r.rawBlock
	fields := r.fieldsBlock
	if w >= 108 {
		lw := w * 3 / 5
		left := " " + r.c.st.Section.Render("Raw line") + "\n" + raw(lw-2)
		right := r.c.st.Section.Render("Parsed fields") + "\n" + fields(w-lw-2)
		r.vp.SetContent(sideBySide(left, lw, right))
		return
	}
	r.vp.SetContent(" " + r.c.st.Section.Render("Raw line") + "\n" + raw(w) + "\n\n " +
		r.c.st.Section.Render("Parsed fields") + "\n" + fields(w))
}

func (r *rawLine) view() string {
	st := r.c.st
	head := "  " + st.Label.Render("input ") + st.Accent.Render(clean(r.t.input)) +
		st.Label.Render("  line ") + num(r.t.line)
	if r.t.offset >= 0 {
		head += st.Label.Render("  byte ") + num(r.t.offset)
	}
	if r.t.sample != nil && r.t.sample.Role != "" {
		head += st.Label.Render("  role ") + clean(r.t.sample.Role)
	}
	return fitLine(head, r.w) + "\n" + r.vp.View()
}

func (r *rawLine) rawBlock(w int) string {
	st := r.c.st
	switch {
	case !r.loaded:
		return st.Muted.Render("   loading…")
	case r.text == "":
		msg := "line not retained"
		if r.err != nil && r.err != errNotRetained {
			msg += " (" + clean(r.err.Error()) + ")"
		}
		return st.StatusError.Render("   " + msg)
	}
	// Cut at the width, not at spaces or hyphens: the line is shown as it
	// is, and every cell of it is log text.
	text := indent(ansi.Hardwrap(clean(r.text), max(w-3, 10), true), "   ", "   ")
	src := r.origin
	if r.err != nil {
		src += " (file not re-read: " + clean(r.err.Error()) + ")"
	}
	return text + "\n" + st.Muted.Render(indent(wrap(src, max(w-3, 10)), "   ", "   "))
}

func (r *rawLine) fieldsBlock(w int) string {
	st := r.c.st
	var rows [][2]string
	if rec := r.t.rec; rec != nil {
		rows = recordFields(rec)
	} else if s := r.t.sample; s != nil {
		rows = [][2]string{
			{"time", inZone(s.Time).Format(time.RFC3339Nano)}, {"method", s.Method}, {"path", s.Path},
			{"status", strconv.Itoa(s.Status)}, {"request id", s.RequestID}, {"role", s.Role},
		}
		if r.loaded {
			rows = append(rows, [2]string{"note", "the full record is no longer in the recent ring"})
		}
	}
	const labelW = 18
	var out []string
	for _, kv := range rows {
		if kv[1] == "" {
			continue
		}
		out = append(out, indent(wrap(clean(kv[1]), max(w-labelW-3, 10)), "   "+st.Label.Render(pad(kv[0], labelW)), strings.Repeat(" ", labelW+3)))
	}
	if len(out) == 0 {
		return st.Muted.Render("   no parsed fields")
	}
	return strings.Join(out, "\n")
}

// recordFields lists a record's fields as label/value pairs ("" = not logged).
func recordFields(rec *parse.Record) [][2]string {
	dur := func(d time.Duration) string {
		if d < 0 {
			return ""
		}
		return d.String()
	}
	n := func(v int64) string {
		if v < 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	originStatus := ""
	if rec.OriginStatus >= 0 {
		originStatus = strconv.Itoa(rec.OriginStatus)
	}
	return [][2]string{
		{"time", inZone(rec.TimeUTC()).Format(time.RFC3339Nano)},
		{"source", rec.Source.String()},
		{"host", rec.Host},
		{"upstream", rec.Upstream},
		{"client", rec.ClientIP},
		{"method", rec.Method},
		{"path", rec.Path},
		{"query", rec.Query},
		{"protocol", rec.Protocol},
		{"status", strconv.Itoa(rec.Status)},
		{"origin status", originStatus},
		{"bytes", n(rec.Bytes)},
		{"duration", dur(rec.Duration)},
		{"origin header", dur(rec.OriginHeaderTime)},
		{"origin connect", dur(rec.OriginConnectTime)},
		{"request id", rec.RequestID},
		{"status location", rec.StatusLocation},
		{"pop", rec.POP},
		{"cache", rec.CacheStatus},
		{"user agent", rec.UserAgent},
		{"referer", rec.Referer},
		{"input", fmt.Sprintf("%s:%d", rec.Input, rec.Line)},
	}
}
