package rules

import "fmt"

// The 202 lifecycle's findings (lifecycle_detector.go adds them to a
// snapshot): one incomplete_202 finding per endpoint and sub-type (a group)
// and one per fire-and-forget endpoint, with the features the schema
// (features.go) declares for the kind.

// endpointFeatures are the features both 202 findings take from their
// endpoint: its operations, completions and their latency, its timeout.
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

// buildGroup builds the finding of a 202 group: its operations, how they
// were polled and linked, their clients, contrast, samples and timeline.
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

// topStatus is the most frequent status of a counter as a number, -1 when
// it is empty.
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

// buildFireAndForget builds the information finding of an endpoint whose
// 202s are never polled by design, with what its never_polled group saw.
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
