package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// The demo zone: three hosts behind Cloudflare and the origin servers
// behind them. Origin addresses come from the documentation ranges.
const (
	hostShop   = "shop.example.com"
	hostAPI    = "api.example.com"
	hostStatic = "static.example.com"

	ipShop1  = "192.0.2.10"
	ipShop2  = "192.0.2.11" // fails during the 520 burst
	ipAPI    = "198.51.100.20"
	ipStatic = "198.51.100.30" // unreachable during the 522 storm
)

// originServer is one origin machine and the log it writes.
type originServer struct {
	name     string // key in Request.Server
	ip       string
	upstream string // what its nginx proxies to
	file     string // manifest name of its access log ("" = no log in the set)
	loc      *time.Location
}

var cet = time.FixedZone("CET", 3600)

var originServers = []originServer{
	{"shop-1", ipShop1, "127.0.0.1:9000", fileOriginShop1, cet},
	{"shop-2", ipShop2, "127.0.0.1:9000", fileOriginShop2, cet},
	{"api", ipAPI, "10.0.3.21:8080", fileOriginAPI, time.UTC},
	{"static", ipStatic, "", "", time.UTC}, // an object store: no access log here
}

func serverByIP(ip string) originServer {
	for _, s := range originServers {
		if s.ip == ip {
			return s
		}
	}
	return originServer{}
}

// route is one kind of request a host serves in normal traffic.
type route struct {
	weight  int
	method  string
	path    func(r *rand.Rand) (path, query string)
	ctype   string
	size    int // typical body bytes
	hitPct  int // share of cache hits in percent; 0 = dynamic
	status  int // normal status (200 if 0)
	failPct int // share of alternative status, in percent
	fail    int // the alternative status (404, 401, ...)
	hdrMs   int // typical origin header wait
}

func fixed(p string) func(*rand.Rand) (string, string) {
	return func(*rand.Rand) (string, string) { return p, "" }
}

var productSlugs = []string{"linen-shirt", "wool-scarf", "canvas-tote", "leather-belt", "rain-jacket",
	"denim-jacket", "silk-tie", "cotton-socks", "trail-boots", "merino-beanie", "travel-mug", "desk-lamp"}
var categories = []string{"men", "women", "accessories", "shoes", "home", "sale"}
var searches = []string{"jacket", "scarf", "boots+waterproof", "gift", "linen", "lamp"}

var shopRoutes = []route{
	{weight: 10, method: "GET", path: fixed("/"), ctype: "text/html", size: 38200, hdrMs: 90},
	{weight: 22, method: "GET", path: func(r *rand.Rand) (string, string) {
		return "/products/" + pick(r, productSlugs), ""
	}, ctype: "text/html", size: 52100, failPct: 3, fail: 404, hdrMs: 120},
	{weight: 9, method: "GET", path: func(r *rand.Rand) (string, string) {
		return "/category/" + pick(r, categories), fmt.Sprintf("page=%d", 1+r.IntN(4))
	}, ctype: "text/html", size: 61000, hdrMs: 150},
	{weight: 5, method: "GET", path: func(r *rand.Rand) (string, string) {
		return "/search", "q=" + pick(r, searches)
	}, ctype: "text/html", size: 44000, hdrMs: 260},
	{weight: 5, method: "GET", path: fixed("/cart"), ctype: "text/html", size: 21000, hdrMs: 70},
	{weight: 4, method: "POST", path: fixed("/cart/add"), ctype: "application/json", size: 310, hdrMs: 60},
	{weight: 2, method: "POST", path: fixed("/checkout"), ctype: "text/html", size: 0, status: 302, hdrMs: 340},
	{weight: 14, method: "GET", path: fixed("/static/css/site.3e1f0a.css"), ctype: "text/css", size: 18400, hitPct: 97},
	{weight: 14, method: "GET", path: fixed("/static/js/app.91ac2e.js"), ctype: "application/javascript", size: 142000, hitPct: 97},
	{weight: 12, method: "GET", path: func(r *rand.Rand) (string, string) {
		return fmt.Sprintf("/img/products/%d.webp", 1000+r.IntN(60)), ""
	}, ctype: "image/webp", size: 48000, hitPct: 85, hdrMs: 25},
	{weight: 3, method: "GET", path: fixed("/favicon.ico"), ctype: "image/x-icon", size: 1150, hitPct: 99},
}

