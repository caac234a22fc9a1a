package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// sroute is one kind of request a scenario site serves. Tmpl is its path
// template as the contrast names routes (numeric ids as {id}).
type sroute struct {
	tmpl   string
	weight int
	method string
	path   func(r *rand.Rand) (path, query string)
	ctype  string
	size   int
	hitPct int // share served from the edge cache, percent
	hdrMs  int // typical header wait at the origin
	status int // 0 = 200
}

func (rt sroute) dynamic() bool { return rt.hitPct == 0 }

func idPath(format string, lo, n int) func(r *rand.Rand) (string, string) {
	return func(r *rand.Rand) (string, string) { return fmt.Sprintf(format, lo+r.IntN(n)), "" }
}

// shopSite are the routes of an online shop: pages, product pages with
// ids, account pages, an API, and static assets mostly served from cache.
var shopSite = []sroute{
	{tmpl: "/", weight: 8, method: "GET", path: fixed("/"), ctype: "text/html", size: 38000, hdrMs: 90},
	{tmpl: "/products/{id}", weight: 18, method: "GET", path: idPath("/products/%d", 10000, 5000), ctype: "text/html", size: 52000, hdrMs: 120},
	{tmpl: "/category/{id}", weight: 8, method: "GET", path: idPath("/category/%d", 100, 40), ctype: "text/html", size: 61000, hdrMs: 150},
	{tmpl: "/search", weight: 5, method: "GET", path: func(r *rand.Rand) (string, string) {
		return "/search", "q=" + pick(r, searches)
	}, ctype: "text/html", size: 44000, hdrMs: 260},
	{tmpl: "/account/{id}/orders", weight: 6, method: "GET", path: idPath("/account/%d/orders", 700000, 90000), ctype: "text/html", size: 24000, hdrMs: 140},
	{tmpl: "/cart", weight: 5, method: "GET", path: fixed("/cart"), ctype: "text/html", size: 21000, hdrMs: 70},
	{tmpl: "/cart/items", weight: 4, method: "POST", path: fixed("/cart/items"), ctype: "application/json", size: 310, hdrMs: 60, status: 201},
	{tmpl: "/api/v1/stock/{id}", weight: 7, method: "GET", path: idPath("/api/v1/stock/%d", 10000, 5000), ctype: "application/json", size: 240, hdrMs: 18},
	{tmpl: "/checkout/{id}/payment", weight: 3, method: "POST", path: idPath("/checkout/%d/payment", 88000000, 900000), ctype: "application/json", size: 420, hdrMs: 380},
	{tmpl: "/static/js/app.91ac2e.js", weight: 12, method: "GET", path: fixed("/static/js/app.91ac2e.js"), ctype: "application/javascript", size: 142000, hitPct: 96, hdrMs: 12},
	{tmpl: "/img/products/{id}.webp", weight: 14, method: "GET", path: idPath("/img/products/%d.webp", 1000, 400), ctype: "image/webp", size: 48000, hitPct: 82, hdrMs: 25},
	{tmpl: "/favicon.ico", weight: 2, method: "GET", path: fixed("/favicon.ico"), ctype: "image/x-icon", size: 1150, hitPct: 99, hdrMs: 5},
}

// apiSite are the routes of a JSON API.
var apiSite = []sroute{
	{tmpl: "/v2/items", weight: 20, method: "GET", path: func(r *rand.Rand) (string, string) {
		return "/v2/items", fmt.Sprintf("page=%d&limit=50", 1+r.IntN(20))
	}, ctype: "application/json", size: 14000, hdrMs: 45},
	{tmpl: "/v2/items/{id}", weight: 24, method: "GET", path: idPath("/v2/items/%d", 100000, 90000), ctype: "application/json", size: 1900, hdrMs: 25},
	{tmpl: "/v2/users/{id}/preferences", weight: 10, method: "GET", path: idPath("/v2/users/%d/preferences", 5000000, 900000), ctype: "application/json", size: 820, hdrMs: 30},
	{tmpl: "/v2/orders", weight: 8, method: "POST", path: fixed("/v2/orders"), ctype: "application/json", size: 640, hdrMs: 180, status: 201},
	{tmpl: "/v2/orders/{id}", weight: 12, method: "GET", path: idPath("/v2/orders/%d", 77000000, 900000), ctype: "application/json", size: 1100, hdrMs: 35},
	{tmpl: "/v2/search", weight: 10, method: "GET", path: func(r *rand.Rand) (string, string) {
		return "/v2/search", "q=" + pick(r, searches)
	}, ctype: "application/json", size: 9000, hdrMs: 210},
	{tmpl: "/v2/catalog/export.json", weight: 6, method: "GET", path: fixed("/v2/catalog/export.json"), ctype: "application/json", size: 90000, hitPct: 70, hdrMs: 400},
}

