package causes

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

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
	// definitions say in one line what each status means (Finding.Definition).
	definitions map[int]string
	// used are the data names some template reads (see templateDataOf).
	used map[string]bool
}

type causeRule struct {
	def      ruleDef
	when     *ruleExpr
	title    ruleTemplate
	strength *ruleExpr     // nil without a strength expression
	verdict  *ruleTemplate // nil without a verdict
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

type source struct {
	name string
	data []byte
}

func load(srcs []source) (*Set, error) {
	s := &Set{generic: map[string][]ruleTemplate{}, warn: &warnings{}, definitions: map[int]string{}, used: map[string]bool{}}
	var errs []error
	for _, src := range srcs {
		if err := s.add(src); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.markUsed()
	return s, nil
}

// markUsed records the data names the set's templates read.
func (s *Set) markUsed() {
	mark := func(ts ...ruleTemplate) {
		for _, t := range ts {
			if t.t != nil {
				walkFields(t.t.Root, func(name string) { s.used[name] = true })
			}
		}
	}
	for _, r := range s.causes {
		mark(r.title)
		mark(r.evidence...)
		mark(r.fixes...)
		if r.verdict != nil {
			mark(*r.verdict)
		}
	}
	for _, ts := range s.generic {
		mark(ts...)
	}
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
	for st, d := range defs.definitions {
		s.definitions[st] = d
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
	if t, err := compileTemplate(d.ID+".title", d.Title, d.Kinds); err != nil {
		el.add(d.Line, "rule %q title: %v", d.ID, err)
	} else {
		r.title = ruleTemplate{t: t, source: fmt.Sprintf("%s:%d", d.File, d.Line)}
	}
	if d.Strength != "" {
		r.strength = compileWhen(d.Strength, fmt.Sprintf("%s:%d", d.File, d.StrengthLine), d.StrengthLine, d.Kinds, expr.AsFloat64(), el)
	}
	if d.Verdict != "" {
		t, err := compileTemplate(d.ID+".verdict", d.Verdict, d.Kinds)
		if err != nil {
			el.add(d.VerdictLine, "rule %q verdict: %v", d.ID, err)
		} else {
			r.verdict = &ruleTemplate{t: t, source: fmt.Sprintf("%s:%d", d.File, d.VerdictLine)}
		}
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
				if near := suggest(name, append(slices.Clone(FeaturesOf(k)), stringsOf(k)...)); near != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", near)
				}
				msg += fmt.Sprintf("; the names of %s are: %s; also %s, and known(x), between(x, lo, hi), ratio(a, b), separates(\"dimension\")",
					k, describeFeatures(k), strings.Join(stringsOf(k), ", "))
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
func isHelper(name string) bool {
	return name == "known" || name == "between" || name == "ratio" || name == "separates"
}

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
		ri.Confidence = confidenceText(d)
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

// confidenceText says how a rule's confidence is computed, for the rules
// listing: "evidence(colo)", "evidence(strength)", with "× prior 0.6".
func confidenceText(d ruleDef) string {
	var parts []string
	if len(d.Dimensions) > 0 {
		parts = append(parts, strings.Join(d.Dimensions, "|"))
	}
	if d.Strength != "" {
		parts = append(parts, "strength")
	}
	s := "evidence"
	if len(parts) > 0 {
		s += "(" + strings.Join(parts, ", ") + ")"
	}
	if d.Prior >= 0 {
		s += " × prior " + strconv.FormatFloat(d.Prior, 'f', -1, 64)
	}
	return s
}
