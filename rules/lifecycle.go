package rules

import (
	"hash/maphash"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The 202 lifecycle: a 202 that is not a poll of an open operation opens
// one; later GET/HEAD requests of its status resource are its polls; a
// completion status closes it; when event time passes J = first 202 +
// timeout an operation still open is judged by its last poll.
//
// Its files, one job each: this one the table (operations, endpoints,
// groups, hosts) and the dispatch of a record; lifecycle_open.go opening
// operations; lifecycle_link.go linking polls to operations (Location, the
// same path, a POST's child GET); lifecycle_poll.go the transitions of a
// poll; lifecycle_expire.go timed work and eviction; lifecycle_judge.go
// classifying judged operations into sub-types and groups;
// lifecycle_edge.go edge and origin logs of one host.

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

	opc opContrasts // operations by outcome for the 202 contrast (opcontrast.go)
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
