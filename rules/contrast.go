package rules

import "time"

// Contrast is what separates a burst's or storm's failing requests from the
// same origin's healthy ones: per dimension the logs carry (data centre,
// origin IP, route, client network, ...), the smallest set of values that
// covers most failures, and that set's failure rate against the rest's.
// It is evidence, not a verdict: cause rules read it (see the feature
// schema) and quote its numbers.
//
// Counts are bounded per dimension (the top values by count, ties broken by
// value, the rest in Other) and additive, so the same contrast comes out of
// records fed one by one or of GROUP BY aggregates (parse.Record.Count).
type Contrast struct {
	// Window is the span compared: the finding's span plus the baseline
	// window before it (see Baseline).
	Span     Window `json:"span"`
	Baseline Window `json:"baseline"`

	// Failing and Total count the origin's origin-bound requests in Span;
	// BaselineFailing and BaselineTotal the same in Baseline.
	Failing         int64 `json:"failing"`
	Total           int64 `json:"total"`
	BaselineFailing int64 `json:"baseline_failing"`
	BaselineTotal   int64 `json:"baseline_total"`
	// NoBaseline says the input starts inside the trouble and no healthy
	// period of the origin could stand in for a baseline.
	NoBaseline bool `json:"no_baseline,omitempty"`
	// Unit is what is counted: "" requests (bursts and storms), or
	// ContrastOperations (202 groups: the origin's operations of the
	// group's sub-type, failing, against its completed ones, healthy; no
	// baseline window).
	Unit string `json:"unit,omitempty"`

	// Dimensions are ordered strongest separation first.
	Dimensions []Dimension `json:"dimensions"`
	// Missing lists dimensions this log does not carry, with the field to
	// add (e.g. EdgeColoCode in the Logpush job). The contrast never guesses.
	Missing []MissingDimension `json:"missing,omitempty"`

	Shape TimeShape `json:"shape"`
}

// ContrastOperations is Contrast.Unit for a 202 group's contrast.
const ContrastOperations = "operations"

// Window is a half-open time range [From, To).
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Dimension is one attribute's contrast.
type Dimension struct {
	// Name is the stable id rules and features use: colo, upstream, route,
	// segment, method, client_net, ua_family, protocol, cache, connection,
	// header_wait, worker, input, and format-specific ones.
	Name  string `json:"name"`
	Label string `json:"label"` // for people: "data centre", "origin IP", ...

	// Set is the smallest set of values that covers at least 80% of the
	// failures; Coverage the share of failures inside it.
	Set      []string `json:"set"`
	Coverage float64  `json:"coverage"`
	// InsideRate and OutsideRate are the failing shares of the requests
	// with a value in Set and of the rest; Inside/Outside count them.
	InsideFailing  int64   `json:"inside_failing"`
	InsideTotal    int64   `json:"inside_total"`
	OutsideFailing int64   `json:"outside_failing"`
	OutsideTotal   int64   `json:"outside_total"`
	InsideRate     float64 `json:"inside_rate"`
	OutsideRate    float64 `json:"outside_rate"`
	// Distinct is how many values the dimension had in Span (capped values
	// included in Other).
	Distinct int `json:"distinct"`

	// Separates is true when inside the set most requests fail and outside
	// almost none do, and the set is a proper subset of the values seen.
	Separates bool `json:"separates"`
	// Score orders dimensions (explanatory power times surprise); 0..1.
	Score float64 `json:"score"`

	// Values are the top values by request count in Span (bounded), each
	// with its failing and total counts; Other sums the rest.
	Values []DimensionValue `json:"values"`
	Other  *DimensionValue  `json:"other,omitempty"`
}

// DimensionValue is one value's failing and total requests.
type DimensionValue struct {
	Value   string `json:"value"`
	Failing int64  `json:"failing"`
	Total   int64  `json:"total"`
	InSet   bool   `json:"in_set,omitempty"`
	// BaselineFailing and BaselineTotal are the value's requests in the
	// baseline window before the span.
	BaselineFailing int64 `json:"baseline_failing"`
	BaselineTotal   int64 `json:"baseline_total"`
}

// Rate is the value's failing share (0 when it had no requests).
func (v DimensionValue) Rate() float64 {
	if v.Total <= 0 {
		return 0
	}
	return float64(v.Failing) / float64(v.Total)
}

// MissingDimension is a dimension the log lacks and the field that would
// give it.
type MissingDimension struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Field string `json:"field"` // e.g. "EdgeColoCode (Logpush)", "$upstream_addr (nginx)"
}

// Time shapes of a finding's failing share.
const (
	ShapeStep    = "step"    // ~0% failing, then ~100% from At on every value
	ShapeTrickle = "trickle" // a low, steady share on all values
	ShapeRamp    = "ramp"    // a share rising over the span
	ShapeSpike   = "spike"   // a short, dense run
	ShapeUnknown = "unknown" // too few requests to tell
)

// TimeShape is how the failing share moved over time.
type TimeShape struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at,omitzero"` // step: when the failing began
	// Before and After are the failing shares before and after At (step),
	// or at the start and end of the span (ramp).
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	// Precursors are changes in the window before the failures: rising
	// header waits, 502/504 or other 5xx, each one sentence with numbers.
	Precursors []string `json:"precursors,omitempty"`
}
