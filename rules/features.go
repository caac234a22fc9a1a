package rules

import "slices"

// The feature schema: every number in Finding.Features and every entry of
// Finding.Context that cause rules and templates may use, declared once,
// here. The causes package reads it (Features, FeatureNames) instead of
// keeping its own list; TestEmittedFeaturesAreDeclared checks that every
// finding of every sample and scenario emits exactly the declared set;
// FEATURES.md is generated from it (go generate ./rules/).

//go:generate go run ./internal/featuresdoc -o FEATURES.md

// Unit is what a feature's number (or value) is.
type Unit string

const (
	UnitCount   Unit = "count"   // a number of requests, errors, operations, values
	UnitShare   Unit = "share"   // 0..1
	UnitSeconds Unit = "seconds" // a duration in seconds
	UnitMs      Unit = "ms"      // a duration in milliseconds
	UnitBool    Unit = "bool"    // 0 or 1
	UnitNumber  Unit = "number"  // a status code, a ratio, a rate, an enumerated code, a Unix time
	UnitString  Unit = "string"  // context: a string
	UnitList    Unit = "list"    // context: []string
	UnitMap     Unit = "map"     // context: map[string]int / map[string]float64 / map[string]any
)

// Feature is one declared feature. Numbers live in Finding.Features
// (unknown = -1), strings, lists and maps in Finding.Context.
type Feature struct {
	Name    string `json:"name"`
	Unit    Unit   `json:"unit"`
	Kinds   []Kind `json:"kinds"`
	Meaning string `json:"meaning"`
	// Func names the function that computes it (for readers of the code).
	Func string `json:"func"`
	// InContext: the value lives in Finding.Context, not Features.
	InContext bool `json:"context,omitempty"`
	// Optional context entries appear only when they apply (Meaning says
	// when); numbers are always present.
	Optional bool `json:"optional,omitempty"`
}

// Context reports whether the feature lives in Finding.Context.
func (f Feature) Context() bool { return f.InContext }

var (
	burstKinds  = []Kind{KindBurst520, KindBurst5xx}
	kinds202    = []Kind{KindIncomplete202}
	steadyKinds = []Kind{KindSteady5xx}
)

// Features returns the schema (a copy), in declaration order.
func Features() []Feature {
	out := slices.Clone(schema)
	for i := range out {
		out[i].Kinds = slices.Clone(out[i].Kinds)
	}
	return out
}

// FeatureNames returns the names of the numeric features of kind k.
func FeatureNames(k Kind) []string {
	var out []string
	for _, f := range schema {
		if !f.Context() && slices.Contains(f.Kinds, k) {
			out = append(out, f.Name)
		}
	}
	return out
}

func feat(name string, u Unit, kinds []Kind, fn, meaning string) Feature {
	return Feature{Name: name, Unit: u, Kinds: kinds, Meaning: meaning, Func: fn}
}

func optional(f Feature) Feature { f.Optional = true; return f }

var schema = buildSchema()

