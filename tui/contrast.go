package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/edgetriage/edgetriage/rules"
)

// Limits of the "What separates the failures" section, so it stays a
// screenful at 80x24: every dimension that separates (at most
// maxSeparating), then the strongest that do not (at most maxOthers),
// each with a few value rows.
const (
	maxSeparating   = 4
	maxOthers       = 2
	rowsSeparating  = 5
	rowsOther       = 3
	shareBarW       = 8
	contrastValueW  = 22
	defaultCauses   = 3
	contrastIndent  = "   "
	contrastValueIn = "     "
)

// contrastPick is a value the user can select in the section: Enter then
// lists the finding's requests with that value.
type contrastPick struct {
	dim   string // Dimension.Name
	label string // Dimension.Label
	value string
	line  int // line of the row in the rendered section
}

// shownDimensions are the dimensions the section shows, strongest first:
// those that separate, then the strongest of the rest.
func shownDimensions(c *rules.Contrast) []*rules.Dimension {
	var sep, other []*rules.Dimension
	for i := range c.Dimensions {
		d := &c.Dimensions[i]
		if d.Separates {
			if len(sep) < maxSeparating {
				sep = append(sep, d)
			}
		} else if len(other) < maxOthers {
			other = append(other, d)
		}
	}
	return append(sep, other...)
}

// shownValues orders a dimension's values for its table: the separating
// set first (most failures first), then the rest by request count, at most
// n, and sums what is left with Other.
func shownValues(d *rules.Dimension, n int) (rows []rules.DimensionValue, rest rules.DimensionValue, restN int) {
	inSet := map[string]bool{}
	for _, v := range d.Set {
		inSet[v] = true
	}
	// A value without requests in the span says nothing.
	vals := make([]rules.DimensionValue, 0, len(d.Values))
	for _, v := range d.Values {
		if v.Total > 0 || inSet[v.Value] {
			vals = append(vals, v)
		}
	}
	for i := range vals {
		vals[i].InSet = vals[i].InSet || inSet[vals[i].Value]
	}
	sort.SliceStable(vals, func(i, j int) bool {
		a, b := vals[i], vals[j]
		if a.InSet != b.InSet {
			return a.InSet
		}
		if a.InSet && a.Failing != b.Failing {
			return a.Failing > b.Failing
		}
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.Value < b.Value
	})
	// The whole set shows when it is small, even past n.
	setN := 0
	for _, v := range vals {
		if v.InSet {
			setN++
		}
	}
	n = max(n, min(setN+1, n+2))
	if len(vals) <= n {
		rows = vals
	} else {
		rows = vals[:n]
		for _, v := range vals[n:] {
			rest.Failing += v.Failing
			rest.Total += v.Total
			restN++
		}
	}
	if d.Other != nil {
		rest.Failing += d.Other.Failing
		rest.Total += d.Other.Total
		restN += max(d.Distinct-len(d.Values), 1) // Other holds at least one value
	}
	return rows, rest, restN
}

// shareBar draws a failing share as a bar of shareBarW cells in eighths;
// a zero share is one thin stroke, so an empty bar still reads as a bar.
func shareBar(rate float64) string {
	eighths := int(rate*float64(shareBarW*8) + 0.5)
	if rate > 0 && eighths == 0 {
		eighths = 1
	}
	if eighths <= 0 {
		return "▏" + strings.Repeat(" ", shareBarW-1)
	}
	full, part := eighths/8, eighths%8
	s := strings.Repeat("█", full)
	if part > 0 {
		s += string([]rune("▏▎▍▌▋▊▉")[part-1])
	}
	return pad(s, shareBarW)
}

