package rules

import (
	"strconv"
	"time"
)

// The 202 contrast: for an incomplete_202 group, the origin's operations
// judged into the group's sub-type against the same origin's operations
// that completed, per dimension an async job has (the endpoint, the
// client's network and user-agent family, the first and last poll status,
// the Retry-After the server gave, how the status URL was found, the input
// file). "One client never polls", "one endpoint's jobs never finish",
// "the jobs without Retry-After are the ones given up" and "everything
// stopped at T" are then read off the same Dimension maths as a burst's
// (computeDimension), from the same bounded, additive counts (capTable).
//
// Counts are per origin, by outcome: an operation is counted once, when it
// completes in time or when it is judged. Operations that complete after
// being judged stay counted where they were judged (their last poll has
// moved on), and poll_rejected operations are not compared: their 4xx (401,
// 403, 429, 499) already says why, and the five failure classes of a
// capTable entry hold the other five sub-types.

// Dimensions of the 202 contrast.
const (
	opDimEndpoint = iota
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
	maxOpOrigins = 256
	// opValueCap bounds the values kept per dimension and origin.
	opValueCap = 32
)

// opCounts are one origin's operations by outcome.
type opCounts struct {
	dims [numOpDims]capTable
	tot  valCount
	tl   opSeries
	// first and last opening times counted
	first, last int64
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
	for d := range oc.dims {
		oc.dims[d] = newCapTable(opValueCap)
	}
	c.by[o] = oc
	return oc
}

// add counts an operation with its outcome: sub "" completed, else the
// sub-type it was judged into.
func (c *opContrasts) add(op *op, sub string) {
	cls := opClass(sub)
	if cls == -2 || op.ep == nil {
		return
	}
	oc := c.counts(op.ep.key.o, true)
	if oc == nil {
		return
	}
	var vals [numOpDims]string
	opValues(op, &vals)
	for d := range vals {
		oc.dims[d].add(vals[d], 1, cls)
	}
	oc.tot.tot++
	if cls >= 0 {
		oc.tot.fail[cls]++
	}
	oc.tl.add(op.open, cls)
	if oc.first == 0 || op.open < oc.first {
		oc.first = op.open
	}
	if op.open > oc.last {
		oc.last = op.open
	}
}

// opValues reads what an operation exposes into its dimension values (""
// when it lacks one).
func opValues(op *op, v *[numOpDims]string) {
	v[opDimEndpoint] = op.ep.name
	v[opDimMethod] = op.ep.key.method
	if cl := op.client; cl != nil {
		v[opDimClientNet] = clientNet(cl.ip)
		if f := uaFamily(cl.ua); f >= 0 {
			v[opDimUAFamily] = uaFamilies[f]
		}
	}
	v[opDimFirstPoll], v[opDimLastPoll] = "none", "none"
	if pi := op.polls; pi != nil && pi.n > 0 {
		v[opDimFirstPoll], v[opDimLastPoll] = pollStatusValue(pi.first), pollStatusValue(pi.last)
	}
	v[opDimRetryAfter] = retryAfterBucket(op.retryAfter())
	v[opDimLink] = linkValue(op)
	if in := op.openRef.input; in != nil {
		v[opDimInput] = *in
	}
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
		if op.relLoc {
			return "Location (relative)"
		}
		return "Location"
	case linkSamePath:
		return "same path"
	case linkChild:
		return "child GET (client and endpoint)"
	}
	if op.hasLoc {
		return "Location (not followed)"
	}
	return "none"
}