func buildSchema() []Feature {
	const bb = "Engine.buildBurst"
	s := []Feature{
		feat("count", UnitCount, burstKinds, bb, "errors of that status on the origin from start to end"),
		feat("duration_s", UnitSeconds, burstKinds, bb, "end − start"),
		feat("peak_60s", UnitCount, burstKinds, bb, "most errors of the burst in any closed 60 s window"),
		feat("rate_per_min", UnitNumber, burstKinds, bb, "count / duration (at least 1 s) × 60"),
		feat("share", UnitShare, burstKinds, bb, "count / origin-bound requests of the origin from start to end (CDN cache hits excluded), at most 1"),
		feat("requests", UnitCount, burstKinds, bb, "those origin-bound requests"),
		feat("relayed_share", UnitShare, burstKinds, bb, "share with OriginStatus equal to the status (the upstream itself sent it)"),
		feat("origin_status_zero_share", UnitShare, burstKinds, bb, "among the burst's edge records: OriginStatus 0; -1 without edge records"),
		feat("empty_bytes_share", UnitShare, burstKinds, bb, "Bytes == 0 among records that log bytes; -1 if none does"),
		feat("upstreams_failed", UnitCount, burstKinds, bb, "distinct upstreams / origin IPs among the burst's errors"),
		feat("upstreams_healthy", UnitCount, burstKinds, bb, "other upstreams of the origin seen during the burst"),
		feat("paths_distinct", UnitCount, burstKinds, bb, "distinct paths among the errors"),
		feat("top_path_share", UnitShare, burstKinds, bb, "share of the most frequent path among the errors; -1 none"),
		feat("methods_distinct", UnitCount, burstKinds, bb, "distinct methods among the errors"),
		feat("pops_distinct", UnitCount, burstKinds, bb, "distinct POPs among the errors (0 if not logged)"),
		feat("top_pop_share", UnitShare, burstKinds, bb, "share of the top POP among the errors; -1 if none"),
		feat("reused_conn_share", UnitShare, burstKinds, bb, "OriginConnectTime == 0 (a reused connection) among errors with known timing; -1 unknown"),
		feat("header_wait_p50_ms", UnitMs, burstKinds, bb, "median OriginHeaderTime of the errors; -1 unknown"),
		feat("fast_fail_share", UnitShare, burstKinds, bb, "header wait < 20 ms among errors with known timing; -1 unknown"),
		feat("slow_fail_share", UnitShare, burstKinds, bb, "header wait ≥ 5 s among errors with known timing; -1 unknown"),
		feat("errors_5xx_before", UnitCount, burstKinds, bb, "5xx of the origin in the W before the start (W/16 buckets; the start's bucket left out)"),
		feat("prior_error_share", UnitShare, burstKinds, bb, "those 5xx / all requests of the origin in that W; -1 if none"),
		feat("other_origins_failing", UnitCount, burstKinds, bb, "other origins with the same status between start and end"),
		feat("onset_s", UnitSeconds, burstKinds, bb, "seconds from the start until the trailing-W window holds ≥ N errors that are ≥ 90% of its origin-bound requests; -1 never"),
		feat("origin_logged_share", UnitShare, burstKinds, bb, "of the edge errors whose join is settled: share the origin's log has; -1 without both logs"),
		feat("origin_missing", UnitCount, burstKinds, bb, "edge errors the origin's log (covering their time) never logged; -1 as above"),
		feat("origin_empty_200", UnitCount, burstKinds, bb, "edge errors the origin logged as 200 with 0 bytes; -1 as above"),
		feat("edge", UnitBool, burstKinds, bb, "1 if most of the burst's records come from a CDN log"),
		feat("status", UnitNumber, append(slices.Clone(burstKinds), KindSteady5xx), bb, "the status"),
		feat("other_52x", UnitCount, burstKinds, bb, "521–526 of the origin between start and end (never counted as 520s)"),
		feat("ongoing", UnitBool, burstKinds, bb, "1 while the input is live and the last error is within W of now"),
	}
	s = append(s, contrastSchema()...)
	s = append(s, schema202()...)
	s = append(s, opContrastSchema()...)
	s = append(s,
		feat("count", UnitCount, steadyKinds, "Engine.buildSteady", "errors of the most frequent steady status over the input"),
		feat("requests", UnitCount, steadyKinds, "Engine.buildSteady", "origin-bound requests of the origin over the input"),
		feat("share", UnitShare, steadyKinds, "Engine.buildSteady", "count / requests"),
		feat("duration_s", UnitSeconds, steadyKinds, "Engine.buildSteady", "from the first to the last error of that status"),
		feat("statuses", UnitCount, steadyKinds, "Engine.buildSteady", "statuses with a steady rate on the origin"),
	)
	s = append(s, Feature{Name: "shares", Unit: UnitMap, Kinds: steadyKinds, Func: "Engine.buildSteady",
		Meaning: "status → share over the input (map[string]float64)", InContext: true})
	for _, f := range append(contextSchema(), opContrastContextSchema()...) {
		f.InContext = true
		s = append(s, f)
	}
	return s
}

