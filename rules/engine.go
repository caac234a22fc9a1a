package rules

import (
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// Engine turns a time-ordered stream of records into findings.
//
// Time is event time: "now" is the newest record time seen, never the wall
// clock, so archived logs and live tails give the same findings. The one
// exception is Advance: while tailing, the caller moves "now" on by the wall
// clock when no line has arrived for a while (see Advance).
//
// The engine is single-threaded: call its methods from one goroutine.
// Snapshots it returns share nothing mutable with it.
type Engine struct {
	cfg     Config
	w       int64 // burst window, ns
	keep    int64 // how far back burst detectors keep error records, ns
	timeout int64 // default pending timeout, ns

	now     int64 // event time: newest record, or later through Advance
	newest  int64 // newest record time
	records int64
	final   bool

	in interner

	origins        map[string]*origin
	originList     []*origin
	recent         [nRecent]recentOrigin // see originOf
	recentNext     int
	inputOrigins   map[string]*inputOrigin
	lastInput      string
	lastInputOrig  *origin
	lastInputValid bool

	tl timeline

	detectors []Detector // see newDetectors

	droppedFindings int64 // past Config.MaxFindings (see cap.go)
	errChunk        []errRec
	errFree         []*errRec // recycled error records (see release)

	// the input of the last retained line reference (see inputName)
	lastRefIn   string
	lastRefInOK bool
	rawKept     bool

	life lifecycle
	join joiner

	sawEdge, sawOrigin bool
	lastOriginTime     int64

	nextDue int64 // earliest event time at which timed work is due

	cache map[string]*builtFinding

	// contrast: origins whose dimensions are counted (see dimcount.go)
	dimOrigins int
	dimShared  dimShared
	// origins with a steady (not significant) 5xx rate (storm.go)
	steadyOrigins []*origin
}

// maxOrigins bounds per-origin state; further origins share one bucket.
const maxOrigins = 20000

const overflowOrigin = "(other origins)"

// NewEngine builds an engine; zero fields of cfg take their defaults.
func NewEngine(cfg Config) *Engine {
	cfg = cfg.withDefaults()
	e := &Engine{
		cfg:          cfg,
		w:            int64(cfg.BurstWindow),
		timeout:      int64(cfg.PendingTimeout),
		in:           newInterner(100000),
		origins:      make(map[string]*origin),
		inputOrigins: make(map[string]*inputOrigin),
		nextDue:      maxTime,
		cache:        make(map[string]*builtFinding),
	}
	e.keep = 2 * e.w
	if e.keep < int64(time.Minute) {
		e.keep = int64(time.Minute)
	}
	e.tl.init()
	e.life.init(e)
	e.join.init(e)
	e.detectors = e.newDetectors()
	return e
}

// Config returns the effective configuration (defaults filled in).
func (e *Engine) Config() Config { return e.cfg }

// Now returns the newest record time seen (zero before any record). Advance
// does not move it, so a tailing caller can call
// Advance(e.Now().Add(time.Since(lastLine))) on every tick without time
// running away. Snapshot.Now is the event time including Advance.
func (e *Engine) Now() time.Time {
	if e.newest == 0 {
		return time.Time{}
	}
	return ts(e.newest)
}

// Add feeds a batch of records in time order (parse's merge repairs bounded
// disorder before; a record older than the newest one seen is still
// counted but does not move time back). Strings of the records are not
// retained: what the engine keeps it copies.
func (e *Engine) Add(batch []parse.Record) {
	if e.final {
		return
	}
	for i := range batch {
		e.add(&batch[i])
	}
}

func (e *Engine) add(r *parse.Record) {
	n := r.N() // an aggregate stands for n identical requests
	e.records += n
	t := r.Time
	switch r.Source {
	case parse.SourceEdge:
		e.sawEdge = true
	case parse.SourceOrigin:
		e.sawOrigin = true
		if t > e.lastOriginTime {
			e.lastOriginTime = t
		}
	}

	if t > e.newest {
		e.newest = t
	}
	if t > e.now {
		e.now = t
		if t > e.nextDue {
			e.due()
		}
	}
	e.tl.addRequest(t, n)

	o, named := e.originOf(r)
	o.requests += n
	if o.host == "" && r.Host != "" && validHost(r.Host) {
		o.host = e.in.get(r.Host)
	}
	if r.Source == parse.SourceEdge {
		o.edge = true
	}
	rv := recordView{r: r, o: o, idx: -1, named: named}
	if r.Status >= 500 {
		rv.idx = trackedIndex(r.Status)
	}
	// When an origin has edge records, its origin-log records only serve
	// the edge/origin join: counting both would count each request twice.
	rv.counted = !(o.edge && r.Source == parse.SourceOrigin)
	if rv.counted {
		e.observe(o, r, n, rv.idx)
	}
	for _, d := range e.detectors {
		d.observe(rv)
	}
	e.capFindings()
	if r.Source == parse.SourceOrigin && e.sawEdge {
		e.join.originRecord(r)
	} else if r.Source == parse.SourceEdge && e.sawOrigin && rv.idx < 0 {
		e.join.probe(r)
	}
}

// observe runs the per-origin counters the detectors read: origin-bound
// requests, the storm test's rate ring, the contrast's dimensions, the
// status history, upstreams and the 52x counts. idx is the status's
// trackedIndex.
func (e *Engine) observe(o *origin, r *parse.Record, n int64, idx int) {
	st := r.Status
	// tracked errors count as origin-bound whatever the cache says
	if idx >= 0 || originBound(r.CacheStatus) {
		o.bound += uint64(n)
		o.rates.add(r.Time, n, idx)
		if o.dims == nil && e.dimOrigins < maxContrastOrigins {
			o.dims = newDimCounter(e)
			e.dimOrigins++
		}
		if o.dims != nil {
			o.dims.add(e, r)
		}
	}
	o.hist.add(r.Time, r.Status, int32(n))
	if r.Upstream != "" {
		o.seeUpstream(e, r.Upstream, r.Time)
	}
	if st < 500 {
		return
	}
	if st >= 521 && st <= 526 {
		o.c52x[st-521]++
	}
}

// originBound says whether a request went to the origin: responses served
// from a CDN or proxy cache (hits, stale, an origin shield's hit) or made
// by the edge itself (redirects, function responses, CloudFront's limit
// errors) did not. A revalidated or refreshed hit did reach the origin.
func originBound(cache string) bool {
	if cache == "" {
		return true
	}
	for _, c := range notOriginBound {
		if strings.EqualFold(cache, c) {
			return false
		}
	}
	return true
}

var notOriginBound = []string{"hit", "stream_hit", "stale", "updating", "originshieldhit",
	"redirect", "functiongeneratedresponse", "limitexceeded", "capacityexceeded"}

// due runs the timed work whose time has come: the detectors' (judging 202
// operations, expiring them) and the findings cap, then resolving join
// entries.
func (e *Engine) due() {
	next := maxTime
	for _, d := range e.detectors {
		next = min(next, d.due(e.now))
	}
	e.capFindings()
	if j := e.join.due(e.now); j < next {
		next = j
	}
	e.nextDue = next
}

// wantDue lowers nextDue when new timed work is scheduled.
func (e *Engine) wantDue(t int64) {
	if t < e.nextDue {
		e.nextDue = t
	}
}

// Advance moves event time forward while tailing an idle input, so that a
// quiet API still gets its deadlines judged. The caller computes now as the
// newest record time plus the wall-clock time since the last line arrived
// (tailing only; archived input never calls it). Time never moves back.
func (e *Engine) Advance(now time.Time) {
	if e.final {
		return
	}
	n := now.UnixNano()
	if n > e.now && e.now != 0 {
		e.now = n
		if n > e.nextDue {
			e.due()
		}
	}
}

// Finish ends the input and returns the final snapshot: operations still
// in flight are counted, not reported.
func (e *Engine) Finish() *Snapshot {
	if !e.final {
		e.final = true
		e.join.finish()
	}
	return e.Snapshot()
}

// origin is the per-origin state, bounded.
type origin struct {
	name     string
	requests int64
	bound    uint64 // origin-bound requests (cache hits excluded)
	c52x     [6]uint32
	edge     bool // has edge (CDN) records
	gated    bool // in Engine.steadyOrigins
	overflow bool // the bucket of the origins past maxOrigins
	// the 202 lifecycle's state of the host key named like the origin
	// (see lifecycle.hostOf): edgeSeen once edge records of it came
	life     *hostState
	lifeNone int // len(lifecycle.hostAll) when the key had no host state
	edgeSeen bool
	// host is a host name the origin's records carried ("" for hostless
	// logs, whose origin is named after the input): commands use it, never
	// the origin's name.
	host string

	hist  history
	rates rateRing    // minutes of requests and errors (storm.go)
	dims  *dimCounter // nil past maxContrastOrigins
	dets  [numTracked]*statusRun
	// activity spans of each tracked status, for other_origins_failing.
	activity [numTracked][]span

	upstreams map[string]*upstreamSeen
	lastUp    string
	lastUpRec *upstreamSeen
}

type upstreamSeen struct {
	key         string
	first, last int64
}

type span struct{ a, b int64 }

const maxUpstreams = 1024

func (o *origin) seeUpstream(e *Engine, up string, t int64) {
	if o.lastUpRec != nil && up == o.lastUp {
		o.lastUpRec.last = t
		return
	}
	if o.upstreams == nil {
		o.upstreams = make(map[string]*upstreamSeen)
	}
	u := o.upstreams[up]
	if u == nil {
		if len(o.upstreams) >= maxUpstreams {
			return
		}
		up = e.in.get(up)
		u = &upstreamSeen{key: up, first: t, last: t}
		o.upstreams[up] = u
	}
	u.last = t
	o.lastUp, o.lastUpRec = u.key, u
}

// recentOrigin is one of the origins of the last few keys: logs interleave
// a few hosts (a CDN zone's), and a hit costs a length check or a compare
// instead of hashing the key for a map probe.
type recentOrigin struct {
	key string
	o   *origin
}

const nRecent = 4

// originOf is r's origin, and named: whether r's lifecycle host key
// (lifecycle.hostKey) is the origin's name.
func (e *Engine) originOf(r *parse.Record) (o *origin, named bool) {
	key, named := r.Host, true
	if e.cfg.GroupBy != "host" && r.Upstream != "" {
		key, named = r.Upstream, false
	}
	if key == "" {
		return e.inputOrigin(r.Input), named // named: the host key is the input's origin
	}
	for i := range e.recent {
		if c := &e.recent[i]; c.o != nil && key == c.key {
			return c.o, named && !c.o.overflow
		}
	}
	o = e.origins[key]
	if o == nil {
		o = e.newOrigin(key)
	}
	if o.overflow {
		return o, false
	}
	e.recent[e.recentNext] = recentOrigin{key: o.name, o: o}
	e.recentNext = (e.recentNext + 1) % nRecent
	return o, named
}

func (e *Engine) inputOrigin(input string) *origin {
	if e.lastInputValid && input == e.lastInput {
		return e.lastInputOrig
	}
	io := e.inputOrigins[input]
	if io == nil {
		name := e.cfg.Origin(input)
		if name == "" {
			name = DefaultOrigin(input)
		}
		o := e.origins[name]
		if o == nil {
			o = e.newOrigin(name)
		}
		io = &inputOrigin{key: e.in.get(input), o: o}
		if len(e.inputOrigins) < maxOrigins {
			e.inputOrigins[io.key] = io
		}
	}
	// Keep the caller's own string: inputs share one name string per input,
	// so the next comparison is a pointer check.
	e.lastInput, e.lastInputOrig, e.lastInputValid = input, io.o, true
	return io.o
}

type inputOrigin struct {
	key string
	o   *origin
}

func (e *Engine) newOrigin(key string) *origin {
	if len(e.originList) >= maxOrigins {
		if o := e.origins[overflowOrigin]; o != nil {
			return o
		}
		key = overflowOrigin
	}
	o := &origin{name: e.in.get(key), overflow: key == overflowOrigin}
	o.hist.init(e.w)
	e.origins[o.name] = o
	e.originList = append(e.originList, o)
	return o
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func mod(a, n int64) int64 {
	m := a % n
	if m < 0 {
		m += n
	}
	return m
}
