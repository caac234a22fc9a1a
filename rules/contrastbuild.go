package rules

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// minBaseline is the fewest requests a baseline window needs to count as one.
const minBaseline = 50

// burstContrast builds burst b's contrast from its counts; nil when its
// origin's dimensions are not counted (past maxContrastOrigins).
func (e *Engine) burstContrast(b *burst) *Contrast {
	c := b.o.dims
	if c == nil || b.ctr == nil {
		return nil
	}
	class := class520
	if b.idx != 0 {
		class = class5xx
	}
	span, tot, fines, step := c.spanNow(b)
	bc := b.ctr
	ct := &Contrast{
		Span:     Window{From: ts(b.startT), To: ts(b.endT)},
		Baseline: Window{From: ts((bc.startB - baselineBuckets) * dimBucket), To: ts(b.startT)},
		Failing:  tot.fail[class], Total: tot.tot,
		BaselineFailing: bc.baseTot.fail[class], BaselineTotal: bc.baseTot.tot,
		Dimensions: []Dimension{},
	}
	ct.NoBaseline = bc.baseTot.tot < minBaseline
	for d := 0; d < numDims; d++ {
		if span[d].empty() && bc.base[d].empty() {
			if m := dimInfos[d].Missing; m != "" {
				ct.Missing = append(ct.Missing, MissingDimension{Name: dimInfos[d].Name, Label: dimInfos[d].Label, Field: m})
			}
			continue
		}
		dim := computeDimension(countsOf(d, &span[d], &bc.base[d], class))
		if d == dimClientNet {
			for i := range dim.Set {
				dim.Set[i] = netLabel(dim.Set[i])
			}
			for i := range dim.Values {
				dim.Values[i].Value = netLabel(dim.Values[i].Value)
			}
		}
		ct.Dimensions = append(ct.Dimensions, dim)
	}
	orderDimensions(ct.Dimensions)
	ct.Shape = shapeOf(bc.baseTot.fail[class], bc.baseTot.tot, fines, class, step, b.startT)
	ct.Shape.Precursors = precursors(bc, class)
	return ct
}

// countsOf joins a dimension's span and baseline tables by value.
func countsOf(d int, span, base *capTable, class int) dimCounts {
	in := dimCounts{name: dimInfos[d].Name, label: dimInfos[d].Label}
	at := make(map[string]int, len(span.ents))
	for i := range span.ents {
		v := &span.ents[i]
		at[v.v] = len(in.values)
		in.values = append(in.values, DimensionValue{Value: v.v, Failing: v.fail[class], Total: v.tot})
	}
	for i := range base.ents {
		v := &base.ents[i]
		j, ok := at[v.v]
		if !ok {
			j = len(in.values)
			at[v.v] = j
			in.values = append(in.values, DimensionValue{Value: v.v})
		}
		in.values[j].BaselineFailing += v.fail[class]
		in.values[j].BaselineTotal += v.tot
	}
	in.other = DimensionValue{Failing: span.other.fail[class], Total: span.other.tot,
		BaselineFailing: base.other.fail[class], BaselineTotal: base.other.tot}
	return in
}

// shapeOf tells the time shape from the baseline's failing share and the
// span's fine series (each entry step fine buckets).
func shapeOf(baseFail, baseTot int64, fines []fine, class int, step, startT int64) TimeShape {
	var fail, tot int64
	for _, f := range fines {
		fail += f.fail[class]
		tot += f.tot
	}
	s := TimeShape{Kind: ShapeUnknown, Before: -1, After: round4(rate(fail, tot))}
	if baseTot >= minBaseline {
		s.Before = round4(rate(baseFail, baseTot))
	}
	if tot < 20 {
		return s
	}
	if s.Before >= 0 && s.Before <= 0.05 && s.After >= 0.8 {
		s.Kind = ShapeStep
		s.At = ts(startT)
		return s
	}
	q := quarterRates(fines, class)
	dur := int64(len(fines)) * step * fineBucket
	switch {
	case q != nil && q[3] >= 2*q[0] && q[3]-q[0] >= 0.1 && q[1] >= q[0]-0.05 && q[2] >= q[1]-0.05:
		s.Kind = ShapeRamp
		s.Before, s.After = round4(q[0]), round4(q[3])
	case q != nil && s.After < 0.25 && steady(q):
		s.Kind = ShapeTrickle
	case dur <= 3*60e9:
		s.Kind = ShapeSpike
	case q != nil && s.After < 0.25:
		s.Kind = ShapeTrickle
	}
	return s
}

// quarterRates splits the series into four parts by time and gives each
// part's failing share; nil with fewer than four entries.
func quarterRates(fines []fine, class int) []float64 {
	n := len(fines)
	if n < 4 {
		return nil
	}
	out := make([]float64, 4)
	for q := 0; q < 4; q++ {
		var f, t int64
		for _, x := range fines[q*n/4 : (q+1)*n/4] {
			f += x.fail[class]
			t += x.tot
		}
		out[q] = rate(f, t)
	}
	return out
}

