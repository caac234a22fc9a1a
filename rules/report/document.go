// Package report turns what edgetriage read and found into a Document — the
// JSON schema "edgetriage.report/v2" — and renders it for a terminal
// (WriteText), an incident ticket (WriteMarkdown) or a program (WriteJSON).
// `edgetriage report` and the interface's export both use it. Every
// renderer can redact client IPs and query strings (Options.Redact), and
// every log-derived string is made inert (parse.Printable) before it reaches
// a terminal or a ticket.
package report

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// Schema names the JSON document's version; SchemaVersion is its number,
// bumped whenever a field changes meaning or goes (README, "Report JSON").
const (
	Schema        = "edgetriage.report/v2"
	SchemaVersion = 2
)

// Document is the whole report. Its JSON form is the report schema.
type Document struct {
	Schema        string    `json:"schema"`
	SchemaVersion int       `json:"schema_version"`
	Inputs        []Input   `json:"inputs"`
	Totals        Totals    `json:"totals"`
	Findings      []Finding `json:"findings"`
	Inflight      int       `json:"inflight"` // 202 operations still within their timeout at the end
	Evicted       int64     `json:"evicted"`  // pending operations dropped by the cap
	// DroppedFindings counts old findings dropped by the findings cap on
	// endless input (0 unless the cap was reached).
	DroppedFindings int64 `json:"dropped_findings,omitempty"`
	// Warnings are rules that failed while they were evaluated (a run-time
	// expression error, a template past its budget), one line per rule with
	// its id, file:line and the feature involved. A failing rule never fires,
	// so a reader must know it did not run.
	Warnings []string `json:"warnings,omitempty"`
	// Notes are said at the top of every rendering: where a relative
	// --since counts from, a window that held no record.
	Notes []string `json:"notes,omitempty"`

	timeline *rules.Timeline // the snapshot's, for the HTML report's charts
}

// Input is the accounting of one input.
type Input struct {
	Path              string             `json:"path"`
	Format            string             `json:"format"`
	Lines             int64              `json:"lines"`
	Parsed            int64              `json:"parsed"`
	Ignored           int64              `json:"ignored"`
	Malformed         int64              `json:"malformed"`
	Overlong          int64              `json:"overlong"`
	Bytes             int64              `json:"bytes"`
	First             string             `json:"first,omitempty"` // RFC 3339, UTC
	Last              string             `json:"last,omitempty"`
	MalformedExamples []MalformedExample `json:"malformed_examples"`
	Error             string             `json:"error,omitempty"`
}

// MalformedExample is one malformed line kept to show what went wrong.
type MalformedExample struct {
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
	Text   string `json:"text"`
	Column int    `json:"column,omitempty"` // 1-based byte column, when the parser said
	Field  string `json:"field,omitempty"`  // the field the parser expected there
}

// lineText is where for prose: "line 7", ", byte 58", ", expected status".
func (m MalformedExample) lineText() string {
	s := "line " + strconv.FormatInt(m.Line, 10)
	if m.Column > 0 {
		s += ", byte " + strconv.Itoa(m.Column)
	}
	if m.Field != "" {
		s += ", expected " + m.Field
	}
	return s
}

// where names the malformed line: path:line[:column], then the field the
// parser expected, if it said.
func (m MalformedExample) where(path string) string {
	s := parse.Locate(path, m.Line, m.Column)
	if m.Field != "" {
		s += ": expected " + m.Field
	}
	return s
}

// Totals is the accounting across all inputs.
type Totals struct {
	Lines     int64 `json:"lines"`
	Parsed    int64 `json:"parsed"`
	Ignored   int64 `json:"ignored"`
	Malformed int64 `json:"malformed"`
	Overlong  int64 `json:"overlong"`
	Late      int64 `json:"late"`
	Duplicate int64 `json:"duplicate"`
	// Filtered counts parsed records outside --since/--until (written only
	// when a range was given).
	Filtered int64            `json:"filtered,omitempty"`
	Bytes    int64            `json:"bytes"`
	Status   map[string]int64 `json:"status"`
}

