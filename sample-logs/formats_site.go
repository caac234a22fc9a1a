package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The builder of the format files' logs (formats*.go): one origin-only
// log with its requests, operations and storms, rendered by a format.

// siteLog builds one origin-only log: a web server's own view.
type siteLog struct {
	r      *rand.Rand
	base   time.Time
	name   string        // manifest name
	origin string        // host, or name for logs without one
	prec   time.Duration // timestamp precision of the format
	reqs   []*Request
	ops    []*Op
	// opClients keeps each operation's client distinct, so the POST->GET
	// heuristic has exactly one answer.
	opClients map[Client]bool
	nextOp    int
	err       error // a broken invariant of the generator
}

func newSiteLog(seed uint64, base time.Time, name, origin string, prec time.Duration) *siteLog {
	return &siteLog{r: rng(seed, name), base: base, name: name, origin: origin, prec: prec, opClients: map[Client]bool{}}
}

func (l *siteLog) at(d time.Duration) time.Time { return l.base.Add(d) }

// add logs one request at t (the format's own timestamp).
func (l *siteLog) add(t time.Time, c Client, host, method, path, query string, status int, body int64) *Request {
	req := &Request{Time: t.Truncate(l.prec), Host: host, ClientIP: c.IP, UserAgent: c.UserAgent,
		Method: method, Path: path, Query: query, Protocol: "HTTP/1.1", Status: status, Bytes: body,
		OriginStatus: status, OriginBytes: body, ContentType: "application/json",
		RequestID: hexID(l.r, 32), Colo: c.Colo}
	if l.r.IntN(3) > 0 {
		req.Protocol = "HTTP/2.0"
	}
	req.OriginTime = time.Duration(3000+l.r.IntN(120000)) * time.Microsecond
	req.Duration = req.OriginTime
	l.reqs = append(l.reqs, req)
	return req
}

// traffic adds Poisson background requests over the demo's 50 minutes.
func (l *siteLog) traffic(perMin float64, host string, routes []route, clients []Client) {
	l.trafficIn(perMin, host, routes, clients, l.base, l.base.Add(demoSpan))
}

