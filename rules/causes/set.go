package causes

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/edgetriage/edgetriage/rules"
)

//go:embed default.yaml
var defaultRules []byte

// DefaultFile is the name the embedded default rules go by in errors and in
// the rules listing.
const DefaultFile = "(built-in) default.yaml"

// DefaultYAML returns the embedded default rule file, as a starting point
// for a user's own.
func DefaultYAML() []byte { return slices.Clone(defaultRules) }

// Set is a compiled, immutable set of rules. Its methods are safe for
// concurrent use.
type Set struct {
	causes   []*causeRule
	severity []*severityRule
	generic  map[string][]ruleTemplate // by "kind" or "kind/subtype"
	routes   []rules.Route
	warn     *warnings
}

type causeRule struct {
	def      ruleDef
	when     *ruleExpr
	conf     *ruleExpr // nil when the confidence is a number
	evidence []ruleTemplate
	fixes    []ruleTemplate
	override bool // replaces a rule of the same id from an earlier file
}

type severityRule struct {
	def      severityDef
	when     *ruleExpr
	override bool
}

// Load compiles the embedded default rules, then each extra file in order:
// a rule whose id is already known replaces it (disabled: true removes it),
// other rules are added; routes add to the list (the same method and path
// replaces); generic fixes given for a kind replace that kind's. A file with
// a problem is rejected with every problem's file, line and reason.
func Load(extra ...string) (*Set, error) {
	srcs := []source{{name: DefaultFile, data: defaultRules}}
	for _, path := range extra {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading rule file: %w", err)
		}
		srcs = append(srcs, source{name: path, data: data})
	}
	return load(srcs)
}

// LoadBytes is Load for rule files already in memory (name is used in
// errors); the defaults come first all the same.
func LoadBytes(name string, data []byte) (*Set, error) {
	return load([]source{{name: DefaultFile, data: defaultRules}, {name: name, data: data}})
}

type source struct {
	name string
	data []byte
}

