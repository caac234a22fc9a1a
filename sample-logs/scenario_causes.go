package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Hosts of the scenarios.
const (
	scenShop = "shop.example.com"
	scenAPI  = "api.example.net"
)

var scenarioList = []Scenario{
	{Name: "colo-blocked", Signature: "a proper subset of data centres (EdgeColoCode) fails on ~every request, the others on none", Rows: "2 (firewall / rate limit on some Cloudflare ranges)", Cause: "colo-blocked", build: buildColoBlocked,
		Description: "A firewall at the origin starts resetting the Cloudflare ranges of one to three data centres: every request through them gets a fast 520, the other data centres stay healthy."},
	{Name: "servers-failing", Signature: "a proper subset of origin IPs (OriginIP) fails on ~every request, the others on none", Rows: "1 (some servers crash)", Cause: "servers-failing", build: buildServersFailing,
		Description: "One or two of the origin IPs crash and reset every request; the other origin IPs answer normally."},
	{Name: "route-failing", Signature: "one route template fails on ~every request, all other routes are healthy", Rows: "3 (headers over 128 KB on that route)", Cause: "route-failing", build: buildRouteFailing,
		Description: "A release makes one route set cookies past the 128 KB header limit: every request on that route gets a 520, every other route is fine."},
	{Name: "zone-change", Signature: "step: ~0% before T, ~100% from T on every colo, IP and route; fresh connections, fast", Rows: "6, 7 (HTTP/2 to Origin, Authenticated Origin Pulls, origin TLS)", Cause: "zone-change", build: buildZoneChange,
		Description: "HTTP/2 to Origin is turned on for an origin whose h2 is broken: from one moment on every request fails fast on a fresh connection, until it is turned off."},
	{Name: "crash-overload", Signature: "header waits rise and 502/504/500 appear in the minutes before, then 60-90% fail on every value, fresh connections", Rows: "1 (crash / overload)", Cause: "crash-overload", build: buildCrashOverload,
		Description: "A traffic surge slows the origin (header waits rise), a few 502/504/500 come first, then the workers crash and most requests get 520s everywhere."},
	{Name: "keepalive-race", Signature: "trickle: 2-4% of reused connections (TCP handshake 0) fail within ms all through the file; new connections never", Rows: "8 (keep-alive / idle timeout race)", Cause: "keepalive-race", build: buildKeepaliveRace,
		Description: "The origin closes idle keep-alive connections sooner than Cloudflare expects: a low, steady share of requests on reused connections fails within milliseconds, all through the file."},
	{Name: "app-died", Signature: "failures waited >= 5 s for headers (OriginResponseHeaderReceiveDurationMs), healthy requests < 2 s", Rows: "1 (PHP fatal, OOM kill mid-request)", Cause: "app-died", build: buildAppDied,
		Description: "PHP workers hit the memory limit mid-request: a share of dynamic requests waits 5 to 45 s for headers and then gets a 520; healthy requests answer in milliseconds."},
	{Name: "malformed-reply", Signature: "20-50% fail on every value; the origin log joined by CF-Ray has them as 200 with 0 bytes or its own 500/502", Rows: "4, 5 (empty / malformed reply, no proper headers)", Cause: "malformed-reply", build: buildMalformedReply,
		Description: "The origin answers a share of requests with an empty or headerless reply: its own nginx log (joined by CF-Ray) shows them as 200 with 0 bytes or as its own 500/502."},
	{Name: "origin-not-reached", Signature: "step on every value, fresh connections, fast; the origin log (health checks still written) has none of the failing RayIDs", Rows: "2 (firewall drops all), 9 (reset after handshake)", Cause: "origin-not-reached", build: buildOriginNotReached,
		Description: "A firewall change resets every Cloudflare connection right after the handshake: all requests fail fast on fresh connections and the origin's log (still writing health checks) never sees them."},
	{Name: "relayed-520", Signature: "OriginResponseStatus 520 on the failures: the upstream sent the 520", Rows: "section 2: relayed 520 (O2O / chained proxy)", Cause: "relayed-520", build: buildRelayed520,
		Description: "The origin is a proxy in front of another Cloudflare zone that is failing: the 520s come from upstream (OriginResponseStatus 520)."},
	{Name: "many-origins", Signature: "3-4 hosts on different origin IPs fail in the same minutes, 30-60% on every value", Rows: "section 2: many origins at once (Cloudflare / network side)", Cause: "many-origins", build: buildManyOrigins,
		Description: "Three or four hosts with different origins fail in the same minutes, on every data centre and route: the trouble is between Cloudflare and the origins, not in one origin."},
	{Name: "origin-wide", Signature: "25-60% fail on every value of every dimension; no step, no precursor, no join, not relayed", Rows: "fallback (low confidence)", Cause: "origin-wide", build: buildOriginWide,
		Description: "An origin fails a share of requests on every value of every dimension, with no step, no precursor, no origin log and no relayed status: nothing separates."},
	{Name: "servers-failing-background", Signature: "servers-failing plus scattered 520s (< 5 a minute) on every IP all through the file", Rows: "1 + noise", Cause: "servers-failing", build: buildServersBackground,
		Description: "Noise: one origin IP of four fails while scattered background 520s (never five in a minute) run all through the file on every origin IP."},
	{Name: "two-origins", Signature: "shop: colo-blocked; api: servers-failing, overlapping in time (not many-origins)", Rows: "2 and 1 at once", Cause: "colo-blocked", build: buildTwoOrigins,
		Description: "Noise: at the same time, shop fails in some data centres (a firewall) and the api fails on one of its origin IPs (a crash): two findings, two different causes."},
	{Name: "minority-colo", Signature: "colo-blocked on one data centre with ~5% of the traffic", Rows: "2, on a minority", Cause: "colo-blocked", build: buildMinorityColo,
		Description: "Noise: the cause is on a minority of traffic: one small data centre (about 5% of requests) is blocked."},
	{Name: "storm-steady-502", Signature: "60 requests/s for 4 h, 0.5% 502 and 0.2% 504 throughout: no storm of warning+", Rows: "issue 8 section 3 (steady rate)", build: steady502(4 * time.Hour), Heavy: true,
		Description: "A busy host at about 60 requests/s for 4 h (about 860,000 lines, streamed) with a steady 0.5% 502 and 0.2% 504 from its own backend: nothing changes, so no storm."},
	{Name: "storm-steady-502-30m", Signature: "the steady host for 30 minutes: no storm of warning+", Rows: "issue 8 section 3 (steady rate)", build: steady502(30 * time.Minute),
		Description: "The steady busy host for 30 minutes (about 108,000 lines): 60 requests/s, a steady 0.5% 502 and 0.2% 504: no storm."},
	{Name: "storm-502-jump", Signature: "steady 0.5% 502, then one route at 70-100% 502 for 5-10 min: a 502 storm", Rows: "502 storm; route-failing", Cause: "route-failing", build: buildStormJump,
		Description: "A host with a steady 0.5% 502 for an hour, then one route's backend breaks: most of that route's requests get 502 for some minutes: a storm."},
	{Name: "storm-nginx-upstream", Signature: "nginx upstream log without host: one $upstream_addr has every request 502 (connect refused), the others answer", Rows: "502 storm; servers-failing", Cause: "servers-failing", build: buildNginxUpstream,
		Description: "nginx with upstream fields ($upstream_addr, $upstream_status, no host): one of its upstreams refuses connections and every request sent there is a 502."},
}

