package samplelogs

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// formatFile is one small file of another supported format.
type formatFile struct {
	file  File
	build func(seed uint64, base time.Time) (*fileOut, error)
}

var formatFiles = []formatFile{
	{File{Name: "formats/nginx-combined.log", Format: "combined",
		Description: "nginx combined (no host: origin is the file). A 504 storm on POST /api/v2/search; 202 exports without Location linked POST->GET /api/v2/exports/{id}, two stuck pending."},
		buildNginxCombined},
	{File{Name: "formats/apache-common.log", Format: "common",
		Description: "Apache common (no agent, no host). 202 jobs polled at /jobs/{id}: two status records vanish (404)."},
		buildApacheCommon},
	{File{Name: "formats/apache-vhost_combined.log", Format: "vhost_combined",
		Description: "Apache vhost_combined for www/docs.example.org. A 502 storm on www.example.org; report polls rejected with 429."},
		buildApacheVhost},
	{File{Name: "formats/apache-custom.log", Format: "apache:" + ApacheCustomFormat,
		Description: "Apache custom LogFormat with %{Location}o for billing.example.org: render jobs never polled."},
		buildApacheCustom},
	{File{Name: "formats/caddy.log", Format: "json",
		Description: "Caddy JSON access log for files.example.net: conversion status reads failing with 503."},
		buildCaddy},
	{File{Name: "formats/traefik.log", Format: "json",
		Description: "Traefik JSON access log for orders.example.net: a 502 storm from one of its two backends."},
		buildTraefik},
	{File{Name: "formats/nginx-json.log", Format: "json",
		Description: "nginx log_format escape=json for media.example.net: transcode jobs whose clients gave up polling."},
		buildNginxJSON},
	{File{Name: "formats/cloudfront-E2EXAMPLE7QZ1.2026-11-20-09.log", Format: "cloudfront",
		Description: "AWS CloudFront standard log for assets.example.org: a 504 storm on a new, cold image whose origin fetch times out."},
		buildCloudFront},
	{File{Name: "formats/docker-json.log", Format: "docker+combined", Container: "docker",
		Description: "nginx combined lines wrapped by Docker's json-file driver: thumbnail polls cut by the client (499)."},
		buildDocker},
	{File{Name: "formats/cri-ingress.log", Format: "cri+combined", Container: "cri",
		Description: "ingress-nginx lines (combined plus upstream fields) wrapped by the CRI log format: exports never polled."},
		buildCRI},
}

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
	weights := make([]int, len(routes))
	for i, rt := range routes {
		weights[i] = rt.weight
	}
	for t := l.base; ; {
		t = t.Add(time.Duration(l.r.ExpFloat64() * 60 / perMin * float64(time.Second)))
		if !t.Before(l.base.Add(demoSpan)) {
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

var webAppRoutes = []route{
	{weight: 20, method: "GET", path: fixed("/"), ctype: "text/html", size: 18000, hdrMs: 40},
	{weight: 15, method: "GET", path: fixed("/dashboard"), ctype: "text/html", size: 42000, hdrMs: 120},
	{weight: 25, method: "GET", path: func(r *rand.Rand) (string, string) {
		return "/api/v2/reports", fmt.Sprintf("from=2026-11-%02d&limit=100", 1+r.IntN(19))
	}, size: 9100, hdrMs: 80},
	{weight: 20, method: "GET", path: func(r *rand.Rand) (string, string) {
		return []string{"/static/app.js", "/static/app.css", "/static/logo.svg"}[r.IntN(3)], ""
	}, size: 30000, hdrMs: 2},
	{weight: 8, method: "POST", path: fixed("/api/v2/search"), size: 5200, hdrMs: 400},
	{weight: 5, method: "GET", path: fixed("/login"), ctype: "text/html", size: 6400, failPct: 10, fail: 302, hdrMs: 20},
}

// buildNginxCombined: a reporting web app behind plain nginx. The search
// backend times out (504 storm); exports answer 202 without a Location and
// are polled by the same client at /api/v2/exports/{id}.
func buildNginxCombined(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/nginx-combined.log"
	l := newSiteLog(seed, base, name, name, time.Second)
	users := l.clients(40, browserUAs)
	l.traffic(6, "", webAppRoutes, users)
	l.failRoute("", "/api/v2/search", l.at(38*time.Minute), l.at(39*time.Minute), 504)
	l.storm(l.at(38*time.Minute), 60*time.Second, 14, users, "", "POST", "/api/v2/search", 504)
	const ep = "POST /api/v2/exports"
	for i := range 4 {
		id := hexID(l.r, 8)
		l.op(l.at(time.Duration(3+i*11)*time.Minute), l.opClient(users), "", "POST", "/api/v2/exports", ep, "",
			"/api/v2/exports/"+id, OutcomeCompleted, LinkHeuristic, l.polls(4*time.Second, 1+l.r.IntN(4), 200))
	}
	for _, at := range []time.Duration{8 * time.Minute, 22 * time.Minute} {
		id := hexID(l.r, 8)
		l.op(l.at(at), l.opClient(users), "", "POST", "/api/v2/exports", ep, "",
			"/api/v2/exports/"+id, OutcomeStuckPending, LinkHeuristic, l.polls(30*time.Second, 25))
	}
	return l.out(func(b []byte, r *Request) []byte { return AppendCombined(b, r, time.UTC, false) })
}

// buildApacheCommon: an internal batch service logging Apache's common
// format. Two job status records vanish (polls answer 404).
func buildApacheCommon(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/apache-common.log"
	l := newSiteLog(seed, base, name, name, time.Second)
	var workers []Client
	for i := range 12 {
		workers = append(workers, Client{IP: fmt.Sprintf("10.20.0.%d", 11+i)})
	}
	l.traffic(2, "", []route{
		{weight: 30, method: "GET", path: fixed("/jobs"), size: 5200},
		{weight: 20, method: "GET", path: fixed("/health"), size: 2},
		{weight: 10, method: "GET", path: func(r *rand.Rand) (string, string) {
			return "/queues/" + pick(r, []string{"default", "mail", "pdf"}), ""
		}, size: 310},
	}, workers)
	const ep = "POST /jobs"
	// One client each: common carries no agent, so the client is the address.
	for i, at := range []time.Duration{4 * time.Minute, 12 * time.Minute, 27 * time.Minute} {
		l.op(l.at(at), workers[i], "", "POST", "/jobs", ep, "", fmt.Sprintf("/jobs/%d", 48000+l.r.IntN(999)),
			OutcomeCompleted, LinkHeuristic, l.polls(5*time.Second, 1+l.r.IntN(3), 200))
	}
	for i, at := range []time.Duration{16 * time.Minute, 33 * time.Minute} {
		l.op(l.at(at), workers[3+i], "", "POST", "/jobs", ep, "", fmt.Sprintf("/jobs/%d", 48000+l.r.IntN(999)),
			OutcomeStatusLost, LinkHeuristic, l.polls(5*time.Second, 1, 404))
	}
	return l.out(func(b []byte, r *Request) []byte { return AppendCombined(b, r, cet, true) })
}

// buildApacheVhost: Apache serving two vhosts; www's mod_proxy backend
// goes away for a minute (502 storm) and report polls get throttled (429).
func buildApacheVhost(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/apache-vhost_combined.log"
	l := newSiteLog(seed, base, name, "", time.Second)
	users := l.clients(50, browserUAs)
	site := []route{
		{weight: 30, method: "GET", path: fixed("/"), ctype: "text/html", size: 21000},
		{weight: 25, method: "GET", path: func(r *rand.Rand) (string, string) {
			return "/news/" + pick(r, []string{"autumn-release", "security-update", "team"}), ""
		}, ctype: "text/html", size: 16000, failPct: 3, fail: 404},
		{weight: 20, method: "GET", path: fixed("/api/status"), size: 120},
	}
	l.traffic(6, "www.example.org", site, users)
	l.traffic(1, "docs.example.org", site, users)
	l.failRoute("www.example.org", "/api/status", l.at(26*time.Minute), l.at(26*time.Minute+50*time.Second), 502)
	l.storm(l.at(26*time.Minute), 50*time.Second, 12, users, "www.example.org", "GET", "/api/status", 502)
	const ep = "POST /api/reports"
	apps := l.clients(4, apiUAs)
	l.op(l.at(6*time.Minute), apps[0], "www.example.org", "POST", "/api/reports", ep, "", "/api/reports/"+alnumID(l.r, 10),
		OutcomeCompleted, LinkHeuristic, l.polls(3*time.Second, 2, 200))
	for i, at := range []time.Duration{14 * time.Minute, 31 * time.Minute} {
		l.op(l.at(at), apps[1+i], "www.example.org", "POST", "/api/reports", ep, "", "/api/reports/"+alnumID(l.r, 10),
			OutcomePollRejected, LinkHeuristic, l.polls(4*time.Second, 1, 429))
	}
	for _, op := range l.ops {
		op.Origin = "www.example.org"
	}
	return l.out(func(b []byte, r *Request) []byte {
		b = append(b, r.Host...)
		b = append(b, ":443 "...)
		return AppendCombined(b, r, cet, false)
	})
}

// buildApacheCustom: billing.example.org logs %{Location}o. Invoice
// renders answer 202 with a status URL; three are never polled.
func buildApacheCustom(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/apache-custom.log"
	const host = "billing.example.org"
	l := newSiteLog(seed, base, name, host, time.Second)
	users := l.clients(30, append(slices.Clone(browserUAs), apiUAs...))
	l.traffic(1.5, host, []route{
		{weight: 30, method: "GET", path: func(r *rand.Rand) (string, string) { return fmt.Sprintf("/v2/invoices/%d", 880000+r.IntN(5000)), "" }, size: 2300},
		{weight: 15, method: "GET", path: fixed("/v2/customers/me"), size: 800, failPct: 6, fail: 401},
		{weight: 10, method: "POST", path: fixed("/v2/payments"), size: 410, status: 201},
	}, users)
	const ep = "POST /v2/invoices/render"
	loc := func() (string, string) {
		id := uuid(l.r)
		return "https://" + host + "/v2/renders/" + id, "/v2/renders/" + id
	}
	for _, at := range []time.Duration{2 * time.Minute, 17 * time.Minute, 35 * time.Minute} {
		location, path := loc()
		l.op(l.at(at), l.opClient(users), host, "POST", "/v2/invoices/render", ep, location, path,
			OutcomeCompleted, LinkHeader, l.polls(2*time.Second, 1+l.r.IntN(3), 200))
	}
	for _, at := range []time.Duration{9 * time.Minute, 21 * time.Minute, 29 * time.Minute} {
		location, path := loc()
		l.op(l.at(at), l.opClient(users), host, "POST", "/v2/invoices/render", ep, location, path,
			OutcomeNeverPolled, LinkHeader, nil)
	}
	est := time.FixedZone("EST", -5*3600)
	return l.out(func(b []byte, r *Request) []byte {
		b = append(b, host...)
		b = append(b, ' ')
		b = append(b, r.ClientIP...)
		b = append(b, " - - ["...)
		b = appendCLFTime(b, r.Time, est)
		b = append(b, fmt.Sprintf(`] "%s %s %s" %d %s "%s" "%s" %d "%s" %s`, r.Method, r.URI(), r.Protocol, r.Status,
			bytesOrDash(r.Bytes), orDash(r.Referer), orDash(r.UserAgent), r.Duration.Microseconds(),
			orDash(r.Location), r.RequestID)...)
		return b
	})
}

// idNum derives a small deterministic number from a request id, for
// details (ports, PoPs) that only need to vary.
func idNum(id string, mod int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(mod))
}

func bytesOrDash(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

// buildCaddy: a file-conversion API behind Caddy; status reads of two
// conversions fail with 503.
func buildCaddy(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/caddy.log"
	const host = "files.example.net"
	l := newSiteLog(seed, base, name, host, time.Millisecond)
	users := l.clients(25, append(slices.Clone(apiUAs), browserUAs...))
	l.traffic(1.5, host, []route{
		{weight: 30, method: "GET", path: func(r *rand.Rand) (string, string) { return fmt.Sprintf("/api/files/%s", hexID(r, 12)), "" }, size: 120000, failPct: 5, fail: 404},
		{weight: 20, method: "PUT", path: func(r *rand.Rand) (string, string) { return fmt.Sprintf("/api/files/%s", hexID(r, 12)), "" }, size: 90, status: 201},
		{weight: 10, method: "GET", path: fixed("/healthz"), size: 2},
	}, users)
	const ep = "POST /api/convert"
	for _, at := range []time.Duration{3 * time.Minute, 14 * time.Minute, 26 * time.Minute, 41 * time.Minute} {
		p := "/api/convert/" + hexID(l.r, 16)
		l.op(l.at(at), l.opClient(users), host, "POST", "/api/convert", ep, p, p,
			OutcomeCompleted, LinkHeader, l.polls(2*time.Second, 1+l.r.IntN(4), 200))
	}
	for _, at := range []time.Duration{19 * time.Minute, 32 * time.Minute} {
		p := "/api/convert/" + hexID(l.r, 16)
		l.op(l.at(at), l.opClient(users), host, "POST", "/api/convert", ep, p, p,
			OutcomeStatusError, LinkHeader, l.polls(2*time.Second, 2, 503))
	}
	return l.out(func(b []byte, r *Request) []byte {
		o := newObj(b)
		o.str("level", "info")
		o.key("ts")
		o.b = fmt.Appendf(o.b, "%d.%03d", r.Time.Unix(), r.Time.Nanosecond()/1e6)
		o.str("logger", "http.log.access.log0")
		o.str("msg", "handled request")
		o.key("request")
		q := newObj(o.b)
		q.str("remote_ip", r.ClientIP)
		q.str("remote_port", fmt.Sprint(30000+idNum(r.RequestID, 30000)))
		q.str("client_ip", r.ClientIP)
		q.str("proto", r.Protocol)
		q.str("method", r.Method)
		q.str("host", r.Host)
		q.str("uri", r.URI())
		q.raw("headers", `{"User-Agent":[`+string(appendJSONString(nil, r.UserAgent))+`],"Accept":["*/*"]}`)
		q.raw("tls", `{"resumed":false,"version":772,"cipher_suite":4865,"proto":"h2","server_name":"`+host+`"}`)
		o.b = q.close()
		o.num("bytes_read", 0)
		o.str("user_id", "")
		o.float("duration", r.Duration.Seconds(), 6)
		o.num("size", r.Bytes)
		o.num("status", int64(r.Status))
		hdr := `{"Content-Type":["` + r.ContentType + `"],"Server":["Caddy"]`
		if r.Location != "" {
			hdr += `,"Location":[` + string(appendJSONString(nil, r.Location)) + `]`
		}
		o.raw("resp_headers", hdr+"}")
		return o.close()
	})
}

// buildTraefik: orders.example.net behind Traefik with two backends; one
// of them refuses connections for a minute (502 storm).
func buildTraefik(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/traefik.log"
	const host = "orders.example.net"
	l := newSiteLog(seed, base, name, host, time.Millisecond)
	users := l.clients(30, append(slices.Clone(apiUAs), browserUAs...))
	backends := []string{"10.0.1.12:8080", "10.0.1.13:8080"}
	l.traffic(8, host, []route{
		{weight: 30, method: "GET", path: func(r *rand.Rand) (string, string) { return "/v1/orders", fmt.Sprintf("page=%d", 1+r.IntN(5)) }, size: 8800},
		{weight: 20, method: "GET", path: func(r *rand.Rand) (string, string) { return fmt.Sprintf("/v1/orders/%d", 5500000+r.IntN(9000)), "" }, size: 1200, failPct: 4, fail: 404},
		{weight: 8, method: "POST", path: fixed("/v1/orders"), size: 700, status: 201},
	}, users)
	for _, req := range l.reqs {
		req.Upstream = backends[l.r.IntN(2)]
	}
	// While backend 2 is down, every request balanced to it fails, whatever
	// its route: the upstream separates, not the path.
	downFrom, downTo := l.at(12*time.Minute), l.at(12*time.Minute+50*time.Second)
	for _, req := range l.reqs {
		if req.Upstream == backends[1] && !req.Time.Before(downFrom) && req.Time.Before(downTo) {
			req.Status, req.OriginStatus, req.Bytes, req.OriginBytes = 502, 0, 11, 0
			req.Duration = time.Duration(1+l.r.IntN(3)) * time.Millisecond
		}
	}
	for i, req := range l.storm(downFrom, downTo.Sub(downFrom), 14, users, host, "GET", "/v1/orders", 502) {
		req.Upstream, req.OriginStatus, req.Bytes, req.OriginBytes = backends[1], 0, 11, 0
		if i%2 == 1 {
			req.Path = fmt.Sprintf("/v1/orders/%d", 5500000+l.r.IntN(9000))
		} else {
			req.Query = fmt.Sprintf("page=%d", 1+l.r.IntN(5))
		}
		req.Duration = time.Duration(1+l.r.IntN(3)) * time.Millisecond
	}
	var n int64
	return l.out(func(b []byte, r *Request) []byte {
		n++
		o := newObj(b)
		o.str("ClientAddr", r.ClientIP+":"+fmt.Sprint(40000+n%20000))
		o.str("ClientHost", r.ClientIP)
		o.str("ClientPort", fmt.Sprint(40000+n%20000))
		o.str("ClientUsername", "-")
		o.num("DownstreamContentSize", r.Bytes)
		o.num("DownstreamStatus", int64(r.Status))
		o.num("Duration", r.Duration.Nanoseconds())
		o.num("OriginContentSize", r.OriginBytes)
		o.num("OriginDuration", (r.Duration - 150*time.Microsecond).Nanoseconds())
		o.num("OriginStatus", int64(r.OriginStatus))
		o.num("Overhead", 150000)
		o.str("RequestAddr", host)
		o.num("RequestContentSize", 0)
		o.num("RequestCount", n)
		o.str("RequestHost", host)
		o.str("RequestMethod", r.Method)
		o.str("RequestPath", r.URI())
		o.str("RequestPort", "-")
		o.str("RequestProtocol", r.Protocol)
		o.str("RequestScheme", "https")
		o.num("RetryAttempts", 0)
		o.str("RouterName", "orders@docker")
		o.str("ServiceAddr", r.Upstream)
		o.str("ServiceName", "orders@docker")
		o.str("StartLocal", r.Time.Format("2006-01-02T15:04:05.000000000Z07:00"))
		o.str("StartUTC", r.Time.Format("2006-01-02T15:04:05.000000000Z07:00"))
		o.str("entryPointName", "websecure")
		o.str("level", "info")
		o.str("msg", "")
		o.str("request_User-Agent", r.UserAgent)
		o.str("time", r.Time.Add(r.Duration).Format(time.RFC3339))
		return o.close()
	})
}

// buildNginxJSON: media.example.net logs JSON with escape=json; two
// transcode jobs are abandoned by their clients after a few polls.
func buildNginxJSON(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/nginx-json.log"
	const host = "media.example.net"
	l := newSiteLog(seed, base, name, host, time.Second)
	users := l.clients(30, browserUAs)
	l.traffic(1.5, host, []route{
		{weight: 30, method: "GET", path: func(r *rand.Rand) (string, string) { return fmt.Sprintf("/v1/videos/%d", 310000+r.IntN(800)), "" }, size: 3100},
		{weight: 20, method: "GET", path: func(r *rand.Rand) (string, string) {
			return fmt.Sprintf("/v1/videos/%d/thumb.jpg", 310000+r.IntN(800)), ""
		}, size: 24000},
	}, users)
	const ep = "POST /v1/transcode"
	loc := func() (string, string) {
		p := "/v1/transcode/jobs/" + uuid(l.r)
		return "https://" + host + p, p
	}
	for _, at := range []time.Duration{4 * time.Minute, 15 * time.Minute, 28 * time.Minute, 43 * time.Minute} {
		location, path := loc()
		l.op(l.at(at), l.opClient(users), host, "POST", "/v1/transcode", ep, location, path,
			OutcomeCompleted, LinkHeader, l.polls(10*time.Second, 2+l.r.IntN(4), 200))
	}
	for _, at := range []time.Duration{11 * time.Minute, 24 * time.Minute} {
		location, path := loc()
		l.op(l.at(at), l.opClient(users), host, "POST", "/v1/transcode", ep, location, path,
			OutcomeClientGaveUp, LinkHeader, l.polls(10*time.Second, 3))
	}
	for _, req := range l.reqs {
		req.Upstream = "127.0.0.1:7000"
	}
	return l.out(func(b []byte, r *Request) []byte {
		o := newObj(b)
		o.str("time", r.Time.In(cet).Format("2006-01-02T15:04:05-07:00"))
		o.str("remote_addr", r.ClientIP)
		o.str("request_id", r.RequestID)
		o.str("host", host)
		o.str("request_method", r.Method)
		o.str("request_uri", r.URI())
		o.str("server_protocol", r.Protocol)
		o.str("status", fmt.Sprint(r.Status))
		o.str("body_bytes_sent", fmt.Sprint(r.Bytes))
		o.str("request_time", fmt.Sprintf("%.3f", r.Duration.Seconds()))
		o.str("http_referrer", r.Referer)
		o.str("http_user_agent", r.UserAgent)
		o.str("upstream_addr", r.Upstream)
		o.str("upstream_status", fmt.Sprint(r.Status))
		o.str("upstream_response_time", fmt.Sprintf("%.3f", r.Duration.Seconds()))
		o.str("sent_http_location", r.Location)
		return o.close()
	})
}

// cloudFrontFields is the standard log's field list (33 fields).
const cloudFrontFields = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"

// buildCloudFront: assets.example.org on CloudFront; a newly published,
// very large collection image is requested while cold and every origin
// fetch of it times out: a 504 storm on that one path (other misses are
// fine), logged as result type Error with the detailed type OriginCommError.
func buildCloudFront(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/cloudfront-E2EXAMPLE7QZ1.2026-11-20-09.log"
	const host = "assets.example.org"
	l := newSiteLog(seed, base, name, host, time.Second)
	users := l.clients(40, browserUAs)
	l.traffic(10, host, []route{
		{weight: 30, method: "GET", path: fixed("/js/site.4c1d.js"), ctype: "application/javascript", size: 88000},
		{weight: 30, method: "GET", path: func(r *rand.Rand) (string, string) { return fmt.Sprintf("/img/%d.jpg", 100+r.IntN(80)), "" }, ctype: "image/jpeg", size: 120000, failPct: 2, fail: 404},
		{weight: 10, method: "GET", path: fixed("/index.html"), ctype: "text/html", size: 9000},
	}, users)
	for _, req := range l.reqs {
		req.Cache = []string{"Hit", "Hit", "Hit", "Hit", "Miss", "RefreshHit"}[l.r.IntN(6)]
	}
	for _, req := range l.storm(l.at(41*time.Minute), 60*time.Second, 12, users, host, "GET", "/img/new-collection.jpg", 504) {
		req.Cache = "Error"
		req.Duration = 30*time.Second + time.Duration(l.r.IntN(200))*time.Millisecond
	}
	pops := []string{"FRA56-P1", "FRA60-P4", "AMS1-C1", "LHR61-P3", "CDG52-P2"}
	o, err := l.out(func(b []byte, r *Request) []byte {
		if r.Status >= 400 && r.Cache != "Error" {
			r.Cache = "Error"
		}
		detailed := r.Cache
		if r.Status == 504 {
			detailed = "OriginCommError"
		}
		ua := strings.ReplaceAll(r.UserAgent, " ", "%20")
		query := orDash(r.Query)
		proto := "HTTP/2.0"
		if r.Protocol == "HTTP/1.1" {
			proto = "HTTP/1.1"
		}
		reqID := base64ish(l.r, 54) + "=="
		return fmt.Appendf(b, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t-\t%s\t%s\t%s\thttps\t%d\t%.3f\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t%s\t%s\t-\t-\t%d\t%.3f\t%s\t%s\t%d\t-\t-",
			r.Time.UTC().Format("2006-01-02"), r.Time.UTC().Format("15:04:05"), pops[idNum(r.RequestID, len(pops))],
			r.Bytes+420, r.ClientIP, r.Method, "d1a2b3c4example.cloudfront.net", r.Path, r.Status,
			orDash(r.Referer), ua, query, r.Cache, reqID, host, 180+len(r.URI()), r.Duration.Seconds(),
			r.Cache, proto, 30000+int(r.Time.Unix()%30000), r.Duration.Seconds()*0.9, detailed, r.ContentType, r.Bytes)
	})
	if err != nil {
		return nil, err
	}
	o.data = append([]byte("#Version: 1.0\n#Fields: "+cloudFrontFields+"\n"), o.data...)
	return o, nil
}

func base64ish(r *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// thumbnailSite is the containerised service of the Docker and CRI files.
func thumbnailSite(l *siteLog, users []Client) {
	l.traffic(2, "", []route{
		{weight: 30, method: "GET", path: func(r *rand.Rand) (string, string) { return fmt.Sprintf("/api/v1/items/%d", 700+r.IntN(300)), "" }, size: 1500, failPct: 3, fail: 404},
		{weight: 15, method: "GET", path: fixed("/healthz"), size: 2},
		{weight: 10, method: "GET", path: func(r *rand.Rand) (string, string) { return "/api/v1/items", fmt.Sprintf("page=%d", 1+r.IntN(6)) }, size: 12000},
	}, users)
}

// buildDocker: a thumbnail service's nginx in a container (Docker
// json-file); two clients hang up on their polls (499).
func buildDocker(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/docker-json.log"
	l := newSiteLog(seed, base, name, name, time.Second)
	users := l.clients(20, append(slices.Clone(apiUAs), browserUAs...))
	thumbnailSite(l, users)
	const ep = "POST /api/v1/thumbnails"
	for _, at := range []time.Duration{5 * time.Minute, 18 * time.Minute, 30 * time.Minute} {
		l.op(l.at(at), l.opClient(users), "", "POST", "/api/v1/thumbnails", ep, "", "/api/v1/thumbnails/"+hexID(l.r, 12),
			OutcomeCompleted, LinkHeuristic, l.polls(3*time.Second, 1+l.r.IntN(3), 200))
	}
	for _, at := range []time.Duration{13 * time.Minute, 36 * time.Minute} {
		l.op(l.at(at), l.opClient(users), "", "POST", "/api/v1/thumbnails", ep, "", "/api/v1/thumbnails/"+hexID(l.r, 12),
			OutcomePollRejected, LinkHeuristic, l.polls(3*time.Second, 2, 499))
	}
	return l.out(func(b []byte, r *Request) []byte {
		line := AppendCombined(nil, r, time.UTC, false)
		o := newObj(b)
		o.str("log", string(line)+"\n")
		o.str("stream", "stdout")
		o.str("time", r.Time.Add(r.Duration).Add(time.Duration(idNum(r.RequestID, 900000))).UTC().Format(time.RFC3339Nano))
		return o.close()
	})
}

// buildCRI: ingress-nginx in Kubernetes (CRI log format around its
// upstreaminfo lines); three exports are never polled.
func buildCRI(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/cri-ingress.log"
	l := newSiteLog(seed, base, name, name, time.Second)
	users := l.clients(20, append(slices.Clone(apiUAs), browserUAs...))
	thumbnailSite(l, users)
	const ep = "POST /api/exports"
	for _, at := range []time.Duration{7 * time.Minute, 25 * time.Minute} {
		l.op(l.at(at), l.opClient(users), "", "POST", "/api/exports", ep, "", "/api/exports/"+alnumID(l.r, 12),
			OutcomeCompleted, LinkHeuristic, l.polls(5*time.Second, 1+l.r.IntN(2), 200))
	}
	for _, at := range []time.Duration{10 * time.Minute, 20 * time.Minute, 34 * time.Minute} {
		l.op(l.at(at), l.opClient(users), "", "POST", "/api/exports", ep, "", "",
			OutcomeNeverPolled, LinkHeuristic, nil)
	}
	pods := []string{"10.244.1.17:8080", "10.244.2.9:8080"}
	return l.out(func(b []byte, r *Request) []byte {
		b = r.Time.Add(r.Duration).UTC().AppendFormat(b, "2006-01-02T15:04:05.000000000Z07:00")
		b = append(b, " stdout F "...)
		b = AppendCombined(b, r, time.UTC, false)
		pod := pods[idNum(r.RequestID, len(pods))]
		return fmt.Appendf(b, " %d %.3f [shop-api-80] [] %s %d %.3f %d %s",
			200+len(r.URI())+len(r.UserAgent), r.Duration.Seconds(), pod, r.Bytes, r.Duration.Seconds(), r.Status, r.RequestID)
	})
}
