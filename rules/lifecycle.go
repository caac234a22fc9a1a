package rules

import (
	"hash/maphash"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The 202 lifecycle: a 202 that is not a poll of an open operation opens
// one; later GET/HEAD requests of its status resource are its polls; a
// completion status closes it; when event time passes J = first 202 +
// timeout an operation still open is judged by its last poll.

type opState uint8

const (
	opInflight opState = iota // before J
	opJudged                  // reported at J, still open for late polls
	opDone                    // completed (in time or late)
	opGone                    // evicted, expired, or judged with no status resource to poll
)

// How an operation's status resource was found (feature linked_by).
const (
	linkNone     int8 = -1
	linkHeader   int8 = 0 // Location / Operation-Location / ... header
	linkSamePath int8 = 1 // its own path (GET, PUT, PATCH, DELETE)
	linkChild    int8 = 2 // POST P -> next GET of P/{id} from the same client
)

// linkWaiting: not linked yet, a POST waiting for a GET of a child (enqueue).
const linkWaiting int8 = -2

const (
	opRetention = int64(24 * time.Hour)
	minGrace    = int64(60 * time.Second)
)

type clientKey struct{ ip, ua string }

// op is one pending operation. It is the bulk of the engine's memory on
// endless 202 traffic (MaxPending of them), so it is kept to 160 bytes (a
// malloc size class): the client is an interned pair, the timeout an index
// into the deadline queues, the rare request id, raw line and Retry-After
// sit behind one pointer allocated only when logged.
type op struct {
	ep       *endpoint
	host     *hostState // where its status resource lives (nil until linked)
	resPath  string
	next     *op // older operations on the same status resource (same hash)
	open     int64
	client   *clientKey // interned
	polls    *pollInfo
	openRef  opRef // the opening 202 (method, path, time and status are the op's own)
	qnext    *op   // next operation waiting for the same child GET (see linkWaiting)
	openPath string
	from     *hostState // where its opening 202 was (origin-log withdrawal)
	g        *group     // the finding it was judged into
	tmo      uint16     // index of its timeout in lifecycle.qList
	state    opState
	linkedBy int8
	isDelete bool
	body     bool // poll style body
	hasLoc   bool
	relLoc   bool
}

// opRef is an operation's opening line: input, line and offset inline,
// the rarer parts in an extra allocation.
type opRef struct {
	input        *string
	line, offset int64
	x            *opExtra
}

// opExtra holds what most operations do not log.
type opExtra struct {
	requestID, raw string
	// retryAfter is the latest Retry-After of its opening 202 or of a
	// pending (202) poll; parse.Unknown when none was logged.
	retryAfter time.Duration
}

func (op *op) retryAfter() time.Duration {
	if op.openRef.x == nil {
		return parse.Unknown
	}
	return op.openRef.x.retryAfter
}

func (op *op) setRetryAfter(d time.Duration) {
	if op.openRef.x == nil {
		if d == parse.Unknown {
			return
		}
		op.openRef.x = &opExtra{}
	}
	op.openRef.x.retryAfter = d
}

// lineRef is where a retained request's line is, compactly.
type lineRef struct {
	input     string
	line      int64
	offset    int64
	requestID string
	raw       string
}

// fillLineRef sets a zeroed ref to r's line.
func (e *Engine) fillLineRef(ref *lineRef, r *parse.Record) {
	ref.input, ref.line, ref.offset = e.inputName(r.Input), r.Line, r.Offset
	if r.RequestID != "" {
		ref.requestID = strings.Clone(r.RequestID)
	}
	if r.Raw != "" && e.rawKept {
		ref.raw = cappedRaw(r.Raw)
	}
}

// opRefOf is r's line for an operation; RetryAfter goes along.
func (e *Engine) opRefOf(r *parse.Record) opRef {
	ref := opRef{input: e.inputNamePtr(r.Input), line: r.Line, offset: r.Offset}
	keepRaw := r.Raw != "" && e.rawKept
	if r.RequestID != "" || keepRaw || r.RetryAfter != parse.Unknown {
		x := &opExtra{retryAfter: r.RetryAfter}
		if r.RequestID != "" {
			x.requestID = strings.Clone(r.RequestID)
		}
		if keepRaw {
			x.raw = cappedRaw(r.Raw)
		}
		ref.x = x
	}
	return ref
}

func (op *op) openSample() sampleRef {
	s := sampleRef{input: *op.openRef.input, line: op.openRef.line, offset: op.openRef.offset, t: op.open,
		status: 202, method: op.ep.key.method, path: op.openPath, role: "open"}
	if x := op.openRef.x; x != nil {
		s.requestID, s.raw = x.requestID, x.raw
	}
	return s
}

type pollInfo struct {
	n           int
	first, last int
	lastT       int64
	intervals   []int64
	firstSmp    sampleRef
	lastSmp     [2]sampleRef
	nLast       int
}

const maxIntervals = 64

type hostState struct {
	key       string
	res       map[uint64]*op      // by hashPath(resPath); chains hold every path of a hash
	filter    pathFilter          // cheap pre-check before the res map
	deletes   int                 // since res was rebuilt: tombstones slow a churning map
	unlinked  map[uint64]waitList // POSTs waiting for a child GET, by linkHash
	nUnlinked int
}

// linkHash is what links a POST of path to the next GET of path/{id}: the
// path and the client, hashed (a 24-byte map entry per waiting list: on
// endless unpolled POSTs this index is a good part of the pending table's
// memory). Lists may hold other keys of the same hash: waits compares.
func linkHash(path, ip, ua string) uint64 {
	var h maphash.Hash
	h.SetSeed(pathSeed)
	h.WriteString(path)
	h.WriteByte(0)
	h.WriteString(ip)
	h.WriteByte(0)
	h.WriteString(ua)
	return h.Sum64()
}

// waits reports whether op waits for a child of path from the client.
func (op *op) waits(path, ip, ua string) bool {
	return op.openPath == path && op.client.ip == ip && op.client.ua == ua
}

// waitList is the FIFO of operations waiting on one linkHash, chained by
// op.qnext.
type waitList struct{ head, tail *op }

type epKey struct {
	o            *origin
	method, tmpl string
	edge         bool
}

type endpoint struct {
	key         epKey
	name        string // "POST /v1/exports"
	ops         int
	polled      int
	completed   int
	latency     sample
	first, last int64
	route       *Route
	samples     []sampleRef
	// from is the host of the endpoint's first operation, mixed set once
	// another host opens one: an origin-log endpoint is withdrawn when an
	// edge log turns out to carry its traffic (see edgeHost).
	from  *hostState
	mixed bool
}

// fireAndForget: at least 20 operations of which fewer than 5% were polled.
func (ep *endpoint) fireAndForget() bool {
	return ep.ops >= 20 && ep.polled*20 < ep.ops
}

type groupKey struct {
	ep  *endpoint
	sub string
}

type group struct {
	key        groupKey
	id         string
	count      int
	late       int
	total      int // operations ever added
	start, end int64
	pollsSum   int64
	intervals  sample
	lastSt     counter
	firstSt    counter
	withLoc    int
	relLoc     int
	retryAfter sample // the operations' Retry-After (ns), where logged
	linked     [3]int
	unlinked   int
	clients    counter
	lastPolls  counter
	samples    []sampleRef
	tl         *series
	version    int
	touched    int64 // event time of the last operation judged into it
	aggregated int   // of count: evicted while in flight and judged by aggregate
}

type opQueue struct {
	ops []*op
	hd  int
	tmo uint16 // its index in qList
}

// deadline is an operation's J: its first 202 + its timeout.
func (l *lifecycle) deadline(op *op) int64 { return op.open + l.qList[op.tmo] }

// clientOf interns a record's client (IP, user agent) pair: operations of
// one client share it.
func (l *lifecycle) clientOf(r *parse.Record) *clientKey {
	if c := l.lastClient; c != nil && c.ip == r.ClientIP && c.ua == r.UserAgent {
		return c
	}
	// A direct-mapped cache, not a map: on a flood of distinct clients a
	// map only grows, rehashes and is thrown away, costing more than the
	// 32 bytes per operation it would save.
	slot := &l.clients[clientSlot(r.ClientIP, r.UserAgent)]
	c := *slot
	if c == nil || c.ip != r.ClientIP || c.ua != r.UserAgent {
		c = &clientKey{strings.Clone(r.ClientIP), l.e.in.get(r.UserAgent)}
		*slot = c
	}
	l.lastClient = c
	return c
}

// clientSlot picks a client's place in the cache.
func clientSlot(ip, ua string) int {
	h := uint(len(ip))*31 + uint(len(ua))
	for i := 0; i < len(ip); i++ {
		h = h*31 + uint(ip[i])
	}
	if n := len(ua); n > 0 {
		h = h*31 + uint(ua[n-1]) + uint(ua[n/2])<<8
	}
	return int(h % maxClients)
}

const maxClients = 1 << 12

type lifecycle struct {
	e         *Engine
	hosts     map[string]*hostState
	lastHostK string
	lastHost  *hostState

	live          int // operations still open (in flight or judged)
	inflight      int
	evicted       int64
	completedLate int

	clients    [maxClients]*clientKey // recent clients (clientOf)
	lastClient *clientKey

	lastEp               *endpoint
	lastOpenM, lastOpenP string

	all     []*op // open order
	allHd   int
	queues  map[int64]*opQueue // by timeout: deadlines in order
	qList   []int64
	eps     map[epKey]*endpoint
	epList  []*endpoint
	groups  map[groupKey]*group
	grpList []*group

	// Hosts (status-resource keys) that edge logs carry: origin-log records
	// of those hosts do not take part in the lifecycle.
	edgeHosts          map[string]bool
	lastEdgeK          string
	lastCovK           string
	lastCov, lastCovOK bool

	evict evictions // in-flight operations evicted by the cap, counted
}

func (l *lifecycle) init(e *Engine) {
	l.e = e
	l.hosts = make(map[string]*hostState)
	l.queues = make(map[int64]*opQueue)
	l.eps = make(map[epKey]*endpoint)
	l.groups = make(map[groupKey]*group)
	l.edgeHosts = make(map[string]bool)
}

const maxHosts = 20000

// hostKey is where a record's status resources live: its host, or for
// logs without one, the input's origin name.
func (l *lifecycle) hostKey(r *parse.Record, o *origin) string {
	if r.Host != "" {
		return r.Host
	}
	if l.e.cfg.GroupBy == "host" || r.Upstream == "" {
		return o.name // the input's origin
	}
	return l.e.inputOrigin(r.Input).name
}

func (l *lifecycle) host(key string, create bool) *hostState {
	if l.lastHost != nil && key == l.lastHostK {
		return l.lastHost
	}
	h := l.hosts[key]
	if h == nil {
		if !create || len(l.hosts) >= maxHosts {
			return nil
		}
		h = &hostState{key: l.e.in.get(key), res: make(map[uint64]*op), unlinked: make(map[uint64]waitList)}
		l.hosts[h.key] = h
	}
	l.lastHostK, l.lastHost = h.key, h
	return h
}

// record handles one record: a poll, a child GET linking a POST, or an
// opening 202.
func (l *lifecycle) record(r *parse.Record, o *origin) {
	if r.Source == parse.SourceOrigin && len(l.edgeHosts) > 0 && l.edgeCovered(l.hostKey(r, o)) {
		return // operations of this traffic are followed in the edge log
	}
	m := r.Method
	poll := m == "GET" || m == "HEAD"
	if poll && l.live > 0 {
		if h := l.host(l.hostKey(r, o), false); h != nil {
			if len(h.res) > 0 && h.filter.maybe(r.Path) {
				if head := h.lookup(r.Path); head != nil {
					l.poll(head, r)
					return
				}
			}
			if m == "GET" && h.nUnlinked > 0 && l.linkChild(h, r) {
				return
			}
		}
	}
	if r.Status == 202 {
		l.open(r, o)
	}
}

func (l *lifecycle) open(r *parse.Record, o *origin) {
	e := l.e
	h := l.host(l.hostKey(r, o), true)
	if h == nil {
		return
	}
	m := r.Method
	isEdge := r.Source == parse.SourceEdge
	var ep *endpoint
	if le := l.lastEp; le != nil && le.key.o == o && le.key.edge == isEdge && m == l.lastOpenM && r.Path == l.lastOpenP {
		ep = le // the same endpoint as the last opening (a common run)
	} else {
		tmpl := PathTemplate(r.Path)
		if le != nil && le.key.o == o && le.key.edge == isEdge && m == l.lastOpenM && tmpl == le.key.tmpl {
			ep = le // the same route, another id: no map lookup, no interning
		} else {
			m = strings.ToUpper(m)
			ep = l.endpoint(o, m, tmpl, isEdge)
			l.lastEp, l.lastOpenM, l.lastOpenP = ep, ep.key.method, e.in.get(r.Path)
		}
	}
	m = ep.key.method
	t := r.Time
	op := &op{ep: ep, open: t, linkedBy: linkNone, client: l.clientOf(r)}
	op.openPath = e.in.get(r.Path)
	op.openRef = e.opRefOf(r)
	op.from = h
	if ep.from == nil {
		ep.from = h
	} else if ep.from != h {
		ep.mixed = true
	}
	ep.ops++
	if ep.first == 0 || t < ep.first {
		ep.first = t
	}
	if t > ep.last {
		ep.last = t
	}
	if len(ep.samples) < 3 {
		ep.samples = append(ep.samples, op.openSample())
	}

	route := ep.route
	switch {
	case r.StatusLocation != "":
		op.hasLoc = true
		host, p, rel := splitLocation(r.StatusLocation, r.Path)
		op.relLoc = rel
		rh := h
		if !rel && host != "" && r.Host != "" && !strings.EqualFold(host, r.Host) {
			if h2 := l.host(host, true); h2 != nil {
				rh = h2
			}
		}
		l.link(op, rh, p, linkHeader)
		if route == nil {
			route = l.matchRoute("GET", PathTemplate(p))
		}
	case m == "GET" || m == "HEAD":
		l.link(op, h, r.Path, linkSamePath)
		l.addPoll(op, r) // a 202 to GET P is a poll of P: its first
	case m == "PUT" || m == "PATCH" || m == "DELETE":
		op.isDelete = m == "DELETE"
		l.link(op, h, r.Path, linkSamePath)
	default:
		l.enqueue(op, h, r.Path)
	}
	timeout := e.timeout
	if route != nil {
		op.body = route.PollStyle == PollStyleBody
		if route.PendingTimeout > 0 {
			timeout = int64(route.PendingTimeout)
		}
	}
	q := l.queues[timeout]
	if q == nil {
		if len(l.qList) > math.MaxUint16 { // never in practice: one per distinct route timeout
			timeout = e.timeout
			q = l.queues[timeout]
		}
		if q == nil {
			q = &opQueue{tmo: uint16(len(l.qList))}
			l.queues[timeout] = q
			l.qList = append(l.qList, timeout)
		}
	}
	op.tmo = q.tmo
	q.ops = append(q.ops, op)
	l.all = append(l.all, op)
	l.live++
	l.inflight++
	e.wantDue(l.deadline(op))
	for l.live > e.cfg.MaxPending {
		l.evictOldest()
	}
}

func (l *lifecycle) endpoint(o *origin, method, tmpl string, edge bool) *endpoint {
	k := epKey{o: o, method: method, tmpl: tmpl, edge: edge}
	ep := l.eps[k]
	if ep == nil {
		k.method = l.e.in.get(method)
		k.tmpl = strings.Clone(tmpl)
		ep = &endpoint{key: k, name: k.method + " " + k.tmpl, route: l.matchRoute(k.method, k.tmpl)}
		l.eps[k] = ep
		l.epList = append(l.epList, ep)
	}
	return ep
}

func (l *lifecycle) matchRoute(method, tmpl string) *Route {
	for i := range l.e.cfg.Routes {
		if r := &l.e.cfg.Routes[i]; r.match(method, tmpl) {
			return r
		}
	}
	return nil
}

// splitLocation reads a status URL: its host (absolute URLs), its path
// resolved against the request path, and whether it was relative.
func splitLocation(loc, reqPath string) (host, p string, relative bool) {
	if len(loc) > 0 && loc[0] == '/' && !strings.ContainsAny(loc, "?#%") && !strings.Contains(loc, "/.") && !strings.HasPrefix(loc, "//") {
		return "", loc, true
	}
	u, err := url.Parse(strings.TrimSpace(loc))
	if err != nil {
		if i := strings.IndexAny(loc, "?#"); i >= 0 {
			loc = loc[:i]
		}
		return "", loc, true
	}
	if u.Host != "" {
		p = u.EscapedPath()
		if p == "" {
			p = "/"
		}
		if up, err := url.PathUnescape(p); err == nil {
			p = up
		}
		return u.Hostname(), p, false
	}
	base := &url.URL{Path: reqPath}
	ref := base.ResolveReference(&url.URL{Path: u.Path})
	return "", ref.Path, true
}

func (l *lifecycle) link(op *op, h *hostState, p string, by int8) {
	op.host = h
	if p == op.openPath {
		op.resPath = op.openPath // one copy of the path
	} else {
		op.resPath = strings.Clone(p)
	}
	op.linkedBy = by
	k := hashPath(op.resPath)
	op.next = h.res[k]
	h.res[k] = op
	h.filter.add(op.resPath)
}

// The status-resource map is keyed by a 64-bit hash of the path rather than
// the path (8 bytes less per entry, a cheaper lookup); a collision only
// shares a chain, and lookups compare the path itself.
var pathSeed = maphash.MakeSeed()

func hashPath(p string) uint64 { return maphash.String(pathSeed, p) }

// lookup is the newest operation open on status resource p, or nil.
func (h *hostState) lookup(p string) *op {
	for o := h.res[hashPath(p)]; o != nil; o = o.next {
		if o.resPath == p {
			return o
		}
	}
	return nil
}

// rebuild copies the status-resource map into a fresh one, entry by entry
// (maps.Clone would copy the tombstones along).
func (h *hostState) rebuild() {
	m := make(map[uint64]*op, len(h.res))
	for k, v := range h.res {
		m[k] = v
	}
	h.res = m
	h.deletes = 0
}

// pathFilter is a counting filter over a cheap hash of a path, so that
// most requests skip the status-resource map lookup.
type pathFilter struct{ n [4096]uint16 }

func filterHash(p string) int {
	n := len(p)
	if n < 3 {
		return n
	}
	h := uint(n)*0x9E37 ^ uint(p[n-1]) ^ uint(p[n-2])<<3 ^ uint(p[n-3])<<6 ^ uint(p[n>>1])<<9
	return int(h & 4095)
}

func (f *pathFilter) add(p string) {
	if i := filterHash(p); f.n[i] < 65535 {
		f.n[i]++
	}
}

func (f *pathFilter) remove(p string) {
	if i := filterHash(p); f.n[i] > 0 && f.n[i] < 65535 {
		f.n[i]--
	}
}

func (f *pathFilter) maybe(p string) bool { return f.n[filterHash(p)] != 0 }

func (l *lifecycle) unlink(op *op) {
	h := op.host
	if h == nil {
		return
	}
	k := hashPath(op.resPath)
	head := h.res[k]
	if head == op {
		if op.next == nil {
			delete(h.res, k)
			h.deletes++
			if h.deletes > len(h.res)+4096 {
				h.rebuild()
			}
		} else {
			h.res[k] = op.next
		}
	} else {
		for p := head; p != nil; p = p.next {
			if p.next == op {
				p.next = op.next
				break
			}
		}
	}
	h.filter.remove(op.resPath)
	op.next = nil
	op.host = nil
}

// enqueue makes a POST wait for the next GET of a child P/{id} from the same
// client.
func (l *lifecycle) enqueue(op *op, h *hostState, p string) {
	_ = p
	k := linkHash(op.openPath, op.client.ip, op.client.ua)
	w := h.unlinked[k]
	if w.head == nil {
		w.head = op
	} else {
		w.tail.qnext = op
	}
	w.tail = op
	h.unlinked[k] = w
	op.linkedBy = linkWaiting
	h.nUnlinked++
}

// dequeue removes op from its waiting list (usually its head: operations
// leave in the order they came).
func (l *lifecycle) dequeue(x *op) {
	if x.linkedBy != linkWaiting {
		return
	}
	x.linkedBy = linkNone
	h := x.from
	k := linkHash(x.openPath, x.client.ip, x.client.ua)
	w := h.unlinked[k]
	var prev *op
	found := false
	for o := w.head; o != nil; o = o.qnext {
		if o == x {
			found = true
			break
		}
		prev = o
	}
	switch {
	case !found:
		return // cannot happen: waiting means listed
	case prev == nil:
		w.head = x.qnext
	default:
		prev.qnext = x.qnext
	}
	if w.tail == x {
		w.tail = prev
	}
	x.qnext = nil
	h.nUnlinked--
	if w.head == nil {
		delete(h.unlinked, k)
	} else {
		h.unlinked[k] = w
	}
}

// linkChild links the oldest waiting POST of P from this client to a GET of
// P/{id}; the GET is its first poll.
func (l *lifecycle) linkChild(h *hostState, r *parse.Record) bool {
	i := strings.LastIndexByte(r.Path, '/')
	if i <= 0 || !IsIDSegment(r.Path[i+1:]) {
		return false
	}
	p := r.Path[:i]
	k := linkHash(p, r.ClientIP, r.UserAgent)
	for {
		op := h.unlinked[k].head
		for op != nil && !op.waits(p, r.ClientIP, r.UserAgent) {
			op = op.qnext // another key of the same hash
		}
		if op == nil || r.Time < op.open {
			return false
		}
		if op.state != opInflight || r.Time > l.deadline(op) {
			l.dequeue(op) // past its link window
			continue
		}
		l.dequeue(op)
		l.link(op, h, r.Path, linkChild)
		if rt := l.matchRoute("GET", PathTemplate(r.Path)); rt != nil && op.ep.route == nil {
			op.body = rt.PollStyle == PollStyleBody
		}
		l.addPoll(op, r)
		return true
	}
}

// poll applies a GET/HEAD of a status resource to its open operations.
func (l *lifecycle) poll(head *op, r *parse.Record) {
	for op := head; op != nil; {
		next := op.next
		if op.resPath == r.Path && (op.state == opInflight || op.state == opJudged) {
			l.addPoll(op, r)
		}
		op = next
	}
}

func (l *lifecycle) addPoll(op *op, r *parse.Record) {
	pi := op.polls
	if pi == nil {
		pi = &pollInfo{}
		op.polls = pi
	}
	st := r.Status
	smp := l.e.sampleOf(r, "poll", op.resPath)
	if pi.n == 0 {
		pi.first = st
		pi.firstSmp = smp
		op.ep.polled++
	} else {
		if len(pi.intervals) < maxIntervals {
			pi.intervals = append(pi.intervals, r.Time-pi.lastT)
		}
		pi.lastSmp[pi.nLast%2] = smp
		pi.nLast++
	}
	pi.n++
	pi.last = st
	pi.lastT = r.Time
	if st == 202 && r.RetryAfter >= 0 {
		op.setRetryAfter(r.RetryAfter) // the server's latest advice while pending
	}

	done := false
	switch {
	case op.isDelete && op.linkedBy == linkSamePath:
		done = st == 404 || st == 410 || st == 204
	case st == 200:
		done = !op.body
	case st == 201 || st == 204 || st == 303:
		done = true
	}
	if done {
		l.complete(op, r.Time)
	}
}

// complete closes an operation: in time it adds to its endpoint's healthy
// latencies; after it was reported it leaves its finding (completed_late).
func (l *lifecycle) complete(op *op, t int64) {
	switch op.state {
	case opInflight:
		op.ep.completed++
		op.ep.latency.add(t - op.open)
		l.inflight--
	case opJudged:
		if g := op.g; g != nil {
			g.count--
			g.late++
			g.version++
			l.e.tl.addTo(g.tl, op.open, -1)
		}
		l.completedLate++
	default:
		return
	}
	l.unlink(op)
	l.dequeue(op)
	op.state = opDone
	l.live--
}

// due judges the operations whose J has passed and closes those kept open
// for 24 h; it returns the next time something is due.
func (l *lifecycle) due(now int64) int64 {
	next := int64(1<<63 - 1)
	for _, to := range l.qList {
		q := l.queues[to]
		for q.hd < len(q.ops) && q.ops[q.hd].open+to < now {
			op := q.ops[q.hd]
			q.ops[q.hd] = nil
			q.hd++
			if op.state == opInflight {
				l.judge(op)
			}
		}
		l.compactQueue(q)
		if q.hd < len(q.ops) && q.ops[q.hd].open+to < next {
			next = q.ops[q.hd].open + to
		}
	}
	for l.allHd < len(l.all) {
		op := l.all[l.allHd]
		if op.state == opInflight {
			break
		}
		if op.state == opJudged && op.open+opRetention >= now {
			if t := op.open + opRetention; t < next {
				next = t
			}
			break
		}
		if op.state == opJudged {
			l.close(op)
		}
		l.all[l.allHd] = nil
		l.allHd++
	}
	l.compactAll()
	if len(l.evict.list) > 0 {
		next = min(next, l.dueEvicted(now))
	}
	return next
}

func (l *lifecycle) compactQueue(q *opQueue) {
	if q.hd > 1024 && q.hd > len(q.ops)/2 {
		n := copy(q.ops, q.ops[q.hd:])
		clear(q.ops[n:])
		q.ops = q.ops[:n]
		q.hd = 0
	}
	// drop finished operations so that memory follows the open ones
	if len(q.ops)-q.hd > 2*l.inflight+4096 {
		k := 0
		for _, op := range q.ops[q.hd:] {
			if op.state == opInflight {
				q.ops[k] = op
				k++
			}
		}
		clear(q.ops[k:])
		q.ops = q.ops[:k]
		q.hd = 0
	}
}

func (l *lifecycle) compactAll() {
	if l.allHd > 1024 && l.allHd > len(l.all)/2 {
		n := copy(l.all, l.all[l.allHd:])
		clear(l.all[n:])
		l.all = l.all[:n]
		l.allHd = 0
	}
	if len(l.all)-l.allHd > 2*l.live+4096 {
		k := 0
		for _, op := range l.all[l.allHd:] {
			if op.state == opInflight || op.state == opJudged {
				l.all[k] = op
				k++
			}
		}
		clear(l.all[k:])
		l.all = l.all[:k]
		l.allHd = 0
	}
}

// close stops following an operation without completing it.
func (l *lifecycle) close(op *op) {
	if op.state == opInflight {
		l.inflight--
	}
	l.unlink(op)
	l.dequeue(op)
	op.state = opGone
	l.live--
}

func (l *lifecycle) evictOldest() {
	for l.allHd < len(l.all) {
		op := l.all[l.allHd]
		l.all[l.allHd] = nil
		l.allHd++
		if op.state == opInflight || op.state == opJudged {
			if op.state == opInflight {
				l.fold(op) // judged by aggregate at its J (lifecycle_evict.go)
			}
			l.close(op)
			l.evicted++
			if l.evicted%1024 == 0 {
				l.dropEvicted()
			}
			return
		}
	}
}

// judge classifies an operation at its J.
func (l *lifecycle) judge(op *op) {
	sub := l.classifyAt(op, l.deadline(op))
	if sub == "" { // poll style body: polling stopped after a 200
		op.ep.completed++
		op.ep.latency.add(op.polls.lastT - op.open)
		l.inflight--
		l.unlink(op)
		l.dequeue(op)
		op.state = opDone
		l.live--
		return
	}
	l.inflight--
	op.state = opJudged
	l.addToGroup(op, sub)
	if op.host == nil { // never linked: nothing can poll it any more
		l.dequeue(op)
		op.state = opGone
		l.live--
	}
}

// classifyAt gives the sub-type of an operation judged at J ("" = inferred
// complete, poll style body).
func (l *lifecycle) classifyAt(op *op, j int64) string {
	pi := op.polls
	if pi == nil || pi.n == 0 {
		return SubNeverPolled
	}
	// only polls up to J decide (later ones keep counting for late completion)
	s := pi.last
	switch {
	case s == 404 || s == 410:
		return SubStatusLost
	case s >= 500:
		return SubStatusError
	case s == 499 || s == 0 || s >= 400:
		return SubPollRejected
	}
	g := minGrace
	if len(pi.intervals) > 0 {
		if m := 3 * medianInt64(pi.intervals); m > g {
			g = m
		}
	}
	if s == 200 && op.body && pi.lastT < j-g {
		return ""
	}
	if pi.lastT >= j-g {
		return SubStuckPending
	}
	return SubClientGaveUp
}

func (l *lifecycle) addToGroup(op *op, sub string) {
	k := groupKey{op.ep, sub}
	g := l.groups[k]
	if g == nil {
		g = &group{key: k, tl: l.e.tl.newSeries(),
			id: stableID("incomplete_202", op.ep.key.o.name, op.ep.name, sub)}
		l.groups[k] = g
		l.grpList = append(l.grpList, g)
		defer l.e.capFindings()
	}
	g.touched = l.e.now
	op.g = g
	g.version++
	g.count++
	g.total++
	if g.start == 0 || op.open < g.start {
		g.start = op.open
	}
	end := op.open
	pi := op.polls
	if pi != nil && pi.n > 0 {
		if pi.lastT > end {
			end = pi.lastT
		}
		g.pollsSum += int64(pi.n)
		if len(pi.intervals) > 0 {
			g.intervals.add(medianInt64(pi.intervals))
		}
		g.lastSt.add(statusKey(pi.last), 1)
		g.firstSt.add(statusKey(pi.first), 1)
		g.lastPolls.add(statusKey(pi.last), 1)
	}
	if end > g.end {
		g.end = end
	}
	if ra := op.retryAfter(); ra >= 0 {
		g.retryAfter.add(int64(ra))
	}
	if op.hasLoc {
		g.withLoc++
		if op.relLoc {
			g.relLoc++
		}
	}
	if op.linkedBy >= 0 {
		g.linked[op.linkedBy]++
	} else {
		g.unlinked++
	}
	c := op.client.ip
	if c == "" {
		c = "-"
	}
	g.clients.add(c, 1)
	l.e.tl.addTo(g.tl, op.open, 1)
	if max := l.e.cfg.MaxSamples; len(g.samples) < max {
		g.samples = append(g.samples, op.openSample())
		if pi != nil && pi.n > 0 && len(g.samples) < max {
			g.samples = append(g.samples, pi.firstSmp)
			for i := 0; i < 2 && i < pi.nLast && len(g.samples) < max; i++ {
				g.samples = append(g.samples, pi.lastSmp[(pi.nLast-1-i)%2])
			}
		}
	}
}

// edgeCovered reports whether edge logs carry the traffic of host key k.
func (l *lifecycle) edgeCovered(k string) bool {
	if l.lastCovOK && k == l.lastCovK {
		return l.lastCov
	}
	c := l.edgeHosts[k]
	l.lastCovK, l.lastCov, l.lastCovOK = k, c, true
	return c
}

// edgeHost notes that an edge record of host key k was seen. The first time,
// operations opened from origin-log records of k are withdrawn: from now on
// that traffic is followed in the edge log (the client's view) and the
// origin's records only serve the join.
//
// Ordering: the merge repairs disorder only within its window, and an edge
// log may start later than the origin's log of the same traffic. Origin-log
// operations of k opened before its first edge record are therefore dropped
// (open ones closed without being counted as evictions, in flight or
// evicted), and origin-log endpoints that only k opened are withdrawn with
// their findings, so the same operation is never reported from both logs.
// Origin logs of hosts no edge log carries (and hostless logs named by
// their path) keep their own operations and findings.
func (l *lifecycle) edgeHost(k string) {
	if k == l.lastEdgeK || l.edgeHosts[k] {
		l.lastEdgeK = k
		return
	}
	if len(l.edgeHosts) >= maxHosts {
		return
	}
	k = l.e.in.get(k)
	l.edgeHosts[k] = true
	l.lastEdgeK = k
	l.lastCovOK = false
	h := l.hosts[k]
	if h == nil {
		return // no operation was ever opened or polled on k
	}
	for _, op := range l.all[l.allHd:] {
		if !op.ep.key.edge && op.from == h && (op.state == opInflight || op.state == opJudged) {
			l.close(op)
		}
	}
	withdrawn := func(ep *endpoint) bool { return !ep.key.edge && ep.from == h && !ep.mixed }
	k2 := 0
	for _, ep := range l.epList {
		if withdrawn(ep) {
			if ep == l.lastEp {
				l.lastEp = nil
			}
			delete(l.eps, ep.key)
			continue
		}
		l.epList[k2] = ep
		k2++
	}
	clear(l.epList[k2:])
	l.epList = l.epList[:k2]
	k2 = 0
	for _, g := range l.grpList {
		if withdrawn(g.key.ep) {
			delete(l.groups, g.key)
			continue
		}
		l.grpList[k2] = g
		k2++
	}
	clear(l.grpList[k2:])
	l.grpList = l.grpList[:k2]
}