// background adds the healthy API host that shares the zone.
func (w *world) background() {
	w.traffic(site{host: scenAPI, ips: w.originIPs(4, 2, false), routes: apiSite, perMin: w.uniform(50, 90)})
}

// spell returns a fault span starting 12-22 minutes in, lasting lo-hi minutes.
func (w *world) spell(lo, hi float64) (time.Time, time.Time) {
	from := w.at(w.minutes(12, 22))
	return from, from.Add(w.minutes(lo, hi))
}

func fast520(r *rand.Rand, req *Request) { break520(r, req, "", fastMs(r), 0, FateMissing) }

func buildColoBlocked(w *world) {
	ips := w.originIPs(0, 2+w.r.IntN(2), false)
	blocked := w.pickColos(1+w.r.IntN(3), false)
	from, to := w.spell(5, 12)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		match: func(req *Request, _ sroute) bool { return slices.Contains(blocked, req.Colo) },
		share: constShare(w.uniform(0.93, 1)), apply: fast520,
		expect: &ExpectedFinding{Cause: "colo-blocked", Dimension: "colo", Values: blocked,
			Note: "the blocked data centres fail on about every request, the others on none"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(180, 300)})
	w.background()
}

func (w *world) failingServers(ips []string) []string {
	n := 1
	if len(ips) > 3 && w.r.IntN(2) == 0 {
		n = 2
	}
	bad := slices.Clone(ips)
	w.r.Shuffle(len(bad), func(i, j int) { bad[i], bad[j] = bad[j], bad[i] })
	bad = bad[:n]
	slices.Sort(bad)
	return bad
}

