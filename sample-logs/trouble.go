package samplelogs

import (
	"math/rand/v2"
	"slices"
	"time"
)

// Timeline of the demo, as offsets from the base time (09:00 UTC).
const (
	saleFrom   = 15 * time.Minute // a sale e-mail doubles shop traffic...
	saleTo     = 22 * time.Minute
	crashFrom  = 17 * time.Minute // ...and shop-2's PHP workers crash in a loop
	crashTo    = 20 * time.Minute
	crash520s  = 60
	crashEmpty = 4 // of those, logged by the origin as 200 with 0 bytes

	stormFrom = 31 * time.Minute // static's origin is unreachable after a deploy
	stormTo   = 33*time.Minute + 30*time.Second
	stormNew  = 8 // cold new asset URLs requested during the storm
)

// failWith520 turns req into a Cloudflare 520 from the origin at ip: the
// connection was made (new or reused) and then reset or answered with
// nothing usable, within a few milliseconds.
func failWith520(r *rand.Rand, req *Request, ip string, newConn bool, fate Fate) {
	srv := serverByIP(ip)
	req.OriginIP, req.Server, req.Upstream = ip, srv.name, srv.upstream
	req.Status, req.OriginStatus = 520, 0
	req.Cache = "dynamic"
	req.ContentType = "text/html"
	req.Location = ""
	req.Bytes = int64(2600 + r.IntN(500)) // Cloudflare's own error page
	req.OriginTCPMs, req.OriginTLSMs = 0, 0
	if newConn {
		rtt := coloRTT(req.Colo)
		req.OriginTCPMs = rtt + r.IntN(1+rtt/4)
		req.OriginTLSMs = req.OriginTCPMs + 1 + r.IntN(3)
	}
	req.OriginHdrMs = r.IntN(7)
	req.OriginTime = time.Duration(1+r.IntN(4)) * time.Millisecond
	req.OriginBytes = 0
	req.TTFBMs = req.OriginTCPMs + req.OriginTLSMs + req.OriginHdrMs + 3 + r.IntN(5)
	req.Duration = time.Duration(req.TTFBMs+2) * time.Millisecond
	req.RemoteAddr = cfEgress(r)
	req.Fate = fate
	if srv.file == "" {
		req.Fate = FateNone
	}
}

// dynamicRoutes keeps the routes that always go to the origin.
func dynamicRoutes(routes []route) []route {
	var out []route
	for _, rt := range routes {
		if rt.hitPct == 0 {
			out = append(out, rt)
		}
	}
	return out
}

// shopTraffic is shop.example.com's normal day plus the sale spike; during
// the crash every origin-bound request lands on the healthy shop-1.
func (z *zone) shopTraffic(clients []Client) {
	pickShop := func(r *rand.Rand, t time.Time) string {
		if !t.Before(z.at(crashFrom)) && t.Before(z.at(crashTo)) {
			return ipShop1
		}
		if r.IntN(2) == 0 {
			return ipShop1
		}
		return ipShop2
	}
	z.baseline("shop", hostShop, 12, z.base, z.end, shopRoutes, clients, pickShop)
	z.baseline("shop-sale", hostShop, 25, z.at(saleFrom), z.at(saleTo), shopRoutes, clients, pickShop)
}

