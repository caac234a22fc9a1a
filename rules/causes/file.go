package causes

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/edgetriage/edgetriage/rules"
)

// FileError is a problem in a rule file, with the place it was found.
type FileError struct {
	File   string
	Line   int // 1-based; 0 when the problem is the file as a whole
	Reason string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

// ruleDef is a cause rule as written in a file.
type ruleDef struct {
	selector
	Title string
	// Prior is what the rule's author believes before the evidence (0..1,
	// 1 when not given): a version-1 constant confidence becomes it.
	Prior float64
	// Dimensions are the contrast dimensions the cause rests on (the first
	// that separates is used): its coverage and cleanliness are the
	// evidence. Strength is an expression giving the evidence 0..1 for a
	// cause that rests on no dimension (a time shape, the origin join).
	Dimensions []string
	Strength   string
	// Verdict is the sentence that names this cause when it ranks first.
	Verdict string
	// Cloudflare marks a cause only a Cloudflare log can show: never
	// ranked for a plain web-server log.
	Cloudflare bool
	Evidence   []string
	Fixes      []string
	Severity   rules.Severity

	File                                                             string
	Line, ConfLine, StrengthLine, VerdictLine, EvidenceLine, FixLine int
	evidenceLines, fixLines                                          []int
}

// severityDef is a severity rule: when it holds, the finding is raised to
// Severity.
type severityDef struct {
	selector
	Severity rules.Severity
	Reason   string

	File string
	Line int
}

// selector is what cause and severity rules share: which findings they
// apply to and when.
type selector struct {
	ID       string
	Kinds    []rules.Kind
	Subtypes []string
	Statuses []int
	When     string
	WhenLine int
	Disabled bool
}

// parseKey reads one of the selector's keys; false for any other key.
func (s *selector) parseKey(key string, v *yaml.Node, el *errList) bool {
	switch key {
	case "id":
		s.ID, _ = scalar(v, el, "id")
	case "kind":
		s.Kinds = kindList(v, el)
	case "subtype":
		s.Subtypes = subtypeList(v, el)
	case "status":
		s.Statuses = statusList(v, el)
	case "when":
		s.When, _ = scalar(v, el, "when")
		s.WhenLine = v.Line
	case "disabled":
		s.Disabled = boolValue(v, el, "disabled")
	default:
		return false
	}
	return true
}

// genericDef holds the fixes every finding of a kind (or of one sub-type)
// gets after its causes'.
type genericDef struct {
	Kind    rules.Kind
	Subtype string
	Fixes   []string
	Lines   []int
	File    string
}

// fileDefs is everything one rule file declares.
type fileDefs struct {
	version     int
	rules       []ruleDef
	severity    []severityDef
	generic     []genericDef
	routes      []rules.Route
	definitions map[int]string // status -> what it means, in one line
}

// FileVersion is the rule file format this build writes; version 1 files
// still load (see parseRule for what changed).
const FileVersion = 2

// errList collects the problems of one file.
type errList struct {
	file string
	errs []error
}

func (l *errList) add(line int, format string, args ...any) {
	l.errs = append(l.errs, &FileError{File: l.file, Line: line, Reason: fmt.Sprintf(format, args...)})
}

func (l *errList) err() error { return errors.Join(l.errs...) }

var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseFile reads a rule file's YAML into definitions, checking its shape
// (unknown keys, missing fields, wrong types) with line numbers; problems go
// to el, and the definitions that are sound are returned all the same so
// that their expressions get checked too. It does not compile expressions or
// templates. It returns nil when the YAML itself is broken.
func parseFile(name string, data []byte, el *errList) *fileDefs {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 0
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		reason := strings.TrimPrefix(err.Error(), "yaml: ")
		reason = strings.TrimPrefix(reason, fmt.Sprintf("line %d: ", line))
		el.add(line, "invalid YAML: %s", reason)
		return nil
	}
	defs := &fileDefs{}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return defs // empty file
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		el.add(top.Line, "a rule file is a mapping with rules:, severity:, generic_fixes: and routes:")
		return nil
	}
	defs.version = 1 // a file without a version is a version-1 file
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k, v := top.Content[i], top.Content[i+1]; k.Value == "version" {
			switch v.Value {
			case "1", "2":
				defs.version, _ = strconv.Atoi(v.Value)
			default:
				el.add(v.Line, "unsupported version %q (want 1 or 2)", v.Value)
			}
		}
	}
	forEachPair(top, el, func(key string, k, v *yaml.Node) {
		switch key {
		case "version":
		case "definitions":
			defs.definitions = parseDefinitions(v, el)
		case "rules":
			forEachItem(v, el, "rules", func(n *yaml.Node) {
				if r, ok := parseRule(n, name, defs.version, el); ok {
					defs.rules = append(defs.rules, r)
				}
			})
		case "severity":
			forEachItem(v, el, "severity", func(n *yaml.Node) {
				if r, ok := parseSeverity(n, name, el); ok {
					defs.severity = append(defs.severity, r)
				}
			})
		case "generic_fixes":
			if v.Kind != yaml.MappingNode {
				el.add(v.Line, "generic_fixes: want a mapping of kind to a list of fixes")
				return
			}
			forEachPair(v, el, func(key string, kn, list *yaml.Node) {
				kind, sub, _ := strings.Cut(key, "/")
				if !knownKind(rules.Kind(kind)) {
					el.add(kn.Line, "generic_fixes: unknown kind %q (want one of %s, or incomplete_202/<subtype>)", key, kindNames())
					return
				}
				if sub != "" && (kind != string(rules.KindIncomplete202) || !slices.Contains(Subtypes, sub)) {
					el.add(kn.Line, "generic_fixes: unknown subtype in %q (want one of %s)", key, strings.Join(Subtypes, ", "))
					return
				}
				g := genericDef{Kind: rules.Kind(kind), Subtype: sub, File: name}
				g.Fixes, g.Lines = stringList(list, el, "generic_fixes."+key)
				defs.generic = append(defs.generic, g)
			})
		case "routes":
			forEachItem(v, el, "routes", func(n *yaml.Node) {
				if r, ok := parseRoute(n, el); ok {
					defs.routes = append(defs.routes, r)
				}
			})
		default:
			el.add(k.Line, "unknown key %q (want rules, severity, generic_fixes, definitions, routes or version)", key)
		}
	})
	return defs
}