// trafficIn adds Poisson background requests over [from, to): a busy spell
// around a storm gives its healthy requests something to compare with.
func (l *siteLog) trafficIn(perMin float64, host string, routes []route, clients []Client, from, to time.Time) {
	weights := make([]int, len(routes))
	for i, rt := range routes {
		weights[i] = rt.weight
	}
	for t := from; ; {
		t = t.Add(time.Duration(l.r.ExpFloat64() * 60 / perMin * float64(time.Second)))
		if !t.Before(to) {
			return
		}
		rt := routes[weighted(l.r, weights)]
		path, query := rt.path(l.r)
		status := cmpOr(rt.status, 200)
		if rt.failPct > 0 && l.r.IntN(100) < rt.failPct {
			status = rt.fail
		}
		body := int64(jitter(l.r, time.Duration(rt.size), 0.3))
		if status >= 300 {
			body = int64(150 + l.r.IntN(300))
		}
		req := l.add(t, clientFor(l.r, clients, rt.method), host, rt.method, path, query, status, body)
		req.ContentType = rt.ctype
		if rt.hdrMs > 0 {
			req.OriginTime = jitter(l.r, time.Duration(rt.hdrMs)*time.Millisecond, 0.5).Truncate(time.Microsecond)
			req.Duration = req.OriginTime
		}
	}
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// step is one poll of an operation: after the previous request, answered status.
type step struct {
	after  time.Duration
	status int
}

// polls returns n steps interval apart (±20%) answering 202, then the given finals.
func (l *siteLog) polls(interval time.Duration, n int, finals ...int) []step {
	var s []step
	for range n {
		s = append(s, step{jitter(l.r, interval, 0.2), 202})
	}
	for _, st := range finals {
		s = append(s, step{jitter(l.r, interval, 0.2), st})
	}
	return s
}

// op logs an operation opened by method path with a 202 (location may be
// ""), polled at pollPath by the same client.
func (l *siteLog) op(t time.Time, c Client, host, method, path, endpoint, location, pollPath, outcome string, linked int, steps []step) *Op {
	if l.opClients[c] && l.err == nil {
		l.err = fmt.Errorf("%s: client %s reused across operations", l.name, c.IP)
	}
	l.opClients[c] = true
	open := l.add(t, c, host, method, path, "", 202, int64(40+l.r.IntN(80)))
	open.Location = location
	op := &Op{Origin: l.origin, Endpoint: endpoint, Outcome: outcome, LinkedBy: linked, Open: open,
		Files: []string{l.name}, client: c}
	at := t
	for _, s := range steps {
		at = at.Add(max(s.after, time.Second)) // later than the previous request even at 1 s precision
		body := int64(60 + l.r.IntN(60))
		if s.status == 200 {
			body = int64(2000 + l.r.IntN(90000))
		}
		if s.status == 499 {
			body = 0
		}
		op.Polls = append(op.Polls, l.add(at, c, host, "GET", pollPath, "", s.status, body))
	}
	l.ops = append(l.ops, op)
	return op
}

// storm logs n requests with status within span from start.
func (l *siteLog) storm(start time.Time, span time.Duration, n int, clients []Client, host, method, path string, status int) []*Request {
	var out []*Request
	for i := range n {
		t := start.Add(span * time.Duration(i) / time.Duration(n)).Add(time.Duration(l.r.IntN(900)) * time.Millisecond)
		req := l.add(t, pick(l.r, clients), host, method, path, "", status, int64(160+l.r.IntN(400)))
		req.ContentType = "text/html"
		out = append(out, req)
	}
	l.untie(out[0].Time, out[len(out)-1].Time, status)
	return out
}

// untie moves other requests logged in the same second as a storm's first
// or last error one second away: at one-second precision the order of equal
// times is the file's, and whether such a request counts inside the storm
// would depend on it.
func (l *siteLog) untie(first, last time.Time, status int) {
	for _, req := range l.reqs {
		switch {
		case req.Status == status:
		case req.Time.Equal(first):
			req.Time = req.Time.Add(-time.Second)
		case req.Time.Equal(last):
			req.Time = req.Time.Add(time.Second)
		}
	}
}

// failRoute turns the logged requests of host and path in [from, to) into
// status: the route's backend is down for everyone, not only for the
// storm's extra requests.
func (l *siteLog) failRoute(host, path string, from, to time.Time, status int) {
	for _, req := range l.reqs {
		if req.Host == host && req.Path == path && !req.Time.Before(from) && req.Time.Before(to) {
			req.Status, req.OriginStatus = status, status
			req.Bytes, req.OriginBytes = int64(160+l.r.IntN(400)), 0
			req.ContentType = "text/html"
		}
	}
}

// out renders the log in time order.
func (l *siteLog) out(render func(b []byte, r *Request) []byte) (*fileOut, error) {
	if l.err != nil {
		return nil, l.err
	}
	reqs := slices.Clone(l.reqs)
	slices.SortStableFunc(reqs, func(a, b *Request) int { return a.Time.Compare(b.Time) })
	o := &fileOut{ops: l.ops}
	for _, req := range reqs {
		o.data = append(render(o.data, req), '\n')
		origin := l.origin
		if req.Host != "" && l.origin != l.name {
			origin = req.Host
		}
		o.obs = append(o.obs, obs{file: l.name, origin: origin, t: req.Time, status: req.Status,
			originStatus: -1, upstream: req.Upstream, cacheHit: strings.EqualFold(req.Cache, "hit"), fate: FateLogged})
	}
	return o, nil
}

func (l *siteLog) clients(n int, uas []string) []Client { return newClients(l.r, n, uas) }

// opClient picks a client that has not opened an operation yet.
func (l *siteLog) opClient(clients []Client) Client {
	for range 1000 {
		c := pick(l.r, clients)
		if !l.opClients[c] {
			return c
		}
	}
	// Deterministic fallback: a fresh client.
	l.nextOp++
	return Client{IP: fmt.Sprintf("203.0.113.%d", 200+l.nextOp%50), UserAgent: clients[0].UserAgent}
}
