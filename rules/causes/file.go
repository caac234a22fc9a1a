package causes

import (
	"errors"
	"fmt"
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
	Title          string
	Confidence     float64
	ConfidenceExpr string
	Evidence       []string
	Fixes          []string
	Severity       rules.Severity

	File                                  string
	Line, ConfLine, EvidenceLine, FixLine int
	evidenceLines, fixLines               []int
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
	rules    []ruleDef
	severity []severityDef
	generic  []genericDef
	routes   []rules.Route
}

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
	forEachPair(top, el, func(key string, k, v *yaml.Node) {
		switch key {
		case "version":
			if v.Value != "1" {
				el.add(v.Line, "unsupported version %q (want 1)", v.Value)
			}
		case "rules":
			forEachItem(v, el, "rules", func(n *yaml.Node) {
				if r, ok := parseRule(n, name, el); ok {
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
			el.add(k.Line, "unknown key %q (want rules, severity, generic_fixes, routes or version)", key)
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

func parseRule(n *yaml.Node, file string, el *errList) (ruleDef, bool) {
	r := ruleDef{File: file, Line: n.Line, Confidence: -1}
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
			if f, err := strconv.ParseFloat(s, 64); err == nil && v.Tag != "!!str" {
				if f < 0 || f > 1 {
					el.add(v.Line, "confidence %v: want a number from 0 to 1", f)
				}
				r.Confidence = f
			} else {
				r.ConfidenceExpr = s
			}
		case "evidence":
			r.Evidence, r.evidenceLines = stringList(v, el, "evidence")
			r.EvidenceLine = v.Line
		case "fixes":
			r.Fixes, r.fixLines = stringList(v, el, "fixes")
			r.FixLine = v.Line
		case "severity":
			r.Severity = severityValue(v, el)
		default:
			el.add(k.Line, "rule: unknown key %q (want id, kind, subtype, status, when, title, confidence, evidence, fixes, severity or disabled)", key)
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
		if r.Confidence < 0 && r.ConfidenceExpr == "" {
			el.add(n.Line, "rule %q: missing confidence", r.ID)
		}
		if len(r.Evidence) == 0 {
			el.add(n.Line, "rule %q: missing evidence (at least one line that quotes the numbers)", r.ID)
		}
	}
	return r, len(el.errs) == before
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
