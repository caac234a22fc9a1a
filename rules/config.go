package rules

import (
	"path"
	"strings"
	"time"
	"unsafe"

	"github.com/edgetriage/edgetriage/parse"
)

// Config holds the engine's thresholds. The zero value of a field means its
// default (see DefaultConfig), so callers may fill only what they override.
type Config struct {
	// BurstWindow (W) and BurstMin (N): a 520 is dense when some closed
	// window [t, t+W] holds it and at least N-1 other 520s of its origin.
	BurstWindow time.Duration
	BurstMin    int
	// PendingTimeout: a 202 operation is judged when event time passes its
	// first 202 plus this.
	PendingTimeout time.Duration
	// GroupBy is the origin key: "host" (default), "origin-ip" or
	// "upstream" (both use Record.Upstream, falling back to the host).
	GroupBy string
	// MaxPending caps open 202 operations; evictions are counted.
	MaxPending int
	// MaxSamples caps the sample requests retained per finding.
	MaxSamples int
	// MaxFindings caps the bursts and 202 groups kept; past it the least
	// recently changed, resolved ones first, are dropped and counted.
	MaxFindings int
	// Origin names the origin of records that carry no host, from the
	// input's name (cmd sets it from --origin or DefaultOrigin). Nil means
	// DefaultOrigin.
	Origin func(input string) string
	// Explain is the cause-rules hook, called on every finding a snapshot
	// builds; it may add causes and fixes and raise the severity. A
	// snapshot calls it concurrently on different findings, so it must be
	// safe for concurrent use (causes.Set.Explain is).
	Explain func(*Finding)
	// Routes are per-route settings from the rules file.
	Routes []Route
}

// Poll styles of a route.
const (
	PollStyleStatus = "status" // polls answer 202 while pending (the default)
	PollStyleBody   = "body"   // polls answer 200 while pending; state is in the body
)

// Route is a per-route setting. It applies to an operation when Method (empty
// = any) and Path (a template such as /v1/exports/{id}; a trailing "*"
// matches any rest) match either the request that opened the operation or
// its status resource.
type Route struct {
	Method         string
	Path           string
	PollStyle      string        // PollStyleStatus (default) or PollStyleBody
	PendingTimeout time.Duration // 0 = Config.PendingTimeout
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		BurstWindow:    60 * time.Second,
		BurstMin:       5,
		PendingTimeout: 10 * time.Minute,
		GroupBy:        "host",
		MaxPending:     250000,
		MaxSamples:     20,
		MaxFindings:    10000,
		Origin:         DefaultOrigin,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.BurstWindow <= 0 {
		c.BurstWindow = d.BurstWindow
	}
	if c.BurstMin <= 0 {
		c.BurstMin = d.BurstMin
	}
	if c.PendingTimeout <= 0 {
		c.PendingTimeout = d.PendingTimeout
	}
	if c.GroupBy == "" {
		c.GroupBy = d.GroupBy
	}
	if c.MaxPending <= 0 {
		c.MaxPending = d.MaxPending
	}
	if c.MaxSamples <= 0 {
		c.MaxSamples = d.MaxSamples
	}
	if c.MaxFindings <= 0 {
		c.MaxFindings = d.MaxFindings
	}
	if c.Origin == nil {
		c.Origin = DefaultOrigin
	}
	routes := make([]Route, len(c.Routes))
	for i, r := range c.Routes {
		r.Method = strings.ToUpper(strings.TrimSpace(r.Method))
		r.Path = normaliseRoutePath(r.Path)
		r.PollStyle = strings.ToLower(strings.TrimSpace(r.PollStyle))
		routes[i] = r
	}
	c.Routes = routes
	return c
}

// ValidGroupBy reports whether s is a known --group-by value.
func ValidGroupBy(s string) bool {
	switch s {
	case "host", "origin-ip", "upstream":
		return true
	}
	return false
}

// compressionSuffixes are stripped from input names by DefaultOrigin.
var compressionSuffixes = []string{".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd", ".lz4", ".z", ".zip", ".tgz"}

// DefaultOrigin names the origin of an input whose records carry no host:
// the path as given without compression and rotation suffixes, so that
// web1/access.log, web1/access.log.1, web1/access.log.2.gz and
// web1/access.log-20261120.gz are one origin. Standard input is "stdin".
func DefaultOrigin(input string) string {
	if input == "" || input == "-" {
		return "stdin"
	}
	s := input
	for changed := true; changed; {
		changed = false
		lower := strings.ToLower(s)
		for _, suf := range compressionSuffixes {
			if strings.HasSuffix(lower, suf) && len(s) > len(suf) {
				s = s[:len(s)-len(suf)]
				changed = true
				break
			}
		}
		if t, ok := stripRotation(s); ok {
			s = t
			changed = true
		}
	}
	return s
}

// stripRotation removes one rotation suffix: ".N", "-YYYYMMDD", ".YYYY-MM-DD",
// "_YYYYMMDDHH" (digits and dashes after a '.', '-' or '_'), or a date
// inserted before the extension ("access-20261120.log" -> "access.log").
func stripRotation(s string) (string, bool) {
	base := path.Base(s)
	i := strings.LastIndexAny(base, ".-_")
	if i > 0 {
		suf := base[i+1:]
		if isRotationStamp(suf) {
			return s[:len(s)-len(suf)-1], true
		}
	}
	// dateext with "extension": name-20261120.log
	if ext := path.Ext(base); ext != "" && ext != base {
		stem := base[:len(base)-len(ext)]
		j := strings.LastIndexAny(stem, "-_")
		if j > 0 && isRotationStamp(stem[j+1:]) && len(stem[j+1:]) >= 8 {
			dir := s[:len(s)-len(base)]
			return dir + stem[:j] + ext, true
		}
	}
	return s, false
}

func isRotationStamp(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '-' || c == '_' || c == 'T':
		default:
			return false
		}
	}
	return digits > 0 && s[0] >= '0' && s[0] <= '9'
}

// IsIDSegment reports whether a path segment looks like an identifier
// (parse.IsIDSegment: digits, a UUID, 8+ hex characters, or 8+ characters
// mixing letters and digits).
func IsIDSegment(seg string) bool { return parse.IsIDSegment(seg) }

// PathTemplate normalises a path into an endpoint template: every segment
// that looks like an id (see IsIDSegment) becomes {id}. The query must not
// be part of path.
func PathTemplate(p string) string {
	if p == "" {
		return "/"
	}
	if b := parse.AppendPathTemplate(nil, p); b != nil {
		return unsafe.String(&b[0], len(b)) // b is never written again
	}
	return p
}

// normaliseRoutePath turns a user's route template into PathTemplate form:
// {name} and :name segments become {id}; a trailing * is kept.
func normaliseRoutePath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") || strings.HasPrefix(s, ":") && len(s) > 1 {
			segs[i] = "{id}"
		}
	}
	return PathTemplate(strings.Join(segs, "/"))
}

// match reports whether the route applies to method and template.
func (r *Route) match(method, template string) bool {
	if r.Method != "" && r.Method != method {
		return false
	}
	if strings.HasSuffix(r.Path, "*") {
		return strings.HasPrefix(template, r.Path[:len(r.Path)-1])
	}
	return r.Path == template
}
