package rules

import (
	"fmt"
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

// verdict is the storm test's outcome for a burst (storm.go).
type verdict struct {
	storm      bool
	p0         float64
	noBaseline bool
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

// uniqueID keeps finding ids unique within a snapshot: an origin-log
// endpoint that outlives the edge log's arrival (its operations came from
// several hosts, grouped by upstream) may share its origin and name with
// an edge endpoint. The suffix is deterministic, so ids stay stable.
func uniqueID(id string, seen map[string]bool) string {
	for i := 2; seen[id]; i++ {
		id = stableID("incomplete_202", id, fmt.Sprint(i))
	}
	return id
}

// explain runs the cause rules; they may raise the severity, never lower it
// below the kind's floor nor raise it above what the impact allows.
func (e *Engine) explain(f *Finding, floor, ceiling Severity) {
	f.Severity = floor
	if e.cfg.Explain != nil {
		e.cfg.Explain(f)
	}
	if f.Severity < floor {
		f.Severity = floor
	}
	if f.Severity > ceiling {
		f.Severity = ceiling
	}
	if f.Causes == nil {
		f.Causes = []Cause{}
	}
	if f.Fixes == nil {
		f.Fixes = []string{}
	}
}

func (e *Engine) endpointFeatures(ep *endpoint, ft map[string]float64) {
	ft["endpoint_ops"] = float64(ep.ops)
	ft["completed_ops"] = float64(ep.completed)
	ft["polled_share"] = share(ep.polled, ep.ops)
	if p := ep.latency.quantile(0.5); p >= 0 {
		ft["completion_p50_s"] = seconds(p)
		ft["completion_p95_s"] = seconds(ep.latency.quantile(0.95))
	} else {
		ft["completion_p50_s"] = -1
		ft["completion_p95_s"] = -1
	}
	timeout := e.timeout
	if ep.route != nil && ep.route.PendingTimeout > 0 {
		timeout = int64(ep.route.PendingTimeout)
	}
	ft["age_s"] = seconds(timeout)
	ft["fire_and_forget"] = 0
	if ep.fireAndForget() {
		ft["fire_and_forget"] = 1
	}
}

func (e *Engine) buildGroup(g *group) Finding {
	ep := g.key.ep
	late := g.late
	f := Finding{ID: g.id, Kind: KindIncomplete202, Severity: SeverityWarning, Origin: ep.key.o.name,
		Endpoint: ep.name, Subtype: g.key.sub, Start: ts(g.start), End: ts(g.end), Count: g.count,
		CompletedLate: &late}
	ft := map[string]float64{"operations": float64(g.count), "completed_late": float64(late)}
	e.endpointFeatures(ep, ft)
	ft["polls_per_op"] = float64(g.pollsSum) / float64(max(g.total, 1))
	if p := g.intervals.quantile(0.5); p >= 0 {
		ft["poll_interval_p50_s"] = seconds(p)
	} else {
		ft["poll_interval_p50_s"] = -1
	}
	ft["last_poll_status"] = topStatus(&g.lastSt)
	ft["first_poll_status"] = topStatus(&g.firstSt)
	ft["stall_start_unix"] = float64(g.start / 1e9)
	ft["relative_location_share"] = share(g.relLoc, g.withLoc)
	ft["has_location_share"] = share(g.withLoc, g.total)
	best, bestN := -1, 0
	for i, c := range g.linked {
		if c > bestN {
			best, bestN = i, c
		}
	}
	ft["linked_by"] = float64(best)
	ft["clients_distinct"] = float64(g.clients.distinct())
	ft["retry_after"] = retryAfterSeconds(g)
	ft["never_polled"] = -1
	ft["aggregated"] = float64(g.aggregated)
	f.Features = ft
	f.Context = map[string]any{
		"endpoint":   ep.name,
		"last_polls": g.lastPolls.asMap(),
		"clients":    g.clients.top(10),
	}
	f.Contrast = e.life.opContrast(ep, g.key.sub, g.start)
	opContrastFeatures(f.Contrast, ft, f.Context)
	hostContext(ep.key.o, f.Context)
	for i := range g.samples {
		f.Samples = append(f.Samples, g.samples[i].sample())
	}
	f.Timeline = g.tl.window()
	f.TimelineStep = timeDur(e.tl.step)
	return f
}

// retryAfterSeconds is the median Retry-After of a group's operations, in
// seconds, or -1 when none was logged.
func retryAfterSeconds(g *group) float64 {
	if p := g.retryAfter.quantile(0.5); p >= 0 {
		return seconds(p)
	}
	return -1
}

func topStatus(c *counter) float64 {
	s := c.sorted()
	if len(s) == 0 {
		return -1
	}
	v := 0
	for _, ch := range s[0].k {
		v = v*10 + int(ch-'0')
	}
	return float64(v)
}

func (e *Engine) buildFireAndForget(ep *endpoint, id string) Finding {
	f := Finding{ID: id, Kind: KindIncomplete202, Severity: SeverityInfo, Origin: ep.key.o.name,
		Endpoint: ep.name, Subtype: SubFireAndForget, Start: ts(ep.first), End: ts(ep.last), Count: ep.ops}
	zero := 0
	f.CompletedLate = &zero
	ft := map[string]float64{"operations": float64(ep.ops), "completed_late": 0}
	e.endpointFeatures(ep, ft)
	ft["polls_per_op"] = 0
	ft["poll_interval_p50_s"] = -1
	ft["last_poll_status"] = -1
	ft["first_poll_status"] = -1
	ft["stall_start_unix"] = float64(ep.first / 1e9)
	ft["relative_location_share"] = -1
	ft["has_location_share"] = -1
	ft["linked_by"] = -1
	ft["clients_distinct"] = -1
	ft["retry_after"] = -1
	ft["never_polled"] = -1
	ctx := map[string]any{"endpoint": ep.name}
	hostContext(ep.key.o, ctx)
	if g := e.life.groups[groupKey{ep, SubNeverPolled}]; g != nil {
		ft["has_location_share"] = share(g.withLoc, g.total)
		ft["relative_location_share"] = share(g.relLoc, g.withLoc)
		ft["clients_distinct"] = float64(g.clients.distinct())
		ft["never_polled"] = float64(g.count)
		ft["aggregated"] = float64(g.aggregated)
		ft["retry_after"] = retryAfterSeconds(g)
		ctx["clients"] = g.clients.top(10)
		f.Timeline = g.tl.window()
		f.TimelineStep = timeDur(e.tl.step)
	}
	opContrastFeatures(nil, ft, ctx)
	f.Features = ft
	f.Context = ctx
	for i := range ep.samples {
		f.Samples = append(f.Samples, ep.samples[i].sample())
	}
	return f
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