// contrastBlock renders the section at width w and returns its lines and
// the selectable values with their line numbers within the block.
func (d *detail) contrastBlock(w int) ([]string, []contrastPick) {
	st := d.c.st
	c := d.f.Contrast
	if c == nil {
		return []string{st.Muted.Render(contrastIndent + "no contrast for this finding")}, nil
	}
	var out []string
	var picks []contrastPick
	add := func(s string) { out = append(out, strings.Split(s, "\n")...) }
	add(st.Muted.Render(indent(wrap(contrastSummary(c), max(w-3, 10)), contrastIndent, contrastIndent)))
	dims := shownDimensions(c)
	if len(dims) == 0 {
		add(st.Muted.Render(contrastIndent + "no dimension separates the failures: they are spread over every value seen"))
	}
	for _, dim := range dims {
		n := rowsSeparating
		if !dim.Separates {
			n = rowsOther
		}
		out = append(out, "")
		add(dimensionHead(st, dim, w))
		rows, rest, restN := shownValues(dim, n)
		restLabel := fmt.Sprintf("%d others", restN)
		vw := valueWidth(rows, w)
		if restN > 0 {
			vw = max(vw, len(restLabel))
		}
		for _, v := range rows {
			p := contrastPick{dim: dim.Name, label: dim.Label, value: v.Value, line: len(out)}
			if pickQuery(p) == "" {
				out = append(out, d.valueRow(v, vw, false))
				continue
			}
			selected := d.sel >= 0 && d.sel == len(picks)
			picks = append(picks, p)
			out = append(out, d.valueRow(v, vw, selected))
		}
		if restN > 0 && rest.Total > 0 {
			text := fmt.Sprintf("%s%s %s %4s of %s", contrastValueIn, pad(restLabel, vw), shareBar(rest.Rate()),
				pct(rest.Rate()), num(rest.Total))
			out = append(out, st.Muted.Render(text))
		}
	}
	for _, m := range c.Missing {
		add(st.Muted.Render(indent(wrap(fmt.Sprintf("not in this log: %s (add %s)", clean(m.Label), clean(m.Field)), max(w-3, 10)),
			contrastIndent, contrastIndent)))
	}
	if s := shapeText(&c.Shape); s != "" {
		out = append(out, "")
		add(indent(wrap(s, max(w-3, 10)), contrastIndent, contrastIndent))
	}
	for _, p := range c.Shape.Precursors {
		add(st.Muted.Render(indent(wrap(clean(p), max(w-5, 10)), contrastIndent+"· ", contrastIndent+"  ")))
	}
	return out, picks
}

// valueWidth is the value column's width: as wide as the widest value
// needs, within what the row leaves.
func valueWidth(rows []rules.DimensionValue, w int) int {
	vw := 4
	for _, v := range rows {
		vw = max(vw, len([]rune(clean(v.Value))))
	}
	// marker, bar, " 100% of 1,234,567"
	room := w - len(contrastValueIn) - 1 - shareBarW - 18
	return clampInt(vw, 4, max(min(contrastValueW, room), 4))
}

func (d *detail) valueRow(v rules.DimensionValue, vw int, selected bool) string {
	st := d.c.st
	marker := contrastValueIn
	if selected {
		marker = "   " + st.Cursor.Render("› ")
	}
	name := pad(clean(v.Value), vw)
	bar := shareBar(v.Rate())
	if v.Failing > 0 {
		bar = st.Bar520.Render(bar)
	} else {
		bar = st.Good.Render(bar)
	}
	text := fmt.Sprintf(" %4s of %s", pct(v.Rate()), num(v.Total))
	if selected {
		name = st.Selected.Render(name)
	} else if v.InSet {
		name = st.Title.Render(name)
	}
	return marker + name + " " + bar + st.Muted.Render(text)
}

// dimensionHead is a dimension's heading: its name, whether it separates
// and the set's failure rate against the rest's.
func dimensionHead(st *Styles, d *rules.Dimension, w int) string {
	label := d.Label
	if label == "" {
		label = d.Name
	}
	verdict := "does not separate"
	if d.Separates {
		verdict = "separates"
	}
	hold := "hold"
	if len(d.Set) == 1 {
		hold = "holds"
	}
	detail := fmt.Sprintf(" · %s: %s of %s %s %s of the failures; they fail %s, the rest %s",
		verdict, plural(len(d.Set), "value"), num(d.Distinct), hold, pct(d.Coverage), pct(d.InsideRate), pct(d.OutsideRate))
	head := st.Label.Render(clean(label))
	if d.Separates {
		head = st.Accent.Render(clean(label))
	}
	return indent(wrap(head+st.Muted.Render(detail), max(w-3, 10)), contrastIndent, contrastIndent+"  ")
}

// contrastSummary is the section's first line: what is compared.
func contrastSummary(c *rules.Contrast) string {
	if c.Unit == rules.ContrastOperations {
		return fmt.Sprintf("%s of %s operations did not complete (%s); the rest are the origin's completed ones since %s.",
			num(c.Failing), num(c.Total), pct(float64(c.Failing)/float64(max(c.Total, 1))), clock(c.Span.From))
	}
	s := fmt.Sprintf("%s of %s requests failed in the span", num(c.Failing), num(c.Total))
	if c.Total > 0 {
		s += " (" + pct(float64(c.Failing)/float64(c.Total)) + ")"
	}
	switch {
	case c.NoBaseline:
		s += "; no baseline: the input starts inside the trouble"
	case c.BaselineTotal > 0:
		s += fmt.Sprintf("; before it %s of %s (%s)", num(c.BaselineFailing), num(c.BaselineTotal),
			pct(float64(c.BaselineFailing)/float64(c.BaselineTotal)))
	}
	return s + "."
}

