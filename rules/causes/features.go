package causes

import (
	"slices"
	"strings"

	"github.com/edgetriage/edgetriage/rules"
)

// The features come from the engine's schema (rules.Features): what the
// engine declares is what rules may name, so a typo or a feature this
// build does not compute is a load-time error. The cause rules derive two
// more from the contrast (DerivedFeatures).

// DerivedFeatures are computed by the cause rules from the contrast's
// features: sep_any (1 when some population dimension separates: not the
// connection or the header wait, which say how requests failed, not which
// ones; -1 without a contrast) and score_max (the best such score).
var DerivedFeatures = []string{"sep_any", "score_max"}

// BurstFeatures are the features of burst_520 and burst_5xx findings.
var BurstFeatures = append(rules.FeatureNames(rules.KindBurst520), DerivedFeatures...)

// IncompleteFeatures are the features of incomplete_202 findings.
var IncompleteFeatures = append(rules.FeatureNames(rules.KindIncomplete202), DerivedFeatures...)

// ContrastDimensions are the dimensions the contrast compares; each gives
// the features DimensionFeaturePrefixes+name.
// (the bursts' and the 202 groups', rules.OpDimensionNames; a name both
// have, such as client_net, is one dimension).
var ContrastDimensions = func() []string {
	out := rules.DimensionNames()
	for _, d := range rules.OpDimensionNames() {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}()

// hasContrast: findings of kind k may carry a contrast.
func hasContrast(k rules.Kind) bool {
	return k == rules.KindBurst520 || k == rules.KindBurst5xx || k == rules.KindIncomplete202
}

// DimensionFeaturePrefixes are the per-dimension contrast features: the
// dimension separates (0/1), the coverage of its set, the failing shares
// inside and outside the set, the set's size, the values seen, the score.
var DimensionFeaturePrefixes = []string{"sep_", "cov_", "in_rate_", "out_rate_", "set_size_", "distinct_", "score_"}

// Kinds lists the finding kinds rules can apply to.
var Kinds = []rules.Kind{rules.KindBurst520, rules.KindBurst5xx, rules.KindIncomplete202}

// Subtypes lists the incomplete_202 sub-types.
var Subtypes = []string{
	rules.SubNeverPolled, rules.SubStatusLost, rules.SubStatusError, rules.SubPollRejected,
	rules.SubStuckPending, rules.SubClientGaveUp, rules.SubFireAndForget,
}

// FeaturesOf returns the feature names declared for a kind.
func FeaturesOf(k rules.Kind) []string {
	switch k {
	case rules.KindBurst520, rules.KindBurst5xx:
		return BurstFeatures
	case rules.KindIncomplete202:
		return IncompleteFeatures
	}
	return nil
}

func knownKind(k rules.Kind) bool { return slices.Contains(Kinds, k) }

// Strings every expression may use besides the features; bursts also get
// set_D, the comma list of each dimension's separating set.
var stringVars = []string{"kind", "subtype", "origin", "endpoint", "method"}

// burstStrings are the set_D strings of the contrast dimensions.
var burstStrings = func() []string {
	out := make([]string, len(ContrastDimensions))
	for i, d := range ContrastDimensions {
		out[i] = "set_" + d
	}
	return out
}()

// stringsOf returns the string names an expression of kind k may use.
func stringsOf(k rules.Kind) []string {
	if hasContrast(k) {
		return append(slices.Clone(stringVars), burstStrings...)
	}
	return stringVars
}

// exprEnv builds the declaration env for compiling an expression of kind k:
// every feature as a float64, the finding's strings, and the helpers.
func exprEnv(k rules.Kind) map[string]any {
	env := make(map[string]any, 48)
	for _, name := range FeaturesOf(k) {
		env[name] = float64(0)
	}
	for _, name := range stringsOf(k) {
		env[name] = ""
	}
	addHelpers(env)
	env["separates"] = func(string) bool { return false } // per finding in runEnv
	return env
}

// addHelpers puts the functions rules may call into an expression env.
func addHelpers(env map[string]any) {
	env["known"] = func(x float64) bool { return x >= 0 }
	env["between"] = func(x, lo, hi float64) bool { return x >= lo && x <= hi }
	env["ratio"] = func(a, b float64) float64 {
		if b <= 0 || a < 0 {
			return -1
		}
		return a / b
	}
}

// unknownFeature is -1 boxed once: most findings lack some features, and
// boxing a float64 allocates.
var unknownFeature any = float64(-1)

// boxFeatures returns the declared features of f's kind in FeaturesOf
// order, boxed once for both the expression env and the template data:
// the engine's, else the contrast's (view); -1 (unknown) for the rest.
func boxFeatures(f *rules.Finding, view *contrastView) []any {
	names := FeaturesOf(f.Kind)
	out := make([]any, len(names))
	for i, name := range names {
		if v, ok := view.value(f, name); ok {
			out[i] = v
		} else {
			out[i] = unknownFeature
		}
	}
	return out
}

// runEnv builds the evaluation env for one finding from its boxed
// features (boxFeatures) and, for bursts, the contrast's set_D strings.
func runEnv(f *rules.Finding, feats []any, view *contrastView) map[string]any {
	names := FeaturesOf(f.Kind)
	env := make(map[string]any, len(names)+len(f.Features)+24)
	for i, name := range names {
		env[name] = feats[i]
	}
	if hasContrast(f.Kind) {
		for _, d := range ContrastDimensions {
			env["set_"+d] = strings.Join(view.set(f, d), ",")
		}
	}
	env["kind"] = string(f.Kind)
	env["subtype"] = f.Subtype
	env["origin"] = f.Origin
	env["endpoint"] = f.Endpoint
	env["method"] = endpointMethod(f.Endpoint)
	addHelpers(env)
	env["separates"] = func(dim string) bool { return view.separates(f, dim) }
	return env
}

// describeFeatures lists the features of kinds for an error message, the
// per-dimension contrast features folded into one entry.
func describeFeatures(kinds ...rules.Kind) string {
	var out []string
	contrast := false
	for _, k := range kinds {
		for _, name := range FeaturesOf(k) {
			if isDimensionFeature(name) {
				contrast = true
				continue
			}
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	if contrast {
		out = append(out, "and per dimension D ("+strings.Join(ContrastDimensions, ", ")+") "+
			strings.Join(DimensionFeaturePrefixes, "D, ")+"D")
	}
	return strings.Join(out, ", ")
}

func isDimensionFeature(name string) bool {
	for _, p := range DimensionFeaturePrefixes {
		if rest, ok := strings.CutPrefix(name, p); ok && slices.Contains(ContrastDimensions, rest) {
			return true
		}
	}
	return false
}
