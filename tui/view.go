package tui

import (
	"fmt"
	"github.com/edgetriage/edgetriage/parse"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/edgetriage/edgetriage/rules"
)

// View renders the whole terminal: header, screen, status line, help line.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		return m.tooSmall()
	}
	w, h := m.bodySize()
	var body string
	if m.showHelp {
		body = m.helpView(w, h)
	} else {
		body = fit(m.top().view(), w, h)
	}
	return strings.Join([]string{m.headerView(), body, m.statusView(), m.helpLine()}, "\n")
}

// tooSmall is the size warning, wrapped to the terminal's width and
// centred, so it is whole even at 40x12.
func (m *Model) tooSmall() string {
	msg := fmt.Sprintf("terminal too small: %dx%d (need at least %dx%d)", m.width, m.height, MinWidth, MinHeight)
	text := strings.Split(wrap(msg, max(m.width-2, 1)), "\n")
	lines := make([]string, m.height)
	top := max((m.height-len(text))/2, 0)
	for i, t := range text {
		if top+i >= m.height {
			break
		}
		left := max((m.width-lipgloss.Width(t))/2, 0)
		lines[top+i] = strings.Repeat(" ", left) + t
	}
	return fit(strings.Join(lines, "\n"), m.width, m.height)
}

// headerView is the breadcrumb and, on the right, reading or live state.
func (m *Model) headerView() string {
	st := m.c.st
	right := m.stateView()
	names := make([]string, 0, len(m.stack)+1)
	for _, s := range m.stack {
		names = append(names, clean(s.title()))
	}
	if m.showHelp {
		names = append(names, "Help")
	}
	lw := m.width - lipgloss.Width(right) - 1
	if lw < 10 {
		lw, right = m.width, ""
	}
	// Drop the oldest crumbs first: where you are matters most.
	var left string
	for drop := 0; drop < len(names); drop++ {
		var crumbs []string
		if drop > 0 {
			crumbs = append(crumbs, st.Crumb.Render("…"))
		}
		for i, n := range names[drop:] {
			if drop+i == len(names)-1 {
				crumbs = append(crumbs, st.CrumbCurrent.Render(n))
			} else {
				crumbs = append(crumbs, st.Crumb.Render(n))
			}
		}
		left = st.Header.Render("edgetriage") + st.Crumb.Render(" › ") + strings.Join(crumbs, st.Crumb.Render(" › "))
		if lipgloss.Width(left) <= lw {
			break
		}
	}
	if right == "" {
		return fitLine(left, m.width)
	}
	return fitLine(left, lw) + " " + right
}

// stateView says whether we are reading, live (following or paused) or done.
func (m *Model) stateView() string {
	st, p := m.c.st, m.c.prog
	switch {
	case !m.haveUpdate:
		return st.Muted.Render("waiting for data…")
	case p.Live:
		var state string
		if m.following {
			state = st.Live.Render("● live")
		} else {
			state = st.Paused.Render("❚❚ paused")
		}
		last := "no lines yet"
		if !p.LastLine.IsZero() {
			ago := m.c.opts.now().Sub(p.LastLine)
			last = "last " + clock(p.LastLine) + " (" + shortDur(ago) + " ago)"
		}
		return m.newsView() + state + st.Muted.Render(fmt.Sprintf(" %s lines/s · %s %s", rate(m.c.rate), last, zoneName(m.c.opts.now())))
	case !p.Done && !m.c.closed:
		return m.progressView()
	}
	// Done, the size is the report's: bytes after decompression (the bar
	// counted bytes from disk, which for an archive is the compressed size).
	size := m.c.totals.Bytes
	if size <= 0 {
		size = p.BytesRead
	}
	return m.newsView() + st.Good.Render("✓ read") + st.Muted.Render(fmt.Sprintf(" %s lines · %s · %s", num(p.Lines), bytesHuman(size), zoneName(m.c.opts.now())))
}

// newsView is the header's count of findings new or changed since the
// user looked, and of muted ones ("" when none).
func (m *Model) newsView() string {
	var out string
	if n := m.c.news.unseen(m.c.snap, m.c.muted); n > 0 {
		text := fmt.Sprintf("%d new since you looked", n)
		if m.width < 100 {
			text = fmt.Sprintf("%d new", n)
		}
		out = m.c.st.Warning.Render(text) + m.c.st.Muted.Render(" · ")
	}
	if n := m.c.mutedCount(); n > 0 {
		out += m.c.st.Muted.Render(fmt.Sprintf("%d muted · ", n))
	}
	return out
}