// shopCrash is the 520 burst: shop-2 returns a few 5xx, then for three
// minutes resets every new connection right after accepting it. Its nginx
// logs almost none of those requests (the worker died with them), a few
// as 200 with no body; shop-1 stays healthy.
func (z *zone) shopCrash(clients []Client) {
	r := rng(z.seed, "shop-crash")
	routes := dynamicRoutes(shopRoutes)
	before := []struct {
		at     time.Duration
		status int
		hdrMs  int
	}{
		{crashFrom - 52*time.Second, 502, 4},
		{crashFrom - 37*time.Second, 500, 1400},
		{crashFrom - 21*time.Second, 502, 3},
		{crashFrom - 9*time.Second, 503, 2},
	}
	for _, b := range before {
		rt := pick(r, routes)
		path, query := rt.path(r)
		req := z.edge(r, z.at(b.at), clientFor(r, clients, rt.method), hostShop, rt.method, path, query)
		toOrigin(r, req, ipShop2, b.status, int64(150+r.IntN(400)), "text/html", b.hdrMs)
	}

	times := make([]time.Time, crash520s)
	for i := range times {
		times[i] = between(r, z.at(crashFrom), z.at(crashTo))
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	empty := map[int]bool{}
	for len(empty) < crashEmpty {
		empty[r.IntN(crash520s)] = true
	}
	for i, t := range times {
		rt := pick(r, routes)
		path, query := rt.path(r)
		req := z.edge(r, t, clientFor(r, clients, rt.method), hostShop, rt.method, path, query)
		fate := FateMissing
		if empty[i] {
			fate = FateEmpty200
		}
		failWith520(r, req, ipShop2, true, fate)
	}

	// Two lone 520s far from the burst: keep-alive races, never logged.
	for _, at := range []time.Duration{6*time.Minute + 12*time.Second, 41*time.Minute + 30*time.Second} {
		rt := pick(r, routes)
		path, query := rt.path(r)
		req := z.edge(r, z.at(at), clientFor(r, clients, rt.method), hostShop, rt.method, path, query)
		failWith520(r, req, ipShop1, false, FateMissing)
	}
}

// relayedAt is the one api 520 that the origin itself answered.
const relayedAt = 47*time.Minute + 20*time.Second

// apiScattered520s are api.example.com's background 520s: reused
// connections the origin closed as the edge sent on them. Five lone ones
// and a near-miss cluster of four within a minute; never five within 60 s.
func (z *zone) apiScattered520s(clients []Client) {
	r := rng(z.seed, "api-scattered")
	routes := dynamicRoutes(apiRoutes)
	ats := []time.Duration{
		3*time.Minute + 40*time.Second, 11*time.Minute + 5*time.Second,
		24*time.Minute + 30*time.Second,
		28 * time.Minute, 28*time.Minute + 14*time.Second, 28*time.Minute + 31*time.Second, 28*time.Minute + 52*time.Second,
		36*time.Minute + 10*time.Second, 47*time.Minute + 20*time.Second,
	}
	for _, at := range ats {
		rt := pick(r, routes)
		path, query := rt.path(r)
		req := z.edge(r, z.at(at).Add(time.Duration(r.IntN(900))*time.Millisecond), pick(r, clients), hostAPI, rt.method, path, query)
		failWith520(r, req, ipAPI, false, FateMissing)
		if at == relayedAt {
			// The api origin proxies this route to a partner that is itself
			// behind Cloudflare: its 520 is relayed (OriginResponseStatus 520)
			// and the origin logged it.
			req.Method, req.Path, req.Query = "GET", "/v1/shipping/rates", "country=de&weight=1200"
			req.OriginStatus, req.UpstreamStat = 520, 520
			req.OriginBytes = req.Bytes - 380
			req.OriginHdrMs, req.OriginTime = 240+r.IntN(60), 260*time.Millisecond
			req.TTFBMs = req.OriginHdrMs + 4
			req.Duration = time.Duration(req.TTFBMs+2) * time.Millisecond
			req.Fate = FateLogged
		}
	}
}

// staticTraffic is static.example.com: almost all cache hits.
func (z *zone) staticTraffic(clients []Client) {
	z.baseline("static", hostStatic, 10, z.base, z.end, staticRoutes, clients,
		func(*rand.Rand, time.Time) string { return ipStatic })
	// The shop's sale sends its visitors to static too, for the sale's new
	// product images: most of them are not in the cache yet.
	z.baseline("static-sale", hostStatic, 24, z.at(saleFrom+time.Minute), z.at(stormTo), saleStaticRoutes, clients,
		func(*rand.Rand, time.Time) string { return ipStatic })
}

// timeout522 turns req into a 522: the edge waited for a SYN-ACK that never came.
func timeout522(r *rand.Rand, req *Request) {
	req.OriginIP, req.Server, req.Upstream = ipStatic, "static", ""
	req.Status, req.OriginStatus = 522, 0
	req.ContentType = "text/html"
	req.Bytes = int64(2500 + r.IntN(400))
	req.OriginTCPMs, req.OriginTLSMs, req.OriginHdrMs = 0, 0, 0
	req.OriginTime, req.OriginBytes = 0, 0
	req.TTFBMs = 19000 + r.IntN(80)
	req.Duration = time.Duration(req.TTFBMs+2) * time.Millisecond
	req.Fate = FateNone
}

// staticStorm is the 522 storm: a deploy moved static's origin behind a
// firewall rule that drops Cloudflare, while new asset URLs are cold.
// Cache hits keep being served; every miss times out.
func (z *zone) staticStorm(clients []Client) {
	r := rng(z.seed, "static-storm")
	from, to := z.at(stormFrom), z.at(stormTo)
	for _, req := range z.reqs {
		if req.Host == hostStatic && req.OriginIP != "" && !req.Time.Before(from) && req.Time.Before(to) {
			timeout522(r, req)
		}
	}
	newAssets := []string{"/assets/js/vendor.c81e44.js", "/assets/css/main.77d0b2.css", "/assets/js/checkout.0f3a9e.js"}
	for range stormNew {
		req := z.edge(r, between(r, from, to), pick(r, clients), hostStatic, "GET", pick(r, newAssets), "")
		req.Cache = "miss"
		req.Referer = "https://" + hostShop + "/"
		timeout522(r, req)
	}
}

// staticThin520s are five 520s on static spread about two minutes apart:
// as many as a burst needs, but never five within a minute.
func (z *zone) staticThin520s(clients []Client) {
	r := rng(z.seed, "static-thin")
	for i, at := range []time.Duration{40*time.Minute + 10*time.Second, 42*time.Minute + 5*time.Second,
		44 * time.Minute, 45*time.Minute + 50*time.Second, 47*time.Minute + 40*time.Second} {
		req := z.edge(r, z.at(at).Add(time.Duration(r.IntN(3000))*time.Millisecond), pick(r, clients), hostStatic, "GET",
			"/images/catalog/"+[]string{"2101", "2117", "2042", "2133", "2009"}[i]+"-960.avif", "")
		req.Cache = "miss"
		failWith520(r, req, ipStatic, false, FateNone)
	}
}
