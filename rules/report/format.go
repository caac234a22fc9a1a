package report

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/units"
	"github.com/edgetriage/edgetriage/rules"
)

// Options controls rendering.
type Options struct {
	// Color turns on ANSI colours in text output. The caller decides (off
	// for NO_COLOR or when stdout is not a terminal).
	Color bool
	// Redact masks client IPs and query strings everywhere.
	Redact bool
	// Compact writes JSON without indentation (for pipes: much faster on
	// large reports, and jq pretty-prints it when a person wants to read).
	Compact bool
	// MaxSamples caps the samples shown per finding in text and Markdown
	// (0: 5). JSON always carries all retained samples.
	MaxSamples int
	// AllCauses shows every cause; otherwise the first MaxCauses, the rest
	// counted in Finding.CausesHidden (report --all-causes).
	AllCauses bool
}

func (o Options) maxSamples() int {
	if o.MaxSamples <= 0 {
		return 5
	}
	return o.MaxSamples
}

// prepare applies the options that change content.
func prepare(d *Document, opts Options) *Document {
	if opts.Redact {
		d = d.Redacted()
	}
	if opts.AllCauses {
		return d
	}
	trimmed := false
	for _, f := range d.Findings {
		trimmed = trimmed || len(f.Causes) > MaxCauses
	}
	if !trimmed {
		return d
	}
	c := *d
	c.Findings = make([]Finding, len(d.Findings))
	for i, f := range d.Findings {
		c.Findings[i] = trimCauses(f, opts)
	}
	return &c
}

// trimCauses keeps the first MaxCauses causes unless opts.AllCauses.
func trimCauses(f Finding, opts Options) Finding {
	if !opts.AllCauses && len(f.Causes) > MaxCauses {
		f.CausesHidden += len(f.Causes) - MaxCauses
		f.Causes = f.Causes[:MaxCauses]
	}
	return f
}

// inert makes log-derived text safe for a terminal or a ticket.
func inert(s string) string { return parse.Printable(s) }

// The report's number formats are the shared ones (parse/units), so the
// report, the interface and the command line agree on every value.
func count(n int64) string        { return units.Count(n) }
func byteSize(n int64) string     { return units.Bytes(n) }
func pct(x float64) string        { return units.Share(x) }
func seconds(x float64) string    { return units.Seconds(x) }
func span(d time.Duration) string { return units.Duration(d) }
func number(x float64) string     { return units.Number(x) }

// timeRangeText formats a finding's range: "2026-11-20 10:02:13 → 10:04:40 UTC (2m27s)".
func timeRangeText(start, end time.Time, arrow string) string {
	if start.IsZero() {
		return "unknown time"
	}
	s := start.UTC().Format("2006-01-02 15:04:05")
	if end.IsZero() || end.Equal(start) {
		return s + " UTC"
	}
	e := end.UTC().Format("15:04:05")
	if end.UTC().Format("2006-01-02") != start.UTC().Format("2006-01-02") {
		e = end.UTC().Format("2006-01-02 15:04:05")
	}
	return fmt.Sprintf("%s %s %s UTC (%s)", s, arrow, e, span(end.Sub(start)))
}

type kv struct{ k, v string }

// headline picks the numbers a person reads first for a finding, leaving
// out unknown (-1) values. It is the evidence shown even when no cause rule
// matched.
func headline(f *Finding) []kv {
	h := &headlines{ft: f.Features}
	switch f.Kind {
	case rules.KindBurst520, rules.KindBurst5xx:
		h.burst()
	case rules.KindIncomplete202:
		h.incomplete(f)
	}
	return h.out
}

// headlines collects a finding's headline numbers.
type headlines struct {
	ft  map[string]float64
	out []kv
}

// has returns feature k when it is known (not -1).
func (h *headlines) has(k string) (float64, bool) {
	v, ok := h.ft[k]
	return v, ok && v >= 0
}

func (h *headlines) add(k, v string) { h.out = append(h.out, kv{k, v}) }

// burst is the headline of a 520 burst or a 5xx storm.
func (h *headlines) burst() {
	if v, ok := h.has("share"); ok {
		h.add("share of traffic", pct(v))
	}
	if v, ok := h.has("peak_60s"); ok {
		h.add("peak", number(v)+" in 60 s")
	}
	if v, ok := h.has("rate_per_min"); ok {
		h.add("rate", strconv.FormatFloat(v, 'f', 1, 64)+"/min")
	}
	if v, ok := h.has("paths_distinct"); ok {
		s := number(v)
		if t, ok := h.has("top_path_share"); ok {
			s += fmt.Sprintf(" (top %s)", pct(t))
		}
		h.add("distinct paths", s)
	}
	if v, ok := h.has("upstreams_failed"); ok {
		healthy, _ := h.has("upstreams_healthy")
		h.add("origin servers", fmt.Sprintf("%s failed, %s healthy", number(v), number(math.Max(healthy, 0))))
	}
	if v, ok := h.has("pops_distinct"); ok && h.ft["edge"] == 1 {
		h.add("distinct data centres", number(v))
	}
	if v, ok := h.has("relayed_share"); ok && v > 0 {
		h.add("relayed 520", pct(v))
	}
	if v, ok := h.has("origin_status_zero_share"); ok && v > 0 {
		h.add("origin status 0", pct(v))
	}
	if v, ok := h.has("fast_fail_share"); ok {
		h.add("failed < 20 ms", pct(v))
	}
	if v, ok := h.has("slow_fail_share"); ok && v > 0 {
		h.add("failed after ≥ 5 s", pct(v))
	}
	if v, ok := h.has("header_wait_p50_ms"); ok {
		h.add("header wait p50", number(math.Round(v))+" ms")
	}
	if v, ok := h.has("reused_conn_share"); ok {
		h.add("reused connections", pct(v))
	}
	if v, ok := h.has("errors_5xx_before"); ok && v > 0 {
		h.add("5xx before", number(v))
	}
	if v, ok := h.has("other_origins_failing"); ok && v > 0 {
		h.add("other origins failing", number(v))
	}
	if v, ok := h.has("origin_logged_share"); ok {
		h.add("logged at origin", pct(v))
	}
	if v, ok := h.has("origin_empty_200"); ok && v > 0 {
		h.add("origin 200 with 0 bytes", number(v))
	}
}