func load(srcs []source) (*Set, error) {
	s := &Set{generic: map[string][]ruleTemplate{}, warn: &warnings{}}
	var errs []error
	for _, src := range srcs {
		if err := s.add(src); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// add compiles one file and merges it into s; on error s is unchanged.
func (s *Set) add(src source) error {
	el := &errList{file: src.name}
	defs := parseFile(src.name, src.data, el)
	if defs == nil {
		return el.err()
	}
	ids := map[string]bool{}
	var causes []*causeRule
	for _, d := range defs.rules {
		if ids[d.ID] {
			el.add(d.Line, "rule id %q used twice in this file", d.ID)
			continue
		}
		ids[d.ID] = true
		if d.Disabled {
			causes = append(causes, &causeRule{def: d})
			continue
		}
		if r := compileCause(d, el); r != nil {
			causes = append(causes, r)
		}
	}
	var sevs []*severityRule
	sevIDs := map[string]bool{}
	for _, d := range defs.severity {
		if sevIDs[d.ID] {
			el.add(d.Line, "severity rule id %q used twice in this file", d.ID)
			continue
		}
		sevIDs[d.ID] = true
		r := &severityRule{def: d}
		if !d.Disabled {
			r.when = compileWhen(d.When, fmt.Sprintf("%s:%d", d.File, d.WhenLine), d.WhenLine, d.Kinds, expr.AsBool(), el)
			if r.when == nil {
				continue
			}
		}
		sevs = append(sevs, r)
	}
	generic := map[string][]ruleTemplate{}
	for _, g := range defs.generic {
		key := string(g.Kind)
		if g.Subtype != "" {
			key += "/" + g.Subtype
		}
		ts := []ruleTemplate{}
		for i, text := range g.Fixes {
			t, err := compileTemplate("generic_fixes."+key, text, []rules.Kind{g.Kind})
			if err != nil {
				el.add(g.Lines[i], "generic fix for %s: %v", key, err)
				continue
			}
			ts = append(ts, ruleTemplate{t: t, source: fmt.Sprintf("%s:%d", g.File, g.Lines[i])})
		}
		generic[key] = ts
	}
	if err := el.err(); err != nil {
		return err
	}

	s.causes = mergeRules(s.causes, causes)
	s.severity = mergeRules(s.severity, sevs)
	for k, ts := range generic {
		s.generic[k] = ts
	}
	for _, r := range defs.routes {
		i := slices.IndexFunc(s.routes, func(o rules.Route) bool { return o.Method == r.Method && o.Path == r.Path })
		if i >= 0 {
			s.routes[i] = r
		} else {
			s.routes = append(s.routes, r)
		}
	}
	return nil
}

// mergeable is a compiled cause or severity rule, as later files see it.
type mergeable interface {
	ruleID() string
	disabled() bool
	markOverride()
}

func (r *causeRule) ruleID() string    { return r.def.ID }
func (r *causeRule) disabled() bool    { return r.def.Disabled }
func (r *causeRule) markOverride()     { r.override = true }
func (r *severityRule) ruleID() string { return r.def.ID }
func (r *severityRule) disabled() bool { return r.def.Disabled }
func (r *severityRule) markOverride()  { r.override = true }

// mergeRules merges a later file's rules into list: a known id is replaced
// in place (disabled: true removes it), a new one is appended, and
// disabling an unknown id does nothing.
func mergeRules[R mergeable](list, later []R) []R {
	for _, r := range later {
		i := slices.IndexFunc(list, func(o R) bool { return o.ruleID() == r.ruleID() })
		switch {
		case i >= 0 && r.disabled():
			list = slices.Delete(list, i, i+1)
		case i >= 0:
			r.markOverride()
			list[i] = r
		case !r.disabled():
			list = append(list, r)
		}
	}
	return list
}

func compileCause(d ruleDef, el *errList) *causeRule {
	before := len(el.errs)
	r := &causeRule{def: d}
	r.when = compileWhen(d.When, fmt.Sprintf("%s:%d", d.File, d.WhenLine), d.WhenLine, d.Kinds, expr.AsBool(), el)
	if d.ConfidenceExpr != "" {
		r.conf = compileWhen(d.ConfidenceExpr, fmt.Sprintf("%s:%d", d.File, d.ConfLine), d.ConfLine, d.Kinds, expr.AsFloat64(), el)
	}
	for i, text := range d.Evidence {
		t, err := compileTemplate(d.ID+".evidence", text, d.Kinds)
		if err != nil {
			el.add(d.evidenceLines[i], "rule %q evidence: %v", d.ID, err)
			continue
		}
		r.evidence = append(r.evidence, ruleTemplate{t: t, source: fmt.Sprintf("%s:%d", d.File, d.evidenceLines[i])})
	}
	for i, text := range d.Fixes {
		t, err := compileTemplate(d.ID+".fixes", text, d.Kinds)
		if err != nil {
			el.add(d.fixLines[i], "rule %q fix: %v", d.ID, err)
			continue
		}
		r.fixes = append(r.fixes, ruleTemplate{t: t, source: fmt.Sprintf("%s:%d", d.File, d.fixLines[i])})
	}
	if len(el.errs) > before {
		return nil
	}
	return r
}

// compileWhen compiles an expression once per kind it applies to (the
// features differ by kind), so an unknown name is a load-time error; an
// expression whose run time is not bounded is refused too.
func compileWhen(src, source string, line int, kinds []rules.Kind, want expr.Option, el *errList) *ruleExpr {
	out := &ruleExpr{progs: make(map[string]*vm.Program, len(kinds)), source: source}
	for _, k := range kinds {
		env := exprEnv(k)
		p, err := expr.Compile(src, append([]expr.Option{expr.Env(env), want}, exprOptions...)...)
		if err == nil {
			err = checkBounded(p.Node())
		}
		if err != nil {
			msg, _, _ := strings.Cut(err.Error(), "\n")
			if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
				name, _, _ = strings.Cut(name, " ")
				if near := suggest(name, append(slices.Clone(FeaturesOf(k)), stringVars...)); near != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", near)
				}
				msg += fmt.Sprintf("; the features of %s are: %s; also %s, and known(x), between(x, lo, hi), ratio(a, b)",
					k, strings.Join(FeaturesOf(k), ", "), strings.Join(stringVars, ", "))
			}
			el.add(line, "expression %q (for %s): %s", src, k, msg)
			return nil
		}
		out.progs[string(k)] = p
		for _, n := range exprNames(p.Node()) {
			if env[n.name] != nil && !isHelper(n.name) && !slices.Contains(out.names, n) {
				out.names = append(out.names, n)
			}
		}
	}
	return out
}

// isHelper reports whether name is a helper function, not a feature.
func isHelper(name string) bool { return name == "known" || name == "between" || name == "ratio" }

func (r *causeRule) applies(f *rules.Finding) bool {
	return appliesTo(r.def.Kinds, r.def.Subtypes, r.def.Statuses, f)
}

func appliesTo(kinds []rules.Kind, subtypes []string, statuses []int, f *rules.Finding) bool {
	if !slices.Contains(kinds, f.Kind) {
		return false
	}
	if len(subtypes) > 0 && !slices.Contains(subtypes, f.Subtype) {
		return false
	}
	if len(statuses) > 0 {
		st := f.Status
		if st == 0 {
			st = int(f.Features["status"])
		}
		if st == 0 && f.Kind == rules.KindBurst520 {
			st = 520
		}
		if !slices.Contains(statuses, st) {
			return false
		}
	}
	return true
}