func buildServersFailing(w *world) {
	ips := w.originIPs(0, 3+w.r.IntN(3), false)
	bad := w.failingServers(ips)
	from, to := w.spell(4, 10)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		match: func(req *Request, _ sroute) bool { return slices.Contains(bad, req.OriginIP) },
		share: constShare(w.uniform(0.9, 1)), apply: fast520,
		expect: &ExpectedFinding{Cause: "servers-failing", Dimension: "upstream", Values: bad,
			Note: "the failing origin IPs fail on about every request, the others on none"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(180, 300)})
	w.background()
}

func buildRouteFailing(w *world) {
	ips := w.originIPs(0, 2, false)
	candidates := []string{"/account/{id}/orders", "/category/{id}", "/api/v1/stock/{id}", "/search"}
	route := pick(w.r, candidates)
	from, to := w.spell(5, 12)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		match: func(_ *Request, rt sroute) bool { return rt.tmpl == route },
		share: constShare(w.uniform(0.95, 1)),
		apply: func(r *rand.Rand, req *Request) {
			// The app answered (a normal header wait), but with headers
			// over the limit: Cloudflare drops the reply.
			break520(r, req, "", req.OriginHdrMs, 0, FateNone)
		},
		expect: &ExpectedFinding{Cause: "route-failing", Dimension: "route", Values: []string{route},
			Note: "every request on the route fails, every other route is fine"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(180, 300)})
	w.background()
}

func buildZoneChange(w *world) {
	ips := w.originIPs(0, 1+w.r.IntN(2), false)
	from, to := w.spell(6, 14)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		share: constShare(w.uniform(0.98, 1)),
		apply: func(r *rand.Rand, req *Request) { break520(r, req, "new", fastMs(r), 0, FateNone) },
		expect: &ExpectedFinding{Cause: "zone-change", StepAt: from,
			Note: "about none failing before the change, about all from it, on every data centre, IP and route, on fresh connections"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(180, 300)})
	w.background()
}

// ramp is 0 before from, 1 at to and after, linear between.
func ramp(t, from, to time.Time) float64 {
	switch {
	case t.Before(from):
		return 0
	case !t.Before(to):
		return 1
	}
	return float64(t.Sub(from)) / float64(to.Sub(from))
}

func buildCrashOverload(w *world) {
	ips := w.originIPs(0, 1+w.r.IntN(2), false)
	crash, end := w.spell(3, 8)
	surge, slowBy, errShare := w.uniform(1.6, 2.6), w.uniform(6, 15), w.uniform(0.03, 0.07)
	rampFrom := crash.Add(-w.minutes(5, 7))
	// The precursors: the origin's own 502/504/500 as it saturates.
	w.addFault(&fault{host: scenShop, kind: "burst_5xx", status: 502, from: rampFrom, to: crash,
		share: func(t time.Time) float64 { return errShare * ramp(t, rampFrom, crash) },
		apply: func(r *rand.Rand, req *Request) {
			relay5xx(r, req, pick(r, []int{502, 502, 504, 500}), req.OriginHdrMs)
		}})
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: crash, to: end,
		share: constShare(w.uniform(0.6, 0.9)),
		apply: func(r *rand.Rand, req *Request) { break520(r, req, "new", fastMs(r), 0, FateNone) },
		expect: &ExpectedFinding{Cause: "crash-overload",
			Note: "header waits and 5xx rise in the minutes before, then failures on every value"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(250, 350),
		load: func(t time.Time) float64 { return 1 + (surge-1)*ramp(t, rampFrom.Add(-2*time.Minute), rampFrom) },
		slow: func(t time.Time) float64 {
			if !t.Before(end) {
				return 1
			}
			return 1 + (slowBy-1)*ramp(t, rampFrom, crash)
		}})
	w.background()
}