func kindNames() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func forEachPair(m *yaml.Node, el *errList, fn func(key string, k, v *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			el.add(k.Line, "keys must be plain names")
			continue
		}
		if seen[k.Value] {
			el.add(k.Line, "key %q given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k.Value, k, v)
	}
}

func forEachItem(seq *yaml.Node, el *errList, what string, fn func(*yaml.Node)) {
	if seq.Kind == yaml.ScalarNode && seq.Tag == "!!null" {
		return
	}
	if seq.Kind != yaml.SequenceNode {
		el.add(seq.Line, "%s: want a list", what)
		return
	}
	for _, n := range seq.Content {
		if n.Kind != yaml.MappingNode {
			el.add(n.Line, "%s: each entry is a mapping", what)
			continue
		}
		fn(n)
	}
}

func scalar(v *yaml.Node, el *errList, what string) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		el.add(v.Line, "%s: want a single value", what)
		return "", false
	}
	return v.Value, true
}

// stringList reads a string or a list of strings, with each item's line.
func stringList(v *yaml.Node, el *errList, what string) ([]string, []int) {
	if v.Kind == yaml.ScalarNode {
		if v.Tag == "!!null" {
			return nil, nil
		}
		return []string{v.Value}, []int{v.Line}
	}
	if v.Kind != yaml.SequenceNode {
		el.add(v.Line, "%s: want a string or a list of strings", what)
		return nil, nil
	}
	var out []string
	var lines []int
	for _, n := range v.Content {
		if n.Kind != yaml.ScalarNode {
			el.add(n.Line, "%s: each item is a string", what)
			continue
		}
		out = append(out, n.Value)
		lines = append(lines, n.Line)
	}
	return out, lines
}

func kindList(v *yaml.Node, el *errList) []rules.Kind {
	names, lines := stringList(v, el, "kind")
	var out []rules.Kind
	for i, s := range names {
		k := rules.Kind(strings.TrimSpace(s))
		if !knownKind(k) {
			el.add(lines[i], "unknown kind %q (want one of %s)", s, kindNames())
			continue
		}
		out = append(out, k)
	}
	return out
}

