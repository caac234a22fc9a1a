package causes

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/edgetriage/edgetriage/rules"
)

// MaxShownCauses is how many causes a report shows by default; the rest
// are behind --all-causes (report) or one key (interface).
const MaxShownCauses = 3

// candidate is a cause whose condition held, before ranking.
type candidate struct {
	rule        *causeRule
	cause       rules.Cause
	specificity float64 // the share of the dimension's values in the set; 1 without one
	order       int
}

// Explain evaluates the rules on f. It sets f.Definition (what the status
// means: never a cause), fills f.Causes with every rule whose condition
// holds, each with its evidence and fixes rendered and a confidence
// computed from the evidence (see confidence), ranked by confidence, then
// specificity, then file order; sets f.Verdict from the top cause; sets
// f.Fixes to the causes' fixes in rank order followed by the kind's
// generic fixes (duplicates dropped); and raises f.Severity as cause and
// severity rules say. Bursts and never-completed groups are at least
// warning; fire-and-forget endpoints stay info. It is safe to call again on
// an updated finding.
func (s *Set) Explain(f *rules.Finding) {
	if !knownKind(f.Kind) {
		return // a kind the rules do not explain (steady_5xx information)
	}
	view := newContrastView(f)
	feats := boxFeatures(f, view)
	env := runEnv(f, feats, view)
	data := templateDataOf(f, feats, view, s.used)
	var machine vm.VM // reused by every expression of this finding

	sev := f.Severity
	fireAndForget := f.Kind == rules.KindIncomplete202 && f.Subtype == rules.SubFireAndForget
	if sev < rules.SeverityWarning && !fireAndForget {
		sev = rules.SeverityWarning
	}
	if sev == 0 {
		sev = rules.SeverityInfo
	}

	edge := featureValue(f, view, "edge") == 1
	support := supportOf(f)
	cands := make([]candidate, 0, 4)
	for i, r := range s.causes {
		if !r.applies(f) || (r.def.Cloudflare && !edge) || !s.holds(&machine, r.def.ID, r.when, f.Kind, env) {
			continue
		}
		conf, dim, spec := s.confidence(&machine, r, f, view, env, support)
		if conf < minConfidence {
			continue
		}
		setDimensionData(data, f, view, dim)
		c := rules.Cause{Rule: r.def.ID, Title: r.def.Title, Confidence: conf}
		if t := s.render(r.def.ID, []ruleTemplate{r.title}, data); len(t) == 1 {
			c.Title = t[0]
		}
		if dim != "" {
			c.Dimension, c.Values = dim, slices.Clone(view.set(f, dim))
		}
		c.Evidence = s.render(r.def.ID, r.evidence, data)
		if len(c.Evidence) == 0 {
			continue // every evidence line failed: the rule is reported, not shown
		}
		c.Fixes = s.render(r.def.ID, r.fixes, data)
		cands = append(cands, candidate{rule: r, cause: c, specificity: spec, order: i})
		if r.def.Severity > sev {
			sev = r.def.Severity
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return ranksBefore(&cands[i], &cands[j]) })

	f.Definition = s.definitionOf(f)
	f.Verdict = ""
	causes := make([]rules.Cause, len(cands))
	for i := range cands {
		causes[i] = cands[i].cause
	}
	if len(cands) > 0 {
		f.Verdict = s.verdict(&cands[0], f, view, data)
	}

	var fixes []string
	seen := map[string]bool{}
	addFix := func(s string) {
		if !seen[s] {
			seen[s] = true
			fixes = append(fixes, s)
		}
	}
	for _, c := range causes {
		for _, fx := range c.Fixes {
			addFix(fx)
		}
	}
	setDimensionData(data, f, view, "")
	for _, fx := range s.render("generic_fixes."+string(f.Kind), s.genericFor(f), data) {
		addFix(fx)
	}

	for _, r := range s.severity {
		if appliesTo(r.def.Kinds, r.def.Subtypes, r.def.Statuses, f) && r.def.Severity > sev && s.holds(&machine, r.def.ID, r.when, f.Kind, env) {
			sev = r.def.Severity
		}
	}
	if fireAndForget {
		sev = rules.SeverityInfo
	}

	f.Causes = causes
	f.Fixes = fixes
	if f.Fixes == nil {
		f.Fixes = []string{}
	}
	f.Severity = sev
}

