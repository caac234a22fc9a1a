package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/edgetriage/edgetriage/rules"
)

// lane is one row group of the overview's timeline: a kind of trouble.
type lane struct {
	label string // its own column, 4 wide
	name  string // for the selected column's text: "520", "5xx in storms", ...
	style lipgloss.Style
	data  []int // per bucket of Snapshot.Timeline
}

const laneLabelW = 4

// lanes are the kinds of trouble present, in a fixed order: 520s, 5xx
// storms (from the storms' own timelines, as the snapshot keeps no series
// for them) and 202s never completed.
func (o *overview) lanes() []lane {
	snap := o.c.snap
	tl := &snap.Timeline
	kinds := map[rules.Kind]bool{}
	for i := range snap.Findings {
		kinds[snap.Findings[i].Kind] = true
	}
	st := o.c.st
	var out []lane
	if kinds[rules.KindBurst520] || maxOf(tl.Status520) > 0 {
		out = append(out, lane{"520", "520", st.Bar520, tl.Status520})
	}
	if kinds[rules.KindBurst5xx] {
		out = append(out, lane{"5xx", "5xx in storms", st.Bar5xx, o.stormSeries()})
	}
	if kinds[rules.KindIncomplete202] || maxOf(tl.Incomplete202) > 0 {
		out = append(out, lane{"202", "202 never completed", st.Bar202, tl.Incomplete202})
	}
	return out
}

// stormSeries sums the 5xx storms' own timelines into the snapshot's buckets.
func (o *overview) stormSeries() []int {
	tl := &o.c.snap.Timeline
	out := make([]int, len(tl.Status520))
	if tl.Step <= 0 {
		return out
	}
	for i := range o.c.snap.Findings {
		f := &o.c.snap.Findings[i]
		if f.Kind != rules.KindBurst5xx || f.TimelineStep <= 0 {
			continue
		}
		for j, v := range f.Timeline {
			at := f.Start.Add(time.Duration(j) * f.TimelineStep)
			if k := int(at.Sub(tl.Start) / tl.Step); k >= 0 && k < len(out) {
				out[k] += v
			}
		}
	}
	return out
}

// selectedSpans marks the columns covered by the selected origin's
// findings, for the axis.
func (o *overview) selectedSpans() []bool {
	cols := make([]bool, o.chartCols())
	if o.focus != paneOrigins || o.cursor < 0 || o.cursor >= len(o.troubled) {
		return cols
	}
	tl := &o.c.snap.Timeline
	origin := o.troubled[o.cursor].Origin
	for i := range o.c.snap.Findings {
		f := &o.c.snap.Findings[i]
		if f.Origin != origin {
			continue
		}
		for c := range cols {
			a, b := o.colBuckets(c)
			from, to := tl.Start.Add(time.Duration(a)*tl.Step), tl.Start.Add(time.Duration(b)*tl.Step)
			if !f.End.Before(from) && f.Start.Before(to) {
				cols[c] = true
			}
		}
	}
	return cols
}

// timelineLines is the timeline: a title, a lane of rows rows per kind of
// trouble present, and an axis from the window's start to its end (the
// newest record when the window reaches it), with the selected origin's
// findings drawn on it; with the timeline focused the axis is a caret and
// the selected column's range and counts.
func (o *overview) timelineLines(rows int) []string {
	st := o.c.st
	tl := &o.c.snap.Timeline
	lanes := o.lanes()
	want := max(len(lanes), 2)*rows + 2
	head := "  Timeline"
	if o.focus == paneTimeline {
		head = "▸ Timeline"
	}
	lo, hi := o.window()
	if hi <= lo || tl.Step <= 0 || len(lanes) == 0 {
		out := []string{st.Section.Render(head), st.Muted.Render("    no trouble on the timeline yet")}
		for len(out) < want {
			out = append(out, "")
		}
		return out
	}
	from := tl.Start.Add(time.Duration(lo) * tl.Step)
	to := tl.Start.Add(time.Duration(hi) * tl.Step)
	if end := o.c.snap.Now; hi == len(tl.Status520) && !end.IsZero() && end.Before(to) && end.After(from) {
		to = end // the axis ends where the data ends, not at the bucket's end
	}
	cols := make([][]int, len(lanes))
	var peaks []string
	for i, l := range lanes {
		cols[i] = o.columns(l.data)
		peaks = append(peaks, num(maxOf(cols[i]))+" × "+l.label)
	}
	per := "per " + shortDur(tl.Step)
	if n := hi - lo; n > o.chartCols() {
		per = "per ≈" + shortDur(time.Duration(n)*tl.Step/time.Duration(o.chartCols()))
	}
	info := fmt.Sprintf("  %s · %s · peak %s", per, span(from, to), strings.Join(peaks, ", "))
	if lipgloss.Width(head+info) > o.w {
		info = fmt.Sprintf("  %s · %s–%s · peak %s", per, clock(from), clock(to), strings.Join(peaks, ", "))
	}
	if hi-lo < len(tl.Status520) {
		info += " · zoomed (esc resets)"
	}
	out := []string{st.Section.Render(head) + st.Muted.Render(info)}
	for i, l := range lanes {
		for r, line := range bars(cols[i], maxOf(cols[i]), rows) {
			label := strings.Repeat(" ", laneLabelW)
			if r == rows-1 {
				label = pad(l.label, laneLabelW)
			}
			out = append(out, st.Label.Render(label)+l.style.Render(line))
		}
	}
	for len(out) < want-1 {
		out = append(out, "")
	}
	if o.focus == paneTimeline {
		return append(out, o.caretLine(lanes, cols))
	}
	return append(out, o.axisLine(from, to))
}