// Finding is one finding as the report shows it.
type Finding struct {
	ID       string             `json:"id"`
	Kind     rules.Kind         `json:"kind"`
	Severity rules.Severity     `json:"severity"`
	Title    string             `json:"title"`
	Origin   string             `json:"origin"`
	Endpoint string             `json:"endpoint,omitempty"` // incomplete_202 only
	Subtype  string             `json:"subtype,omitempty"`  // incomplete_202 only
	Status   int                `json:"status,omitempty"`   // burst_5xx: the status that stormed
	Start    string             `json:"start"`
	End      string             `json:"end"`
	Count    int                `json:"count"`
	Features map[string]float64 `json:"features"`
	// Context is the non-numeric evidence, normalised to JSON values
	// (strings, json.Number, bools, lists and maps of them).
	Context map[string]any `json:"context"`
	// Definition says what the status means (never a cause); Verdict is
	// the one sentence naming the top cause with the separating values.
	Definition string `json:"definition,omitempty"`
	Verdict    string `json:"verdict,omitempty"`
	// Causes are ranked, each with its own evidence and fixes; at most
	// MaxCauses unless Options.AllCauses, CausesHidden counting the rest.
	Causes       []rules.Cause `json:"causes"`
	CausesHidden int           `json:"causes_hidden,omitempty"`
	// Fixes are every cause's fixes in rank order, then the kind's generic
	// ones (GeneralFixes: those that belong to no cause).
	Fixes        []string `json:"fixes"`
	GeneralFixes []string `json:"general_fixes,omitempty"`
	// Contrast is what separates the failing requests from the healthy
	// ones (bursts and storms).
	Contrast      *rules.Contrast `json:"contrast,omitempty"`
	Samples       []Sample        `json:"samples"`
	CompletedLate *int            `json:"completed_late,omitempty"` // incomplete_202 only

	start, end time.Time
	src        *rules.Finding // the engine's finding, for what only HTML draws (charts)
}

// MaxCauses is how many causes a report shows unless Options.AllCauses.
const MaxCauses = 3

// Sample is a request behind a finding.
type Sample struct {
	Input     string `json:"input"`
	Line      int64  `json:"line"`
	Time      string `json:"time"`
	RequestID string `json:"request_id,omitempty"`
	Method    string `json:"method,omitempty"`
	Path      string `json:"path,omitempty"`
	Status    int    `json:"status,omitempty"`
	Role      string `json:"role,omitempty"`
	Raw       string `json:"-"` // the raw line, for the single-finding export
}

// Build assembles a Document from the ingestion accounting and the rules
// engine's (final) snapshot; snap may be nil when no rules ran.
func Build(inputs []parse.InputStats, totals parse.Totals, snap *rules.Snapshot) *Document {
	d := &Document{Schema: Schema, SchemaVersion: SchemaVersion, Inputs: make([]Input, 0, len(inputs)), Findings: []Finding{}}
	for _, in := range inputs {
		d.Inputs = append(d.Inputs, buildInput(in))
	}
	d.Totals = Totals{
		Lines: totals.Lines, Parsed: totals.Parsed, Ignored: totals.Ignored, Malformed: totals.Malformed,
		Overlong: totals.Overlong, Late: totals.Late, Duplicate: totals.Duplicate, Filtered: totals.Filtered,
		Bytes: totals.Bytes, Status: make(map[string]int64, len(totals.Status)),
	}
	for code, n := range totals.Status {
		d.Totals.Status[strconv.Itoa(code)] = n
	}
	if snap != nil {
		for i := range snap.Findings {
			d.Findings = append(d.Findings, buildFinding(&snap.Findings[i]))
		}
		d.Inflight = snap.Inflight
		d.Evicted = snap.Evicted
		d.DroppedFindings = snap.DroppedFindings
		d.timeline = &snap.Timeline
	}
	return d
}

func buildInput(in parse.InputStats) Input {
	out := Input{
		Path: in.Path, Format: in.Format, Lines: in.Lines, Parsed: in.Parsed, Ignored: in.Ignored,
		Malformed: in.Malformed, Overlong: in.Overlong, Bytes: in.Bytes,
		First: rfc3339(in.First), Last: rfc3339(in.Last),
		MalformedExamples: make([]MalformedExample, 0, len(in.MalformedExamples)),
	}
	for _, m := range in.MalformedExamples {
		out.MalformedExamples = append(out.MalformedExamples, MalformedExample(m))
	}
	if in.Err != nil {
		out.Error = in.Err.Error()
	}
	return out
}