func subtypeList(v *yaml.Node, el *errList) []string {
	names, lines := stringList(v, el, "subtype")
	var out []string
	for i, s := range names {
		s = strings.TrimSpace(s)
		if !slices.Contains(Subtypes, s) {
			el.add(lines[i], "unknown subtype %q (want one of %s)", s, strings.Join(Subtypes, ", "))
			continue
		}
		out = append(out, s)
	}
	return out
}

func statusList(v *yaml.Node, el *errList) []int {
	names, lines := stringList(v, el, "status")
	var out []int
	for i, s := range names {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 100 || n > 999 {
			el.add(lines[i], "status %q: want an HTTP status code", s)
			continue
		}
		out = append(out, n)
	}
	return out
}

func severityValue(v *yaml.Node, el *errList) rules.Severity {
	s, ok := scalar(v, el, "severity")
	if !ok {
		return 0
	}
	sev, err := rules.ParseSeverity(s)
	if err != nil {
		el.add(v.Line, "%v", err)
	}
	return sev
}

func boolValue(v *yaml.Node, el *errList, what string) bool {
	s, ok := scalar(v, el, what)
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		el.add(v.Line, "%s: want true or false, got %q", what, s)
	}
	return b
}

// parseRule reads one cause rule. What changed in version 2: a cause's
// confidence comes from the evidence (the coverage and cleanliness of its
// dimension's contrast, or its strength expression, times the support of
// the failures counted), so confidence: is gone. A version-1 file's
// constant confidence still loads, as the rule's prior; a version-1
// confidence expression, or confidence: in a version-2 file, is an error
// that says so.
func parseRule(n *yaml.Node, file string, version int, el *errList) (ruleDef, bool) {
	r := ruleDef{File: file, Line: n.Line, Prior: -1}
	before := len(el.errs)
	forEachPair(n, el, func(key string, k, v *yaml.Node) {
		if r.parseKey(key, v, el) {
			return
		}
		switch key {
		case "title":
			r.Title, _ = scalar(v, el, "title")
		case "confidence":
			s, ok := scalar(v, el, "confidence")
			if !ok {
				return
			}
			r.ConfLine = v.Line
			f, err := strconv.ParseFloat(s, 64)
			switch {
			case version >= 2:
				el.add(v.Line, "confidence: is gone in rules version 2: confidence now comes from the evidence; give dimension: or strength: (and prior: for your own weight, 0 to 1)")
			case err != nil || v.Tag == "!!str":
				el.add(v.Line, "confidence %q: a confidence expression no longer works (rules version 2 computes confidence from the evidence): keep a number, which becomes the rule's prior, or move to version: 2 with dimension: or strength: %q", s, s)
			default:
				r.Prior = unitValue(f, v.Line, "confidence", el)
			}
		case "prior":
			s, _ := scalar(v, el, "prior")
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				el.add(v.Line, "prior %q: want a number from 0 to 1", s)
			}
			r.Prior = unitValue(f, v.Line, "prior", el)
		case "dimension":
			names, lines := stringList(v, el, "dimension")
			for i, d := range names {
				if !slices.Contains(ContrastDimensions, d) {
					el.add(lines[i], "unknown dimension %q (want one of %s)", d, strings.Join(ContrastDimensions, ", "))
					continue
				}
				r.Dimensions = append(r.Dimensions, d)
			}
		case "strength":
			r.Strength, _ = scalar(v, el, "strength")
			r.StrengthLine = v.Line
		case "verdict":
			r.Verdict, _ = scalar(v, el, "verdict")
			r.VerdictLine = v.Line
		case "cloudflare":
			r.Cloudflare = boolValue(v, el, "cloudflare")
		case "evidence":
			r.Evidence, r.evidenceLines = stringList(v, el, "evidence")
			r.EvidenceLine = v.Line
		case "fixes":
			r.Fixes, r.fixLines = stringList(v, el, "fixes")
			r.FixLine = v.Line
		case "severity":
			r.Severity = severityValue(v, el)
		default:
			el.add(k.Line, "rule: unknown key %q (want id, kind, subtype, status, when, title, dimension, strength, prior, verdict, cloudflare, evidence, fixes, severity or disabled)", key)
		}
	})
	if r.ID == "" {
		el.add(n.Line, "rule without an id")
		return r, false
	}
	if !r.Disabled { // a disabling override needs only its id
		if len(r.Kinds) == 0 {
			el.add(n.Line, "rule %q: missing kind", r.ID)
		}
		if strings.TrimSpace(r.When) == "" {
			el.add(n.Line, "rule %q: missing when (use \"true\" for a rule that always applies)", r.ID)
		}
		if strings.TrimSpace(r.Title) == "" {
			el.add(n.Line, "rule %q: missing title", r.ID)
		}
		if len(r.Evidence) == 0 {
			el.add(n.Line, "rule %q: missing evidence (at least one line that quotes the numbers)", r.ID)
		}
	}
	return r, len(el.errs) == before
}

