package rules

import (
	"strconv"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The 202 contrast: for an incomplete_202 group, the origin's operations
// judged into the group's sub-type against the same origin's operations
// that completed, per dimension an async job has (the endpoint and its
// route template, the client's network and user-agent family, the first
// and last poll status, the Retry-After the server gave, how the status
// URL was found, the input file). "One client never polls", "one
// endpoint's jobs never finish", "the jobs without Retry-After are the
// ones given up" and "everything stopped at T" are then read off the same
// Dimension maths as a burst's (computeDimension), from the same bounded,
// additive counts (capTable).
//
// Counts are per origin, by outcome: an operation is counted once, when it
// completes in time or when it is judged; a stuck or given-up one that
// completes later moves to the completed (opcontrastlate.go). poll_rejected
// operations are not compared: their 4xx (401, 403, 429, 499) already says
// why, and the five failure classes of a capTable entry hold the other five
// sub-types.

// Dimensions of the 202 contrast.
const (
	opDimEndpoint = iota
	opDimRoute
	opDimMethod
	opDimClientNet
	opDimUAFamily
	opDimFirstPoll
	opDimLastPoll
	opDimRetryAfter
	opDimLink
	opDimInput
	numOpDims
)

var opDimInfos = [numOpDims]dimInfo{
	opDimEndpoint:   {"endpoint", "endpoint", ""},
	opDimRoute:      dimInfos[dimRoute],
	opDimMethod:     {"method", "method", ""},
	opDimClientNet:  dimInfos[dimClientNet],
	opDimUAFamily:   dimInfos[dimUAFamily],
	opDimFirstPoll:  {"first_poll", "first poll status", ""},
	opDimLastPoll:   {"last_poll", "last poll status", ""},
	opDimRetryAfter: {"retry_after", "Retry-After", "the Retry-After response header ($sent_http_retry_after in nginx, ResponseHeaders in Logpush)"},
	opDimLink:       {"link", "status URL link", ""},
	opDimInput:      {"input", "input file", ""},
}

// OpDimensionNames lists the 202 contrast's dimension names in a fixed
// order.
func OpDimensionNames() []string {
	out := make([]string, numOpDims)
	for i, d := range opDimInfos {
		out[i] = d.Name
	}
	return out
}

// opClass is the failure class a sub-type is counted under in a capTable
// entry (-1 completed, -2 not compared).
func opClass(sub string) int {
	switch sub {
	case "":
		return -1
	case SubNeverPolled:
		return 0
	case SubStuckPending:
		return 1
	case SubClientGaveUp:
		return 2
	case SubStatusLost:
		return 3
	case SubStatusError:
		return 4
	}
	return -2
}

// The five compared sub-types need five failure classes.
const _ = uint(numClasses - 5)

const (
	// maxOpOrigins bounds the origins whose operations are counted.
	maxOpOrigins = 64
	// opValueCap bounds the values kept per dimension, origin and epoch.
	opValueCap = 32
	// maxOpEpochs bounds the opening-time epochs per origin.
	maxOpEpochs = 16
)

// opCounts are one origin's operations by outcome, in epochs of opening
// time (so a group is compared with the operations of its own period:
// an endpoint whose worker died at T against the others' operations since
// T, not with its own healthy hours before) and, finer, in a series for
// the step.
type opCounts struct {
	ep   opEpochs
	tl   opSeries
	last int64 // latest opening time counted
}

// opEpoch is the operations opened in one epoch.
type opEpoch struct {
	dims [numOpDims]capTable
	tot  valCount
}

// opEpochs are at most maxOpEpochs epochs of width w from t0; when the
// operations span more, epochs double in width and merge pairwise (aligned
// to multiples of their width, so the same operations give the same
// epochs in any order).
type opEpochs struct {
	t0, w int64
	e     []*opEpoch
}

func newOpEpoch() *opEpoch {
	e := &opEpoch{}
	for d := range e.dims {
		e.dims[d] = newCapTable(opValueCap)
	}
	return e
}

// at returns the epoch of opening time t, making room for it.
func (s *opEpochs) at(t int64) *opEpoch {
	if s.w == 0 {
		s.w = int64(time.Minute)
		s.t0 = floorTo(t, s.w)
	}
	lo, hi := min(s.t0, t), max(s.t0+int64(len(s.e))*s.w-1, t)
	for (floorTo(hi, s.w)-floorTo(lo, s.w))/s.w+1 > maxOpEpochs {
		s.coarsen()
	}
	if t < s.t0 {
		k := (s.t0 - floorTo(t, s.w)) / s.w
		s.e = append(make([]*opEpoch, k, int(k)+len(s.e)), s.e...)
		s.t0 -= k * s.w
	}
	i := (t - s.t0) / s.w
	for int64(len(s.e)) <= i {
		s.e = append(s.e, nil)
	}
	if s.e[i] == nil {
		s.e[i] = newOpEpoch()
	}
	return s.e[i]
}

func (s *opEpochs) coarsen() {
	w2 := 2 * s.w
	t0 := floorTo(s.t0, w2)
	n := (s.t0+int64(len(s.e))*s.w-1-t0)/w2 + 1
	ne := make([]*opEpoch, max(n, 0))
	for i, x := range s.e {
		if x == nil {
			continue
		}
		j := (s.t0 + int64(i)*s.w - t0) / w2
		if ne[j] == nil {
			ne[j] = x
			continue
		}
		ne[j].add(x)
	}
	s.t0, s.w, s.e = t0, w2, ne
}

// add merges epoch x's counts into e.
func (e *opEpoch) add(x *opEpoch) {
	for d := range e.dims {
		mergeTable(&e.dims[d], &x.dims[d])
	}
	e.tot.addCounts(&x.tot)
}

// mergeTable adds table src's counts to dst (kept values by value, the
// rest to Other).
func mergeTable(dst, src *capTable) {
	for i := range src.ents {
		dst.merge(&src.ents[i])
	}
	dst.other.addCounts(&src.other)
}

// since sums the epochs that end after from into one.
func (s *opEpochs) since(from int64) *opEpoch {
	sum := newOpEpoch()
	for i, x := range s.e {
		if x != nil && s.t0+int64(i+1)*s.w > from {
			sum.add(x)
		}
	}
	return sum
}

// opContrasts holds the per-origin counts (lifecycle.opc).
type opContrasts struct {
	by map[*origin]*opCounts
}

func (c *opContrasts) counts(o *origin, create bool) *opCounts {
	if oc := c.by[o]; oc != nil || !create {
		return oc
	}
	if c.by == nil {
		c.by = make(map[*origin]*opCounts)
	}
	if len(c.by) >= maxOpOrigins {
		return nil
	}
	oc := &opCounts{}
	c.by[o] = oc
	return oc
}

// add counts an operation with its outcome: sub "" completed, else the
// sub-type it was judged into.
func (c *opContrasts) add(l *lifecycle, op *op, sub string) {
	cls := opClass(sub)
	ep := l.epOf(op)
	if cls == -2 || ep == nil || cls == 0 && unpolledEndpoint(ep) {
		return
	}
	oc := c.counts(ep.key.o, true)
	if oc == nil {
		return
	}
	var vals [numOpDims]string
	l.opValues(op, &vals)
	e := oc.ep.at(op.open)
	for d := range vals {
		e.dims[d].add(vals[d], 1, cls)
	}
	e.tot.tot++
	if cls >= 0 {
		e.tot.fail[cls]++
	}
	oc.tl.add(op.open, cls)
	if op.open > oc.last {
		oc.last = op.open
	}
}

// unpolledEndpoint: nobody polls the endpoint (yet), or it is
// fire-and-forget. Its never-polled operations say nothing about which
// client fails to poll (and would make beacons look like a failing
// endpoint), so they are not compared.
func unpolledEndpoint(ep *endpoint) bool { return ep.polled == 0 || ep.fireAndForget() }

// opValues reads what an operation exposes into its dimension values (""
// when it lacks one).
func (l *lifecycle) opValues(op *op, v *[numOpDims]string) {
	ep := l.epOf(op)
	v[opDimEndpoint] = ep.name
	v[opDimRoute] = ep.key.tmpl
	v[opDimMethod] = ep.key.method
	v[opDimClientNet] = parse.ClientNet(l.tab.str(op.ip))
	if op.uaFam >= 0 {
		v[opDimUAFamily] = uaFamilies[op.uaFam]
	}
	v[opDimFirstPoll], v[opDimLastPoll] = "none", "none"
	if pi := l.tab.pollsOf(op); pi != nil && pi.n > 0 {
		v[opDimFirstPoll], v[opDimLastPoll] = pollStatusValue(pi.first), pollStatusValue(pi.last)
	}
	v[opDimRetryAfter] = retryAfterBucket(op.retryAfter)
	v[opDimLink] = linkValue(op)
	v[opDimInput] = l.inputs[op.input]
}

// pollStatusValue names a poll status; common ones without allocating.
func pollStatusValue(s int) string {
	switch s {
	case 0:
		return "000"
	case 200:
		return "200"
	case 201:
		return "201"
	case 202:
		return "202"
	case 204:
		return "204"
	case 303:
		return "303"
	case 404:
		return "404"
	case 410:
		return "410"
	case 500:
		return "500"
	case 502:
		return "502"
	case 503:
		return "503"
	case 504:
		return "504"
	}
	return strconv.Itoa(s)
}

// Retry-After buckets: what a client makes of the advice.
var retryAfterBuckets = []string{"none", "<=10s", "11-60s", "1-5min", ">5min"}

func retryAfterBucket(d time.Duration) string {
	switch {
	case d < 0:
		return retryAfterBuckets[0]
	case d <= 10*time.Second:
		return retryAfterBuckets[1]
	case d <= time.Minute:
		return retryAfterBuckets[2]
	case d <= 5*time.Minute:
		return retryAfterBuckets[3]
	}
	return retryAfterBuckets[4]
}

// linkValue says how the operation's status resource was found.
func linkValue(op *op) string {
	switch op.linkedBy {
	case linkHeader:
		if op.loc == locRelative {
			return "Location (relative)"
		}
		return "Location"
	case linkSamePath:
		return "same path"
	case linkChild:
		return "child GET (client and endpoint)"
	}
	if op.loc != locNone {
		return "Location (not followed)"
	}
	return "none"
}
