package causes

import (
	"slices"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/rules"
)

// opDim is a 202 contrast dimension: failing operations of the sub-type
// on the set's values (20 of 20 each, or 20 of 200 when not clean), none
// of 40 on each other value.
func opDim(name string, set []string, others []string, clean bool) rules.Dimension {
	d := rules.Dimension{Name: name, Label: dimLabels[name], Set: set, Coverage: 1, Distinct: len(set) + len(others)}
	inTot := int64(20)
	if !clean {
		inTot = 200
	}
	for _, v := range set {
		d.Values = append(d.Values, rules.DimensionValue{Value: v, Failing: 20, Total: inTot, InSet: true})
		d.InsideFailing += 20
		d.InsideTotal += inTot
	}
	for _, v := range others {
		x := rules.DimensionValue{Value: v, Total: 40}
		if !clean {
			x.Failing = 4 // the same share as inside: nothing separates
		}
		d.Values = append(d.Values, x)
		d.OutsideTotal += 40
		d.OutsideFailing += x.Failing
	}
	d.InsideRate = float64(d.InsideFailing) / float64(d.InsideTotal)
	if d.OutsideTotal > 0 {
		d.OutsideRate = float64(d.OutsideFailing) / float64(d.OutsideTotal)
	}
	d.Separates = clean && len(others) > 0
	d.Score = 0.5
	return d
}

// op202 is a group whose contrast has dims (and, with step, a step).
func op202(sub string, step bool, dims ...rules.Dimension) *rules.Finding {
	f := incomplete(sub, nil)
	ct := &rules.Contrast{Span: rules.Window{From: t0, To: t0.Add(3600e9)}, Failing: 40, Total: 120, Dimensions: dims,
		Shape: rules.TimeShape{Kind: rules.ShapeUnknown, Before: -1, After: 0.3}}
	if step {
		ct.Shape = rules.TimeShape{Kind: rules.ShapeStep, At: t0.Add(1200e9), Before: 0.02, After: 0.97}
	}
	f.Contrast = ct
	f.Features["operations"] = 40
	return f
}

var (
	clientsOK = []string{"198.51.100.0/24", "2001:db8:120::/48"}
	epsOK     = []string{"POST /v1/imports", "DELETE /v1/projects/{id}"}
	flat      = func(name string, vals ...string) rules.Dimension { return opDim(name, vals, nil, true) }
)

func opFireCases() []fireCase {
	ep := "POST /v1/exports"
	return []fireCase{
		{"client-never-polls", op202(rules.SubNeverPolled, false, opDim("client_net", []string{"203.0.113.0/24"}, clientsOK, true)), true},
		{"client-never-polls", op202(rules.SubNeverPolled, false, opDim("client_net", []string{"203.0.113.0/24"}, clientsOK, false)), false},
		{"client-never-polls", op202(rules.SubStuckPending, false, opDim("ua_family", []string{"python-requests"}, []string{"Chrome"}, true)), false},
		{"endpoint-queue-stalled", op202(rules.SubStuckPending, false, opDim("endpoint", []string{ep}, epsOK, true)), true},
		{"endpoint-queue-stalled", op202(rules.SubStuckPending, false, opDim("endpoint", []string{"POST /v1/imports"}, []string{ep}, true)), false},
		{"endpoint-queue-stalled", op202(rules.SubClientGaveUp, false, opDim("endpoint", []string{ep}, epsOK, true)), true},
		{"endpoint-queue-stalled", op202(rules.SubClientGaveUp, false, opDim("endpoint", []string{ep}, epsOK, true),
			opDim("retry_after", []string{"none"}, []string{"<=10s"}, true)), false},
		{"status-url-wrong", op202(rules.SubStatusLost, false, opDim("first_poll", []string{"404"}, []string{"202"}, true)), true},
		{"status-url-wrong", op202(rules.SubStatusLost, false, flat("first_poll", "202")), false},
		{"job-store-lost", op202(rules.SubStatusLost, true, flat("first_poll", "202"), flat("last_poll", "404")), true},
		{"job-store-lost", op202(rules.SubStatusLost, false, opDim("first_poll", []string{"404"}, []string{"202"}, true)), false},
		{"status-endpoint-down", op202(rules.SubStatusError, false, opDim("last_poll", []string{"503"}, []string{"200", "303"}, true)), true},
		{"status-endpoint-down", op202(rules.SubStatusError, false, opDim("last_poll", []string{"503"}, []string{"200"}, false)), false},
		{"retry-after-missing", op202(rules.SubClientGaveUp, false, opDim("retry_after", []string{"none"}, []string{"<=10s"}, true)), true},
		{"retry-after-missing", op202(rules.SubClientGaveUp, false, opDim("retry_after", []string{">5min"}, []string{"<=10s"}, true)), false},
		{"retry-after-too-long", op202(rules.SubClientGaveUp, false, opDim("retry_after", []string{">5min"}, []string{"<=10s", "none"}, true)), true},
		{"retry-after-too-long", op202(rules.SubClientGaveUp, false, opDim("retry_after", []string{"none"}, []string{"<=10s"}, true)), false},
		{"worker-pool-died", op202(rules.SubStuckPending, true, flat("endpoint", ep, "POST /v1/imports"), flat("client_net", clientsOK...)), true},
		{"worker-pool-died", op202(rules.SubStuckPending, true, opDim("endpoint", []string{ep}, epsOK, true)), false},
		{"worker-pool-died", op202(rules.SubStuckPending, false, flat("endpoint", ep, "POST /v1/imports")), false},
	}
}

func TestOpContrastRulesFire(t *testing.T) {
	s := mustLoad(t)
	for i, tc := range opFireCases() {
		s.Explain(tc.f)
		got := slices.Contains(causeIDs(tc.f), tc.rule)
		if got != tc.want {
			t.Errorf("case %d: rule %s fired=%v, want %v (causes %s)", i, tc.rule, got, tc.want, causeSummary(tc.f))
		}
		if !tc.want || !got {
			continue
		}
		if top := tc.f.Causes[0].Rule; top != tc.rule {
			t.Errorf("case %d: top cause %s, want %s (causes %s)", i, top, tc.rule, causeSummary(tc.f))
		}
		text := tc.f.Verdict + "\n" + strings.Join(tc.f.Causes[0].Evidence, "\n") + "\n" + strings.Join(tc.f.Causes[0].Fixes, "\n")
		for _, bad := range []string{"<no value>", "%!", "failed:", "unknown share"} {
			if strings.Contains(text, bad) {
				t.Errorf("case %d: %s renders %q:\n%s", i, tc.rule, bad, text)
			}
		}
		if d := tc.f.Causes[0].Dimension; d != "" && !strings.Contains(text, tc.f.Causes[0].Values[0]) {
			t.Errorf("case %d: verdict and evidence do not name %v:\n%s", i, tc.f.Causes[0].Values, text)
		}
	}
}