// Explain evaluates the rules on f: it fills f.Causes (matching rules, most
// confident first; ties keep file order) with their evidence rendered, sets
// f.Fixes to the fixes of those causes in rank order followed by the
// generic fixes of the kind (duplicates dropped), and raises f.Severity as
// cause and severity rules say. Bursts and never-completed groups are at
// least warning; fire-and-forget endpoints stay info. It is safe to call
// again on an updated finding.
func (s *Set) Explain(f *rules.Finding) {
	feats := boxFeatures(f)
	env := runEnv(f, feats)
	data := templateDataOf(f, feats)
	var machine vm.VM // reused by every expression of this finding

	sev := f.Severity
	fireAndForget := f.Kind == rules.KindIncomplete202 && f.Subtype == rules.SubFireAndForget
	if sev < rules.SeverityWarning && !fireAndForget {
		sev = rules.SeverityWarning
	}
	if sev == 0 {
		sev = rules.SeverityInfo
	}

	causes := make([]rules.Cause, 0, 4)
	for _, r := range s.causes {
		if !r.applies(f) || !s.holds(&machine, r.def.ID, r.when, f.Kind, env) {
			continue
		}
		c := rules.Cause{Rule: r.def.ID, Title: r.def.Title, Confidence: r.def.Confidence}
		if r.conf != nil {
			c.Confidence = s.evalFloat(&machine, r.def.ID, r.conf, f.Kind, env)
		}
		c.Evidence = s.render(r.def.ID, r.evidence, data)
		if len(c.Evidence) == 0 {
			continue // every evidence line failed: the rule is reported, not shown
		}
		c.Fixes = s.render(r.def.ID, r.fixes, data)
		causes = append(causes, c)
		if r.def.Severity > sev {
			sev = r.def.Severity
		}
	}
	sort.SliceStable(causes, func(i, j int) bool { return causes[i].Confidence > causes[j].Confidence })

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

// collapseSpace is strings.Join(strings.Fields(s), " "), without the
// copies for the usual line that is already single-spaced ASCII.
func collapseSpace(s string) string {
	prevSpace := true // a leading space needs the slow path
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80 || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || (c == ' ' && prevSpace):
			return strings.Join(strings.Fields(s), " ")
		}
		prevSpace = c == ' '
	}
	if prevSpace && s != "" {
		return strings.Join(strings.Fields(s), " ") // a trailing space
	}
	return s
}

// Routes returns the per-route settings in file order, for
// rules.Config.Routes.
func (s *Set) Routes() []rules.Route { return slices.Clone(s.routes) }

// RuleInfo describes one active rule for `edgetriage rules`.
type RuleInfo struct {
	ID         string   `json:"id"`
	Type       string   `json:"type"` // "cause" or "severity"
	Kinds      []string `json:"kinds"`
	Subtypes   []string `json:"subtypes,omitempty"`
	Statuses   []int    `json:"statuses,omitempty"`
	When       string   `json:"when"`
	Title      string   `json:"title"`      // cause title, or the severity rule's reason
	Confidence string   `json:"confidence"` // a number or the expression
	Severity   string   `json:"severity,omitempty"`
	Source     string   `json:"source"` // file:line
	Overrides  bool     `json:"overrides,omitempty"`
}

// Rules lists the active cause rules in evaluation order, then the severity
// rules.
func (s *Set) Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(s.causes)+len(s.severity))
	for _, r := range s.causes {
		d := r.def
		ri := RuleInfo{ID: d.ID, Type: "cause", Kinds: kindStrings(d.Kinds), Subtypes: d.Subtypes, Statuses: d.Statuses,
			When: strings.TrimSpace(d.When), Title: d.Title, Source: fmt.Sprintf("%s:%d", d.File, d.Line), Overrides: r.override}
		ri.Confidence = d.ConfidenceExpr
		if ri.Confidence == "" {
			ri.Confidence = strconv.FormatFloat(d.Confidence, 'f', -1, 64)
		}
		if d.Severity != 0 {
			ri.Severity = d.Severity.String()
		}
		out = append(out, ri)
	}
	for _, r := range s.severity {
		d := r.def
		out = append(out, RuleInfo{ID: d.ID, Type: "severity", Kinds: kindStrings(d.Kinds), Subtypes: d.Subtypes,
			Statuses: d.Statuses, When: strings.TrimSpace(d.When), Title: d.Reason, Severity: d.Severity.String(),
			Source: fmt.Sprintf("%s:%d", d.File, d.Line), Overrides: r.override})
	}
	return out
}

func kindStrings(ks []rules.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
