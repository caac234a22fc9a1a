// Package rules finds trouble in a time-ordered stream of parse.Records:
// bursts of 520 (and storms of other 5xx), and 202 Accepted operations that
// never completed, grouped by origin. It is pure: no I/O, no wall clock
// (event time comes from the records), no knowledge of the terminal.
package rules

import (
	"fmt"
	"strings"
	"time"
)

// Kind is what a finding is about.
type Kind string

const (
	KindBurst520      Kind = "burst_520"
	KindBurst5xx      Kind = "burst_5xx"
	KindIncomplete202 Kind = "incomplete_202"
	// KindSteady5xx is a steady 5xx rate on one origin: information, not a
	// storm (its share never rose significantly above its own baseline).
	KindSteady5xx Kind = "steady_5xx"
)

// Sub-types of incomplete_202 findings.
const (
	SubNeverPolled   = "never_polled"
	SubStatusLost    = "status_lost"
	SubStatusError   = "status_error"
	SubPollRejected  = "poll_rejected"
	SubStuckPending  = "stuck_pending"
	SubClientGaveUp  = "client_gave_up"
	SubFireAndForget = "fire_and_forget"
)

// Severity orders findings; the zero value is invalid.
type Severity int

const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityCritical
)

func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityCritical:
		return "critical"
	}
	return "unknown"
}

// ParseSeverity reads "info", "warning" or "critical".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "info":
		return SeverityInfo, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "critical", "crit":
		return SeverityCritical, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or critical)", s)
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Cause is one inferred explanation of a finding, from a cause rule.
type Cause struct {
	Rule       string   `json:"rule"`
	Title      string   `json:"title"`
	Confidence float64  `json:"confidence"`
	Evidence   []string `json:"evidence"`
	Fixes      []string `json:"fixes,omitempty"`
	// Dimension and Values are the contrast dimension the cause rests on
	// and its separating values (the failing data centres, upstreams or
	// routes), when it rests on one.
	Dimension string   `json:"dimension,omitempty"`
	Values    []string `json:"values,omitempty"`
}

// Sample is a retained request behind a finding, enough to find and show
// the raw line again.
type Sample struct {
	Input     string    `json:"input"`
	Line      int64     `json:"line"`
	Offset    int64     `json:"offset"`
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id,omitempty"`
	Method    string    `json:"method,omitempty"`
	Path      string    `json:"path,omitempty"`
	Status    int       `json:"status"`
	Role      string    `json:"role,omitempty"` // "open", "poll", "burst", "origin" (joined origin record)
	Raw       string    `json:"-"`              // the retained raw line (capped copy), for stdin and archives
}

// Finding is one problem: a burst, a storm, or a group of operations that
// never completed, on one origin.
type Finding struct {
	ID       string   `json:"id"` // stable across runs: kind, origin, endpoint/subtype or start
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	Origin   string   `json:"origin"`
	Endpoint string   `json:"endpoint,omitempty"` // 202 only: "POST /v1/exports/{id}"
	Subtype  string   `json:"subtype,omitempty"`  // 202 only
	Status   int      `json:"status,omitempty"`   // burst_5xx: which status stormed

	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Count int       `json:"count"`

	// Definition says in one line what the finding's status means (for a
	// 520: the origin returned something Cloudflare could not read). It is
	// shown above the causes and never ranked among them.
	Definition string `json:"definition,omitempty"`
	// Verdict is one sentence that names the top cause with the separating
	// values ("Only FRA and AMS fail (100% of their requests; the other 6
	// data centres 0%): ...").
	Verdict string `json:"verdict,omitempty"`
	// Contrast is what separates the failing requests from the healthy
	// ones (bursts and storms; nil where there is nothing to compare).
	Contrast *Contrast `json:"contrast,omitempty"`

	// Features are the numbers cause rules test; Context the non-numeric
	// evidence (paths, POPs, upstreams failed and healthy, statuses before,
	// the edge/origin join).
	Features map[string]float64 `json:"features"`
	Context  map[string]any     `json:"context"`

	Causes  []Cause  `json:"causes"`
	Fixes   []string `json:"fixes"`
	Samples []Sample `json:"samples"`

	// CompletedLate counts operations that completed after being reported
	// (incomplete_202 only; always written for them).
	CompletedLate *int `json:"completed_late,omitempty"`

	// Timeline holds the finding's own per-bucket counts from Start, one
	// bucket per TimelineStep.
	Timeline     []int         `json:"-"`
	TimelineStep time.Duration `json:"-"`
}

// Title is a one-line human name of the finding.
func (f *Finding) Title() string {
	switch f.Kind {
	case KindBurst520:
		return "520 burst"
	case KindBurst5xx:
		return fmt.Sprintf("%d storm", f.Status)
	case KindIncomplete202:
		return "202 " + strings.ReplaceAll(f.Subtype, "_", " ")
	case KindSteady5xx:
		return fmt.Sprintf("steady %s %d", pctStr(f.Features["share"]), f.Status)
	}
	return string(f.Kind)
}

// TopCause returns the highest-ranked cause's title, or "".
func (f *Finding) TopCause() string {
	if len(f.Causes) == 0 {
		return ""
	}
	return f.Causes[0].Title
}

// Timeline is a bounded per-interval histogram of trouble across the whole
// input: when it would exceed its bucket limit the step doubles.
type Timeline struct {
	Start         time.Time     `json:"start"`
	Step          time.Duration `json:"step"`
	Requests      []int         `json:"requests"`
	Status520     []int         `json:"status_520"`
	Incomplete202 []int         `json:"incomplete_202"` // by the time of the opening 202
}

// OriginSummary ranks an origin by its trouble.
type OriginSummary struct {
	Origin   string   `json:"origin"`
	Findings int      `json:"findings"`
	Worst    Severity `json:"worst"`
	Count    int      `json:"count"` // requests in its findings
	Requests int64    `json:"requests"`
}

// Snapshot is an immutable view of the engine's findings at one moment.
// Nothing in it is shared with the engine: it may be handed to another
// goroutine and read while the engine goes on.
type Snapshot struct {
	Now           time.Time       `json:"now"` // event time: the newest record seen
	Final         bool            `json:"final"`
	Findings      []Finding       `json:"findings"` // most severe first, then by start
	Origins       []OriginSummary `json:"origins"`  // most trouble first
	Timeline      Timeline        `json:"timeline"`
	Records       int64           `json:"records"`
	Inflight      int             `json:"inflight"`
	Evicted       int64           `json:"evicted"`
	CompletedLate int             `json:"completed_late"`
	// DroppedFindings counts findings dropped past the findings cap
	// (Config.MaxFindings), least recently changed first.
	DroppedFindings int64 `json:"dropped_findings"`
}
