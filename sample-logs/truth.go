package samplelogs

import (
	"cmp"
	"slices"
	"time"
)

// Engine settings the truth assumes (the rules engine's defaults).
const (
	TruthBurstWindow = 60 * time.Second
	TruthBurstMin    = 5
	// TruthStormMin is the fewest errors of a 5xx storm (issue 8: a storm
	// is a change of at least 10 errors, not a count within a window).
	TruthStormMin       = 10
	TruthPendingTimeout = 10 * time.Minute
)

// Truth is what the rules engine should find in a generated Set when all
// of its files are read together with default settings (group by host,
// burst window 60 s, burst minimum 5, pending timeout 10 min).
//
// Origins are hosts; for logs without a host the origin is the file's
// manifest name (the input name the engine falls back to), so read the
// files under their manifest names to compare.
type Truth struct {
	Seed   uint64
	Oldest time.Time // the first record time over all files
	Newest time.Time // the newest record time: the engine's "now" at the end

	// Bursts are the expected burst_520 and burst_5xx findings.
	Bursts []Burst
	// Errors lists, per origin and status >= 500, how many there are and
	// the most within any window: near-misses (Max60s < 5) must not be
	// reported as bursts.
	Errors []ErrorCount
	// Async are the expected incomplete_202 findings, fire_and_forget
	// included (severity info).
	Async []AsyncGroup
	// Endpoints summarise every endpoint that opened operations.
	Endpoints []Endpoint
	// Inflight counts operations opened within the pending timeout of
	// Newest that had not completed: never judged, counted as inflight.
	// InflightFireAndForget is the part of it on fire-and-forget endpoints
	// (an engine that drops those from the count expects the difference).
	Inflight              int
	InflightFireAndForget int
}

// Burst is one expected 520 burst or 5xx storm.
type Burst struct {
	Kind   string // "burst_520" or "burst_5xx"
	Origin string
	Status int
	Files  []string // inputs holding its records
	Start  time.Time
	End    time.Time
	Count  int // every record of that status and origin from Start to End
	// Peak60s is the most records of the burst in any 60 s window.
	Peak60s int
	// Share is Count over the origin-bound (non cache hit) requests of the
	// origin from Start to End.
	Share float64
	// Relayed counts records whose origin itself answered the status;
	// OriginStatusZero those with no valid origin response (CDN logs).
	Relayed          int
	OriginStatusZero int
	UpstreamsFailed  []string
	UpstreamsHealthy []string
	// ErrorsBefore counts the origin's 5xx in [Start-60s, Start);
	// StatusesBefore breaks them down.
	ErrorsBefore   int
	StatusesBefore map[int]int
	// The edge/origin join: of Count, how many the origin's own log has
	// (by RayID), how many it logged as 200 with 0 bytes, how many are
	// missing. -1 when no log of that origin is in the set.
	OriginLogged   int
	OriginEmpty200 int
	OriginMissing  int

	// Cause is the planted cause id (the cause rules' ids, see the README's
	// scenario table); Dimension and Values what separates the failures
	// ("" and nil when no one dimension does); StepAt when a step cause
	// began.
	Cause     string
	Dimension string    `json:",omitempty"`
	Values    []string  `json:",omitempty"`
	StepAt    time.Time `json:",omitzero"`
}

// ErrorCount is the number of one 5xx status at one origin.
type ErrorCount struct {
	Origin string
	Status int
	Count  int
	Max60s int // most within any closed 60 s window
}

// AsyncGroup is one expected incomplete_202 finding: operations of one
// origin and endpoint with one sub-type.
type AsyncGroup struct {
	Origin   string
	Endpoint string // "POST /v1/exports"; ids as {id}
	Subtype  string
	Files    []string
	// Count is the judged operations of the group; for fire_and_forget,
	// every operation of the endpoint (the finding is about the endpoint),
	// including those still in flight at the end.
	Count    int
	Start    time.Time
	End      time.Time // first and last opening 202 of those operations
	LinkedBy int
}

// Endpoint summarises one endpoint's operations.
type Endpoint struct {
	Origin    string
	Endpoint  string
	Ops       int
	Completed int
	Polled    int // ever polled
	Inflight  int
}

// stormStatuses are the statuses a burst detector reports.
var stormStatuses = []int{520, 502, 504, 521, 522, 523, 524}