func unitValue(f float64, line int, what string, el *errList) float64 {
	if f < 0 || f > 1 || math.IsNaN(f) {
		el.add(line, "%s %v: want a number from 0 to 1", what, f)
		return -1
	}
	return f
}

// parseDefinitions reads status: "what it means" pairs.
func parseDefinitions(v *yaml.Node, el *errList) map[int]string {
	out := map[int]string{}
	if v.Kind != yaml.MappingNode {
		el.add(v.Line, "definitions: want a mapping of status to a one-line definition")
		return out
	}
	forEachPair(v, el, func(key string, k, d *yaml.Node) {
		st, err := strconv.Atoi(key)
		if err != nil || st < 100 || st > 999 {
			el.add(k.Line, "definitions: %q is not an HTTP status", key)
			return
		}
		if s, ok := scalar(d, el, "definitions."+key); ok {
			out[st] = s
		}
	})
	return out
}

func parseSeverity(n *yaml.Node, file string, el *errList) (severityDef, bool) {
	r := severityDef{File: file, Line: n.Line}
	before := len(el.errs)
	forEachPair(n, el, func(key string, k, v *yaml.Node) {
		if r.parseKey(key, v, el) {
			return
		}
		switch key {
		case "severity":
			r.Severity = severityValue(v, el)
		case "reason":
			r.Reason, _ = scalar(v, el, "reason")
		default:
			el.add(k.Line, "severity rule: unknown key %q (want id, kind, subtype, status, when, severity, reason or disabled)", key)
		}
	})
	if r.ID == "" {
		el.add(n.Line, "severity rule without an id")
		return r, false
	}
	if !r.Disabled {
		if len(r.Kinds) == 0 {
			el.add(n.Line, "severity rule %q: missing kind", r.ID)
		}
		if strings.TrimSpace(r.When) == "" {
			el.add(n.Line, "severity rule %q: missing when", r.ID)
		}
		if r.Severity == 0 {
			el.add(n.Line, "severity rule %q: missing severity", r.ID)
		}
	}
	return r, len(el.errs) == before
}

func parseRoute(n *yaml.Node, el *errList) (rules.Route, bool) {
	var r rules.Route
	before := len(el.errs)
	forEachPair(n, el, func(key string, k, v *yaml.Node) {
		switch key {
		case "method":
			s, _ := scalar(v, el, "method")
			r.Method = strings.ToUpper(strings.TrimSpace(s))
		case "path":
			r.Path, _ = scalar(v, el, "path")
			if r.Path != "" && !strings.HasPrefix(r.Path, "/") {
				el.add(v.Line, "route path %q: want a path template starting with / (ids as {id}, a trailing * for any rest)", r.Path)
			}
		case "poll_style":
			s, _ := scalar(v, el, "poll_style")
			s = strings.ToLower(strings.TrimSpace(s))
			if s != rules.PollStyleStatus && s != rules.PollStyleBody {
				el.add(v.Line, "poll_style %q: want %q (202 while pending) or %q (200 with the state in the body)", s, rules.PollStyleStatus, rules.PollStyleBody)
			}
			r.PollStyle = s
		case "timeout":
			s, _ := scalar(v, el, "timeout")
			d, err := time.ParseDuration(strings.TrimSpace(s))
			if err != nil || d <= 0 {
				el.add(v.Line, "timeout %q: want a positive duration such as 30m", s)
			}
			r.PendingTimeout = d
		default:
			el.add(k.Line, "route: unknown key %q (want method, path, poll_style or timeout)", key)
		}
	})
	if r.Path == "" {
		el.add(n.Line, "route without a path")
	}
	return r, len(el.errs) == before
}