// axisLine is the start and end times at the chart's edges, a baseline
// between them and, thick, the columns of the selected origin's findings.
func (o *overview) axisLine(from, to time.Time) string {
	st := o.c.st
	n := o.chartCols()
	left, right := clock(from), clock(to)
	marks := o.selectedSpans()
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", laneLabelW) + left + " ")
	for c := len(left) + 1; c < n-len(right)-1; c++ {
		if marks[c] {
			b.WriteString(st.Accent.Render("━"))
		} else {
			b.WriteString(st.Muted.Render("─"))
		}
	}
	if n < len(left)+len(right)+2 {
		return st.Muted.Render(strings.Repeat(" ", laneLabelW) + left)
	}
	b.WriteString(" " + right)
	return st.Muted.Render(b.String())
}

// caretLine marks the selected column and says its range and counts.
func (o *overview) caretLine(lanes []lane, cols [][]int) string {
	st := o.c.st
	a, b, _ := o.colRange()
	var counts []string
	for i, l := range lanes {
		counts = append(counts, num(at(cols[i], o.col))+" × "+l.name)
	}
	caret := strings.Repeat(" ", laneLabelW+o.col) + st.Cursor.Render("▲")
	text := fmt.Sprintf(" %s–%s: %s", clock(a), clock(b), strings.Join(counts, ", "))
	if laneLabelW+o.col+1+lipgloss.Width(text) > o.w {
		// Near the right edge the text goes left of the caret.
		text = strings.TrimPrefix(text, " ")
		return strings.Repeat(" ", max(laneLabelW+o.col-lipgloss.Width(text)-1, 0)) + st.Muted.Render(text) + " " + st.Cursor.Render("▲")
	}
	return caret + st.Muted.Render(text)
}

// spanStrip is a one-line axis of the whole input, w wide, with the
// finding's span drawn thick on it and the times at its ends: where in the
// log the selected finding sits.
func spanStrip(st *Styles, tl *rules.Timeline, end time.Time, f *rules.Finding, w int) string {
	from := tl.Start
	to := tl.Start.Add(time.Duration(len(tl.Status520)) * tl.Step)
	if !end.IsZero() && end.Before(to) && end.After(from) {
		to = end
	}
	left, right := clock(from), clock(to)
	n := w - len(left) - len(right) - 2
	if from.IsZero() || !to.After(from) || n < 10 {
		return st.Muted.Render(strings.Repeat("─", w))
	}
	total := to.Sub(from)
	a := int(float64(n) * float64(f.Start.Sub(from)) / float64(total))
	b := int(float64(n) * float64(f.End.Sub(from)) / float64(total))
	a, b = clampInt(a, 0, n-1), clampInt(b, 0, n-1)
	var sb strings.Builder
	for c := 0; c < n; c++ {
		if c >= a && c <= b {
			sb.WriteString(st.Accent.Render("━"))
		} else {
			sb.WriteString(st.Muted.Render("─"))
		}
	}
	return st.Muted.Render(left+" ") + sb.String() + st.Muted.Render(" "+right)
}
