package report

import (
	"math"
	"strconv"
	"time"

	"github.com/edgetriage/edgetriage/rules"
)

// Charts of the HTML report, as geometry the template draws as inline SVG:
// no script, no fonts to fetch, and every number computed here so the
// template holds no arithmetic.

const (
	chartWidth  = 960 // viewBox units; the SVG scales to the page width
	laneLabel   = 150 // the left column with each lane's label
	laneHeight  = 36
	laneGap     = 8
	axisHeight  = 22
	maxBars     = 120 // more buckets are merged, so bars stay visible
	maxBandRows = 6   // rows of the findings lane
	bandRow     = 12
	minuteChart = time.Minute
)

type svgChart struct {
	Width, Height int
	Title         string
	Rects         []svgRect
	Texts         []svgText
	Legend        []htmlBadge
}

type svgRect struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type svgText struct {
	X, Y   float64
	Anchor string // start, middle, end
	Class  string
	Text   string
}

// lane is one row of bars scaled to its own maximum.
type lane struct {
	label, class string
	values       []int
}

// overviewChart draws the whole input's timeline: a lane per kind of trouble
// present, each scaled to its own peak, and a lane with every finding's span.
func overviewChart(d *Document) *svgChart {
	tl := d.timeline
	if tl == nil || len(tl.Requests) == 0 || tl.Step <= 0 || tl.Start.IsZero() {
		return nil
	}
	k := (len(tl.Requests) + maxBars - 1) / maxBars
	step := tl.Step * time.Duration(k)
	lanes := []lane{{"requests", "req", merge(tl.Requests, k)}}
	if sum(tl.Status520) > 0 {
		lanes = append(lanes, lane{"520 responses", "s520", merge(tl.Status520, k)})
	}
	if sum(tl.Incomplete202) > 0 {
		lanes = append(lanes, lane{"202 never completed", "s202", merge(tl.Incomplete202, k)})
	}
	n := len(lanes[0].values)
	c := &svgChart{Width: chartWidth, Title: "Timeline of the input: requests and trouble per " + span(step)}
	y := 0.0
	for _, l := range lanes {
		c.lane(l, y, n)
		y += laneHeight + laneGap
	}
	// the findings lane: one band per finding over its span
	start, end := tl.Start, tl.Start.Add(step*time.Duration(n))
	x := func(t time.Time) float64 {
		return laneLabel + float64(chartWidth-laneLabel)*clamp01(float64(t.Sub(start))/float64(end.Sub(start)))
	}
	c.Texts = append(c.Texts, svgText{X: laneLabel - 8, Y: y + 14, Anchor: "end", Class: "lbl", Text: "findings"})
	// overlapping findings go on rows of their own (greedy, at most
	// maxBandRows), so no band hides another
	var rowEnd []float64
	for i := range d.Findings {
		f := &d.Findings[i]
		if f.start.IsZero() {
			continue
		}
		x0, x1 := x(f.start), math.Max(x(f.end), x(f.start)+2)
		row := -1
		for r, e := range rowEnd {
			if e+1 < x0 {
				row = r
				break
			}
		}
		if row < 0 && len(rowEnd) < maxBandRows {
			row, rowEnd = len(rowEnd), append(rowEnd, 0)
		} else if row < 0 {
			row = len(rowEnd) - 1
		}
		rowEnd[row] = math.Max(rowEnd[row], x1)
		c.Rects = append(c.Rects, svgRect{X: x0, Y: y + 2 + float64(row)*bandRow, W: x1 - x0, H: bandRow - 2,
			Class: "band " + f.Severity.String(), Title: inert(findingHeading(f)) + " · " + inert(f.Origin) + " · " + timeRangeText(f.start, f.end, "→")})
	}
	y += math.Max(float64(len(rowEnd))*bandRow+2, laneHeight) - laneHeight
	y += laneHeight
	c.axis(start, end, y)
	c.Height = int(y) + axisHeight
	c.Legend = []htmlBadge{{"critical", "critical"}, {"warning", "warning"}, {"info", "info"}}
	return c
}