func computeTruth(opts Options, all []obs, ops []*Op) Truth {
	t := Truth{Seed: opts.Seed}
	for i, o := range all {
		if i == 0 || o.t.Before(t.Oldest) {
			t.Oldest = o.t
		}
		if o.t.After(t.Newest) {
			t.Newest = o.t
		}
	}
	counted := countedRecords(all)
	t.Bursts, t.Errors = computeBursts(counted, all)
	t.Async, t.Endpoints, t.Inflight, t.InflightFireAndForget = computeAsync(t.Newest, ops)
	return t
}

// countedRecords drops origin-log records of origins that also have edge
// records: with both loaded, the edge is the client's view and the origin
// log only serves the join.
func countedRecords(all []obs) []obs {
	edgeOrigins := map[string]bool{}
	for _, o := range all {
		if o.edge {
			edgeOrigins[o.origin] = true
		}
	}
	var out []obs
	for _, o := range all {
		if o.edge || !edgeOrigins[o.origin] {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b obs) int { return a.t.Compare(b.t) })
	return out
}

// denseRuns applies the burst definition to sorted times: a time
// is dense when some closed window of w holds it and min-1 others; a burst
// is a maximal run of dense times each within w of the previous one.
// It returns [first, last] index pairs of dense times.
func denseRuns(ts []time.Time, w time.Duration, minN int) [][2]int {
	dense := make([]bool, len(ts))
	for j := 0; j+minN-1 < len(ts); j++ {
		if ts[j+minN-1].Sub(ts[j]) <= w {
			for k := j; k < j+minN; k++ {
				dense[k] = true
			}
		}
	}
	var runs [][2]int
	last := -1
	for i := range ts {
		if !dense[i] {
			continue
		}
		if last >= 0 && ts[i].Sub(ts[last]) <= w {
			runs[len(runs)-1][1] = i
		} else {
			runs = append(runs, [2]int{i, i})
		}
		last = i
	}
	return runs
}

// maxInWindow is the most times within any closed window of w.
func maxInWindow(ts []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) > w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func computeBursts(counted, all []obs) ([]Burst, []ErrorCount) {
	type key struct {
		origin string
		status int
	}
	byKey := map[key][]obs{}
	var keys []key
	for _, o := range counted {
		if o.status < 500 {
			continue
		}
		k := key{o.origin, o.status}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], o)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.origin, b.origin), cmp.Compare(a.status, b.status))
	})
	originLogs := map[string]map[string]Fate{} // origin -> ray id -> fate, from origin logs
	for _, o := range all {
		if !o.edge && o.rayID != "" {
			if originLogs[o.origin] == nil {
				originLogs[o.origin] = map[string]Fate{}
			}
			originLogs[o.origin][o.rayID] = o.fate
		}
	}

	var bursts []Burst
	var errs []ErrorCount
	for _, k := range keys {
		recs := byKey[k]
		ts := make([]time.Time, len(recs))
		for i, o := range recs {
			ts[i] = o.t
		}
		errs = append(errs, ErrorCount{Origin: k.origin, Status: k.status, Count: len(recs), Max60s: maxInWindow(ts, TruthBurstWindow)})
		if !slices.Contains(stormStatuses, k.status) {
			continue
		}
		for _, run := range denseRuns(ts, TruthBurstWindow, TruthBurstMin) {
			b := describeBurst(k.origin, k.status, recs, ts, run, counted, originLogs[k.origin])
			if b.Kind == "burst_5xx" && b.Count < TruthStormMin {
				continue
			}
			bursts = append(bursts, b)
		}
	}
	slices.SortStableFunc(bursts, func(a, b Burst) int { return a.Start.Compare(b.Start) })
	return bursts, errs
}

