// Package causes explains findings with declarative cause rules.
//
// A rule file (YAML) holds cause rules — an id, the finding kind (and
// optionally sub-types or statuses) it applies to, a condition over the
// finding's features written in expr (github.com/expr-lang/expr), a title, a
// confidence, evidence templates that quote the numbers, and the fixes it
// suggests — plus severity rules (what makes a finding critical), generic
// fixes per kind, and per-route settings for async APIs (poll style,
// pending timeout).
//
// The default rules are embedded (default.yaml); Load adds user files that
// add rules or override default ones by id. Every expression and template is
// compiled once, against the declared feature names of its kind, so a typo
// in a feature name is an error at load time with the file and line, never
// a silently false condition.
package causes
