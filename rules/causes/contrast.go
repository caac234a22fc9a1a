package causes

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/edgetriage/edgetriage/rules"
)

// contrastView is what cause rules read of a finding's contrast: its
// features by name and, per dimension, the set and the evidence line. The
// engine writes the same features and strings into the finding (it wins
// where it does); this view fills what it did not, so that a finding that
// only carries a Contrast (a test, an archived JSON report) is explained
// the same way.
type contrastView struct {
	feats map[string]float64
	dims  map[string]*rules.Dimension
	// redrawn dimensions (see redraw) and the features they override,
	// the engine's included
	redrawn  map[string]*rules.Dimension
	override map[string]float64
	miss     map[string]string // dimension name -> field to add
	ct       *rules.Contrast
}

func newContrastView(f *rules.Finding) *contrastView {
	v := &contrastView{feats: map[string]float64{}, dims: map[string]*rules.Dimension{}, miss: map[string]string{}, ct: f.Contrast,
		redrawn: map[string]*rules.Dimension{}, override: map[string]float64{}}
	ct := f.Contrast
	if ct == nil {
		v.derived(f)
		return v
	}
	for i := range ct.Dimensions {
		d := &ct.Dimensions[i]
		v.dims[d.Name] = d
	}
	for _, m := range ct.Missing {
		v.miss[m.Name] = m.Field
	}
	for _, name := range ContrastDimensions {
		d := v.dims[name]
		if d == nil {
			continue
		}
		v.feats["sep_"+name] = b01(d.Separates)
		v.feats["cov_"+name] = d.Coverage
		v.feats["in_rate_"+name] = d.InsideRate
		v.feats["out_rate_"+name] = d.OutsideRate
		v.feats["set_size_"+name] = float64(len(d.Set))
		v.feats["distinct_"+name] = float64(d.Distinct)
		v.feats["score_"+name] = d.Score
		if x, ok := f.Features["sep_"+name]; (ok && x == 1) || d.Separates || clean(d) {
			continue
		}
		if nd, ok := redraw(d); ok {
			v.redrawn[name] = nd
			v.override["sep_"+name] = 1
			v.override["cov_"+name] = nd.Coverage
			v.override["in_rate_"+name] = nd.InsideRate
			v.override["out_rate_"+name] = nd.OutsideRate
			v.override["set_size_"+name] = float64(len(nd.Set))
		}
	}
	sh := ct.Shape
	if sh.Kind != "" && sh.Kind != rules.ShapeUnknown {
		v.feats["shape_step"] = b01(sh.Kind == rules.ShapeStep)
		v.feats["shape_trickle"] = b01(sh.Kind == rules.ShapeTrickle)
		v.feats["shape_ramp"] = b01(sh.Kind == rules.ShapeRamp)
		v.feats["step_before"] = sh.Before
		v.feats["step_after"] = sh.After
	}
	v.feats["no_baseline"] = b01(ct.NoBaseline)
	if !ct.NoBaseline && ct.BaselineTotal > 0 {
		v.feats["baseline_rate"] = float64(ct.BaselineFailing) / float64(ct.BaselineTotal)
	}
	if ct.Total > 0 {
		v.feats["span_rate"] = float64(ct.Failing) / float64(ct.Total)
	}
	if d := v.dims["connection"]; d != nil {
		var fresh, known int64
		for _, x := range d.Values {
			known += x.Failing
			if x.Value == "new" {
				fresh += x.Failing
			}
		}
		if known > 0 {
			v.feats["fresh_conn_share"] = float64(fresh) / float64(known)
		}
	}
	v.derived(f)
	return v
}

// modeDimensions describe how a request failed (on a fresh or a reused
// connection, after how long a wait), not which part of the traffic it
// belongs to: they separate whenever failures are fast or slow, so they
// do not count for sep_any and score_max.
// The 202 contrast's poll statuses, Retry-After and link are modes too.
var modeDimensions = []string{"connection", "header_wait", "first_poll", "last_poll", "retry_after", "link"}

// derived computes the two features the cause rules add, sep_any and
// score_max, over the population dimensions (not modeDimensions), from the
// engine's features where it gave them.
func (v *contrastView) derived(f *rules.Finding) {
	anySep, maxScore, known := 0.0, -1.0, false
	for _, name := range ContrastDimensions {
		if slices.Contains(modeDimensions, name) {
			continue
		}
		if s, ok := v.value(f, "sep_"+name); ok && s >= 0 {
			known = true
			if s == 1 || v.separates(f, name) {
				anySep = 1
			}
		}
		if s, ok := v.value(f, "score_"+name); ok && s > maxScore {
			maxScore = s
		}
	}
	if known {
		v.feats["sep_any"] = anySep
		v.feats["score_max"] = math.Max(maxScore, 0)
	}
}

