package rules

import (
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The edge/origin join: when a CDN log and the origin's own access log of
// the same traffic are loaded together, each edge error record (the
// statuses the burst detector follows) is matched to the origin's record
// of the same request: by RayID (the origin logs CF-Ray in RequestID), else
// by time within ±2 s, method, path and client IP. Either record may come
// first; state on both sides is bounded in time and size.

type joinState uint8

const (
	joinPending joinState = iota
	joinLogged            // the origin logged it
	joinMissing           // the origin's log covers the time but has no such request
	joinUnknown           // no origin log covers it
)

const (
	joinSkew      = int64(2 * time.Second)   // time join tolerance
	joinRayWindow = int64(125 * time.Second) // an origin may log a slow request's end this much later
	recentKeep    = int64(5 * time.Second)   // origin records kept for an edge record that comes later
	recentMax     = 1 << 16
	pendingMax    = 1 << 18
)

type pendEntry struct {
	x          *errRec
	rayH, keyH uint64
	exp        int64
	host       string // the edge record's host (interned)
}

type originEntry struct {
	t          int64
	rayH, keyH uint64
	used       bool
	status     int
	bytes      int64
	smp        sampleRef
}

type joiner struct {
	e *Engine

	pendRay map[uint64]*errRec
	pendKey map[uint64][]*errRec
	pendQ   []pendEntry
	pendHd  int

	recent     []originEntry // ring, oldest at recentHd
	recentHd   int
	recentBase uint64 // absolute number of recent[recentHd]
	recRay     map[uint64]uint64
	recKey     map[uint64][]uint64

	originIDs bool // origin records carry request ids (maybe CF-Ray)
	matched   int64

	// Which edge hosts the loaded origin logs cover: the hosts origin
	// records name, and the hosts of edge records an origin record matched
	// (origin logs without a host, such as plain combined, show what they
	// serve only that way: a sample of each host's ordinary edge records is
	// offered to the join as probes).
	originHosts  map[string]bool
	lastOrigHost string
	probes       map[string]int64 // host -> time of its last probe
	lastProbeH   string
	lastProbeT   int64
}

// probeEvery spaces the probes of one host.
const probeEvery = int64(time.Second)

func (j *joiner) init(e *Engine) {
	j.e = e
	j.pendRay = make(map[uint64]*errRec)
	j.pendKey = make(map[uint64][]*errRec)
	j.recRay = make(map[uint64]uint64)
	j.recKey = make(map[uint64][]uint64)
	j.originHosts = make(map[string]bool)
	j.probes = make(map[string]int64)
}

// probe offers an ordinary edge record to the join, at most one a second
// per host and only while the host's coverage is unknown, to learn whether
// the origin logs hold that host's traffic.
func (j *joiner) probe(r *parse.Record) {
	if r.Host == j.lastProbeH && r.Time-j.lastProbeT < probeEvery {
		return
	}
	if j.originHosts[r.Host] {
		j.lastProbeH, j.lastProbeT = j.e.in.get(r.Host), 1<<62 // covered: never again
		return
	}
	last, ok := j.probes[r.Host]
	if ok && r.Time-last < probeEvery {
		j.lastProbeH, j.lastProbeT = j.e.in.get(r.Host), last
		return
	}
	if !ok && len(j.probes) >= maxOrigins {
		return
	}
	h := j.e.in.get(r.Host)
	j.probes[h] = r.Time
	j.lastProbeH, j.lastProbeT = h, r.Time
	x := &errRec{t: r.Time, probe: true, method: j.e.in.get(r.Method), path: j.e.in.get(r.Path)}
	j.edgeError(x, r)
}

// noteOriginHost records which host an origin record serves.
func (j *joiner) noteOriginHost(h string) {
	if h == "" || h == j.lastOrigHost {
		return
	}
	h = j.e.in.get(h)
	if len(j.originHosts) < maxOrigins {
		j.originHosts[h] = true
	}
	j.lastOrigHost = h
}

// covers reports whether the origin logs loaded hold host's traffic.
func (j *joiner) covers(host string) bool {
	return j.originHosts[host]
}

// rayOf normalises a request id: the origin's CF-Ray header carries the
// colo ("7d2a...-SJC") where Logpush's RayID does not.
func rayOf(id string) string {
	if n := len(id); n > 4 && id[n-4] == '-' {
		s := id[n-3:]
		if isUpper(s[0]) && isUpper(s[1]) && isUpper(s[2]) {
			return id[:n-4]
		}
	}
	return id
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func rayHash(id string) uint64 {
	if id == "" {
		return 0
	}
	return hashStrings(rayOf(id), "", "ray") | 1
}

func keyHash(r *parse.Record) uint64 { return hashStrings(r.Method, r.Path, r.ClientIP) | 1 }

// edgeError looks for the origin's record of an edge error, or waits for it.
func (j *joiner) edgeError(x *errRec, r *parse.Record) {
	x.host = j.e.in.get(r.Host)
	rh := rayHash(r.RequestID)
	kh := keyHash(r)
	if len(j.recent)-j.recentHd > 0 {
		if rh != 0 {
			if n, ok := j.recRay[rh]; ok {
				if oe := j.recentAt(n); oe != nil && !oe.used {
					j.resolve(x, oe)
					return
				}
			}
		}
		for _, n := range j.recKey[kh] {
			if oe := j.recentAt(n); oe != nil && !oe.used && abs64(oe.t-x.t) <= joinSkew {
				j.resolve(x, oe)
				return
			}
		}
	}
	if len(j.pendQ)-j.pendHd >= pendingMax {
		x.join = joinUnknown
		return
	}
	exp := x.t + joinSkew + int64(time.Second)
	// Wait long for a RayID match unless the origin's log has shown it
	// carries no request ids.
	if rh != 0 && (j.originIDs || !j.e.sawOrigin) {
		exp = x.t + joinRayWindow
	}
	if rh != 0 {
		j.pendRay[rh] = x
	}
	j.pendKey[kh] = append(j.pendKey[kh], x)
	x.inJoin = true
	j.pendQ = append(j.pendQ, pendEntry{x: x, rayH: rh, keyH: kh, exp: exp, host: x.host})
	j.e.wantDue(exp)
}

func (j *joiner) recentAt(n uint64) *originEntry {
	if n < j.recentBase {
		return nil
	}
	i := j.recentHd + int(n-j.recentBase)
	if i >= len(j.recent) {
		return nil
	}
	return &j.recent[i]
}

// originRecord matches an origin record to a waiting edge error, or keeps
// it a few seconds for an edge record still to come.
func (j *joiner) originRecord(r *parse.Record) {
	j.noteOriginHost(r.Host)
	if r.RequestID != "" {
		j.originIDs = true
	}
	rh := rayHash(r.RequestID)
	if rh != 0 {
		if x := j.pendRay[rh]; x != nil {
			delete(j.pendRay, rh)
			if x.join == joinPending {
				j.resolveRecord(x, r)
				return
			}
		}
	}
	kh := keyHash(r)
	if list := j.pendKey[kh]; len(list) > 0 {
		for i, x := range list {
			if x.join == joinPending && abs64(x.t-r.Time) <= joinSkew {
				j.resolveRecord(x, r)
				list = append(list[:i], list[i+1:]...)
				if len(list) == 0 {
					delete(j.pendKey, kh)
				} else {
					j.pendKey[kh] = list
				}
				return
			}
		}
	}
	// Only records that could explain an edge error are worth keeping.
	j.pushRecent(originEntry{t: r.Time, rayH: rh, keyH: kh, status: r.Status, bytes: r.Bytes}, r)
}

func (j *joiner) pushRecent(oe originEntry, r *parse.Record) {
	// expire by time and size
	for j.recentHd < len(j.recent) && (j.recent[j.recentHd].t < oe.t-recentKeep || len(j.recent)-j.recentHd >= recentMax) {
		old := &j.recent[j.recentHd]
		n := j.recentBase
		if old.rayH != 0 && j.recRay[old.rayH] == n {
			delete(j.recRay, old.rayH)
		}
		removeFromBucket(j.recKey, old.keyH, n)
		*old = originEntry{}
		j.recentHd++
		j.recentBase++
	}
	if j.recentHd > 4096 && j.recentHd > len(j.recent)/2 {
		n := copy(j.recent, j.recent[j.recentHd:])
		clear(j.recent[n:])
		j.recent = j.recent[:n]
		j.recentHd = 0
	}
	oe.smp = sampleRef{input: j.e.in.get(r.Input), line: r.Line, offset: r.Offset, t: r.Time, status: r.Status, role: "origin"}
	n := j.recentBase + uint64(len(j.recent)-j.recentHd)
	j.recent = append(j.recent, oe)
	if oe.rayH != 0 {
		j.recRay[oe.rayH] = n
	}
	j.recKey[oe.keyH] = append(j.recKey[oe.keyH], n)
}

func (j *joiner) resolve(x *errRec, oe *originEntry) {
	j.cover(x)
	oe.used = true
	smp := oe.smp
	smp.method, smp.path, smp.requestID = x.method, x.path, x.ref.requestID
	x.join, x.joinStatus, x.joinBytes, x.joinSmp = joinLogged, oe.status, oe.bytes, &smp
	j.done(x)
}

// cover marks the host of a matched edge record as covered by the origin logs.
func (j *joiner) cover(x *errRec) {
	if x.host != "" && !j.originHosts[x.host] && len(j.originHosts) < maxOrigins {
		j.originHosts[x.host] = true
	}
}

func (j *joiner) resolveRecord(x *errRec, r *parse.Record) {
	j.cover(x)
	x.join, x.joinStatus, x.joinBytes = joinLogged, r.Status, r.Bytes
	smp := j.e.sampleOf(r, "origin", x.path)
	x.joinSmp = &smp
	j.done(x)
}

func (j *joiner) done(x *errRec) {
	if x.probe {
		return
	}
	j.matched++
	if x.b != nil {
		x.b.addJoin(x, j.e.cfg.MaxSamples)
	}
}

// due settles the edge errors whose wait is over; returns the next expiry.
func (j *joiner) due(now int64) int64 {
	for j.pendHd < len(j.pendQ) && j.pendQ[j.pendHd].exp < now {
		p := j.pendQ[j.pendHd]
		j.pendQ[j.pendHd] = pendEntry{}
		j.pendHd++
		j.settle(p, now, false)
	}
	if j.pendHd > 4096 && j.pendHd > len(j.pendQ)/2 {
		n := copy(j.pendQ, j.pendQ[j.pendHd:])
		clear(j.pendQ[n:])
		j.pendQ = j.pendQ[:n]
		j.pendHd = 0
	}
	if j.pendHd < len(j.pendQ) {
		return j.pendQ[j.pendHd].exp
	}
	return 1<<63 - 1
}

// settle ends the wait of one edge error: missing when the origin's log has
// gone past its time without it; while the origin's log lags behind (sparse
// traffic) it waits on, up to the RayID window; unknown when no origin log
// covers it.
func (j *joiner) settle(p pendEntry, now int64, final bool) {
	x := p.x
	if x.probe {
		x.join = joinUnknown
	}
	if x.join == joinPending {
		hostLogged := j.covers(p.host)
		covered := hostLogged && j.e.sawOrigin && j.e.lastOriginTime >= x.t+joinSkew
		if !covered && !final && now < x.t+joinRayWindow {
			p.exp = min(now+5*int64(time.Second), x.t+joinRayWindow)
			j.pendQ = append(j.pendQ, p)
			j.e.wantDue(p.exp)
			return
		}
		if covered || (final && hostLogged && j.e.sawOrigin && j.e.lastOriginTime >= x.t) {
			x.join = joinMissing
		} else {
			x.join = joinUnknown
		}
		j.done(x)
	}
	if p.rayH != 0 && j.pendRay[p.rayH] == x {
		delete(j.pendRay, p.rayH)
	}
	removeFromBucket(j.pendKey, p.keyH, x)
	x.inJoin = false // out of every wait structure: the detector may recycle it
}

// finish settles every waiting edge error at end of input.
func (j *joiner) finish() {
	for j.pendHd < len(j.pendQ) {
		p := j.pendQ[j.pendHd]
		j.pendHd++
		j.settle(p, j.e.now, true)
	}
	j.pendQ, j.pendHd = nil, 0
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// removeFromBucket removes every v from the list at m[key], in place,
// deleting the key when the list empties; the freed tail is cleared so the
// backing array holds no stale pointers.
func removeFromBucket[K, V comparable](m map[K][]V, key K, v V) {
	l := m[key]
	if len(l) == 0 {
		return
	}
	k := 0
	for _, e := range l {
		if e != v {
			l[k] = e
			k++
		}
	}
	if k == 0 {
		delete(m, key)
		return
	}
	clear(l[k:])
	m[key] = l[:k]
}