// steady says the quarters' shares stay within a factor of two (plus one
// point of slack for small shares).
func steady(q []float64) bool {
	lo, hi := q[0], q[0]
	for _, x := range q[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	return hi <= 2*lo+0.01
}

// precursors compares the 5 minutes before the start with the 10 before
// those: rising header waits and the other failure class (502/504/other
// 5xx before 520s, 520s before a storm).
func precursors(bc *burstCounts, class int) []string {
	var out []string
	other := 1 - class
	preN, earlyN := bc.preTot.fail[other], bc.earlyTot.fail[other]
	preR, earlyR := rate(preN, bc.preTot.tot), rate(earlyN, bc.earlyTot.tot)
	if rising5xx(bc, class) {
		what := "other 5xx"
		if other == class520 {
			what = "520s"
		}
		out = append(out, fmt.Sprintf("%d %s in the 5 minutes before (%s of requests; %s in the 10 minutes before that)",
			preN, what, pctStr(preR), pctStr(earlyR)))
	}
	if r := headerWaitRatio(bc); r >= 2 {
		out = append(out, fmt.Sprintf("median header wait rose %.1fx in the 5 minutes before (about %s against %s)",
			r, msStr(hwMedian(&bc.preHW)), msStr(hwMedian(&bc.earlyHW))))
	}
	return out
}

// rising5xx: at least 5 failures of the other class in the 5 minutes
// before, at twice the share of the 10 minutes before those.
func rising5xx(bc *burstCounts, class int) bool {
	other := 1 - class
	preN := bc.preTot.fail[other]
	preR, earlyR := rate(preN, bc.preTot.tot), rate(bc.earlyTot.fail[other], bc.earlyTot.tot)
	return preN >= 5 && preR >= 2*earlyR && preR > 0
}

// headerWaitRatio is the median header wait of the 5 minutes before over
// that of the 10 before; -1 when either has fewer than 10 timed requests.
func headerWaitRatio(bc *burstCounts) float64 {
	if hwCount(&bc.preHW) < 10 || hwCount(&bc.earlyHW) < 10 {
		return -1
	}
	a, b := hwMedian(&bc.preHW), hwMedian(&bc.earlyHW)
	if b <= 0 {
		b = 0.5
	}
	return round4(a / b)
}

func hwCount(h *[hwBins]int64) int64 {
	var n int64
	for _, c := range h {
		n += c
	}
	return n
}

// hwMedian is the median of a log2 histogram of ms, as its bin's middle.
func hwMedian(h *[hwBins]int64) float64 {
	n := hwCount(h)
	if n == 0 {
		return -1
	}
	var cum int64
	for b, c := range h {
		cum += c
		if 2*cum >= n {
			if b == 0 {
				return 0
			}
			return math.Round(1.5 * math.Exp2(float64(b-1)))
		}
	}
	return -1
}

func pctStr(x float64) string {
	p := x * 100
	switch {
	case p > 0 && p < 1:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	case p > 99 && p < 100:
		return ">99%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

func msStr(ms float64) string {
	if ms >= 1000 {
		return strconv.FormatFloat(ms/1000, 'f', 1, 64) + " s"
	}
	return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
}

// evidenceLine quotes a dimension's contrast: the set's values with their
// failing share, then the busiest healthy ones ("FRA 100% of 412, AMS 100%
// of 398; LHR 0% of 405, CDG 0% of 390").
func evidenceLine(d *Dimension) string {
	var in, out []string
	for _, v := range d.Values {
		s := fmt.Sprintf("%s %s of %d", v.Value, pctStr(v.Rate()), v.Total)
		if v.InSet {
			in = append(in, s)
		} else if len(out) < 4 && v.Total > 0 {
			out = append(out, s)
		}
	}
	line := strings.Join(in, ", ")
	if len(out) > 0 {
		if line != "" {
			line += "; "
		}
		line += strings.Join(out, ", ")
	}
	if o := d.Other; o != nil && o.Total > 0 {
		line += fmt.Sprintf("; other values %s of %d", pctStr(o.Rate()), o.Total)
	}
	return line
}

// cloneContrast deep-copies a contrast for a snapshot.
func cloneContrast(c *Contrast) *Contrast {
	if c == nil {
		return nil
	}
	x := *c
	x.Dimensions = make([]Dimension, len(c.Dimensions))
	for i, d := range c.Dimensions {
		d.Set = slices.Clone(d.Set)
		d.Values = slices.Clone(d.Values)
		if d.Other != nil {
			o := *d.Other
			d.Other = &o
		}
		x.Dimensions[i] = d
	}
	x.Missing = slices.Clone(c.Missing)
	x.Shape.Precursors = slices.Clone(c.Shape.Precursors)
	return &x
}