func buildKeepaliveRace(w *world) {
	ips := w.originIPs(0, 2+w.r.IntN(2), false)
	w.end = w.base.Add(30 * time.Minute)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: w.base, to: w.end,
		match: func(req *Request, _ sroute) bool { return req.OriginTCPMs == 0 },
		share: constShare(w.uniform(0.02, 0.04)),
		apply: func(r *rand.Rand, req *Request) { break520(r, req, "reused", r.IntN(3), 0, FateNone) },
		expect: &ExpectedFinding{Cause: "keepalive-race", Dimension: "connection", Values: []string{"reused"},
			Note: "a low steady share all through the file, only on reused connections, in milliseconds"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(700, 950)})
	w.background()
}

func buildAppDied(w *world) {
	ips := w.originIPs(0, 2, false)
	from, to := w.spell(4, 10)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		match: func(_ *Request, rt sroute) bool { return rt.dynamic() },
		share: constShare(w.uniform(0.2, 0.45)),
		apply: func(r *rand.Rand, req *Request) { break520(r, req, "", 5000+r.IntN(40000), 0, FateNone) },
		expect: &ExpectedFinding{Cause: "app-died", Dimension: "header_wait", Values: []string{">=5s"},
			Note: "failures waited 5 s or more for headers, healthy requests did not"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(180, 300)})
	w.background()
}

func buildMalformedReply(w *world) {
	ips := w.originIPs(0, 2, true)
	from, to := w.spell(5, 12)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		match: func(_ *Request, rt sroute) bool { return rt.dynamic() },
		share: constShare(w.uniform(0.2, 0.5)),
		apply: func(r *rand.Rand, req *Request) {
			if r.IntN(4) > 0 {
				break520(r, req, "", req.OriginHdrMs, 0, FateEmpty200)
				return
			}
			// The app's own error page went out without a status line.
			break520(r, req, "", req.OriginHdrMs, 0, FateLogged)
			req.OriginLogStatus, req.OriginBytes = pick(r, []int{500, 502}), int64(180+r.IntN(400))
		},
		expect: &ExpectedFinding{Cause: "malformed-reply",
			Note: "the origin's log has the failing requests (by CF-Ray) as 200 with 0 bytes or its own 5xx"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(180, 280)})
	w.background()
}

func buildOriginNotReached(w *world) {
	ips := w.originIPs(0, 1+w.r.IntN(2), true)
	from, to := w.spell(6, 14)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		share: constShare(w.uniform(0.98, 1)),
		apply: func(r *rand.Rand, req *Request) { break520(r, req, "new", r.IntN(3), 0, FateMissing) },
		expect: &ExpectedFinding{Cause: "origin-not-reached", StepAt: from,
			Note: "every request fails fast on a fresh connection and the origin's log (health checks still written) has none of them"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(180, 280)})
	w.background()
}

func buildRelayed520(w *world) {
	ips := w.originIPs(0, 1+w.r.IntN(2), false)
	from, to := w.spell(5, 12)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		share: constShare(w.uniform(0.3, 0.6)),
		apply: func(r *rand.Rand, req *Request) {
			break520(r, req, "", 80+r.IntN(400), 520, FateNone)
			req.OriginBytes = req.Bytes - 380
		},
		expect: &ExpectedFinding{Cause: "relayed-520",
			Note: "OriginResponseStatus is 520: the upstream sent it"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(180, 280)})
	w.background()
}

var manyHosts = []string{scenShop, scenAPI, "blog.example.com", "docs.example.com"}

func buildManyOrigins(w *world) {
	from, to := w.spell(4, 9)
	hosts := manyHosts[:3+w.r.IntN(2)]
	for k, host := range hosts {
		start := from.Add(time.Duration(w.r.IntN(20)) * time.Second)
		w.addFault(&fault{host: host, kind: "burst_520", status: 520, from: start, to: to,
			share: constShare(w.uniform(0.3, 0.6)), apply: fast520,
			expect: &ExpectedFinding{Cause: "many-origins",
				Note: fmt.Sprintf("%d hosts on different origins fail in the same minutes, on every value", len(hosts))}})
		routes := shopSite
		if k%2 == 1 {
			routes = apiSite
		}
		w.traffic(site{host: host, ips: w.originIPs(k, 2, false), routes: routes, perMin: w.uniform(200, 300)})
	}
}

