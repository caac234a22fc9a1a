package rules

import "strings"

// contrastDims are the dimensions whose contrast becomes features (every
// counted dimension).
var contrastDims = DimensionNames()

// Per-dimension feature prefixes (sep_colo, cov_colo, ...).
var dimFeaturePrefixes = []string{"sep_", "cov_", "in_rate_", "out_rate_", "set_size_", "distinct_", "score_"}

// contrastFeatures writes the contrast's features and template strings
// into a finding; without a contrast every one is unknown (-1, "").
func contrastFeatures(ct *Contrast, ft map[string]float64, ctx map[string]any) {
	byName := dimensionFeatures(ct, contrastDims, ft, ctx)

	// where the failures are (a place: data centre, server, route, client)
	// against how they fail (connection, header wait: the failure's mode)
	ft["sep_where"], ft["sep_how"] = -1, -1
	if ct != nil {
		ft["sep_where"], ft["sep_how"] = 0, 0
		for i := range ct.Dimensions {
			d := &ct.Dimensions[i]
			switch {
			case !d.Separates:
			case failureMode(d.Name):
				ft["sep_how"] = 1
			default:
				ft["sep_where"] = 1
			}
		}
	}
	if ct == nil {
		for _, k := range []string{"shape_step", "shape_trickle", "shape_ramp", "step_before", "step_after",
			"precursor_5xx", "precursor_header_wait_ratio", "baseline_rate", "span_rate", "no_baseline",
			"fresh_conn_share"} {
			ft[k] = -1
		}
		return
	}
	sh := ct.Shape
	ft["shape_step"] = bool01(sh.Kind == ShapeStep)
	ft["shape_trickle"] = bool01(sh.Kind == ShapeTrickle)
	ft["shape_ramp"] = bool01(sh.Kind == ShapeRamp)
	ft["step_before"] = sh.Before
	ft["step_after"] = sh.After
	ft["baseline_rate"] = -1
	if !ct.NoBaseline {
		ft["baseline_rate"] = round4(rate(ct.BaselineFailing, ct.BaselineTotal))
	}
	ft["span_rate"] = round4(rate(ct.Failing, ct.Total))
	ft["no_baseline"] = bool01(ct.NoBaseline)
	ft["fresh_conn_share"] = -1
	if d := byName["connection"]; d != nil {
		var fresh, known int64
		for _, v := range d.Values {
			known += v.Failing
			if v.Value == "new" {
				fresh += v.Failing
			}
		}
		if known > 0 {
			ft["fresh_conn_share"] = round4(float64(fresh) / float64(known))
		}
	}
	ctx["shape"] = sh.Kind
	ctx["precursors"] = append([]string{}, sh.Precursors...)
}

// precursorFeatures are computed from the burst's counts (not the
// contrast's sentences): the rising other-class failures and the header
// wait ratio.
func precursorFeatures(b *burst, ft map[string]float64) {
	ft["precursor_5xx"] = -1
	ft["precursor_header_wait_ratio"] = -1
	bc := b.ctr
	if bc == nil {
		return
	}
	class := classOf(b.status)
	ft["precursor_5xx"] = 0
	if rising5xx(bc, class) {
		ft["precursor_5xx"] = float64(otherFailing(&bc.preTot, class))
	}
	ft["precursor_header_wait_ratio"] = headerWaitRatio(bc)
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// dimensionFeatures writes the per-dimension features (sep_D, cov_D, ...)
// and template strings of the named dimensions, -1 and "" where the
// contrast lacks one, and returns the contrast's dimensions by name.
func dimensionFeatures(ct *Contrast, names []string, ft map[string]float64, ctx map[string]any) map[string]*Dimension {
	byName := map[string]*Dimension{}
	missing := map[string]string{}
	if ct != nil {
		for i := range ct.Dimensions {
			byName[ct.Dimensions[i].Name] = &ct.Dimensions[i]
		}
		for _, m := range ct.Missing {
			missing[m.Name] = m.Field
		}
	}
	for _, name := range names {
		d := byName[name]
		ctx["missing_"+name] = missing[name]
		if d == nil {
			for _, p := range dimFeaturePrefixes {
				ft[p+name] = -1
			}
			ctx["set_"+name] = ""
			ctx["set_"+name+"_list"] = []string{}
			ctx["contrast_"+name] = ""
			continue
		}
		ft["sep_"+name] = bool01(d.Separates)
		ft["cov_"+name] = d.Coverage
		ft["in_rate_"+name] = d.InsideRate
		ft["out_rate_"+name] = d.OutsideRate
		ft["set_size_"+name] = float64(len(d.Set))
		ft["distinct_"+name] = float64(d.Distinct)
		ft["score_"+name] = d.Score
		ctx["set_"+name] = strings.Join(d.Set, ",")
		ctx["set_"+name+"_list"] = append([]string{}, d.Set...)
		ctx["contrast_"+name] = evidenceLine(d)
	}
	return byName
}