// Relaxed separation for small spans: the contrast asks for 5 failures
// inside the set and 10 requests outside it before a dimension separates,
// which a short storm on a quiet origin (13 of 13 on one route, 0 of 3
// elsewhere) never reaches. separates accepts such a set with these
// smaller counts; the confidence's support term keeps it modest.
const (
	smallInsideFailing = 3
	smallOutsideTotal  = 3
)

// separates reports whether dimension dim separates the failures: the
// contrast says so, or its set covers 80% of them as a proper subset with
// an outside rate at most a tenth of the inside rate, on the smaller
// counts above.
func (v *contrastView) separates(f *rules.Finding, dim string) bool {
	if x, ok := v.value(f, "sep_"+dim); ok && x == 1 {
		return true
	}
	d := v.dims[dim]
	return d != nil && clean(d)
}

// value is a feature as the rules see it: the engine's, else the view's.
func (v *contrastView) value(f *rules.Finding, name string) (float64, bool) {
	if x, ok := v.override[name]; ok {
		return x, true
	}
	if x, ok := f.Features[name]; ok {
		return x, true
	}
	x, ok := v.feats[name]
	return x, ok
}

// set returns dimension name's separating set: the engine's context
// list, else the contrast's.
func (v *contrastView) set(f *rules.Finding, name string) []string {
	if d := v.redrawn[name]; d != nil {
		return d.Set
	}
	if l := contextList(f.Context, "set_"+name+"_list"); l != nil {
		return l
	}
	if s, ok := f.Context["set_"+name].(string); ok && s != "" {
		return strings.Split(s, ",")
	}
	if d := v.dims[name]; d != nil {
		return d.Set
	}
	return nil
}

// evidence returns the dimension's evidence line: the engine's, else one
// built from the contrast's values ("FRA 100% of 412, AMS 100% of 398;
// LHR 0% of 405, ...").
func (v *contrastView) evidence(f *rules.Finding, name string) string {
	if d := v.redrawn[name]; d != nil {
		return evidenceLine(d)
	}
	if s, ok := f.Context["contrast_"+name].(string); ok && s != "" {
		return s
	}
	d := v.dims[name]
	if d == nil {
		return ""
	}
	return evidenceLine(d)
}

// missing returns the field to add when the log lacks the dimension.
func (v *contrastView) missing(f *rules.Finding, name string) string {
	if s, ok := f.Context["missing_"+name].(string); ok && s != "" {
		return s
	}
	return v.miss[name]
}

// evidenceLine lists the set's values, then up to four healthy ones, each
// with its failing share and request count.
func evidenceLine(d *rules.Dimension) string {
	var in, out []string
	for _, x := range d.Values {
		s := fmt.Sprintf("%s %s of %s", x.Value, pctText(x.Rate()), num(float64(x.Total)))
		if x.InSet {
			in = append(in, s)
		} else if len(out) < 4 && x.Total > 0 {
			out = append(out, s)
		}
	}
	line := strings.Join(in, ", ")
	if len(out) > 0 {
		if line != "" {
			line += "; "
		}
		line += strings.Join(out, ", ")
		if rest := restCount(d, len(in)+len(out)); rest > 0 {
			line += fmt.Sprintf(" and %d more", rest)
		}
	}
	if o := d.Other; o != nil && o.Total > 0 {
		line += fmt.Sprintf("; other values %s of %s", pctText(o.Rate()), num(float64(o.Total)))
	}
	return line
}

func restCount(d *rules.Dimension, shown int) int {
	n := 0
	for _, x := range d.Values {
		if x.Total > 0 {
			n++
		}
	}
	return n - shown
}

func pctText(x float64) string { return funcs["pct"].(func(float64) string)(x) }

func b01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// andList joins values for a sentence: "FRA", "FRA and AMS", "FRA, AMS
// and CDG", "FRA, AMS, CDG and 4 more".
func andList(vals []string) string {
	const show = 3
	switch {
	case len(vals) == 0:
		return ""
	case len(vals) == 1:
		return vals[0]
	case len(vals) <= show:
		return strings.Join(vals[:len(vals)-1], ", ") + " and " + vals[len(vals)-1]
	}
	return strings.Join(vals[:show], ", ") + " and " + strconv.Itoa(len(vals)-show) + " more"
}
