package rules_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/causes"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// runScenario reads a generated scenario as `edgetriage report` reads
// files: through the input pipeline (each file by its format, merged by
// time, origin logs joined by CF-Ray), into the engine with the default
// cause rules.
func runScenario(t *testing.T, set *samplelogs.ScenarioSet) *rules.Snapshot {
	t.Helper()
	rs, err := causes.Load()
	if err != nil {
		t.Fatalf("default cause rules: %v", err)
	}
	cfg := rules.DefaultConfig()
	cfg.Explain = rs.Explain
	cfg.Routes = rs.Routes()
	eng := rules.NewEngine(cfg)

	opts := input.Options{}
	for _, f := range set.Files {
		opts.Sources = append(opts.Sources, input.Source{Name: f.Name, Open: opener(f)})
		opts.Formats = append(opts.Formats, f.Name+"="+f.Format)
	}
	p, err := input.New(opts)
	if err != nil {
		t.Fatalf("input: %v", err)
	}
	res, err := p.Run(context.Background(), eng.Add)
	if err != nil {
		t.Fatalf("%s: run: %v", set.Name, err)
	}
	for _, in := range res.Inputs {
		if in.Err != nil || in.Malformed > 0 || in.Parsed == 0 {
			t.Fatalf("%s: %s: parsed %d, malformed %d, err %v", set.Name, in.Path, in.Parsed, in.Malformed, in.Err)
		}
	}
	return eng.Finish()
}

// opener serves a scenario file from memory, or streams it through a pipe
// (the four-hour steady host is never held whole).
func opener(f samplelogs.ScenarioFile) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		if f.Data != nil {
			return io.NopCloser(bytes.NewReader(f.Data)), nil
		}
		pr, pw := io.Pipe()
		go func() {
			_, err := f.WriteTo(pw)
			pw.CloseWithError(err)
		}()
		return pr, nil
	}
}

// slack is how far a finding's span may lie from the planted one.
const slack = 90 * time.Second

func overlaps(f *rules.Finding, from, to time.Time) bool {
	return !f.Start.After(to.Add(slack)) && !f.End.Before(from.Add(-slack))
}

// findingsFor returns the findings of e's kind, origin and status that
// overlap its planted span, the biggest first.
func findingsFor(s *rules.Snapshot, e samplelogs.ExpectedFinding) []*rules.Finding {
	var out []*rules.Finding
	for i := range s.Findings {
		f := &s.Findings[i]
		if string(f.Kind) == e.Kind && f.Origin == e.Origin && f.Status == e.Status && overlaps(f, e.Start, e.End) {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b *rules.Finding) int { return b.Count - a.Count })
	return out
}

// describe is a finding in one line for failure messages.
func describe(f *rules.Finding) string {
	var causes []string
	for _, c := range f.Causes {
		causes = append(causes, fmt.Sprintf("%s %.2f", c.Rule, c.Confidence))
	}
	sep := "-"
	if f.Contrast != nil {
		var ds []string
		for _, d := range f.Contrast.Dimensions {
			if d.Separates {
				ds = append(ds, fmt.Sprintf("%s=%v", d.Name, d.Set))
			}
		}
		sep = fmt.Sprintf("%v shape=%s", ds, f.Contrast.Shape.Kind)
	}
	return fmt.Sprintf("%s %s %s %d %s..%s n=%d causes=[%s] separates=%s", f.Severity, f.Kind, f.Origin, f.Status,
		f.Start.Format("15:04:05"), f.End.Format("15:04:05"), f.Count, strings.Join(causes, ", "), sep)
}

// explanation is the text a user reads for the top cause: the verdict, the
// cause's title and its evidence.
func explanation(f *rules.Finding) string {
	parts := []string{f.Verdict}
	if len(f.Causes) > 0 {
		parts = append(parts, f.Causes[0].Title)
		parts = append(parts, f.Causes[0].Evidence...)
	}
	return strings.Join(parts, "\n")
}

// dimension returns the contrast's dimension of that name, or nil.
func dimension(f *rules.Finding, name string) *rules.Dimension {
	if f.Contrast == nil {
		return nil
	}
	for i := range f.Contrast.Dimensions {
		if f.Contrast.Dimensions[i].Name == name {
			return &f.Contrast.Dimensions[i]
		}
	}
	return nil
}

