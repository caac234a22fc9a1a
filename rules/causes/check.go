package causes

import (
	"time"

	"github.com/edgetriage/edgetriage/rules"
)

// Check evaluates every rule of the set on trial findings of each kind and
// sub-type (every feature unknown, every feature at typical values, and
// hostile strings in the origin and paths), with a fresh warning list, and
// returns the rules that failed at run time: what `edgetriage rules
// --check` reports beyond the load-time checks (unknown names, bad
// syntax), which Load has already done.
func (s *Set) Check() []Warning {
	trial := *s
	trial.warn = &warnings{}
	for _, f := range trialFindings() {
		trial.Explain(f)
	}
	return trial.Warnings()
}

// trialFindings are findings of every kind (and 202 sub-type, and 5xx
// status) with features all unknown, all typical, and all zero.
func trialFindings() []*rules.Finding {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var out []*rules.Finding
	for _, k := range Kinds {
		subs, statuses := []string{""}, []int{0}
		switch k {
		case rules.KindIncomplete202:
			subs = Subtypes
		case rules.KindBurst5xx:
			statuses = []int{500, 502, 503, 504, 521, 522, 523, 524}
		}
		for _, sub := range subs {
			for _, st := range statuses {
				for _, v := range []float64{-1, 0, 0.5, 1, 20} {
					feats := map[string]float64{}
					for _, name := range FeaturesOf(k) {
						feats[name] = v
					}
					if st != 0 {
						feats["status"] = float64(st)
					}
					f := &rules.Finding{
						ID: "check", Kind: k, Subtype: sub, Status: st, Severity: rules.SeverityWarning,
						Origin: "check.example.com", Endpoint: "POST /v1/$(id)/{id}", Start: start, End: start.Add(time.Minute),
						Count: 20, Features: feats,
						Context: map[string]any{"paths": []string{"/a';$(id)`x` (3)"}, "upstreams_failed": []string{"$(id) (2)"}},
					}
					if v != -1 {
						f.Contrast = trialContrast(start)
						for _, name := range ContrastDimensions { // the contrast decides, not the flat value
							for _, p := range DimensionFeaturePrefixes {
								delete(f.Features, p+name)
							}
						}
					}
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// trialContrast separates the failures on every dimension at once (one
// failing value with a hostile name, one healthy), so that every
// dimension rule renders its evidence, fixes and verdict.
func trialContrast(start time.Time) *rules.Contrast {
	ct := &rules.Contrast{Span: rules.Window{From: start, To: start.Add(time.Minute)}, Failing: 20, Total: 40,
		Shape: rules.TimeShape{Kind: rules.ShapeStep, At: start, Before: 0, After: 1}}
	for _, name := range ContrastDimensions {
		ct.Dimensions = append(ct.Dimensions, rules.Dimension{
			Name: name, Label: dimLabels[name], Set: []string{"$(id)"}, Coverage: 1, InsideFailing: 20, InsideTotal: 20,
			OutsideTotal: 20, InsideRate: 1, Distinct: 2, Separates: true, Score: 1,
			Values: []rules.DimensionValue{{Value: "$(id)", Failing: 20, Total: 20, InSet: true}, {Value: "ok", Total: 20}},
		})
	}
	ct.Missing = []rules.MissingDimension{{Name: "colo", Label: "data centre", Field: "EdgeColoCode (Logpush)"}}
	return ct
}
