package causes

import (
	"slices"

	"github.com/edgetriage/edgetriage/rules"
)

// BurstFeatures are the features of burst_520 and burst_5xx findings (the
// features contract between the rules engine and the cause rules).
var BurstFeatures = []string{
	"count", "duration_s", "peak_60s", "rate_per_min", "share", "relayed_share",
	"origin_status_zero_share", "empty_bytes_share", "upstreams_failed", "upstreams_healthy",
	"paths_distinct", "top_path_share", "methods_distinct", "pops_distinct", "top_pop_share",
	"reused_conn_share", "header_wait_p50_ms", "fast_fail_share", "slow_fail_share",
	"errors_5xx_before", "prior_error_share", "other_origins_failing", "onset_s",
	"origin_logged_share", "origin_missing", "origin_empty_200", "edge", "status",
	// beyond the contract, computed by the engine: 521-526 seen during the
	// burst, and 1 while the burst may still grow
	"other_52x", "ongoing",
}

// IncompleteFeatures are the features of incomplete_202 findings.
var IncompleteFeatures = []string{
	"operations", "polls_per_op", "poll_interval_p50_s", "age_s", "completion_p50_s",
	"completion_p95_s", "completed_ops", "endpoint_ops", "polled_share", "last_poll_status",
	"first_poll_status", "stall_start_unix", "relative_location_share", "has_location_share",
	"linked_by", "clients_distinct", "retry_after",
}

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

// Strings every expression may use besides the features.
var stringVars = []string{"kind", "subtype", "origin", "endpoint", "method"}

// exprEnv builds the declaration env for compiling an expression of kind k:
// every feature as a float64, the finding's strings, and the helpers.
func exprEnv(k rules.Kind) map[string]any {
	env := make(map[string]any, 48)
	for _, name := range FeaturesOf(k) {
		env[name] = float64(0)
	}
	for _, name := range stringVars {
		env[name] = ""
	}
	addHelpers(env)
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
// order, boxed once for both the expression env and the template data;
// features the engine did not compute are -1 (unknown).
func boxFeatures(f *rules.Finding) []any {
	names := FeaturesOf(f.Kind)
	out := make([]any, len(names))
	for i, name := range names {
		if v, ok := f.Features[name]; ok {
			out[i] = v
		} else {
			out[i] = unknownFeature
		}
	}
	return out
}

// runEnv builds the evaluation env for one finding from its boxed
// features (boxFeatures).
func runEnv(f *rules.Finding, feats []any) map[string]any {
	names := FeaturesOf(f.Kind)
	env := make(map[string]any, len(names)+len(f.Features)+8)
	for i, name := range names {
		env[name] = feats[i]
	}
	env["kind"] = string(f.Kind)
	env["subtype"] = f.Subtype
	env["origin"] = f.Origin
	env["endpoint"] = f.Endpoint
	env["method"] = endpointMethod(f.Endpoint)
	addHelpers(env)
	return env
}
