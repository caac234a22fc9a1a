package rules

import (
	"math"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
)

// openingEndpoint is the endpoint (origin, method, route) a 202 opens an
// operation on.
func (l *lifecycle) openingEndpoint(r *parse.Record, o *origin) *endpoint {
	m, isEdge := r.Method, r.Source == parse.SourceEdge
	le := l.lastEp
	if le != nil && le.key.o == o && le.key.edge == isEdge && m == l.lastOpenM {
		if r.Path == l.lastOpenP {
			return le // the same endpoint as the last opening (a common run)
		}
		if templateIs(r.Path, le.key.tmpl) {
			return le // the same route, another id: no map lookup, no interning
		}
	}
	ep := l.endpoint(o, strings.ToUpper(m), PathTemplate(r.Path), isEdge)
	l.lastEp, l.lastOpenM, l.lastOpenP = ep, ep.key.method, l.e.in.get(r.Path)
	return ep
}

// queueFor is the deadline queue of operations with this timeout (one per
// distinct route timeout).
func (l *lifecycle) queueFor(timeout int64) *opQueue {
	if q := l.queues[timeout]; q != nil {
		return q
	}
	if len(l.qList) > math.MaxUint16 { // never in practice
		timeout = l.e.timeout
		if q := l.queues[timeout]; q != nil {
			return q
		}
	}
	q := &opQueue{tmo: uint16(len(l.qList))}
	l.queues[timeout] = q
	l.qList = append(l.qList, timeout)
	return q
}

func (l *lifecycle) open(r *parse.Record, o *origin, named bool) {
	e := l.e
	h := l.hostOf(r, o, named, true)
	if h == nil {
		return
	}
	ep := l.openingEndpoint(r, o)
	m := ep.key.method
	t := r.Time
	op := l.tab.alloc()
	op.ep, op.open, op.linkedBy, op.from = ep.id, t, linkNone, h.id
	// one at a time: a put may compact the arena, moving op's strings
	op.openPath = l.tab.put(r.Path)
	op.ip = l.tab.put(r.ClientIP)
	op.uaHash = uaHash(r.UserAgent)
	if r.Dims.Set { // the parse workers' family of the same agent
		op.uaFam = r.Dims.UA
	} else {
		op.uaFam = int8(parse.UAFamily(r.UserAgent))
	}
	l.setRef(op, r)
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
		ep.samples = append(ep.samples, l.openSample(op))
	}

	route := ep.route
	switch {
	case r.StatusLocation != "":
		host, p, rel := splitLocation(r.StatusLocation, r.Path)
		op.loc = locAbsolute
		if rel {
			op.loc = locRelative
		}
		rh := h
		if !rel && host != "" && r.Host != "" && !strings.EqualFold(host, r.Host) {
			if h2 := l.host(host, true); h2 != nil {
				rh = h2
			}
		}
		l.link(op, rh, p, linkHeader)
		if route == nil && len(e.cfg.Routes) > 0 { // no template to build without routes
			route = l.matchRoute("GET", PathTemplate(p))
		}
	case m == "GET" || m == "HEAD":
		l.link(op, h, r.Path, linkSamePath)
		l.addPoll(op, r) // a 202 to GET P is a poll of P: its first
	case m == "PUT" || m == "PATCH" || m == "DELETE":
		op.isDelete = m == "DELETE"
		l.link(op, h, r.Path, linkSamePath)
	default:
		l.enqueue(op, h)
	}
	timeout := e.timeout
	if route != nil {
		op.body = route.PollStyle == PollStyleBody
		if route.PendingTimeout > 0 {
			timeout = int64(route.PendingTimeout)
		}
	}
	q := l.queueFor(timeout)
	op.tmo = q.tmo
	q.ops = append(q.ops, op.handle())
	l.all = append(l.all, op.handle())
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
		ep = &endpoint{key: k, name: k.method + " " + k.tmpl, route: l.matchRoute(k.method, k.tmpl), id: int32(len(l.epAll))}
		l.eps[k] = ep
		l.epAll = append(l.epAll, ep)
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

// templateIs reports whether PathTemplate(p) == tmpl without building it,
// segment by segment: tmpl is a template (each segment {id} or a literal
// that is no id), so a literal segment of tmpl only needs to equal p's, and
// an {id} stands for an id segment of p (or a literal "{id}").
func templateIs(p, tmpl string) bool {
	if p == "" {
		return tmpl == "/"
	}
	for {
		k := strings.IndexByte(tmpl, '/')
		tseg := tmpl
		if k >= 0 {
			tseg = tmpl[:k]
		}
		var n int // length of p's segment
		if tseg == "{id}" {
			n = strings.IndexByte(p, '/')
			if n < 0 {
				n = len(p)
			}
			if seg := p[:n]; seg != "{id}" && !IsIDSegment(seg) {
				return false
			}
		} else {
			n = len(tseg)
			if len(p) < n || p[:n] != tseg || len(p) > n && p[n] != '/' {
				return false
			}
		}
		// both at a '/' or at the end
		if n == len(p) || k < 0 {
			return n == len(p) && k < 0
		}
		p, tmpl = p[n+1:], tmpl[k+1:]
	}
}