func describeBurst(origin string, status int, recs []obs, ts []time.Time, run [2]int, counted []obs, logs map[string]Fate) Burst {
	b := Burst{Kind: "burst_5xx", Origin: origin, Status: status, Start: ts[run[0]], End: ts[run[1]],
		StatusesBefore: map[int]int{}, OriginLogged: -1, OriginEmpty200: -1, OriginMissing: -1}
	if status == 520 {
		b.Kind = "burst_520"
	}
	if logs != nil {
		b.OriginLogged, b.OriginEmpty200 = 0, 0
	}
	var inBurst []time.Time
	failed := map[string]bool{}
	for _, o := range recs {
		if o.t.Before(b.Start) || o.t.After(b.End) {
			continue
		}
		b.Count++
		inBurst = append(inBurst, o.t)
		if !slices.Contains(b.Files, o.file) {
			b.Files = append(b.Files, o.file)
		}
		switch {
		case o.originStatus == status:
			b.Relayed++
		case o.originStatus == 0:
			b.OriginStatusZero++
		}
		if o.upstream != "" {
			failed[o.upstream] = true
		}
		if logs != nil {
			if fate, ok := logs[o.rayID]; ok {
				b.OriginLogged++
				if fate == FateEmpty200 {
					b.OriginEmpty200++
				}
			}
		}
	}
	if logs != nil {
		b.OriginMissing = b.Count - b.OriginLogged
	}
	b.Peak60s = maxInWindow(inBurst, TruthBurstWindow)
	healthy := map[string]bool{}
	bound := 0
	for _, o := range counted {
		if o.origin != origin {
			continue
		}
		if !o.t.Before(b.Start.Add(-TruthBurstWindow)) && o.t.Before(b.Start) && o.status >= 500 {
			b.ErrorsBefore++
			b.StatusesBefore[o.status]++
		}
		if o.t.Before(b.Start) || o.t.After(b.End) || o.cacheHit {
			continue
		}
		bound++
		if o.upstream != "" && o.status != status && !failed[o.upstream] {
			healthy[o.upstream] = true
		}
	}
	if bound > 0 {
		b.Share = float64(b.Count) / float64(bound)
	}
	b.UpstreamsFailed = sortedKeys(failed)
	b.UpstreamsHealthy = sortedKeys(healthy)
	slices.Sort(b.Files)
	return b
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// judged reports whether the engine judges op by the end of input: the
// newest record time passes its first 202 plus the pending timeout.
func judged(op *Op, newest time.Time) bool {
	return newest.After(op.Opened().Add(TruthPendingTimeout))
}

func computeAsync(newest time.Time, ops []*Op) (groups []AsyncGroup, eps []Endpoint, inflight, inflightFF int) {
	type gkey struct{ origin, endpoint, subtype string }
	type ekey struct{ origin, endpoint string }
	gIndex := map[gkey]int{}
	eIndex := map[ekey]int{}
	for _, op := range ops {
		ek := ekey{op.Origin, op.Endpoint}
		ei, ok := eIndex[ek]
		if !ok {
			ei = len(eps)
			eIndex[ek] = ei
			eps = append(eps, Endpoint{Origin: op.Origin, Endpoint: op.Endpoint})
		}
		e := &eps[ei]
		e.Ops++
		if len(op.Polls) > 0 {
			e.Polled++
		}
		if op.Outcome == OutcomeCompleted {
			e.Completed++
			continue
		}
		if !judged(op, newest) {
			e.Inflight++
			inflight++
			if op.Outcome == OutcomeFireAndForget {
				inflightFF++
			} else {
				continue
			}
		}
		gk := gkey{op.Origin, op.Endpoint, op.Outcome}
		gi, ok := gIndex[gk]
		if !ok {
			gi = len(groups)
			gIndex[gk] = gi
			groups = append(groups, AsyncGroup{Origin: op.Origin, Endpoint: op.Endpoint, Subtype: op.Outcome,
				Start: op.Opened(), End: op.Opened(), LinkedBy: op.LinkedBy})
		}
		g := &groups[gi]
		g.Count++
		if op.Opened().Before(g.Start) {
			g.Start = op.Opened()
		}
		if op.Opened().After(g.End) {
			g.End = op.Opened()
		}
		for _, f := range op.Files {
			if !slices.Contains(g.Files, f) {
				g.Files = append(g.Files, f)
			}
		}
	}
	for i := range groups {
		slices.Sort(groups[i].Files)
	}
	slices.SortStableFunc(groups, func(a, b AsyncGroup) int {
		return cmp.Or(cmp.Compare(a.Origin, b.Origin), cmp.Compare(a.Endpoint, b.Endpoint), cmp.Compare(a.Subtype, b.Subtype))
	})
	slices.SortStableFunc(eps, func(a, b Endpoint) int {
		return cmp.Or(cmp.Compare(a.Origin, b.Origin), cmp.Compare(a.Endpoint, b.Endpoint))
	})
	return groups, eps, inflight, inflightFF
}
