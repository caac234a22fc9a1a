package rules

// opContrastFeatures writes the 202 contrast's features and template
// strings into a finding; without a contrast (fire-and-forget endpoints,
// poll_rejected groups, origins past maxOpOrigins) every one is unknown.
func opContrastFeatures(ct *Contrast, ft map[string]float64, ctx map[string]any) {
	dimensionFeatures(ct, opDimNames, ft, ctx)
	for _, k := range opShapeFeatures {
		ft[k] = -1
	}
	if ct == nil {
		return
	}
	sh := ct.Shape
	ft["shape_step"] = bool01(sh.Kind == ShapeStep)
	ft["step_before"] = sh.Before
	ft["step_after"] = sh.After
	ft["span_rate"] = round4(rate(ct.Failing, ct.Total))
	ft["compared_ops"] = float64(ct.Total)
}

// opDimNames are the 202 dimensions whose contrast becomes features.
var opDimNames = OpDimensionNames()

var opShapeFeatures = []string{"shape_step", "step_before", "step_after", "span_rate", "compared_ops"}

// opContrastSchema declares the 202 contrast's features.
func opContrastSchema() []Feature {
	const cf = "opContrastFeatures"
	var s []Feature
	for _, info := range opDimInfos {
		n, l := info.Name, info.Label
		s = append(s,
			feat("sep_"+n, UnitBool, kinds202, cf, "1 if the "+l+" separates the group's operations from the origin's completed ones: a proper subset covering ≥ 80% of them, ≥ 5 inside, ≥ 10 operations outside, outside rate ≤ 0.1 × inside rate; -1 no contrast"),
			feat("cov_"+n, UnitShare, kinds202, cf, "share of the group's sub-type's operations (origin-wide) inside the smallest set of "+l+" values covering ≥ 80% of them; -1 no contrast"),
			feat("in_rate_"+n, UnitShare, kinds202, cf, "share of the compared operations (completed or of this sub-type) with a value in that set that ended in this sub-type; -1 no contrast"),
			feat("out_rate_"+n, UnitShare, kinds202, cf, "the same share among the other compared operations; -1 no contrast"),
			feat("set_size_"+n, UnitCount, kinds202, cf, "values in the set; -1 no contrast"),
			feat("distinct_"+n, UnitCount, kinds202, cf, "values of the "+l+" among the compared operations (capped values count as one, other); -1 no contrast"),
			feat("score_"+n, UnitShare, kinds202, cf, "coverage × Jensen–Shannon divergence between the failing and the completed operations' share in the set; -1 no contrast"),
		)
	}
	s = append(s,
		feat("shape_step", UnitBool, kinds202, cf, "1 if, by opening time, the origin's operations opened before some T mostly completed (≤ 10% in this sub-type) and those from T on mostly did not (≥ 80%), ≥ 5 each side; -1 no contrast"),
		feat("step_before", UnitShare, kinds202, cf, "share in this sub-type before the step; -1 no step or no contrast"),
		feat("step_after", UnitShare, kinds202, cf, "share in this sub-type from the step on (without a step: over all compared operations); -1 no contrast"),
		feat("span_rate", UnitShare, kinds202, cf, "share of the compared operations (the origin's completed ones and those of this sub-type) in this sub-type; -1 no contrast"),
		feat("compared_ops", UnitCount, kinds202, cf, "the origin's compared operations; -1 no contrast"),
	)
	return s
}

// opContrastContextSchema declares the 202 contrast's template strings.
func opContrastContextSchema() []Feature {
	const cf = "opContrastFeatures"
	var s []Feature
	for _, info := range opDimInfos {
		n, l := info.Name, info.Label
		s = append(s,
			feat("set_"+n, UnitString, kinds202, cf, "comma list of the set's "+l+" values (log text: quote it in commands)"),
			feat("set_"+n+"_list", UnitList, kinds202, cf, "the set's "+l+" values"),
			feat("contrast_"+n, UnitString, kinds202, cf, "one evidence line: the set's values with their share not completing, then the busiest others"),
			feat("missing_"+n, UnitString, kinds202, cf, "the log field to add when the log lacks the "+l+", else \"\""),
		)
	}
	return s
}