// shapeText says how the failing share moved over time.
func shapeText(s *rules.TimeShape) string {
	switch s.Kind {
	case rules.ShapeStep:
		return fmt.Sprintf("Shape: a step at %s, from %s failing to %s.", clock(s.At), pct(s.Before), pct(s.After))
	case rules.ShapeRamp:
		return fmt.Sprintf("Shape: a ramp, from %s failing to %s.", pct(s.Before), pct(s.After))
	case rules.ShapeTrickle:
		return "Shape: a trickle, a low steady share on every value."
	case rules.ShapeSpike:
		return "Shape: a spike, a short dense run."
	}
	return ""
}

// causeLines is the causes in one reading order: each cause, its
// evidence, then its own fixes; at most defaultCauses unless all is set.
// Fixes of the finding that no cause claims follow under "Also".
func (d *detail) causeLines(w int, all bool) []string {
	st := d.c.st
	f := d.f
	var out []string
	add := func(s string) { out = append(out, strings.Split(s, "\n")...) }
	if len(f.Causes) == 0 {
		add(st.Muted.Render("   no cause rule matched: see Numbers and Affected below"))
	}
	shown := f.Causes
	if !all && len(shown) > defaultCauses {
		shown = shown[:defaultCauses]
	}
	claimed := map[string]bool{}
	for _, c := range f.Causes {
		for _, fx := range c.Fixes {
			claimed[fx] = true
		}
	}
	for i, c := range shown {
		title := wrap(clean(c.Title), max(w-12, 10))
		add(indent(title, fmt.Sprintf("   %d. ", i+1)+st.Accent.Render(padLeft(pct(c.Confidence), 4))+" ", "           "))
		for _, e := range c.Evidence {
			add(st.Muted.Render(indent(wrap(clean(e), max(w-13, 10)), "           · ", "             ")))
		}
		for _, fx := range c.Fixes {
			add(indent(wrap(clean(fx), max(w-13, 10)), "           "+st.Good.Render("→ "), "             "))
		}
	}
	if hidden := len(f.Causes) - len(shown); hidden > 0 {
		add(st.Muted.Render(fmt.Sprintf("   … %d more %s — c shows all", hidden, map[bool]string{true: "cause", false: "causes"}[hidden == 1])))
	}
	var loose []string
	for _, fx := range f.Fixes {
		if !claimed[fx] {
			loose = append(loose, fx)
		}
	}
	if len(loose) > 0 {
		add(st.Label.Render("   Also worth checking"))
		for _, fx := range loose {
			add(indent(wrap(clean(fx), max(w-5, 10)), "   "+st.Good.Render("→ "), "     "))
		}
	}
	return out
}

// pickQuery is the filter that lists the requests with a contrast value:
// a field test where the dimension is a field ("" when it is not: such
// values are not selectable).
func pickQuery(p contrastPick) string {
	v := strings.ReplaceAll(p.value, " ", "")
	switch p.dim {
	case "colo", "upstream", "method", "protocol", "cache", "input":
		return p.dim + "=" + v
	case "route":
		if i := strings.IndexByte(v, '{'); i >= 0 {
			return "path~" + v[:i]
		}
		return "path=" + v
	case "segment":
		return "path~" + v
	case "endpoint": // a 202 group's "POST /v1/exports"
		m, path, ok := strings.Cut(p.value, " ")
		if !ok || strings.ContainsAny(path, " ") {
			return ""
		}
		if i := strings.IndexByte(path, '{'); i >= 0 {
			return "method=" + m + " path~" + path[:i]
		}
		return "method=" + m + " path=" + path
	case "header_wait":
		return bucketQuery("header_wait", v)
	case "connection":
		switch v {
		case "new":
			return "connect>0s"
		case "reused":
			return "connect=0s"
		}
	case "client_net":
		if i := strings.IndexByte(v, '/'); i > 0 {
			v = v[:i]
		}
		if strings.Contains(v, ":") {
			return "client~" + strings.TrimRight(v, ":") + ":"
		}
		return "client~" + strings.TrimSuffix(v, ".0") + "."
	case "ua_family":
		if v != "other" && v != "" {
			return "ua~" + strings.ToLower(v)
		}
	}
	return ""
}

// bucketQuery turns a duration bucket ("<20ms", "20-500ms", "0.5-5s",
// ">=5s") into tests of field.
func bucketQuery(field, v string) string {
	for _, op := range []string{"<=", ">=", "<", ">"} {
		if strings.HasPrefix(v, op) {
			return field + v
		}
	}
	lo, hi, ok := strings.Cut(v, "-")
	if !ok {
		return ""
	}
	unit := strings.TrimLeft(hi, "0123456789.")
	return field + ">=" + lo + unit + " " + field + "<" + hi
}
