package rules

import (
	"encoding/binary"
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
// Its files, one job each: this one the endpoints, groups and hosts and
// the dispatch of a record; lifecycle_table.go the pending table (pointer
// free: operations by index, strings in an arena); lifecycle_open.go opening
// operations; lifecycle_link.go linking polls to operations (Location, the
// same path, a POST's child GET); lifecycle_wait.go POSTs waiting for a
// child GET; lifecycle_poll.go a poll; lifecycle_transitions.go the table
// of status -> next state; lifecycle_expire.go timed work and eviction; lifecycle_judge.go
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

// linkWaiting: not linked yet, a POST waiting for a GET of a child, in its
// host's wait buckets (lifecycle_wait.go; linkFresh until it is hashed there).
const linkWaiting int8 = -2

const (
	opRetention = int64(24 * time.Hour)
	minGrace    = int64(60 * time.Second)
)

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

// pollInfo is the poll state of a polled operation (opTable.polls).
type pollInfo struct {
	path        string // the status resource, for samples
	n           int
	first, last int
	lastT       int64
	intervals   []int64
	firstSmp    sampleRef
	lastPolls   [2]lastPoll // by nLast%2
	nLast       int
}

// lastPoll is one of an operation's last two polls. Most polls are
// overwritten by a later one, so it holds no string of its own: its line
// becomes a sample (lastPollSample) only when the operation is judged, and
// its request id and raw line are copied into buffers it reuses.
type lastPoll struct {
	line, offset, t int64
	status          int
	input           int32 // lifecycle.inputs
	head            bool  // a HEAD, else a GET
	requestID, raw  []byte
}

const maxIntervals = 64

type hostState struct {
	key    string
	id     int32      // in lifecycle.hostAll
	res    resTable   // linked operations by hashPath(resPath) (lifecycle_res.go)
	filter pathFilter // cheap pre-check before the res lookup
	waits  waitTable  // POSTs waiting for a child GET, by linkHash
	// parents are the open paths of the POSTs waiting (counted by
	// filterHash): most GETs are of no child of one, and skip the ID test
	// and the link hash (nil until a POST waits; 2 KB, few paths wait).
	parents   *parentFilter
	nUnlinked int
}

// linkHash is what links a POST of path to the next GET of path/{id}: the
// path and the client, hashed (its low bits pick a wait-table bucket).
// Buckets hold other keys too: waits compares.
func linkHash(path, ip string, ua uint64) uint64 {
	var h maphash.Hash
	h.SetSeed(pathSeed)
	h.WriteString(path)
	h.WriteByte(0)
	h.WriteString(ip)
	h.WriteByte(0)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], ua)
	h.Write(b[:])
	return h.Sum64()
}

// uaHash stands for a user agent in an operation: the client is its IP
// and this hash (64 bits: a collision of two agents of one address is
// as good as never).
func uaHash(ua string) uint64 { return maphash.String(pathSeed, ua) }

// waits reports whether op waits for a child of path from the client.
func (l *lifecycle) waits(op *op, path, ip string, ua uint64) bool {
	return op.uaHash == ua && l.tab.str(op.openPath) == path && l.tab.str(op.ip) == ip
}

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
	id          int32 // in lifecycle.epAll
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
	slot       int32 // in lifecycle.grpAll
}

type opQueue struct {
	ops []opHandle
	hd  int
	tmo uint16 // its index in qList
}

// deadline is an operation's J: its first 202 + its timeout.
func (l *lifecycle) deadline(op *op) int64 { return op.open + l.qList[op.tmo] }

type lifecycle struct {
	e         *Engine
	hosts     map[string]*hostState
	lastHostK string
	lastHost  *hostState

	live          int // operations still open (in flight or judged)
	inflight      int
	evicted       int64
	completedLate int

	tab     opTable
	epAll   []*endpoint  // by endpoint.id (0: none); withdrawn ones stay
	hostAll []*hostState // by hostState.id (0: none)
	grpAll  []*group     // by group.slot (0: none); dropped ones stay
	inputs  []string     // by op.input
	inputIx map[string]int32
	lastIn  string
	lastInI int32

	lastEp               *endpoint
	lastOpenM, lastOpenP string

	all     []opHandle // open order
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
	l.epAll, l.hostAll, l.grpAll = []*endpoint{nil}, []*hostState{nil}, []*group{nil}
	l.inputIx = make(map[string]int32)
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
		h = &hostState{key: l.e.in.get(key), id: int32(len(l.hostAll))}
		l.hosts[h.key] = h
		l.hostAll = append(l.hostAll, h)
	}
	l.lastHostK, l.lastHost = h.key, h
	return h
}

// hostOf is host(hostKey(r, o), create), kept on o when the key is o's
// name (named, see Engine.originOf): no compare of the key, no map probe.
func (l *lifecycle) hostOf(r *parse.Record, o *origin, named, create bool) *hostState {
	if named && (o.life != nil || !create && o.lifeNone == len(l.hostAll)) {
		return o.life // o.lifeNone: no host was added since the key had none
	}
	h := l.host(l.hostKey(r, o), create)
	if named {
		o.life = h
		if h == nil && !create {
			o.lifeNone = len(l.hostAll)
		}
	}
	return h
}

// record handles one record: a poll, a child GET linking a POST, or an
// opening 202.
func (l *lifecycle) record(r *parse.Record, o *origin, named bool) {
	if r.Source == parse.SourceOrigin && len(l.edgeHosts) > 0 && l.edgeCovered(l.hostKey(r, o)) {
		return // operations of this traffic are followed in the edge log
	}
	m := r.Method
	poll := m == "GET" || m == "HEAD"
	if poll && l.live > 0 {
		if h := l.hostOf(r, o, named, false); h != nil {
			if h.res.n > 0 && h.filter.maybe(r.Path) {
				if head := l.lookup(h, r.Path); head != nil {
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
		l.open(r, o, named)
	}
}
