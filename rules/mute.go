package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// Mute silences known trouble: a finding that matches every field set in
// a Mute (origin, route, status, kind) is muted. Muted findings are still
// found and counted, but the interface hides them and --fail-on ignores
// them. The config file lists them under `mute:`.
type Mute struct {
	Origin string `yaml:"origin,omitempty" json:"origin,omitempty"`
	Route  string `yaml:"route,omitempty" json:"route,omitempty"` // a 202's endpoint ("POST /v1/exports") or path
	Status int    `yaml:"status,omitempty" json:"status,omitempty"`
	Kind   Kind   `yaml:"kind,omitempty" json:"kind,omitempty"`
}

// Matches reports whether f is muted by m. An empty Mute matches nothing.
func (m Mute) Matches(f *Finding) bool {
	if m == (Mute{}) {
		return false
	}
	if m.Origin != "" && !strings.EqualFold(m.Origin, f.Origin) {
		return false
	}
	if m.Kind != "" && m.Kind != f.Kind {
		return false
	}
	if m.Status != 0 && m.Status != f.Status && !(f.Kind == KindBurst520 && m.Status == 520) &&
		!(f.Kind == KindIncomplete202 && m.Status == 202) {
		return false
	}
	if m.Route != "" && m.Route != f.Endpoint && !strings.HasSuffix(f.Endpoint, " "+m.Route) {
		return false
	}
	return true
}

// MuteFor is the mute that silences findings like f: its origin and
// kind, and its status (storms) or endpoint (202s).
func MuteFor(f *Finding) Mute {
	m := Mute{Origin: f.Origin, Kind: f.Kind}
	switch f.Kind {
	case KindBurst5xx:
		m.Status = f.Status
	case KindIncomplete202:
		m.Route = f.Endpoint
	}
	return m
}

// String is the mute as a user reads it: origin=... kind=... status=...
func (m Mute) String() string {
	var p []string
	if m.Origin != "" {
		p = append(p, "origin="+m.Origin)
	}
	if m.Kind != "" {
		p = append(p, "kind="+string(m.Kind))
	}
	if m.Status != 0 {
		p = append(p, "status="+strconv.Itoa(m.Status))
	}
	if m.Route != "" {
		p = append(p, fmt.Sprintf("route=%q", m.Route))
	}
	return strings.Join(p, " ")
}

// Muted reports whether any of mutes matches f.
func Muted(mutes []Mute, f *Finding) bool {
	for _, m := range mutes {
		if m.Matches(f) {
			return true
		}
	}
	return false
}