func buildFinding(f *rules.Finding) Finding {
	out := Finding{
		ID: f.ID, Kind: f.Kind, Severity: f.Severity, Title: f.Title(), Origin: f.Origin,
		Start: rfc3339(f.Start), End: rfc3339(f.End), Count: f.Count,
		Features:   make(map[string]float64, len(f.Features)),
		Context:    normaliseContext(f.Context),
		Causes:     make([]rules.Cause, len(f.Causes)),
		Fixes:      append([]string{}, f.Fixes...),
		Definition: f.Definition, Verdict: f.Verdict, Contrast: f.Contrast,
		Samples: make([]Sample, 0, len(f.Samples)),
		start:   f.Start, end: f.End, src: f,
	}
	if f.Kind == rules.KindIncomplete202 {
		out.Endpoint, out.Subtype = f.Endpoint, f.Subtype
		late := 0
		if f.CompletedLate != nil {
			late = *f.CompletedLate
		}
		out.CompletedLate = &late
	}
	if f.Kind == rules.KindBurst5xx {
		out.Status = f.Status
	}
	for k, v := range f.Features {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			v = -1 // JSON has no NaN; -1 is the contract's "unknown"
		}
		out.Features[k] = v
	}
	ofCause := map[string]bool{}
	for i, c := range f.Causes {
		c.Evidence = append([]string{}, c.Evidence...)
		c.Fixes = append([]string(nil), c.Fixes...)
		c.Values = append([]string(nil), c.Values...)
		out.Causes[i] = c
		for _, fx := range c.Fixes {
			ofCause[fx] = true
		}
	}
	for _, fx := range f.Fixes {
		if !ofCause[fx] {
			out.GeneralFixes = append(out.GeneralFixes, fx)
		}
	}
	for _, s := range f.Samples {
		out.Samples = append(out.Samples, Sample{
			Input: s.Input, Line: s.Line, Time: rfc3339(s.Time), RequestID: s.RequestID,
			Method: s.Method, Path: s.Path, Status: s.Status, Role: s.Role, Raw: s.Raw,
		})
	}
	// in time order for people; the engine keeps the first and the last
	sort.SliceStable(out.Samples, func(i, j int) bool { return out.Samples[i].Time < out.Samples[j].Time })
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// normaliseContext turns the engine's context values (any Go types) into
// plain JSON values, so that every renderer and the redactor see one shape.
func normaliseContext(ctx map[string]any) map[string]any {
	out := make(map[string]any, len(ctx))
	for k, v := range ctx {
		if x, ok := plainJSON(v); ok {
			out[k] = x
			continue
		}
		out[k] = jsonRoundTrip(v)
	}
	return out
}

// jsonRoundTrip is the general normalisation: marshal, then decode with
// numbers as json.Number.
func jsonRoundTrip(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return string(b)
	}
	return x
}

// plainJSON is jsonRoundTrip without the round trip for the types the
// engine puts in a context (strings, bools, integers, and lists and maps of
// them), which are most of a report's build time. ok is false for anything
// else, floats included, and for invalid UTF-8 (which JSON replaces).
func plainJSON(v any) (x any, ok bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case string:
		return v, utf8.ValidString(v)
	case bool:
		return v, true
	case int:
		return json.Number(strconv.FormatInt(int64(v), 10)), true
	case int64:
		return json.Number(strconv.FormatInt(v, 10)), true
	case []string:
		if v == nil {
			return nil, true
		}
		out := make([]any, len(v))
		for i, s := range v {
			if !utf8.ValidString(s) {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	case []any:
		if v == nil {
			return nil, true
		}
		out := make([]any, len(v))
		for i, e := range v {
			if out[i], ok = plainJSON(e); !ok {
				return nil, false
			}
		}
		return out, true
	case map[string]int:
		return plainMap(v, func(n int) (any, bool) { return json.Number(strconv.Itoa(n)), true })
	case map[string]int64:
		return plainMap(v, func(n int64) (any, bool) { return json.Number(strconv.FormatInt(n, 10)), true })
	case map[string]any:
		return plainMap(v, plainJSON)
	}
	return nil, false
}

func plainMap[V any](m map[string]V, conv func(V) (any, bool)) (any, bool) {
	if m == nil {
		return nil, true
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		x, ok := conv(e)
		if !ok || !utf8.ValidString(k) {
			return nil, false
		}
		out[k] = x
	}
	return out, true
}

// MaxSeverity is the highest severity among the findings (0 when there are
// none), for the exit code.
func (d *Document) MaxSeverity() rules.Severity {
	var max rules.Severity
	for _, f := range d.Findings {
		if f.Severity > max {
			max = f.Severity
		}
	}
	return max
}

// counts of findings per severity, most severe first
func (d *Document) severityCounts() (crit, warn, info int) {
	for _, f := range d.Findings {
		switch f.Severity {
		case rules.SeverityCritical:
			crit++
		case rules.SeverityWarning:
			warn++
		default:
			info++
		}
	}
	return
}

// byOrigin groups findings by origin, origins in order of their first
// (most severe) finding.
func byOrigin(fs []Finding) (origins []string, groups map[string][]Finding) {
	groups = map[string][]Finding{}
	for _, f := range fs {
		if _, ok := groups[f.Origin]; !ok {
			origins = append(origins, f.Origin)
		}
		groups[f.Origin] = append(groups[f.Origin], f)
	}
	return origins, groups
}

// timeRange is the span of all inputs' records.
func (d *Document) timeRange() (first, last time.Time) {
	for _, in := range d.Inputs {
		if t, err := time.Parse(time.RFC3339Nano, in.First); err == nil && (first.IsZero() || t.Before(first)) {
			first = t
		}
		if t, err := time.Parse(time.RFC3339Nano, in.Last); err == nil && t.After(last) {
			last = t
		}
	}
	return first, last
}

// sortedStatuses lists status codes in numeric order.
func sortedStatuses(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, errA := strconv.Atoi(keys[i])
		b, errB := strconv.Atoi(keys[j])
		if errA == nil && errB == nil {
			return a < b
		}
		return keys[i] < keys[j]
	})
	return keys
}