// site is one host of the zone and its traffic.
type site struct {
	host   string
	ips    []string
	routes []sroute
	perMin float64 // edge requests a minute
	// load scales the rate over time (nil: steady); slow scales header waits.
	load, slow func(t time.Time) float64
	from, to   time.Time // zero: the whole scenario
}

// traffic generates s's requests: Poisson arrivals, a route by weight, a
// client, an edge cache decision, an origin IP, a healthy reply; then the
// first fault that claims the request turns it into a failure.
func (w *world) traffic(s site) {
	r := rng(w.seed, w.name+"/traffic/"+s.host)
	weights := make([]int, len(s.routes))
	for i, rt := range s.routes {
		weights[i] = rt.weight
	}
	from, to := s.from, s.to
	if from.IsZero() {
		from, to = w.base, w.end
	}
	for t := from; ; {
		rate := s.perMin / 60
		if s.load != nil {
			rate *= s.load(t)
		}
		t = t.Add(time.Duration(r.ExpFloat64() / rate * float64(time.Second)))
		if !t.Before(to) {
			return
		}
		rt := s.routes[weighted(r, weights)]
		path, query := rt.path(r)
		req := w.edge(r, t, clientFor(r, w.clients, rt.method), s.host, rt.method, path, query)
		if rt.method == "GET" && rt.dynamic() && r.IntN(3) == 0 {
			req.Referer = "https://" + s.host + "/"
		}
		status := cmpOr(rt.status, 200)
		size := int64(jitter(r, time.Duration(rt.size), 0.3))
		if rt.hitPct > 0 && r.IntN(100) < rt.hitPct {
			hit(r, req, status, int(size), rt.ctype)
			continue
		}
		switch {
		case rt.hitPct > 0:
			req.Cache = pick(r, []string{"miss", "miss", "miss", "expired", "revalidated"})
		case rt.method != "GET":
			req.Cache = "bypass"
		default:
			req.Cache = "dynamic"
		}
		hdr := rt.hdrMs
		if s.slow != nil {
			hdr = int(float64(hdr) * s.slow(t))
		}
		if r.IntN(100) == 0 { // the slow tail: a cold query, a GC pause
			hdr *= 4 + r.IntN(8)
		}
		ip := pick(r, s.ips)
		srv := w.serverFor(ip)
		req.OriginIP, req.Server, req.Upstream = ip, srv.name, srv.upstream
		answer(r, req, status, size, rt.ctype, hdr)
		if srv.file != "" {
			req.Fate = FateLogged
		}
		if status == 201 {
			req.Location = fmt.Sprintf("%s/%d", path, 1+r.IntN(1e6))
		}
		for _, f := range w.faults {
			if f.claim(r, req, rt) {
				break
			}
		}
	}
}

// fault turns some origin-bound requests into failures: those in
// [from, to) that match, each with probability share(t).
type fault struct {
	host     string
	kind     string // burst_520 or burst_5xx
	status   int
	from, to time.Time
	match    func(req *Request, rt sroute) bool
	share    func(t time.Time) float64
	apply    func(r *rand.Rand, req *Request)
	// The truth of the finding this fault plants; expect nil for noise.
	expect *ExpectedFinding
	failed []*Request
}

func (f *fault) claim(r *rand.Rand, req *Request, rt sroute) bool {
	if req.Host != f.host || req.Time.Before(f.from) || !req.Time.Before(f.to) {
		return false
	}
	if f.match != nil && !f.match(req, rt) {
		return false
	}
	p := 1.0
	if f.share != nil {
		p = f.share(req.Time)
	}
	if r.Float64() >= p {
		return false
	}
	f.apply(r, req)
	f.failed = append(f.failed, req)
	return true
}