var apiRoutes = []route{
	{weight: 22, method: "GET", path: func(r *rand.Rand) (string, string) {
		return "/v1/products", fmt.Sprintf("page=%d&limit=50", 1+r.IntN(8))
	}, ctype: "application/json", size: 14200, hdrMs: 45},
	{weight: 20, method: "GET", path: func(r *rand.Rand) (string, string) {
		return fmt.Sprintf("/v1/products/%d", 10000+r.IntN(900)), ""
	}, ctype: "application/json", size: 1900, failPct: 4, fail: 404, hdrMs: 25},
	{weight: 12, method: "GET", path: fixed("/v1/users/me"), ctype: "application/json", size: 820, failPct: 5, fail: 401, hdrMs: 20},
	{weight: 8, method: "POST", path: fixed("/v1/orders"), ctype: "application/json", size: 640, status: 201, hdrMs: 180},
	{weight: 10, method: "GET", path: func(r *rand.Rand) (string, string) {
		return fmt.Sprintf("/v1/orders/%d", 5500000+r.IntN(9000)), ""
	}, ctype: "application/json", size: 1100, hdrMs: 35},
	{weight: 6, method: "GET", path: fixed("/v1/health"), ctype: "application/json", size: 48, hdrMs: 3},
}

var staticRoutes = []route{
	{weight: 20, method: "GET", path: fixed("/assets/js/vendor.5b2d7c.js"), ctype: "application/javascript", size: 288000, hitPct: 90, hdrMs: 30},
	{weight: 15, method: "GET", path: fixed("/assets/css/main.a91f03.css"), ctype: "text/css", size: 36000, hitPct: 90, hdrMs: 30},
	{weight: 12, method: "GET", path: fixed("/fonts/inter-var.woff2"), ctype: "font/woff2", size: 96000, hitPct: 95, hdrMs: 30},
	{weight: 25, method: "GET", path: func(r *rand.Rand) (string, string) {
		return fmt.Sprintf("/images/catalog/%d-%d.avif", 2000+r.IntN(150), []int{480, 960, 1440}[r.IntN(3)]), ""
	}, ctype: "image/avif", size: 61000, hitPct: 80, hdrMs: 40},
}

// zone accumulates the edge requests of the demo.
type zone struct {
	seed      uint64
	base, end time.Time
	reqs      []*Request
	ops       []*Op
	rays      map[string]bool
}

func newZone(seed uint64, base time.Time, span time.Duration) *zone {
	return &zone{seed: seed, base: base, end: base.Add(span), rays: map[string]bool{}}
}

func (z *zone) at(d time.Duration) time.Time { return z.base.Add(d) }

func (z *zone) rayID(r *rand.Rand) string {
	for {
		id := hexID(r, 16)
		if !z.rays[id] {
			z.rays[id] = true
			return id
		}
	}
}

// edge starts a request from client c: identity, PoP and ray id.
func (z *zone) edge(r *rand.Rand, t time.Time, c Client, host, method, path, query string) *Request {
	proto := "HTTP/2"
	switch n := r.IntN(10); {
	case n < 2:
		proto = "HTTP/1.1"
	case n < 4:
		proto = "HTTP/3"
	}
	req := &Request{
		Time: t.Truncate(time.Millisecond), Host: host, ClientIP: c.IP, Country: c.Country,
		UserAgent: c.UserAgent, Method: method, Path: path, Query: query, Protocol: proto,
		RayID: z.rayID(r), Colo: c.Colo,
		EdgeServerIP: fmt.Sprintf("172.68.%d.%d", 100+r.IntN(40), 1+r.IntN(254)),
	}
	z.reqs = append(z.reqs, req)
	return req
}

