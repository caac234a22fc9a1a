package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/edgetriage/edgetriage/rules"
)

// TestOverviewFillsTallTerminals: on tall terminals the overview gives its
// rows to the origins, the inputs and a taller chart instead of leaving
// them blank, and the chart spans the whole width on wide ones.
func TestOverviewFillsTallTerminals(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {160, 60}, {200, 80}} {
		w, h := size[0], size[1]
		m := newDriven(t, sampleOptions(t), w, h)
		view := m.View()
		checkFills(t, view, w, h)
		lines := strings.Split(view, "\n")
		body := lines[1 : h-2]
		blank := 0
		for i := len(body) - 1; i >= 0 && strings.TrimSpace(body[i]) == ""; i-- {
			blank++
		}
		// Rows may stay blank only when every origin and input is shown
		// and the chart is at its tallest.
		ov := m.stack[0].(*overview)
		origins, inputs, chart := ov.layout()
		all := origins >= len(ov.troubled) && inputs >= len(m.c.inputs) && chart == 8
		if blank > 0 && !all {
			t.Errorf("%dx%d: %d blank rows at the bottom of the overview while not all is shown:\n%s", w, h, blank, view)
		}
		// The axis's right time ends where the chart ends: at the last column.
		axisEnd := 0
		for _, l := range body {
			if strings.HasPrefix(l, "    09:00:00") {
				axisEnd = ansi.StringWidth(strings.TrimRight(l, " "))
			}
		}
		if want := w - 2; axisEnd != want {
			t.Errorf("%dx%d: the timeline ends at column %d, want %d (fill the width):\n%s", w, h, axisEnd, want, view)
		}
	}
}

// TestTimelineColumns: columns cover the window exactly once, in order,
// whether buckets outnumber columns or the other way round, and a few
// buckets do not stretch into a wall.
func TestTimelineColumns(t *testing.T) {
	for _, c := range []struct{ buckets, width, wantCols int }{
		{94, 120, 114}, {300, 120, 114}, {114, 120, 114}, {5, 120, 20}, {1, 80, 4}, {1000, 60, 54},
	} {
		o := &overview{c: &common{snap: &rules.Snapshot{}}, w: c.width}
		tl := &o.c.snap.Timeline
		tl.Step = time.Second
		for i := 0; i < c.buckets; i++ {
			tl.Status520 = append(tl.Status520, 1)
			tl.Incomplete202 = append(tl.Incomplete202, 0)
		}
		if got := o.chartCols(); got != c.wantCols {
			t.Errorf("%d buckets at %d wide: %d columns, want %d", c.buckets, c.width, got, c.wantCols)
		}
		next, sum := 0, 0
		for col := 0; col < o.chartCols(); col++ {
			a, b := o.colBuckets(col)
			if a > next || b <= a {
				t.Fatalf("%d buckets at %d wide: column %d shows [%d,%d), next unseen %d", c.buckets, c.width, col, a, b, next)
			}
			if a == next {
				sum += b - a
			}
			next = max(next, b)
		}
		if next != c.buckets || sum != c.buckets {
			t.Errorf("%d buckets at %d wide: columns cover %d (sum %d)", c.buckets, c.width, next, sum)
		}
		if got := o.columns(tl.Status520); len(got) != o.chartCols() {
			t.Errorf("columns: %d values, want %d", len(got), o.chartCols())
		}
	}
}

// TestTimelineLanes: a lane per kind present (5xx storms too), labels in
// their own column, the axis ending with the data, and the selected
// origin's findings drawn on the axis.
func TestTimelineLanes(t *testing.T) {
	lanesOf := func(v string) []string {
		var out []string
		for _, l := range strings.Split(v, "\n") {
			for _, name := range []string{"520 ", "5xx ", "202 "} {
				if strings.HasPrefix(l, name) {
					out = append(out, strings.TrimSpace(name))
				}
			}
		}
		return out
	}
	u := fixtureUpdate()
	u.Snapshot.Now = at0(58, 30)
	m := newDriven(t, fixtureOptions(u), 100, 30)
	v := m.View()
	if got := strings.Join(lanesOf(v), " "); got != "520 5xx 202" {
		t.Fatalf("lanes %q, want 520 5xx 202:\n%s", got, v)
	}
	if !strings.Contains(v, "10:58:30  ") || strings.Contains(v, "11:00:00 ") {
		t.Fatalf("the axis should end at the newest record (10:58:30):\n%s", v)
	}
	if !strings.Contains(v, "━") {
		t.Fatalf("the selected origin's span is not drawn:\n%s", v)
	}
	// Without 520s there is no 520 lane.
	u = fixtureUpdate()
	u.Snapshot.Findings = u.Snapshot.Findings[1:]
	for i := range u.Snapshot.Timeline.Status520 {
		u.Snapshot.Timeline.Status520[i] = 0
	}
	m = newDriven(t, fixtureOptions(u), 100, 30)
	if got := strings.Join(lanesOf(m.View()), " "); got != "5xx 202" {
		t.Fatalf("lanes %q, want 5xx 202:\n%s", got, m.View())
	}
	checkFills(t, m.View(), 100, 30)
}

// TestSpanStrip: the findings preview marks where the selected finding
// sits in the whole input.
func TestSpanStrip(t *testing.T) {
	st := NewStyles(DefaultTheme())
	tl := &rules.Timeline{Start: t0, Step: time.Minute, Status520: make([]int, 60)}
	f := &rules.Finding{Start: at0(30, 0), End: at0(44, 59)}
	s := spanStrip(st, tl, time.Time{}, f, 80)
	if ansi.StringWidth(s) != 80 || !strings.HasPrefix(s, "10:00:00 ") || !strings.HasSuffix(s, " 11:00:00") {
		t.Fatalf("strip %q", s)
	}
	bar := []rune(strings.TrimSuffix(strings.TrimPrefix(s, "10:00:00 "), " 11:00:00"))
	first, last := -1, -1
	for i, r := range bar {
		if r == '━' {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	// 30 to 45 minutes of 60: the middle quarter of the bar.
	if n := len(bar); first < n/2-1 || first > n/2+1 || last < n*3/4-2 || last > n*3/4 {
		t.Fatalf("span drawn at %d..%d of %d: %q", first, last, n, s)
	}
}
