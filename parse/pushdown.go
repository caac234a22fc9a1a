package parse

import (
	"math/bits"
	"sort"
	"strings"
	"time"
)

// Pushdown is the split between the records an analysis needs one by one
// (rows) and those it needs only as counts (aggregates: one record with
// Count standing for many identical ones). Rules fill it in (they know what
// their counters read); a source that can scan where the data lives
// (ClickHouse) turns it into a query, and Split applies it in memory, so the
// file path can use the same split. The contract: findings from the rows
// plus the aggregates equal the findings from all records.
//
// A record is a row when any of these holds:
//   - Status >= RowStatusFrom (every error);
//   - Status is one of RowStatuses (every 202 that opens an operation);
//   - its Method is one of PollMethods and it can poll an operation: its
//     path is the path or the status location's path of a RowStatuses
//     record, or its client (ClientIP and UserAgent) sent one;
//   - SplitAtErrors is set and a record with Status >= RowStatusFrom has
//     the same origin key and the very same time.
//
// Every other record is aggregated: its fields are reduced as Keep says
// (a field not in Keep is dropped) and records with equal reduced fields in
// the same cell of every grid in Grids become one group. With
// SplitAtErrors, a second of an origin that has errors is cut at each
// error's time as well, so every aggregate lies wholly before or after each
// error of its origin: counters the errors read in order (the origin's
// requests so far) stay exact. A group of n is
// handed on as a record of Count n-1 at the group's earliest time and one of
// Count 1 at its latest, so the first and last times the engine sees are the
// real ones.
type Pushdown struct {
	RowStatusFrom int
	RowStatuses   []int
	PollMethods   []string
	SplitAtErrors bool
	// OriginKeyUpstream keys origins by Upstream when set (Host when it is
	// empty), as the engine's --group-by origin-ip does; else by Host.
	OriginKeyUpstream bool

	Grids []Grid
	Keep  map[Field]Reduce
	// Cuts are, per duration field reduced with Pow2, the durations a
	// reduced value must stay on the same side of.
	Cuts map[Field][]time.Duration
}

// Grid is a time grid: cells of Width, from the Unix epoch, or from the
// first record's time when FromFirst (a timeline that starts there).
type Grid struct {
	Width     time.Duration
	FromFirst bool
}

// Field names a Record field an aggregate can keep.
type Field uint8

const (
	FieldHost Field = iota
	FieldUpstream
	FieldClientIP
	FieldMethod
	FieldPath
	FieldProtocol
	FieldUserAgent
	FieldStatus
	FieldOriginStatus
	FieldCacheStatus
	FieldPOP
	FieldOriginConnectTime
	FieldOriginHeaderTime
	FieldInput
	numFields
)

// Reduce says what an aggregate keeps of a field.
type Reduce uint8

const (
	// Exact keeps the value as it is.
	Exact Reduce = iota + 1
	// Network keeps the client network of an IP address: the /24 of IPv4,
	// the /48 of IPv6 (other text as it is).
	Network
	// Sign keeps whether a duration is unknown (Unknown), zero, or positive
	// (then 1 ms): a connect time's "reused" (0) against "new".
	Sign
	// Pow2 keeps a duration's whole milliseconds' power-of-two bin (its
	// bit length) and its side of each of the field's Cuts: the smallest
	// value with both (a header-wait histogram and its buckets).
	Pow2
)

// IsRowStatus reports whether a status alone makes a record a row.
func (p *Pushdown) IsRowStatus(st int) bool {
	if st >= p.RowStatusFrom {
		return true
	}
	for _, s := range p.RowStatuses {
		if s == st {
			return true
		}
	}
	return false
}

func (p *Pushdown) isPollMethod(m string) bool {
	for _, pm := range p.PollMethods {
		if strings.EqualFold(pm, m) {
			return true
		}
	}
	return false
}

// originKey is the key the engine groups r by.
func (p *Pushdown) originKey(r *Record) string {
	if p.OriginKeyUpstream && r.Upstream != "" {
		return r.Upstream
	}
	return r.Host
}

// LocationPath is the path of a status location (an absolute URL's path, or
// a relative reference up to its query), as a pushdown matches polls by it.
func LocationPath(loc string) string {
	loc = strings.TrimSpace(loc)
	if i := strings.Index(loc, "://"); i > 0 {
		rest := loc[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return "/"
		}
		loc = rest[j:]
	}
	if i := strings.IndexAny(loc, "?#"); i >= 0 {
		loc = loc[:i]
	}
	return loc
}

// ReduceNetwork returns a client address cut to its network, textually, as
// the contrast's client network reads it: IPv4 up to the last '.' (then
// ".0": a /24), IPv6 up to its third ':' or first "::" (then "::": a /48).
// Reading the network of the result gives the same text as reading it of
// ip, whatever ip holds (text without '.' or ':' comes back as it is).
func ReduceNetwork(ip string) string {
	if strings.IndexByte(ip, ':') >= 0 {
		n := 0
		for j := 0; j < len(ip); j++ {
			if ip[j] != ':' {
				continue
			}
			if j+1 < len(ip) && ip[j+1] == ':' {
				return ip[:j] + "::"
			}
			if n++; n == 3 {
				return ip[:j] + "::"
			}
		}
		return ip
	}
	if i := strings.LastIndexByte(ip, '.'); i > 0 {
		return ip[:i] + ".0"
	}
	return ip
}