// findingChart draws a finding's failures per minute against all requests
// of the input in the same minutes (the engine's timeline counts requests
// of every origin, so "other" is an upper bound on the origin's healthy
// requests, not an exact count).
func findingChart(d *Document, f *Finding) *svgChart {
	src := f.src
	if src == nil || len(src.Timeline) == 0 || src.TimelineStep <= 0 || f.start.IsZero() {
		return nil
	}
	step := src.TimelineStep
	bucket := max(minuteChart, step)
	first := f.start.Truncate(step)
	tl := d.timeline
	off := -1
	if tl != nil && !tl.Start.IsZero() && tl.Step == step {
		first = tl.Start.Add(f.start.Sub(tl.Start).Truncate(step))
		off = int(f.start.Sub(tl.Start) / step)
	}
	base := first.Truncate(bucket)
	bin := func(j int) int { return int(first.Add(step*time.Duration(j)).Sub(base) / bucket) }
	nb := bin(len(src.Timeline)-1) + 1
	if nb > 24*60 { // a day of minutes at most; the engine's step grows first
		return nil
	}
	failing, total := make([]int, nb), make([]int, nb)
	for j, v := range src.Timeline {
		failing[bin(j)] += v
	}
	haveTotal := false
	if off >= 0 && tl != nil {
		for j := range src.Timeline {
			if g := off + j; g >= 0 && g < len(tl.Requests) {
				total[bin(j)] += tl.Requests[g]
				haveTotal = true
			}
		}
	}
	what, legend := "Failing requests", "failing (this finding)"
	if f.Kind == rules.KindIncomplete202 {
		what, legend = "Operations that never completed (by their opening 202)", "never completed (this finding)"
	}
	c := &svgChart{Width: chartWidth, Title: what + " per " + span(bucket) + " against all requests"}
	peak := max(maxInt(failing), maxInt(total))
	h := 2.0 * laneHeight
	y := 0.0
	bw := float64(chartWidth-laneLabel) / float64(nb)
	for i := 0; i < nb; i++ {
		x := laneLabel + float64(i)*bw
		t := base.Add(bucket * time.Duration(i)).UTC().Format("15:04")
		if haveTotal && total[i] > 0 {
			th := h * float64(total[i]) / float64(peak)
			c.Rects = append(c.Rects, svgRect{X: x + 0.5, Y: y + h - th, W: math.Max(bw-1, 0.5), H: th, Class: "req",
				Title: t + " · " + count(int64(total[i])) + " requests (all origins)"})
		}
		if failing[i] > 0 {
			fh := math.Max(h*float64(failing[i])/float64(peak), 1)
			c.Rects = append(c.Rects, svgRect{X: x + 0.5, Y: y + h - fh, W: math.Max(bw-1, 0.5), H: fh, Class: "fail",
				Title: t + " · " + count(int64(failing[i])) + " failing"})
		}
	}
	c.Texts = append(c.Texts,
		svgText{X: laneLabel - 8, Y: y + 12, Anchor: "end", Class: "lbl", Text: count(int64(peak)) + " / " + span(bucket)},
		svgText{X: laneLabel - 8, Y: y + h, Anchor: "end", Class: "lbl", Text: "0"})
	y += h
	c.axis(base, base.Add(bucket*time.Duration(nb)), y)
	c.Height = int(y) + axisHeight
	c.Legend = []htmlBadge{{"fail", legend}}
	if haveTotal {
		c.Legend = append(c.Legend, htmlBadge{"req", "all requests (every origin)"})
	}
	return c
}

// lane draws one lane's bars at height y, scaled to the lane's own peak.
func (c *svgChart) lane(l lane, y float64, n int) {
	peak := maxInt(l.values)
	bw := float64(chartWidth-laneLabel) / float64(n)
	c.Texts = append(c.Texts,
		svgText{X: laneLabel - 8, Y: y + 14, Anchor: "end", Class: "lbl", Text: l.label},
		svgText{X: laneLabel - 8, Y: y + 28, Anchor: "end", Class: "lbl dim", Text: "peak " + count(int64(peak))})
	c.Rects = append(c.Rects, svgRect{X: laneLabel, Y: y, W: chartWidth - laneLabel, H: laneHeight, Class: "lanebg"})
	if peak <= 0 {
		return
	}
	for i, v := range l.values {
		if v <= 0 {
			continue
		}
		bh := math.Max(laneHeight*float64(v)/float64(peak), 1.5)
		c.Rects = append(c.Rects, svgRect{X: laneLabel + float64(i)*bw + 0.25, Y: y + laneHeight - bh,
			W: math.Max(bw-0.5, 0.5), H: bh, Class: l.class, Title: count(int64(v)) + " " + l.label})
	}
}

// axis writes the start, middle and end times under the chart.
func (c *svgChart) axis(start, end time.Time, y float64) {
	layout := "15:04"
	if end.Sub(start) < 5*time.Minute {
		layout = "15:04:05"
	}
	if start.UTC().YearDay() != end.UTC().YearDay() || start.UTC().Year() != end.UTC().Year() {
		layout = "01-02 15:04"
	}
	mid := start.Add(end.Sub(start) / 2)
	ty := y + 16
	c.Texts = append(c.Texts,
		svgText{X: laneLabel, Y: ty, Anchor: "start", Class: "lbl", Text: start.UTC().Format(layout) + " UTC"},
		svgText{X: laneLabel + float64(chartWidth-laneLabel)/2, Y: ty, Anchor: "middle", Class: "lbl", Text: mid.UTC().Format(layout)},
		svgText{X: chartWidth, Y: ty, Anchor: "end", Class: "lbl", Text: end.UTC().Format(layout)})
}

// merge sums every k consecutive buckets.
func merge(in []int, k int) []int {
	if k <= 1 {
		return in
	}
	out := make([]int, (len(in)+k-1)/k)
	for i, v := range in {
		out[i/k] += v
	}
	return out
}

func sum(in []int) int {
	s := 0
	for _, v := range in {
		s += v
	}
	return s
}

func maxInt(in []int) int {
	m := 0
	for _, v := range in {
		m = max(m, v)
	}
	return m
}

func clamp01(x float64) float64 { return math.Min(math.Max(x, 0), 1) }

// roundTo rounds x to the given decimals (stable SVG output).
func roundTo(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// svgNum formats a coordinate with at most two decimals.
func svgNum(x float64) string { return strconv.FormatFloat(roundTo(x, 2), 'f', -1, 64) }