// checkSeparates asserts that dimension dim (none: nothing to check)
// separates exactly the planted values, and that the verdict and evidence
// quote each of them.
func checkSeparates(t *testing.T, what string, f *rules.Finding, dim string, values []string, describe func(*rules.Finding) string) {
	t.Helper()
	if dim == "" {
		return
	}
	d := dimension(f, dim)
	switch {
	case d == nil:
		t.Errorf("%s: no %s dimension in the contrast: %s", what, dim, describe(f))
	case !d.Separates || !sameSet(d.Set, values):
		t.Errorf("%s: %s separates=%v set %v, want %v", what, dim, d.Separates, d.Set, values)
	}
	text := explanation(f)
	for _, v := range values {
		if !strings.Contains(text, v) {
			t.Errorf("%s: verdict and evidence do not name %s %q:\n%s", what, dim, v, text)
		}
	}
}

// checkStep asserts a step in the failures at about at (zero: nothing to
// check), within a minute.
func checkStep(t *testing.T, what string, f *rules.Finding, at time.Time, describe func(*rules.Finding) string) {
	t.Helper()
	if at.IsZero() {
		return
	}
	if ct := f.Contrast; ct == nil || ct.Shape.Kind != rules.ShapeStep || ct.Shape.At.Sub(at).Abs() > time.Minute {
		t.Errorf("%s: want a step at %s: %s", what, at.Format("15:04:05"), describe(f))
	}
}

// checkExpected asserts one planted finding: it exists, its top cause is
// the planted one, the contrast separates the planted values, and the
// verdict and evidence quote them.
func checkExpected(t *testing.T, s *rules.Snapshot, e samplelogs.ExpectedFinding) {
	t.Helper()
	what := fmt.Sprintf("%s %s %d (%s, %s..%s, %d of %d failing)", e.Kind, e.Origin, e.Status, e.Cause,
		e.Start.Format("15:04:05"), e.End.Format("15:04:05"), e.Failures, e.Requests)
	fs := findingsFor(s, e)
	if len(fs) == 0 {
		t.Errorf("%s: no finding; findings: %s", what, allFindings(s))
		return
	}
	f := fs[0]
	if f.Severity < rules.SeverityWarning {
		t.Errorf("%s: severity %s", what, f.Severity)
	}
	if len(f.Causes) == 0 || f.Causes[0].Rule != e.Cause {
		t.Errorf("%s: top cause is not %s: %s", what, e.Cause, describe(f))
	}
	for _, c := range f.Causes {
		if strings.Contains(c.Title, "no usable HTTP response") {
			t.Errorf("%s: the 520's definition is ranked as a cause (%s)", what, c.Rule)
		}
	}
	if f.Verdict == "" {
		t.Errorf("%s: no verdict", what)
	}
	checkSeparates(t, what, f, e.Dimension, e.Values, describe)
	checkStep(t, what, f, e.StepAt, describe)
	// Every finding over the planted span tells the same cause (a burst
	// the engine cut in two must not get a different story per piece).
	for _, g := range fs[1:] {
		if len(g.Causes) == 0 || g.Causes[0].Rule != e.Cause {
			t.Errorf("%s: another finding over the span: %s", what, describe(g))
		}
	}
}

// checkQuiet asserts that origin and status raise nothing of severity
// warning or above outside the planted findings' spans.
func checkQuiet(t *testing.T, s *rules.Snapshot, q samplelogs.QuietOrigin, expected []samplelogs.ExpectedFinding) {
	t.Helper()
	for i := range s.Findings {
		f := &s.Findings[i]
		if f.Kind == rules.KindIncomplete202 || f.Origin != q.Origin || f.Status != q.Status || f.Severity < rules.SeverityWarning {
			continue
		}
		planted := false
		for _, e := range expected {
			if e.Origin == f.Origin && e.Status == f.Status && overlaps(f, e.Start, e.End) {
				planted = true
			}
		}
		if !planted {
			t.Errorf("%s %d should be quiet (%s): %s", q.Origin, q.Status, q.Note, describe(f))
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func allFindings(s *rules.Snapshot) string {
	var out []string
	for i := range s.Findings {
		if s.Findings[i].Kind != rules.KindIncomplete202 {
			out = append(out, "\n  "+describe(&s.Findings[i]))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, "")
}