// reduced returns r as an aggregate keeps it (time and provenance unset).
func (p *Pushdown) reduced(r *Record) Record {
	var a Record
	a.Reset()
	a.Source = r.Source
	for f, how := range p.Keep {
		switch f {
		case FieldHost:
			a.Host = r.Host
		case FieldUpstream:
			a.Upstream = r.Upstream
		case FieldClientIP:
			a.ClientIP = r.ClientIP
			if how == Network {
				a.ClientIP = ReduceNetwork(r.ClientIP)
			}
		case FieldMethod:
			a.Method = r.Method
		case FieldPath:
			a.Path = r.Path
		case FieldProtocol:
			a.Protocol = r.Protocol
		case FieldUserAgent:
			a.UserAgent = r.UserAgent
		case FieldStatus:
			a.Status = r.Status
		case FieldOriginStatus:
			a.OriginStatus = r.OriginStatus
		case FieldCacheStatus:
			a.CacheStatus = r.CacheStatus
		case FieldPOP:
			a.POP = r.POP
		case FieldOriginConnectTime:
			a.OriginConnectTime = ReduceDuration(r.OriginConnectTime, how, p.Cuts[f])
		case FieldOriginHeaderTime:
			a.OriginHeaderTime = ReduceDuration(r.OriginHeaderTime, how, p.Cuts[f])
		case FieldInput:
			a.Input = r.Input
		}
	}
	return a
}

// ReduceDuration reduces a duration as how says (cuts: for Pow2).
func ReduceDuration(d time.Duration, how Reduce, cuts []time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	switch how {
	case Sign:
		return time.Millisecond
	case Pow2:
		ms := d.Milliseconds()
		if ms <= 0 {
			return 0
		}
		r := time.Duration(int64(1)<<(bits.Len64(uint64(ms))-1)) * time.Millisecond
		for _, c := range cuts {
			if d >= c && r < c {
				r = c
			}
		}
		return r
	}
	return d
}

// groupKey is an aggregate's identity: its reduced record and grid cells.
type groupKey struct {
	rec   Record
	cells [4]int64
	seg   int // errors of the origin earlier in the same second
}

// Split applies the pushdown to a whole, time-ordered input in memory and
// returns the rows and aggregates in time order (rows keep their order;
// at equal times rows come before aggregates). It needs every record up
// front, because a GET is a row when a 202 anywhere made it a possible poll.
func (p *Pushdown) Split(recs []Record) []Record {
	if len(recs) == 0 {
		return nil
	}
	type secKey struct {
		origin string
		sec    int64
	}
	errTimes := map[secKey][]int64{}
	pollPaths := map[string]bool{}
	clients := map[[2]string]bool{}
	first := recs[0].Time
	for i := range recs {
		r := &recs[i]
		first = min(first, r.Time)
		if r.Status >= p.RowStatusFrom && p.SplitAtErrors {
			k := secKey{p.originKey(r), floorDiv(r.Time, int64(time.Second))}
			errTimes[k] = append(errTimes[k], r.Time)
		}
		if r.Status < p.RowStatusFrom && p.IsRowStatus(r.Status) {
			pollPaths[r.Path] = true
			if r.StatusLocation != "" {
				pollPaths[LocationPath(r.StatusLocation)] = true
			}
			clients[[2]string{r.ClientIP, r.UserAgent}] = true
		}
	}
	for _, ts := range errTimes {
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	}
	out := make([]Record, 0, len(recs)/4)
	type group struct {
		rec      Record
		lo, hi   int64
		n        int64
		firstIdx int
	}
	groups := map[groupKey]*group{}
	var order []*group
	for i := range recs {
		r := &recs[i]
		row := p.IsRowStatus(r.Status) ||
			(p.isPollMethod(r.Method) && (pollPaths[r.Path] || clients[[2]string{r.ClientIP, r.UserAgent}]))
		seg := 0
		if !row && p.SplitAtErrors {
			if ts := errTimes[secKey{p.originKey(r), floorDiv(r.Time, int64(time.Second))}]; len(ts) > 0 {
				seg = sort.Search(len(ts), func(i int) bool { return ts[i] >= r.Time })
				row = seg < len(ts) && ts[seg] == r.Time
			}
		}
		if row {
			out = append(out, *r)
			continue
		}
		k := groupKey{rec: p.reduced(r), seg: seg}
		for j, g := range p.Grids {
			if j < len(k.cells) {
				k.cells[j] = p.cell(g, r.Time, first)
			}
		}
		g := groups[k]
		if g == nil {
			g = &group{rec: k.rec, lo: r.Time, hi: r.Time, firstIdx: i}
			groups[k] = g
			order = append(order, g)
		}
		g.n += r.N()
		g.lo, g.hi = min(g.lo, r.Time), max(g.hi, r.Time)
	}
	nRows := len(out)
	for _, g := range order {
		out = append(out, AggregateRecords(g.rec, g.lo, g.hi, g.n)...)
	}
	aggs := out[nRows:]
	sort.SliceStable(aggs, func(i, j int) bool { return aggs[i].Time < aggs[j].Time })
	merged := make([]Record, 0, len(out))
	i, j := 0, nRows
	for i < nRows || j < len(out) {
		if j >= len(out) || (i < nRows && out[i].Time <= out[j].Time) {
			merged = append(merged, out[i])
			i++
		} else {
			merged = append(merged, out[j])
			j++
		}
	}
	return merged
}

// AggregateRecords turns a group of n requests from lo to hi into the
// records handed to the engine: Count n-1 at lo and 1 at hi (one record
// when n is 1).
func AggregateRecords(rec Record, lo, hi, n int64) []Record {
	a := rec
	a.Time, a.Count = lo, 1
	if n <= 1 {
		return []Record{a}
	}
	b := rec
	b.Time, b.Count = hi, 1
	a.Count = n - 1
	return []Record{a, b}
}

// cell is t's cell of grid g.
func (p *Pushdown) cell(g Grid, t, first int64) int64 {
	w := int64(g.Width)
	if w <= 0 {
		return 0
	}
	if g.FromFirst {
		return floorDiv(t-first, w)
	}
	return floorDiv(t, w)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