// contrastSchema declares the contrast's features (contrastfeatures.go).
func contrastSchema() []Feature {
	const cf = "contrastFeatures"
	var s []Feature
	for _, info := range dimInfos {
		n, l := info.Name, info.Label
		s = append(s,
			feat("sep_"+n, UnitBool, burstKinds, cf, "1 if the "+l+" separates the failures: a proper subset covering ≥ 80% of them, ≥ 5 inside, ≥ 10 requests outside, outside rate ≤ 0.1 × inside rate; -1 not logged"),
			feat("cov_"+n, UnitShare, burstKinds, cf, "share of the failures inside the smallest set of "+l+" values covering ≥ 80% of them; -1 not logged"),
			feat("in_rate_"+n, UnitShare, burstKinds, cf, "failing share of the span's requests with a value in that set; -1 not logged"),
			feat("out_rate_"+n, UnitShare, burstKinds, cf, "failing share of the span's other requests; -1 not logged"),
			feat("set_size_"+n, UnitCount, burstKinds, cf, "values in the set; -1 not logged"),
			feat("distinct_"+n, UnitCount, burstKinds, cf, "values of the "+l+" in the span (capped values count as one, other); -1 not logged"),
			feat("score_"+n, UnitShare, burstKinds, cf, "coverage × Jensen–Shannon divergence between the failures' and the healthy requests' (span and baseline) share in the set; -1 not logged"),
		)
	}
	s = append(s,
		feat("sep_where", UnitBool, burstKinds, cf, "1 if a place separates the failures: any dimension but connection and header_wait (a data centre, server, route, client, ...); -1 no contrast"),
		feat("sep_how", UnitBool, burstKinds, cf, "1 if connection or header_wait separates: how the requests fail (fast on fresh connections, long waits), which follows from most causes; -1 no contrast"),
		feat("shape_step", UnitBool, burstKinds, cf, "1 if ~0% failed in the baseline (≤ 5%) and ≥ 80% from the start on"),
		feat("shape_trickle", UnitBool, burstKinds, cf, "1 if a low (< 25%), steady share fails through the span"),
		feat("shape_ramp", UnitBool, burstKinds, cf, "1 if the failing share rises over the span (last quarter ≥ 2× the first and 10 points above)"),
		feat("step_before", UnitShare, burstKinds, cf, "failing share in the baseline (ramp: first quarter); -1 no baseline"),
		feat("step_after", UnitShare, burstKinds, cf, "failing share in the span (ramp: last quarter)"),
		feat("precursor_5xx", UnitCount, burstKinds, "precursorFeatures", "failures of the other class (other 5xx before a 520 burst, 520s before a storm) in the 5 min before the start, when ≥ 5 and at twice the share of the 10 min before; else 0; -1 not counted"),
		feat("precursor_header_wait_ratio", UnitNumber, burstKinds, "precursorFeatures", "median header wait in the 5 min before the start / in the 10 min before those; -1 unknown"),
		feat("baseline_rate", UnitShare, burstKinds, cf+", Engine.stormVerdict", "failing share in the baseline (storms: the share the storm test used); -1 no baseline"),
		feat("span_rate", UnitShare, burstKinds, cf, "failing share of the origin's origin-bound requests in the span (minute buckets)"),
		feat("no_baseline", UnitBool, burstKinds, cf+", Engine.stormVerdict", "1 if there was no baseline (the input began inside the trouble and no other period could stand in)"),
		feat("fresh_conn_share", UnitShare, burstKinds, cf, "failures on new origin connections among failures with known connection; -1 unknown"),
	)
	return s
}

