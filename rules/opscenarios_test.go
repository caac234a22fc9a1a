package rules_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/rules"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// TestOpScenarios runs every generated 202 scenario through the input
// pipeline, the engine and the default cause rules: every group of the
// planted sub-type exists, its top cause is the planted one, its contrast
// separates the planted values (or shows the planted step) and the verdict
// and evidence name them; every finding emits exactly the declared
// features.
func TestOpScenarios(t *testing.T) {
	for i, sc := range samplelogs.OpScenarios() {
		if raceEnabled && i > 0 {
			break
		}
		for _, seed := range scenarioSeeds(t) {
			t.Run(sc.Name+"/"+strconv.FormatUint(seed, 10), func(t *testing.T) {
				set := sc.Generate(seed)
				snap := runScenario(t, &samplelogs.ScenarioSet{Name: set.Name, Seed: seed, Files: set.Files})
				checkDeclared(t, sc.Name, snap)
				for _, e := range set.Truth {
					checkExpectedOp(t, snap, e)
				}
				if t.Failed() {
					t.Logf("scenario %s: %s\n202 findings:%s", sc.Name, sc.Description, opFindings(snap))
				}
			})
		}
	}
}

func checkExpectedOp(t *testing.T, s *rules.Snapshot, e samplelogs.ExpectedOp) {
	t.Helper()
	what := fmt.Sprintf("%s %s %s (%s, %d planted)", e.Origin, e.Endpoint, e.Subtype, e.Cause, e.Ops)
	var fs []*rules.Finding
	for i := range s.Findings {
		f := &s.Findings[i]
		if f.Kind == rules.KindIncomplete202 && (e.Origin == "" || f.Origin == e.Origin) && f.Subtype == e.Subtype && (e.Endpoint == "" || f.Endpoint == e.Endpoint) {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		t.Errorf("%s: no finding", what)
		return
	}
	n := 0
	for _, f := range fs {
		n += f.Count
		if f.Severity < rules.SeverityWarning {
			t.Errorf("%s: %s severity %s", what, f.Endpoint, f.Severity)
		}
		if len(f.Causes) == 0 || f.Causes[0].Rule != e.Cause {
			t.Errorf("%s: %s: top cause is not %s: %s", what, f.Endpoint, e.Cause, describeOp(f))
			continue
		}
		if f.Verdict == "" {
			t.Errorf("%s: %s: no verdict", what, f.Endpoint)
		}
		checkSeparates(t, what, f, e.Dimension, e.Values, describeOp)
		checkStep(t, what, f, e.StepAt, describeOp)
		if ct := f.Contrast; !e.StepAt.IsZero() && ct != nil {
			// the verdict names the step (a minute early when jobs in
			// flight at T went down with the workers)
			if !strings.Contains(f.Verdict, ct.Shape.At.UTC().Format("15:04")) {
				t.Errorf("%s: verdict does not name the step's time %s: %s", what, ct.Shape.At.UTC().Format("15:04"), f.Verdict)
			}
		}
	}
	// the engine finds (nearly) every planted operation
	if n < e.Ops*9/10 || n > e.Ops+e.Strays+e.Ops/10+2 {
		t.Errorf("%s: %d operations in the findings, %d planted", what, n, e.Ops)
	}
}

func describeOp(f *rules.Finding) string {
	var causes []string
	for _, c := range f.Causes {
		causes = append(causes, fmt.Sprintf("%s %.2f", c.Rule, c.Confidence))
	}
	sep := "-"
	if ct := f.Contrast; ct != nil {
		var ds []string
		for _, d := range ct.Dimensions {
			if d.Separates {
				ds = append(ds, fmt.Sprintf("%s=%v", d.Name, d.Set))
			}
		}
		sep = fmt.Sprintf("%v shape=%s@%s failing=%d/%d", ds, ct.Shape.Kind, ct.Shape.At.Format("15:04:05"), ct.Failing, ct.Total)
	}
	return fmt.Sprintf("%s %s %s n=%d causes=[%s] separates=%s", f.Severity, f.Endpoint, f.Subtype, f.Count, strings.Join(causes, ", "), sep)
}

func opFindings(s *rules.Snapshot) string {
	var b strings.Builder
	for i := range s.Findings {
		if f := &s.Findings[i]; f.Kind == rules.KindIncomplete202 {
			b.WriteString("\n  " + describeOp(f))
		}
	}
	return b.String()
}
