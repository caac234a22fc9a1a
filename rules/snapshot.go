package rules

import (
	"maps"
	"slices"
	"sort"
)

// builtFinding caches a finding built for a snapshot until its evidence
// changes; snapshots get deep copies, so the cache is never shared.
type builtFinding struct {
	version int
	final   bool
	verdict verdict
	f       Finding
}

// Snapshot returns an immutable deep copy of the findings so far. Bursts are
// in it from their N-th dense error on and grow live; 202 groups from the
// first judged operation. It is cheap enough to call several times a second:
// findings whose evidence did not change are not rebuilt.
func (e *Engine) Snapshot() *Snapshot {
	s := &Snapshot{
		Final:           e.final,
		Records:         e.records,
		DroppedFindings: e.droppedFindings,
	}
	if e.now != 0 {
		s.Now = ts(e.now)
	}
	fs := &findingSet{e: e, snap: s, seen: make(map[string]bool)}
	for _, d := range e.detectors {
		d.findings(fs)
	}
	for id := range e.cache {
		if !fs.seen[id] {
			delete(e.cache, id)
		}
	}
	e.explainAll(fs.rebuilt) // before sorting: the rules set the severity

	built := fs.built
	sort.SliceStable(built, func(i, j int) bool {
		a, b := built[i], built[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return a.ID < b.ID
	})
	s.Findings = make([]Finding, len(built))
	for i, f := range built {
		s.Findings[i] = cloneFinding(f)
	}
	s.Origins = e.originSummaries(s.Findings)
	s.Timeline = e.timelineCopy(fs.incomplete)
	return s
}

func (e *Engine) originSummaries(fs []Finding) []OriginSummary {
	byName := map[string]*OriginSummary{}
	var out []*OriginSummary
	get := func(name string) *OriginSummary {
		s := byName[name]
		if s == nil {
			s = &OriginSummary{Origin: name}
			if o := e.origins[name]; o != nil {
				s.Requests = o.requests
			}
			byName[name] = s
			out = append(out, s)
		}
		return s
	}
	for i := range fs {
		f := &fs[i]
		s := get(f.Origin)
		s.Findings++
		if f.Severity > s.Worst {
			s.Worst = f.Severity
		}
		s.Count += f.Count
	}
	// then the busiest origins without findings, a bounded few
	rest := make([]*origin, 0, len(e.originList))
	for _, o := range e.originList {
		if byName[o.name] == nil {
			rest = append(rest, o)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		if rest[i].requests != rest[j].requests {
			return rest[i].requests > rest[j].requests
		}
		return rest[i].name < rest[j].name
	})
	for i := 0; i < len(rest) && len(out) < 100; i++ {
		get(rest[i].name)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Worst != b.Worst {
			return a.Worst > b.Worst
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Requests != b.Requests {
			return a.Requests > b.Requests
		}
		return a.Origin < b.Origin
	})
	res := make([]OriginSummary, len(out))
	for i, s := range out {
		res[i] = *s
	}
	return res
}

func (e *Engine) timelineCopy(series []*series) Timeline {
	tl := &e.tl
	t := Timeline{Step: timeDur(tl.step), Requests: slices.Clone(tl.req), Status520: slices.Clone(tl.s520)}
	if tl.started {
		t.Start = ts(tl.start)
	}
	if t.Requests == nil {
		t.Requests = []int{}
		t.Status520 = []int{}
	}
	t.Incomplete202 = make([]int, len(t.Requests))
	for _, s := range series {
		for i, c := range s.counts {
			j := s.off + i
			for j >= len(t.Incomplete202) {
				t.Incomplete202 = append(t.Incomplete202, 0)
			}
			t.Incomplete202[j] += c
		}
	}
	return t
}

// cloneFinding deep-copies a finding so snapshots share nothing.
func cloneFinding(f *Finding) Finding {
	c := *f
	c.Features = maps.Clone(f.Features)
	c.Context = make(map[string]any, len(f.Context))
	for k, v := range f.Context {
		c.Context[k] = cloneAny(v)
	}
	c.Causes = make([]Cause, len(f.Causes))
	for i, ca := range f.Causes {
		ca.Evidence = slices.Clone(ca.Evidence)
		ca.Fixes = slices.Clone(ca.Fixes)
		c.Causes[i] = ca
	}
	c.Fixes = slices.Clone(f.Fixes)
	if c.Fixes == nil {
		c.Fixes = []string{}
	}
	c.Samples = slices.Clone(f.Samples)
	if c.Samples == nil {
		c.Samples = []Sample{}
	}
	c.Timeline = slices.Clone(f.Timeline)
	c.Contrast = cloneContrast(f.Contrast)
	if f.CompletedLate != nil {
		v := *f.CompletedLate
		c.CompletedLate = &v
	}
	return c
}

func cloneAny(v any) any {
	switch x := v.(type) {
	case []string:
		return slices.Clone(x)
	case map[string]int:
		return maps.Clone(x)
	case []int:
		return slices.Clone(x)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, vv := range x {
			m[k] = cloneAny(vv)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, vv := range x {
			s[i] = cloneAny(vv)
		}
		return s
	}
	return v
}