func schema202() []Feature {
	const bg, ep = "Engine.buildGroup", "Engine.endpointFeatures"
	return []Feature{
		feat("operations", UnitCount, kinds202, bg, "operations in the group (those that completed late have left it)"),
		feat("completed_late", UnitCount, kinds202, bg, "operations that completed after being reported (also Finding.CompletedLate)"),
		feat("polls_per_op", UnitNumber, kinds202, bg, "polls up to judgement / operations ever judged into the group"),
		feat("poll_interval_p50_s", UnitSeconds, kinds202, bg, "median of the operations' median poll intervals; -1 no intervals"),
		feat("age_s", UnitSeconds, kinds202, ep, "the pending timeout"),
		feat("completion_p50_s", UnitSeconds, kinds202, ep, "median completion latency of the endpoint's operations that completed before J; -1 none"),
		feat("completion_p95_s", UnitSeconds, kinds202, ep, "95th percentile of that latency; -1 none"),
		feat("completed_ops", UnitCount, kinds202, ep, "those operations"),
		feat("endpoint_ops", UnitCount, kinds202, ep, "every operation the endpoint opened (in flight included)"),
		feat("polled_share", UnitShare, kinds202, ep, "share of the endpoint's operations ever polled"),
		feat("fire_and_forget", UnitBool, kinds202, ep, "1 if the endpoint is fire-and-forget"),
		feat("last_poll_status", UnitNumber, kinds202, bg, "most common last poll status in the group; -1 none"),
		feat("first_poll_status", UnitNumber, kinds202, bg, "most common first poll status in the group; -1 none"),
		feat("stall_start_unix", UnitNumber, kinds202, bg, "opening time of the group's first operation (Unix seconds)"),
		feat("relative_location_share", UnitShare, kinds202, bg, "among operations whose 202 carried a status URL: relative ones; -1 none"),
		feat("has_location_share", UnitShare, kinds202, bg, "operations whose 202 carried a status URL"),
		feat("linked_by", UnitNumber, kinds202, bg, "most common link: 0 header, 1 same path, 2 POST→child GET; -1 none linked"),
		feat("clients_distinct", UnitCount, kinds202, bg, "distinct client IPs; -1 unknown"),
		feat("retry_after", UnitSeconds, kinds202, "retryAfterSeconds", "median over the operations of the latest Retry-After logged on the 202 or a pending poll; -1 none"),
		feat("never_polled", UnitCount, kinds202, "Engine.buildFireAndForget", "fire_and_forget: operations judged never polled behind it; -1 otherwise"),
		feat("aggregated", UnitCount, kinds202, bg, "of its operations, evicted from the pending table (--max-pending) while in flight and judged by a per host, route and minute aggregate (their later polls were not followed)"),
	}
}

// contextSchema declares the Context entries.
func contextSchema() []Feature {
	const bb = "Engine.buildBurst"
	all := []Kind{KindBurst520, KindBurst5xx, KindIncomplete202}
	s := []Feature{
		feat("paths", UnitList, burstKinds, bb, `"path (n)" of the errors, top first (10)`),
		feat("methods", UnitList, burstKinds, bb, `"method (n)", top first`),
		feat("pops", UnitList, burstKinds, bb, `"POP (n)", top first`),
		feat("upstreams_failed", UnitList, burstKinds, bb, `"upstream (n)" among the errors, top first (20)`),
		feat("upstreams_healthy", UnitList, burstKinds, bb, "other upstreams of the origin seen during the burst"),
		feat("statuses_before", UnitMap, burstKinds, bb, "status → count in the W before the start"),
		feat("relayed", UnitBool, burstKinds, bb, "context bool: most errors were relayed by the upstream"),
		feat("other_52x", UnitMap, burstKinds, bb, "521–526 status → count during the burst"),
		optional(feat("join", UnitMap, burstKinds, bb, "with edge and origin logs: logged, missing, empty_200 (ints), statuses (map[string]int)")),
		feat("host", UnitString, all, "hostContext", "a valid host name the origin's records carried, or \"\" (hostless logs: never the file name)"),
		feat("host_known", UnitBool, all, "hostContext", "context bool: host is not empty"),
		feat("host_placeholder", UnitString, all, "hostContext", "YOUR_HOST: what a command carries instead of an unknown host (say to pass --origin)"),
		optional(feat("shape", UnitString, burstKinds, "contrastFeatures", "time shape: step, trickle, ramp, spike or unknown (with a contrast)")),
		optional(feat("precursors", UnitList, burstKinds, "contrastFeatures", "precursor sentences with numbers (with a contrast)")),
		feat("endpoint", UnitString, kinds202, bg202, "opening method and path template"),
		optional(feat("last_polls", UnitMap, kinds202, bg202, "last poll status → operations (groups)")),
		optional(feat("clients", UnitList, kinds202, bg202, `"ip (n)" (groups, and fire_and_forget with never-polled operations)`)),
	}
	for _, info := range dimInfos {
		n, l := info.Name, info.Label
		s = append(s,
			feat("set_"+n, UnitString, burstKinds, "contrastFeatures", "comma list of the set's "+l+" values (log text: quote it in commands)"),
			feat("set_"+n+"_list", UnitList, burstKinds, "contrastFeatures", "the set's "+l+" values"),
			feat("contrast_"+n, UnitString, burstKinds, "contrastFeatures", "one evidence line: the set's values with their failing share, then the busiest others"),
			feat("missing_"+n, UnitString, burstKinds, "contrastFeatures", "the log field to add when the log lacks the "+l+", else \"\""),
		)
	}
	return s
}

const bg202 = "Engine.buildGroup"
