package rules

import (
	"slices"

	"github.com/edgetriage/edgetriage/parse"
)

// The 202 lifecycle as a Detector (detector.go): observe hands it records,
// due is its timed work (lifecycle_expire.go), findings its 202 groups and
// fire-and-forget endpoints. The lifecycle itself is in lifecycle*.go.

func (l *lifecycle) observe(rv recordView) {
	r := rv.r
	if r.Source == parse.SourceEdge && !(rv.named && rv.o.edgeSeen) {
		if l.edgeHost(l.hostKey(r, rv.o)) && rv.named {
			rv.o.edgeSeen = true // no compare of the key from now on
		}
	}
	if r.Status == 202 || l.live > 0 {
		l.record(r, rv.o, rv.named)
	}
}

// findings adds the 202 groups (each sub-type of an endpoint) and the
// fire-and-forget endpoints, and the snapshot's operation totals.
func (l *lifecycle) findings(fs *findingSet) {
	e := l.e
	fs.snap.Inflight, fs.snap.Evicted, fs.snap.CompletedLate = l.inflight, l.evicted, l.completedLate
	for _, g := range l.grpList {
		ep := g.key.ep
		if g.count <= 0 || (g.key.sub == SubNeverPolled && ep.fireAndForget()) {
			continue
		}
		v := g.version*1000003 + ep.ops*31 + ep.polled*7 + ep.completed
		id := uniqueID(g.id, fs.seen)
		bf := fs.cached(id, v)
		if bf == nil {
			bf = &builtFinding{version: v, final: e.final, f: e.buildGroup(g)}
			bf.f.ID = id
			fs.store(id, bf, SeverityWarning, SeverityCritical)
		}
		fs.add(id, &bf.f)
		fs.incomplete = append(fs.incomplete, g.tl)
	}
	for _, ep := range l.epList {
		if !ep.fireAndForget() {
			continue
		}
		id := uniqueID(stableID("incomplete_202", ep.key.o.name, ep.name, SubFireAndForget), fs.seen)
		v := ep.ops*31 + ep.polled*7 + ep.completed
		bf := fs.cached(id, v)
		if bf == nil {
			bf = &builtFinding{version: v, final: e.final, f: e.buildFireAndForget(ep, id)}
			fs.store(id, bf, SeverityInfo, SeverityCritical)
		}
		fs.add(id, &bf.f)
	}
}

// held: the 202 groups count against the findings cap (cap.go); the
// fire-and-forget endpoints are bounded with the endpoints.
func (l *lifecycle) held() int { return len(l.grpList) }

// oldest is the group the cap drops first: a group is resolved when no
// operation was judged into it for a whole pending timeout.
func (l *lifecycle) oldest(now int64) (capCandidate, bool) {
	done := now - l.e.timeout
	best, ok := capCandidate{}, false
	for i, g := range l.grpList {
		if c := (capCandidate{at: g.touched, resolved: g.touched < done, id: g.id, i: i}); !ok || c.older(best) {
			best, ok = c, true
		}
	}
	return best, ok
}

// drop forgets the group c names: a later operation of its endpoint and
// sub-type starts a new one.
func (l *lifecycle) drop(c capCandidate) {
	g := l.grpList[c.i]
	delete(l.groups, g.key)
	l.e.tl.dropSeries(g.tl)
	l.grpList = slices.Delete(l.grpList, c.i, c.i+1)
}
