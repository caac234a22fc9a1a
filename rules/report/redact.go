package report

import (
	"net/netip"
	"regexp"
	"strings"

	"github.com/edgetriage/edgetriage/rules"
)

// Redaction masks what must not leave the building in a pasted report:
// client IP addresses and query strings. Origin and upstream addresses are
// kept (they name the servers the fixes are about); every other address in
// log-derived text is taken for a client's.

const (
	maskedIPv4  = "x.x.x.x"
	maskedIPv6  = "x:x::x"
	maskedQuery = "?REDACTED"
)

var (
	ipv4Re = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	// candidates only; each is checked with netip and must have "::" or
	// seven colons, so times such as 10:02:13 and MAC addresses stay.
	ipv6Re = regexp.MustCompile(`(?i)[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*`)
	// a query string: '?' right after a non-space character, up to the next
	// space, quote or bracket
	queryRe = regexp.MustCompile("([^\\s?])\\?[^\\s\"'`<>|()\\[\\]{}]+")
)

type redactor struct {
	keep map[string]bool // addresses that are not clients'
}

func newRedactor(fs []Finding) *redactor {
	r := &redactor{keep: map[string]bool{}}
	for _, f := range fs {
		r.keepAddr(f.Origin)
		if f.Contrast != nil {
			for _, d := range f.Contrast.Dimensions {
				if d.Name == "upstream" {
					for _, v := range d.Values {
						r.keepAddr(v.Value)
					}
				}
			}
		}
		for _, key := range []string{"upstreams_failed", "upstreams_healthy"} {
			if list, ok := f.Context[key].([]any); ok {
				for _, u := range list {
					if s, ok := u.(string); ok {
						r.keepAddr(stripCount(s))
					}
				}
			}
		}
	}
	return r
}

func (r *redactor) keepAddr(s string) {
	if a, err := netip.ParseAddr(s); err == nil {
		r.keep[a.String()] = true
		return
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		r.keep[ap.Addr().String()] = true
	}
}

// text masks client addresses and query strings in s.
func (r *redactor) text(s string) string {
	if s == "" {
		return s
	}
	if strings.IndexByte(s, '?') >= 0 {
		s = queryRe.ReplaceAllString(s, "${1}"+maskedQuery)
	}
	s = r.maskIPv4(s)
	if strings.Count(s, ":") >= 2 {
		s = ipv6Re.ReplaceAllStringFunc(s, func(m string) string {
			core := strings.TrimRight(m, ":.")
			if a, err := netip.ParseAddr(strings.TrimRight(m, ".")); err == nil && a.Is6() && strings.HasSuffix(m, "::") {
				core = strings.TrimRight(m, ".") // a prefix such as 2001:db8::/48 ends in "::"
			}
			tail := m[len(core):]
			if !strings.Contains(core, "::") && strings.Count(core, ":") < 7 {
				return m
			}
			a, err := netip.ParseAddr(core)
			if err != nil || !a.Is6() || r.keep[a.String()] {
				return m
			}
			return maskedIPv6 + tail
		})
	}
	return s
}

// maskIPv4 masks dotted quads that are addresses, leaving version numbers
// such as Chrome/131.0.0.0 (a quad right after '/' or '.') alone.
func (r *redactor) maskIPv4(s string) string {
	locs := ipv4Re.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	prev := 0
	for _, l := range locs {
		m := s[l[0]:l[1]]
		if l[0] > 0 && (s[l[0]-1] == '/' || s[l[0]-1] == '.') {
			continue
		}
		if l[1] < len(s) && s[l[1]] == '.' && l[1]+1 < len(s) && s[l[1]+1] >= '0' && s[l[1]+1] <= '9' {
			continue // part of a longer dotted number
		}
		a, err := netip.ParseAddr(m)
		if err != nil || r.keep[a.String()] {
			continue
		}
		b.WriteString(s[prev:l[0]])
		b.WriteString(maskedIPv4)
		prev = l[1]
	}
	if prev == 0 {
		return s
	}
	b.WriteString(s[prev:])
	return b.String()
}

// value redacts a normalised context value (keys of maps too: a map of
// clients to counts is keyed by addresses).
func (r *redactor) value(v any) any {
	switch x := v.(type) {
	case string:
		return r.text(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.value(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[r.text(k)] = r.value(e)
		}
		return out
	}
	return v
}

// Redacted returns a copy of d with client IPs and query strings masked in
// every string that can carry them.
func (d *Document) Redacted() *Document {
	r := newRedactor(d.Findings)
	c := *d
	c.Inputs = make([]Input, len(d.Inputs))
	for i, in := range d.Inputs {
		in.Error = r.text(in.Error)
		ex := make([]MalformedExample, len(in.MalformedExamples))
		for j, m := range in.MalformedExamples {
			ex[j] = MalformedExample{Line: m.Line, Reason: r.text(m.Reason), Text: r.text(m.Text), Column: m.Column, Field: m.Field}
		}
		in.MalformedExamples = ex
		c.Inputs[i] = in
	}
	c.Findings = make([]Finding, len(d.Findings))
	for i := range d.Findings {
		c.Findings[i] = r.finding(d.Findings[i])
	}
	return &c
}

func (r *redactor) finding(f Finding) Finding {
	f.Endpoint = r.text(f.Endpoint)
	ctx := make(map[string]any, len(f.Context))
	for k, v := range f.Context {
		ctx[k] = r.value(v)
	}
	f.Context = ctx
	causes := make([]rules.Cause, len(f.Causes))
	for i, c := range f.Causes {
		c.Title = r.text(c.Title)
		c.Evidence = r.texts(c.Evidence)
		c.Fixes = r.texts(c.Fixes)
		c.Values = r.texts(c.Values)
		causes[i] = c
	}
	f.Causes = causes
	f.Fixes = r.texts(f.Fixes)
	f.GeneralFixes = r.texts(f.GeneralFixes)
	f.Verdict = r.text(f.Verdict)
	f.Contrast = r.contrast(f.Contrast)
	samples := make([]Sample, len(f.Samples))
	for i, s := range f.Samples {
		s.Path = r.text(s.Path)
		s.Raw = r.text(s.Raw)
		s.RequestID = r.text(s.RequestID)
		samples[i] = s
	}
	f.Samples = samples
	return f
}

func (r *redactor) texts(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = r.text(s)
	}
	return out
}

// stripCount turns "10.0.0.1:443 (12)" into "10.0.0.1:443".
func stripCount(s string) string {
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		return s[:i]
	}
	return s
}

// contrast redacts a copy of the contrast: its values (client networks
// are client addresses), sets and precursor sentences.
func (r *redactor) contrast(c *rules.Contrast) *rules.Contrast {
	if c == nil {
		return nil
	}
	x := *c
	x.Dimensions = make([]rules.Dimension, len(c.Dimensions))
	for i, d := range c.Dimensions {
		d.Set = r.texts(d.Set)
		vals := make([]rules.DimensionValue, len(d.Values))
		for j, v := range d.Values {
			v.Value = r.text(v.Value)
			vals[j] = v
		}
		d.Values = vals
		x.Dimensions[i] = d
	}
	x.Shape.Precursors = r.texts(c.Shape.Precursors)
	return &x
}