// progressView is the bar shown while `open` reads: bytes of total, lines/s, ETA.
func (m *Model) progressView() string {
	st, p := m.c.st, m.c.prog
	if p.BytesTotal <= 0 {
		return st.Muted.Render(fmt.Sprintf("reading %s · %s lines/s", bytesHuman(p.BytesRead), rate(p.LinesPerSec)))
	}
	frac := float64(p.BytesRead) / float64(p.BytesTotal)
	frac = min(max(frac, 0), 1)
	const barW = 12
	filled := int(frac * barW)
	bar := st.Accent.Render(strings.Repeat("█", filled)) + st.Muted.Render(strings.Repeat("░", barW-filled))
	eta := "ETA --"
	if p.LinesPerSec > 0 && p.Lines > 0 {
		bytesPerSec := p.LinesPerSec * float64(p.BytesRead) / float64(p.Lines)
		if bytesPerSec > 0 {
			secs := float64(p.BytesTotal-p.BytesRead) / bytesPerSec
			eta = "ETA " + shortDur(secsDur(secs))
		}
	}
	return bar + st.Muted.Render(fmt.Sprintf(" %3.0f%% %s/%s · %s lines/s · %s",
		frac*100, bytesHuman(p.BytesRead), bytesHuman(p.BytesTotal), rate(p.LinesPerSec), eta))
}

// statusView shows the latest notice or error; while the export prompt is
// open it shows the choices.
func (m *Model) statusView() string {
	st := m.c.st
	if m.muting {
		f := m.top().current()
		text := "mute " + rules.MuteFor(f).String() + ": s this session"
		if m.c.opts.SaveMute != nil {
			text += " · c also in the config"
		}
		return fitLine(st.FilterPrompt.Render(clean(text)+" · any other key cancels"), m.width)
	}
	if m.exporting {
		opts := "export: M report as Markdown · J report as JSON"
		if m.top().current() != nil {
			opts = "export: m finding as Markdown · j finding as JSON · M report Markdown · J report JSON"
		}
		return fitLine(st.FilterPrompt.Render(opts+" · any other key cancels"), m.width)
	}
	snap := m.c.snap
	right := st.Muted.Render(plural(len(snap.Findings), "finding") + " · " + plural(len(snap.Origins), "origin"))
	if gaps := possibleGaps(m.c.inputs); gaps > 0 {
		// Followed lines may be missing: say so where it is always seen.
		right = st.StatusError.Render(plural(int(gaps), "possible gap")) + " · " + right
	}
	left := m.status
	style := st.Status
	if m.statusErr {
		style = st.StatusError
	}
	rw := lipgloss.Width(right)
	lw := m.width - rw - 1
	if lw < 10 || lipgloss.Width(left) > lw {
		// A long message (an export path, an error) gets the whole line.
		return fitLine(style.Render(left), m.width)
	}
	return style.Render(pad(left, lw)) + " " + right
}

// possibleGaps counts the stretches of followed files that may not have
// been read.
func possibleGaps(inputs []parse.InputStats) int64 {
	var n int64
	for i := range inputs {
		n += int64(len(inputs[i].PossibleGaps)) + inputs[i].GapsDropped
	}
	return n
}

// helpLine is the short help of the active screen plus the global keys.
// Hints are in order of importance: ? and q always show, then the screen's
// own bindings (listed most important first) as many as fit.
func (m *Model) helpLine() string {
	return fitLine(m.c.help.ShortHelpView(m.hintBindings()), m.width)
}

// hintBindings picks the hints that fit the width: the screen's bindings
// in their order of importance while they fit, then ? and q.
func (m *Model) hintBindings() []key.Binding {
	k := m.c.keys
	always := []key.Binding{k.Help, k.Quit}
	if m.showHelp {
		return always
	}
	h := m.c.help
	h.Width = 0 // measure without help's own cut
	var b []key.Binding
	for _, cand := range m.top().shortHelp() {
		if !cand.Enabled() {
			continue
		}
		try := append(append(append([]key.Binding{}, b...), cand), always...)
		if lipgloss.Width(h.ShortHelpView(try)) > m.width {
			continue // a shorter hint further down may still fit
		}
		b = append(b, cand)
	}
	return append(b, always...)
}

// helpView is the full help of the active screen and the global keys,
// drawn from the same bindings that drive them.
func (m *Model) helpView(w, h int) string {
	k := m.c.keys
	st := m.c.st
	groups := m.top().fullHelp()
	global := []key.Binding{k.Back, k.Help, k.Quit, k.Export, k.Copy}
	if k.Follow.Enabled() {
		global = append(global, k.Follow)
	}
	groups = append(groups, global)
	body := st.Title.Render("Keys for "+m.top().title()) + "\n\n" + m.c.help.FullHelpView(groups) +
		"\n\n" + st.Muted.Render(wrap("Mouse: the wheel scrolls, a click selects a row, a click on the selected row opens it. Esc or ? closes this help.", w))
	return fit(body, w, h)
}
