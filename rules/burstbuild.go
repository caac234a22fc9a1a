package rules

import (
	"maps"
	"slices"
)

// buildBurst builds a burst's or storm's finding: its features (errors,
// spread, what came before, the join, the contrast), context and samples.
func (e *Engine) buildBurst(b *burst, v verdict) Finding {
	o := b.o
	f := Finding{ID: b.id, Kind: kindOf(b.idx), Severity: SeverityWarning, Origin: o.name, Status: b.status,
		Start: ts(b.startT), End: ts(b.endT), Count: b.count()}
	ft := b.errorFeatures()
	healthy := b.healthyUpstreams()
	other52x := e.spreadFeatures(b, ft, len(healthy))
	f.Features = ft

	ctx := map[string]any{
		"paths":             b.paths.top(10),
		"methods":           b.methods.top(10),
		"pops":              b.pops.top(10),
		"upstreams_failed":  b.ups.top(20),
		"upstreams_healthy": healthy,
		"statuses_before":   maps.Clone(b.beforeStatuses),
		"relayed":           b.relayed*2 > b.n,
		"other_52x":         other52x,
	}
	if ft["origin_logged_share"] >= 0 {
		ctx["join"] = map[string]any{
			"logged":    b.joinLogged,
			"missing":   b.joinMissing,
			"empty_200": b.joinEmpty200,
			"statuses":  b.joinStatuses.asMap(),
		}
	}
	hostContext(o, ctx)
	f.Context = ctx
	f.Contrast = e.burstContrast(b)
	contrastFeatures(f.Contrast, ft, ctx)
	precursorFeatures(b, ft)
	if b.idx != 0 {
		// the storm test's baseline (the contrast's window may differ)
		ft["baseline_rate"] = round4(v.p0)
		ft["no_baseline"] = bool01(v.noBaseline)
		if f.Contrast != nil {
			f.Contrast.NoBaseline = v.noBaseline
		}
	}
	f.Samples = b.samples()
	f.Timeline = b.tl.window()
	f.TimelineStep = timeDur(e.tl.step)
	return f
}

// errorFeatures are the burst's own errors: how many, how fast, what the
// edge and the origin said about them.
func (b *burst) errorFeatures() map[string]float64 {
	n := b.n
	count := b.count()
	reqs := int64(b.endBound) - int64(b.startBound) + 1
	dur := seconds(b.endT - b.startT)
	ft := map[string]float64{
		"count":      float64(count),
		"duration_s": dur,
		"peak_60s":   float64(b.peak),
		"status":     float64(b.status),
		"requests":   float64(reqs),
	}
	rateDur := dur
	if rateDur < 1 {
		rateDur = 1
	}
	ft["rate_per_min"] = float64(count) * 60 / rateDur
	sh := float64(count) / float64(reqs)
	if sh > 1 {
		sh = 1
	}
	ft["share"] = sh
	ft["relayed_share"] = share(b.relayed, n)
	if b.edge > 0 {
		ft["origin_status_zero_share"] = share(b.originZero, b.edge)
	} else {
		ft["origin_status_zero_share"] = -1
	}
	ft["empty_bytes_share"] = share(b.empty, b.bytesKnown)
	ft["reused_conn_share"] = share(b.reused, b.connKnown)
	if b.headerKnown > 0 {
		ft["header_wait_p50_ms"] = float64(b.header.quantile(0.5)) / 1e6
	} else {
		ft["header_wait_p50_ms"] = -1
	}
	ft["fast_fail_share"] = share(b.fast, b.headerKnown)
	ft["slow_fail_share"] = share(b.slow, b.headerKnown)
	if b.edge*2 > n {
		ft["edge"] = 1
	} else {
		ft["edge"] = 0
	}
	return ft
}