// hit serves req from the edge cache.
func hit(r *rand.Rand, req *Request, status int, size int, ctype string) {
	req.Cache = "hit"
	req.Status, req.ContentType = status, ctype
	req.Bytes = int64(jitter(r, time.Duration(size), 0.05)) + 420
	req.EdgeServerIP = ""
	req.TTFBMs = 1 + r.IntN(6)
	req.Duration = time.Duration(req.TTFBMs+r.IntN(40)) * time.Millisecond
}

// toOrigin sends req to the origin at ip, which answers status with body
// bytes after about hdrMs; connections are reused most of the time.
func toOrigin(r *rand.Rand, req *Request, ip string, status int, body int64, ctype string, hdrMs int) {
	srv := serverByIP(ip)
	req.OriginIP, req.Server, req.Upstream = ip, srv.name, srv.upstream
	answer(r, req, status, body, ctype, hdrMs)
	if srv.file != "" {
		req.Fate = FateLogged
	}
}

// answer fills in a healthy origin reply to req: status with body bytes
// after about hdrMs, on a reused keep-alive connection 7 times in 10.
func answer(r *rand.Rand, req *Request, status int, body int64, ctype string, hdrMs int) {
	req.OriginStatus, req.Status, req.ContentType = status, status, ctype
	if req.Cache == "" {
		req.Cache = "dynamic"
	}
	if r.IntN(10) < 7 {
		req.OriginTCPMs, req.OriginTLSMs = 0, 0 // reused keep-alive connection
	} else {
		rtt := coloRTT(req.Colo)
		req.OriginTCPMs = rtt + r.IntN(1+rtt/4)
		req.OriginTLSMs = req.OriginTCPMs + 1 + r.IntN(3)
	}
	hdr := max(1, int(jitter(r, time.Duration(hdrMs), 0.6)))
	req.OriginHdrMs = hdr
	req.OriginTime = time.Duration(hdr)*time.Millisecond + time.Duration(r.IntN(3))*time.Millisecond
	req.OriginBytes = body
	req.Bytes = body + 380 + int64(r.IntN(60))
	req.TTFBMs = req.OriginTCPMs + req.OriginTLSMs + hdr + 2 + r.IntN(4)
	req.Duration = time.Duration(req.TTFBMs+int(body/40000)+r.IntN(8)) * time.Millisecond
	req.RemoteAddr = cfEgress(r)
}

// baseline adds Poisson traffic at perMin requests a minute to host over
// [from, to), choosing origins with pickIP.
func (z *zone) baseline(piece, host string, perMin float64, from, to time.Time, routes []route, clients []Client, pickIP func(r *rand.Rand, t time.Time) string) {
	r := rng(z.seed, piece)
	weights := make([]int, len(routes))
	for i, rt := range routes {
		weights[i] = rt.weight
	}
	lambda := perMin / 60 // per second
	for t := from; ; {
		t = t.Add(time.Duration(r.ExpFloat64() / lambda * float64(time.Second)))
		if !t.Before(to) {
			return
		}
		rt := routes[weighted(r, weights)]
		path, query := rt.path(r)
		req := z.edge(r, t, clientFor(r, clients, rt.method), host, rt.method, path, query)
		if rt.method == "GET" && rt.hitPct == 0 && r.IntN(3) == 0 {
			req.Referer = "https://" + host + "/"
		}
		status := rt.status
		if status == 0 {
			status = 200
		}
		if rt.failPct > 0 && r.IntN(100) < rt.failPct {
			status = rt.fail
		}
		size := int64(jitter(r, time.Duration(rt.size), 0.3))
		if status >= 300 {
			size = int64(150 + r.IntN(200))
		}
		if rt.hitPct > 0 && r.IntN(100) < rt.hitPct {
			hit(r, req, status, int(size), rt.ctype)
			continue
		}
		if rt.hitPct > 0 {
			req.Cache = pick(r, []string{"miss", "miss", "miss", "expired"})
		}
		toOrigin(r, req, pickIP(r, req.Time), status, size, rt.ctype, rt.hdrMs)
		if status == 302 {
			req.Location = "/order/confirmation"
		}
	}
}