// record fills the planted finding's span and counts from what the fault
// actually failed.
func (f *fault) record(w *world) {
	if f.expect == nil || len(f.failed) == 0 {
		return
	}
	e := *f.expect
	e.Kind, e.Status, e.Origin = f.kind, f.status, cmpOrString(e.Origin, f.host)
	e.Start, e.End = f.failed[0].Time, f.failed[0].Time
	for _, req := range f.failed {
		e.Start = minTime(e.Start, req.Time)
		e.End = maxTime(e.End, req.Time)
	}
	e.Failures = len(f.failed)
	for _, req := range w.reqs {
		if req.Host == f.host && req.OriginIP != "" && !req.Time.Before(e.Start) && !req.Time.After(e.End) {
			e.Requests++
		}
	}
	w.truth.Expected = append(w.truth.Expected, e)
}

func cmpOrString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// addFault registers f (faults claim requests in the order added).
func (w *world) addFault(f *fault) *fault {
	w.faults = append(w.faults, f)
	return f
}

// constShare is a failing share that does not change over time.
func constShare(p float64) func(time.Time) float64 { return func(time.Time) float64 { return p } }

// pickColos chooses n data centres among those with enough traffic for a
// burst; never all of them.
func (w *world) pickColos(n int, small bool) []string {
	var pool []string
	for _, c := range colos {
		if (c.weight >= 12) != small {
			pool = append(pool, c.code)
		}
	}
	w.r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := slices.Clone(pool[:min(n, len(pool))])
	slices.Sort(out)
	return out
}

// originIPs are n addresses for host number k of a scenario.
func (w *world) originIPs(k, n int, withLog bool) []string {
	first := 10 + w.r.IntN(100)
	var ips []string
	for i := range n {
		ip := fmt.Sprintf("192.0.2.%d", first+k*40+i)
		if k >= 3 {
			ip = fmt.Sprintf("198.51.100.%d", first+(k-3)*40+i)
		}
		ips = append(ips, ip)
		w.server(fmt.Sprintf("h%d-%d", k, i+1), ip, "127.0.0.1:9000", withLog)
	}
	return ips
}

// newConn makes req's origin connection a fresh one (TCP and TLS
// handshake measured).
func newConn(r *rand.Rand, req *Request) {
	rtt := coloRTT(req.Colo)
	req.OriginTCPMs = rtt + r.IntN(1+rtt/4)
	req.OriginTLSMs = req.OriginTCPMs + 1 + r.IntN(3)
}

// break520 turns req into a Cloudflare 520: the origin connection (as
// drawn, unless conn says "new" or "reused") gave no usable reply after
// hdrMs; originStatus is what Logpush records (0, or 520 relayed).
func break520(r *rand.Rand, req *Request, conn string, hdrMs, originStatus int, fate Fate) {
	req.Status, req.OriginStatus = 520, originStatus
	req.ContentType = "text/html"
	req.Location = ""
	req.Bytes = int64(2600 + r.IntN(500)) // Cloudflare's own error page
	switch conn {
	case "new":
		newConn(r, req)
	case "reused":
		req.OriginTCPMs, req.OriginTLSMs = 0, 0
	}
	req.OriginHdrMs = hdrMs
	req.OriginTime = time.Duration(hdrMs+1+r.IntN(3)) * time.Millisecond
	req.OriginBytes = 0
	req.TTFBMs = req.OriginTCPMs + req.OriginTLSMs + hdrMs + 3 + r.IntN(5)
	req.Duration = time.Duration(req.TTFBMs+2) * time.Millisecond
	if req.Fate != FateNone { // only requests to a server with a log have a fate
		req.Fate = fate
	}
}

// fastMs is the header wait of a reset or empty reply: a few ms.
func fastMs(r *rand.Rand) int { return r.IntN(6) }

// relay5xx turns req into the origin's own 5xx passed on by Cloudflare
// (EdgeResponseStatus = OriginResponseStatus = status).
func relay5xx(r *rand.Rand, req *Request, status, hdrMs int) {
	req.Status, req.OriginStatus = status, status
	req.ContentType = "text/html"
	req.Location = ""
	req.OriginBytes = int64(150 + r.IntN(400))
	req.Bytes = req.OriginBytes + 380
	req.OriginHdrMs = hdrMs
	req.OriginTime = time.Duration(hdrMs+1+r.IntN(3)) * time.Millisecond
	req.TTFBMs = req.OriginTCPMs + req.OriginTLSMs + hdrMs + 3 + r.IntN(5)
	req.Duration = time.Duration(req.TTFBMs+2) * time.Millisecond
}