// healthyUpstreams are the origin's other upstreams seen during the burst.
func (b *burst) healthyUpstreams() []string {
	failed := b.ups.keys(counterCap)
	failedSet := make(map[string]bool, len(failed))
	for _, u := range failed {
		failedSet[u] = true
	}
	var healthy []string
	for k, u := range b.o.upstreams {
		if !failedSet[k] && u.first <= b.endT && u.last >= b.startT {
			healthy = append(healthy, k)
		}
	}
	slices.Sort(healthy)
	return healthy
}

// spreadFeatures are where the errors fell and what surrounded them: paths,
// POPs, upstreams, the W before, other origins, the onset, the join, other
// 52x, whether it is ongoing. It returns the other 52x by status.
func (e *Engine) spreadFeatures(b *burst, ft map[string]float64, healthy int) map[string]int {
	ft["upstreams_failed"] = float64(b.ups.distinct())
	ft["upstreams_healthy"] = float64(healthy)
	ft["paths_distinct"] = float64(b.paths.distinct())
	ft["top_path_share"] = b.paths.topShare()
	ft["methods_distinct"] = float64(b.methods.distinct())
	ft["pops_distinct"] = float64(b.pops.distinct())
	ft["top_pop_share"] = b.pops.topShare()

	ft["errors_5xx_before"] = float64(b.beforeErrs)
	ft["prior_error_share"] = share(b.beforeErrs, b.beforeTotal)
	other := 0
	for _, oo := range e.originList {
		if oo != b.o && oo.activeIn(b.idx, b.startT, b.endT) {
			other++
		}
	}
	ft["other_origins_failing"] = float64(other)
	if b.onset >= 0 {
		ft["onset_s"] = seconds(b.onset)
	} else {
		ft["onset_s"] = -1
	}
	resolved := b.joinLogged + b.joinMissing
	if e.sawOrigin && e.sawEdge && b.edge > 0 && resolved > 0 {
		ft["origin_logged_share"] = share(b.joinLogged, resolved)
		ft["origin_missing"] = float64(b.joinMissing)
		ft["origin_empty_200"] = float64(b.joinEmpty200)
	} else {
		ft["origin_logged_share"] = -1
		ft["origin_missing"] = -1
		ft["origin_empty_200"] = -1
	}
	other52x := map[string]int{}
	sum52x := 0
	for i := range b.end52x {
		if 521+i == b.status {
			continue // a 52x storm's own status is its count
		}
		if d := int(b.end52x[i]) - int(b.start52x[i]); d > 0 {
			other52x[statusKey(521+i)] = d
			sum52x += d
		}
	}
	ft["other_52x"] = float64(sum52x)
	ft["ongoing"] = 0
	if !e.final && e.now-b.endT <= e.w {
		ft["ongoing"] = 1
	}
	return other52x
}

// samples are the first errors, the latest ones, then joined origin records.
func (b *burst) samples() []Sample {
	var out []Sample
	for i := range b.first {
		out = append(out, b.first[i].sample())
	}
	for i := range b.last {
		out = append(out, b.last[(b.lastNext+i)%len(b.last)].sample())
	}
	for i := range b.originSamples {
		out = append(out, b.originSamples[i].sample())
	}
	return out
}

// addBurst adds a 520 burst or a storm (with its verdict) to a snapshot,
// rebuilding it when its evidence changed, and also while it is recent:
// its context (other origins, healthy upstreams, the join) may change
// without a new error.
func (fs *findingSet) addBurst(b *burst, v verdict) {
	e := fs.e
	recent := e.now - e.keep - joinRayWindow
	bf := e.cache[b.id]
	if bf == nil || bf.version != b.version || bf.final != e.final || b.endT >= recent || bf.verdict != v {
		bf = &builtFinding{version: b.version, final: e.final, verdict: v, f: e.buildBurst(b, v)}
		f := &bf.f
		fs.store(b.id, bf, SeverityWarning, impactCap(f.Features["share"], f.Count, f.End.Sub(f.Start)))
	}
	fs.add(b.id, &bf.f)
}
