package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/edgetriage/edgetriage/rules"
)

// malformedLines lists, per input, the malformed lines the pipeline kept
// as examples: line number, why it did not fit, and the line itself. Every
// line is counted whether or not its example is kept; the head of each
// input says how many were kept of how many.
type malformedLines struct {
	c    *common
	w, h int
	vp   viewport.Model
}

func newMalformed(c *common) *malformedLines {
	m := &malformedLines{c: c, vp: viewport.New(0, 0)}
	m.vp.KeyMap = viewport.KeyMap{}
	m.vp.MouseWheelEnabled = false
	return m
}

func (m *malformedLines) title() string           { return "Malformed lines" }
func (m *malformedLines) init() tea.Cmd           { return nil }
func (m *malformedLines) capturing() bool         { return false }
func (m *malformedLines) current() *rules.Finding { return nil }

func (m *malformedLines) setSize(w, h int) {
	m.w, m.h = w, h
	m.vp.Width, m.vp.Height = w, max(h-1, 1)
	m.build()
}

func (m *malformedLines) shortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{k.Back, k.Up, k.Down, k.PageUp, k.PageDown}
}

func (m *malformedLines) fullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {k.Back}}
}

func (m *malformedLines) update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg.(type) {
	case dataMsg:
		// Live accounting: more examples may have been kept since.
		m.build()
	case scrollMsg, tea.KeyMsg:
		scrollViewport(&m.vp, m.c.keys, msg)
	}
	return nil, nil
}

func (m *malformedLines) view() string {
	st := m.c.st
	var total int64
	inputs := 0
	for i := range m.c.inputs {
		if n := m.c.inputs[i].Malformed; n > 0 {
			total += n
			inputs++
		}
	}
	head := "  " + st.Section.Render("Malformed lines") + st.Muted.Render(fmt.Sprintf("  %s in %s · the first of each input are kept",
		num(total), plural(inputs, "input")))
	return fitLine(head, m.w) + "\n" + m.vp.View()
}

// build lays out every input with malformed lines, then its examples. Log
// text goes through clean (printable, redacted under --redact) and is cut
// at the width, not at spaces: every cell of it is the line's own.
func (m *malformedLines) build() {
	if m.w <= 0 {
		return
	}
	st := m.c.st
	textW := max(m.w-6, 10)
	var b strings.Builder
	for i := range m.c.inputs {
		in := &m.c.inputs[i]
		if in.Malformed == 0 && len(in.MalformedExamples) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		kept := "none kept"
		if n := len(in.MalformedExamples); n > 0 {
			kept = fmt.Sprintf("first %d shown", n)
		}
		fmt.Fprintf(&b, "%s\n", fitLine(" "+st.Accent.Render(clean(in.Path))+"  "+st.Muted.Render(fmt.Sprintf("%s · %s malformed of %s lines · %s",
			clean(shortFormat(in.Format)), num(in.Malformed), num(in.Lines), kept)), m.w))
		for _, ex := range in.MalformedExamples {
			where := st.Label.Render("   line ") + num(ex.Line)
			if ex.Column > 0 {
				where += st.Label.Render(" col ") + num(int64(ex.Column))
			}
			reason := clean(ex.Reason)
			if ex.Field != "" {
				reason += " (field " + clean(ex.Field) + ")"
			}
			b.WriteString(fitLine(where+"  "+st.Warning.Render(reason), m.w) + "\n")
			text := ex.Text
			if text == "" {
				text = "(empty line)"
			}
			b.WriteString(indent(ansi.Hardwrap(clean(text), textW, true), "     ", "     ") + "\n")
		}
	}
	if b.Len() == 0 {
		b.WriteString(st.Muted.Render("   No malformed lines."))
		if !m.c.prog.Done && !m.c.closed {
			b.WriteString(st.Muted.Render(" (so far)"))
		}
	}
	m.vp.SetContent(strings.TrimRight(b.String(), "\n"))
}