// minConfidence drops causes the evidence gives (almost) nothing to.
const minConfidence = 0.01

// ranksBefore orders causes by confidence (to the percent shown), then
// the more specific first (a smaller share of the dimension's values),
// then file order.
func ranksBefore(a, b *candidate) bool {
	ca, cb := math.Round(a.cause.Confidence*100), math.Round(b.cause.Confidence*100)
	if ca != cb {
		return ca > cb
	}
	if a.specificity != b.specificity {
		return a.specificity < b.specificity
	}
	return a.order < b.order
}

// confidence is the evidence for rule r on f, 0..1:
//
//	prior × support × base
//
// base is, for a rule on dimensions, the chosen dimension's coverage (the
// share of failures inside its set) × cleanliness (1 - outside rate /
// inside rate), times the rule's strength expression when it has one; for
// a rule without dimensions, its strength (1 for a version-1 rule that has
// none). support is 1 - exp(-n/10) over the n failures counted, so a
// handful of errors never gives a confident cause. prior is the rule's
// (a version-1 constant confidence), 1 when not given. It also returns the
// dimension used and the cause's specificity.
func (s *Set) confidence(machine *vm.VM, r *causeRule, f *rules.Finding, view *contrastView, env map[string]any, support float64) (conf float64, dim string, spec float64) {
	base, spec := 1.0, 1.0
	if len(r.def.Dimensions) > 0 {
		dim, base = bestDimension(r.def.Dimensions, f, view)
		if dim == "" {
			return 0, "", 1
		}
		size, distinct := featureValue(f, view, "set_size_"+dim), featureValue(f, view, "distinct_"+dim)
		if size > 0 && distinct > 0 {
			spec = size / distinct
		}
	}
	if r.strength != nil {
		base *= s.evalFloat(machine, r.def.ID, r.strength, f.Kind, env)
	}
	prior := r.def.Prior
	if prior < 0 {
		prior = 1
	}
	return prior * support * base, dim, spec
}

// bestDimension picks, of a rule's dimensions, the one whose contrast is
// strongest (separating ones first) and returns its coverage ×
// cleanliness; "" when the log carries none of them.
func bestDimension(dims []string, f *rules.Finding, view *contrastView) (string, float64) {
	best, bestBase, bestIn, bestSep := "", -1.0, 0.0, false
	for _, d := range dims {
		cov, in, out := featureValue(f, view, "cov_"+d), featureValue(f, view, "in_rate_"+d), featureValue(f, view, "out_rate_"+d)
		if cov < 0 || in <= 0 || out < 0 {
			continue
		}
		base := math.Min(cov, 1) * math.Max(0, 1-out/in)
		sep := view.separates(f, d)
		// on a tie, the set that fails more often says it better (a
		// network failing 17% of the time beside browsers failing always)
		if (sep && !bestSep) || (sep == bestSep && (base > bestBase || base == bestBase && in > bestIn)) {
			best, bestBase, bestIn, bestSep = d, base, in, sep
		}
	}
	if best == "" {
		return "", 0
	}
	return best, bestBase
}

// supportOf is 1 - exp(-n/10) over the failures behind the finding: the
// contrast's failing requests, else the finding's count.
func supportOf(f *rules.Finding) float64 {
	n := float64(f.Count)
	if f.Contrast != nil && f.Contrast.Failing > 0 {
		n = float64(f.Contrast.Failing)
	}
	if x, ok := f.Features["operations"]; ok && x > 0 && f.Kind == rules.KindIncomplete202 {
		n = x
	}
	if n <= 0 {
		return 0
	}
	return 1 - math.Exp(-n/10)
}