func buildOriginWide(w *world) {
	ips := w.originIPs(0, 1+w.r.IntN(2), false)
	from, to := w.spell(5, 12)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		share: constShare(w.uniform(0.25, 0.6)),
		apply: func(r *rand.Rand, req *Request) { break520(r, req, "", req.OriginHdrMs, 0, FateNone) },
		expect: &ExpectedFinding{Cause: "origin-wide",
			Note: "a share of requests fails on every value of every dimension: nothing separates"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(180, 280)})
	w.background()
}

// backgroundNoise adds scattered 520s on host at about perMin a minute
// (never dense enough for a burst): lone keep-alive races and resets.
func (w *world) backgroundNoise(host string, perMin, boundPerMin float64) {
	w.addFault(&fault{host: host, kind: "burst_520", status: 520, from: w.base, to: w.end,
		share: constShare(perMin / boundPerMin), apply: fast520})
	w.truth.Quiet = append(w.truth.Quiet, QuietOrigin{Origin: host, Status: 520,
		Note: "background 520s outside the planted span raise no burst"})
}

func buildServersBackground(w *world) {
	ips := w.originIPs(0, 4, false)
	bad := w.failingServers(ips)
	from, to := w.spell(4, 10)
	perMin := w.uniform(180, 300)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		match: func(req *Request, _ sroute) bool { return slices.Contains(bad, req.OriginIP) },
		share: constShare(w.uniform(0.9, 1)), apply: fast520,
		expect: &ExpectedFinding{Cause: "servers-failing", Dimension: "upstream", Values: bad,
			Note: "the failing origin IPs fail on about every request; background 520s are on every IP"}})
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: w.base, to: w.end,
		share: constShare(w.uniform(0.2, 0.4) / (perMin * 0.55)), apply: fast520})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: perMin})
	w.background()
}

func buildTwoOrigins(w *world) {
	shopIPs := w.originIPs(0, 2, false)
	apiIPs := w.originIPs(1, 3, false)
	blocked := w.pickColos(1+w.r.IntN(2), false)
	from, to := w.spell(5, 10)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		match: func(req *Request, _ sroute) bool { return slices.Contains(blocked, req.Colo) },
		share: constShare(w.uniform(0.93, 1)), apply: fast520,
		expect: &ExpectedFinding{Cause: "colo-blocked", Dimension: "colo", Values: blocked,
			Note: "shop: the blocked data centres fail, the others do not"}})
	bad := w.failingServers(apiIPs)
	apiFrom := from.Add(time.Duration(w.r.IntN(180)-60) * time.Second)
	w.addFault(&fault{host: scenAPI, kind: "burst_520", status: 520, from: apiFrom, to: apiFrom.Add(w.minutes(4, 9)),
		match: func(req *Request, _ sroute) bool { return slices.Contains(bad, req.OriginIP) },
		share: constShare(w.uniform(0.9, 1)), apply: fast520,
		expect: &ExpectedFinding{Cause: "servers-failing", Dimension: "upstream", Values: bad,
			Note: "api: the failing origin IP fails, the others do not, at the same time as shop's trouble"}})
	w.traffic(site{host: scenShop, ips: shopIPs, routes: shopSite, perMin: w.uniform(180, 280)})
	w.traffic(site{host: scenAPI, ips: apiIPs, routes: apiSite, perMin: w.uniform(250, 350)})
}

func buildMinorityColo(w *world) {
	ips := w.originIPs(0, 2+w.r.IntN(2), false)
	blocked := w.pickColos(1, true)
	from, to := w.spell(6, 12)
	w.addFault(&fault{host: scenShop, kind: "burst_520", status: 520, from: from, to: to,
		match: func(req *Request, _ sroute) bool { return slices.Contains(blocked, req.Colo) },
		share: constShare(w.uniform(0.93, 1)), apply: fast520,
		expect: &ExpectedFinding{Cause: "colo-blocked", Dimension: "colo", Values: blocked,
			Note: "one small data centre (about 5% of traffic) fails, the rest do not"}})
	w.traffic(site{host: scenShop, ips: ips, routes: shopSite, perMin: w.uniform(650, 850)})
	w.background()
}