// incomplete is the headline of a 202 finding.
func (h *headlines) incomplete(f *Finding) {
	if v, ok := h.has("operations"); ok {
		s := number(v)
		if e, ok := h.has("endpoint_ops"); ok && e > 0 {
			s += " of " + number(e) + " on the endpoint"
		}
		h.add("operations", s)
	}
	if v, ok := h.has("polls_per_op"); ok {
		h.add("polls per operation", strconv.FormatFloat(v, 'f', 1, 64))
	}
	if v, ok := h.has("poll_interval_p50_s"); ok {
		h.add("poll interval p50", seconds(v))
	}
	if v, ok := h.has("last_poll_status"); ok && v > 0 {
		h.add("last poll", number(v))
	}
	if v, ok := h.has("completion_p50_s"); ok {
		s := seconds(v)
		if p, ok := h.has("completion_p95_s"); ok {
			s += ", p95 " + seconds(p)
		}
		h.add("healthy completion p50", s)
	}
	if v, ok := h.has("polled_share"); ok {
		h.add("endpoint ops polled", pct(v))
	}
	if v, ok := h.has("retry_after"); ok {
		h.add("Retry-After", seconds(v))
	}
	if v, ok := h.has("clients_distinct"); ok {
		h.add("clients", number(v))
	}
	if f.CompletedLate != nil && *f.CompletedLate > 0 {
		h.add("completed late", strconv.Itoa(*f.CompletedLate))
	}
}

// contextOrder is the order context keys are shown in; others follow
// alphabetically.
var contextOrder = []string{"paths", "methods", "pops", "upstreams_failed", "upstreams_healthy",
	"statuses_before", "join", "relayed", "endpoint", "last_polls", "clients"}

var contextLabels = map[string]string{
	"paths": "paths", "methods": "methods", "pops": "data centres", "upstreams_failed": "servers failed",
	"upstreams_healthy": "servers healthy", "statuses_before": "statuses before", "join": "origin log",
	"relayed": "relayed", "endpoint": "endpoint", "last_polls": "last polls", "clients": "clients",
}

// contextKeys lists the context keys worth showing for f, in display order.
func contextKeys(f *Finding) []string {
	ctx := f.Context
	var keys []string
	for _, k := range contextOrder {
		if k == "endpoint" && contextText(ctx[k]) == f.Endpoint {
			continue // already in the heading
		}
		if _, ok := ctx[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range ctx {
		if _, known := contextLabels[k]; !known && !contrastContext(k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// contrastContext reports whether a context key is one of the strings the
// engine gives cause templates (set_D, contrast_D, missing_D, host
// helpers, shape): the report shows them through the verdict, the causes'
// evidence and the "Not in this log" line, not as rows of their own.
func contrastContext(k string) bool {
	for _, p := range []string{"set_", "contrast_", "missing_"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	switch k {
	case "host", "host_known", "host_placeholder", "shape", "precursors":
		return true
	}
	return false
}

func contextLabel(k string) string {
	if l, ok := contextLabels[k]; ok {
		return l
	}
	return strings.ReplaceAll(k, "_", " ")
}

// contextText renders a normalised context value on one line (raw, not yet
// made inert).
func contextText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, contextText(e))
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			ni, ei := x[keys[i]].(json.Number)
			nj, ej := x[keys[j]].(json.Number)
			if ei && ej {
				a, _ := ni.Float64()
				b, _ := nj.Float64()
				if a != b {
					return a > b
				}
			}
			return keys[i] < keys[j]
		})
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			text := contextText(x[k])
			if text == "" {
				continue
			}
			switch x[k].(type) {
			case map[string]any, []any:
				text = "(" + text + ")"
			}
			parts = append(parts, k+": "+text)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

func sampleRequest(s Sample) string {
	var parts []string
	if s.Method != "" {
		parts = append(parts, s.Method)
	}
	if s.Path != "" {
		parts = append(parts, s.Path)
	}
	return strings.Join(parts, " ")
}

func sampleTime(s Sample) string {
	t, err := time.Parse(time.RFC3339Nano, s.Time)
	if err != nil {
		return s.Time
	}
	return t.UTC().Format("2006-01-02 15:04:05.000")
}

func findingHeading(f *Finding) string {
	h := f.Title
	if f.Kind == rules.KindIncomplete202 && f.Endpoint != "" {
		h += " · " + f.Endpoint
	}
	return h
}

func countNoun(f *Finding) string {
	switch f.Kind {
	case rules.KindIncomplete202:
		if f.Count == 1 {
			return "1 operation"
		}
		return count(int64(f.Count)) + " operations"
	case rules.KindBurst5xx:
		return fmt.Sprintf("%s × %d", count(int64(f.Count)), f.Status)
	}
	return count(int64(f.Count)) + " × 520"
}

func sortStrings(s []string) { sort.Strings(s) }