// featureValue is a feature as rules see it, -1 when unknown.
func featureValue(f *rules.Finding, view *contrastView, name string) float64 {
	if x, ok := view.value(f, name); ok && !math.IsNaN(x) {
		return x
	}
	return -1
}

// verdict renders the top cause's verdict sentence, or names the cause
// and its confidence when its rule has none.
func (s *Set) verdict(c *candidate, f *rules.Finding, view *contrastView, data map[string]any) string {
	if c.rule.verdict != nil {
		setDimensionData(data, f, view, c.cause.Dimension)
		if lines := s.render(c.rule.def.ID, []ruleTemplate{*c.rule.verdict}, data); len(lines) > 0 {
			return lines[0]
		}
	}
	return fmt.Sprintf("Most likely: %s (%s).", strings.TrimSuffix(c.cause.Title, "."), pctText(c.cause.Confidence))
}

// definitionOf is the one line that says what f's status means.
func (s *Set) definitionOf(f *rules.Finding) string {
	st := f.Status
	if f.Kind == rules.KindBurst520 {
		st = 520
	}
	if st == 0 {
		st = int(f.Features["status"])
	}
	return s.definitions[st]
}

// genericFor returns the generic fixes of f's sub-type when the rules give
// them, else those of its kind.
func (s *Set) genericFor(f *rules.Finding) []ruleTemplate {
	if f.Subtype != "" {
		if ts, ok := s.generic[string(f.Kind)+"/"+f.Subtype]; ok {
			return ts
		}
	}
	return s.generic[string(f.Kind)]
}

// run evaluates one of rule's expressions; a run-time error (a type
// mismatch, a feature this format lacks) or a run past exprSlow is
// reported once per rule, with the feature involved.
func (s *Set) run(machine *vm.VM, rule string, e *ruleExpr, k rules.Kind, env map[string]any) (any, bool) {
	if e == nil {
		return nil, false
	}
	p := e.progs[string(k)]
	if p == nil {
		return nil, false
	}
	machine.MemoryBudget = exprMemory
	start := time.Now()
	out, err := machine.Run(p, env)
	if d := time.Since(start); err == nil && d > exprSlow {
		s.warn.add(Warning{Rule: rule, Source: e.source, Message: fmt.Sprintf("expression took %v (budget %v)", d.Round(time.Millisecond), exprSlow)})
	}
	if err != nil {
		s.warn.add(Warning{Rule: rule, Source: e.source, Feature: e.featureOf(err), Message: "expression failed: " + firstLine(err)})
		return nil, false
	}
	return out, true
}

func (s *Set) holds(machine *vm.VM, rule string, e *ruleExpr, k rules.Kind, env map[string]any) bool {
	out, ok := s.run(machine, rule, e, k, env)
	b, isBool := out.(bool)
	return ok && isBool && b
}

func (s *Set) evalFloat(machine *vm.VM, rule string, e *ruleExpr, k rules.Kind, env map[string]any) float64 {
	out, ok := s.run(machine, rule, e, k, env)
	if !ok {
		return 0
	}
	var v float64
	switch x := out.(type) {
	case float64:
		v = x
	case int:
		v = float64(x)
	}
	if math.IsNaN(v) {
		return 0
	}
	return math.Max(0, math.Min(1, v))
}

// render executes a rule's templates under the template budget, dropping
// lines that come out empty (a template may guard a sentence with {{if
// known .x}}); a line that fails is dropped and the rule reported once.
func (s *Set) render(rule string, ts []ruleTemplate, data map[string]any) []string {
	out := make([]string, 0, len(ts))
	var w cappedWriter
	for _, t := range ts {
		if err := execute(t.t, data, &w); err != nil {
			s.warn.add(Warning{Rule: rule, Source: t.source, Message: "template failed: " + err.Error()})
			continue
		}
		if line := collapseSpace(w.String()); line != "" {
			out = append(out, line)
		}
	}
	return out
}
