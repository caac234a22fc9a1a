package samplelogs

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

const scenBusy = "busy.example.com"

// steady502 is the busy host for span: too many lines to hold, so its
// Logpush file is streamed (the same bytes on every write).
func steady502(span time.Duration) func(w *world) {
	return func(w *world) { buildSteady502(w, span) }
}

func buildSteady502(w *world, span time.Duration) {
	perSec := w.uniform(50, 70)
	share502, share504 := w.uniform(0.004, 0.006), w.uniform(0.0015, 0.0025)
	ips := w.originIPs(0, 3, false)
	seed, base, style := w.seed, w.base, w.style
	name := w.name + "/http_requests.log"
	w.files = append(w.files, ScenarioFile{Name: name, Format: "cloudflare", stream: func(out io.Writer) error {
		return streamSteady(out, seed, base, span, perSec, share502, share504, ips, style)
	}})
	w.truth.Quiet = append(w.truth.Quiet,
		QuietOrigin{Origin: scenBusy, Status: 502, Note: fmt.Sprintf("steady %.2f%% 502 at %.0f requests/s for %v", share502*100, perSec, span)},
		QuietOrigin{Origin: scenBusy, Status: 504, Note: fmt.Sprintf("steady %.2f%% 504", share504*100)})
}

// streamSteady writes the steady host's requests in time order, reusing
// one request and one buffer, so memory stays flat whatever the length.
func streamSteady(out io.Writer, seed uint64, base time.Time, span time.Duration, perSec, share502, share504 float64, ips []string, style TimeStyle) error {
	r := rng(seed, "scenario/storm-steady-502/stream")
	clients := scenarioClients(r, 800)
	weights := make([]int, len(apiSite))
	for i, rt := range apiSite {
		weights[i] = rt.weight
	}
	buf := make([]byte, 0, 1<<20)
	var req Request
	for t, end := base, base.Add(span); ; {
		t = t.Add(time.Duration(r.ExpFloat64() / perSec * float64(time.Second)))
		if !t.Before(end) {
			break
		}
		rt := apiSite[weighted(r, weights)]
		path, query := rt.path(r)
		c := clientFor(r, clients, rt.method)
		req = Request{Time: t.Truncate(time.Millisecond), Host: scenBusy, ClientIP: c.IP, Country: c.Country,
			UserAgent: c.UserAgent, Method: rt.method, Path: path, Query: query, Protocol: pick(r, []string{"HTTP/1.1", "HTTP/2", "HTTP/2", "HTTP/3"}),
			RayID: hexID(r, 16), Colo: c.Colo, EdgeServerIP: fmt.Sprintf("172.68.%d.%d", 100+r.IntN(40), 1+r.IntN(254))}
		size := int64(jitter(r, time.Duration(rt.size), 0.3))
		status := cmpOr(rt.status, 200)
		if rt.hitPct > 0 && r.IntN(100) < rt.hitPct {
			hit(r, &req, status, int(size), rt.ctype)
		} else {
			if rt.hitPct > 0 {
				req.Cache = "miss"
			}
			req.OriginIP = pick(r, ips)
			answer(r, &req, status, size, rt.ctype, rt.hdrMs)
			switch p := r.Float64(); {
			case p < share502:
				relay5xx(r, &req, 502, r.IntN(4))
			case p < share502+share504:
				relay5xx(r, &req, 504, 30000+r.IntN(200))
			}
		}
		buf = append(AppendCloudflare(buf, &req, style), '\n')
		if len(buf) > cap(buf)-4096 {
			if _, err := out.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := out.Write(buf)
	return err
}

func buildStormJump(w *world) {
	w.end = w.base.Add(time.Duration(w.uniform(50, 70)) * time.Minute)
	ips := w.originIPs(0, 2, false)
	share502 := w.uniform(0.004, 0.006)
	route := pick(w.r, []string{"/v2/search", "/v2/items/{id}", "/v2/orders/{id}"})
	from := w.end.Add(-w.minutes(15, 25))
	to := from.Add(w.minutes(5, 10))
	// The jump first, so it claims its route's requests before the steady
	// background 502s do.
	w.addFault(&fault{host: scenAPI, kind: "burst_5xx", status: 502, from: from, to: to,
		match: func(_ *Request, rt sroute) bool { return rt.tmpl == route },
		share: constShare(w.uniform(0.7, 1)),
		apply: func(r *rand.Rand, req *Request) { relay5xx(r, req, 502, r.IntN(5)) },
		expect: &ExpectedFinding{Cause: "route-failing", Dimension: "route", Values: []string{route},
			Note: "the route's 502 share jumps from the origin's steady ~0.5% to most of its requests"}})
	w.addFault(&fault{host: scenAPI, kind: "burst_5xx", status: 502, from: w.base, to: w.end,
		share: constShare(share502), apply: func(r *rand.Rand, req *Request) { relay5xx(r, req, 502, r.IntN(5)) }})
	w.addFault(&fault{host: scenAPI, kind: "burst_5xx", status: 504, from: w.base, to: w.end,
		share: constShare(w.uniform(0.0015, 0.0025)), apply: func(r *rand.Rand, req *Request) { relay5xx(r, req, 504, 30000+r.IntN(200)) }})
	w.truth.Quiet = append(w.truth.Quiet, QuietOrigin{Origin: scenAPI, Status: 504, Note: "steady 0.2% 504"},
		QuietOrigin{Origin: scenAPI, Status: 502, Note: "steady 0.5% 502 outside the jump"})
	w.traffic(site{host: scenAPI, ips: ips, routes: apiSite, perMin: w.uniform(450, 650)})
}

// NginxUpstreamFormat is the log_format of the nginx upstream scenario:
// combined plus the upstream timing fields (the "upstream_time" format of
// nginx's own blog), no $host.
const NginxUpstreamFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" ua="$upstream_addr" us="$upstream_status"`

// upstreamLine is one request through the nginx load balancer.
type upstreamLine struct {
	req      *Request
	upstream string
	connMs   int // -1: no connection ("-")
	hdrMs    int // -1: no header ("-")
}

func buildNginxUpstream(w *world) {
	r := rng(w.seed, w.name+"/traffic")
	var ups []string
	first := 11 + w.r.IntN(50)
	for i := range 3 + w.r.IntN(2) {
		ups = append(ups, fmt.Sprintf("10.0.1.%d:8080", first+i))
	}
	bad := pick(w.r, ups)
	from, to := w.spell(4, 10)
	perMin, base502 := w.uniform(300, 450), w.uniform(0.002, 0.004)
	name := w.name + "/access.log"
	weights := make([]int, len(apiSite))
	for i, rt := range apiSite {
		weights[i] = rt.weight
	}
	var lines []upstreamLine
	var failed []time.Time
	for t := w.base; ; {
		t = t.Add(time.Duration(r.ExpFloat64() / (perMin / 60) * float64(time.Second)))
		if !t.Before(w.end) {
			break
		}
		rt := apiSite[weighted(r, weights)]
		path, query := rt.path(r)
		c := clientFor(r, w.clients, rt.method)
		req := &Request{Time: t.Truncate(time.Millisecond), ClientIP: c.IP, UserAgent: c.UserAgent, Method: rt.method,
			Path: path, Query: query, Protocol: pick(r, []string{"HTTP/1.1", "HTTP/2.0"}), Colo: c.Colo}
		up := pick(r, ups)
		answer(r, req, cmpOr(rt.status, 200), int64(jitter(r, time.Duration(rt.size), 0.3)), rt.ctype, rt.hdrMs)
		l := upstreamLine{req: req, upstream: up, connMs: r.IntN(2), hdrMs: req.OriginHdrMs}
		inSpan := !t.Before(from) && t.Before(to)
		switch {
		case inSpan && up == bad:
			// connect() failed (111: Connection refused) while connecting to upstream
			req.Status, req.OriginStatus, req.OriginBytes = 502, 502, 157
			req.OriginTime = time.Duration(r.IntN(2)) * time.Millisecond
			l.connMs, l.hdrMs = -1, -1
			failed = append(failed, req.Time)
		case r.Float64() < base502:
			req.Status, req.OriginStatus, req.OriginBytes = 502, 502, 157
			l.hdrMs = -1
		}
		lines = append(lines, l)
	}
	var out []byte
	for _, l := range lines {
		out = appendNginxUpstream(out, l)
	}
	w.files = append(w.files, ScenarioFile{Name: name, Format: "nginx:" + NginxUpstreamFormat, Data: out})
	e := ExpectedFinding{Kind: "burst_5xx", Origin: name, Status: 502, Cause: "servers-failing", Dimension: "upstream",
		Values: []string{bad}, Failures: len(failed),
		Note: "one upstream refuses connections: every request nginx sends there is a 502, the others answer"}
	if len(failed) > 0 {
		e.Start, e.End = failed[0], failed[len(failed)-1]
		for _, l := range lines {
			if !l.req.Time.Before(e.Start) && !l.req.Time.After(e.End) {
				e.Requests++
			}
		}
	}
	w.truth.Expected = append(w.truth.Expected, e)
	w.truth.Quiet = append(w.truth.Quiet, QuietOrigin{Origin: name, Status: 502,
		Note: fmt.Sprintf("steady %.1f%% 502 on every upstream outside the planted span", base502*100)})
}

func appendMs(b []byte, ms int) []byte {
	if ms < 0 {
		return append(b, '-')
	}
	return strconv.AppendFloat(b, float64(ms)/1000, 'f', 3, 64)
}

func appendNginxUpstream(b []byte, l upstreamLine) []byte {
	r := l.req
	b = append(b, r.ClientIP...)
	b = append(b, " - - ["...)
	b = appendCLFTime(b, r.Time, time.UTC)
	b = append(b, "] \""...)
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = append(b, r.URI()...)
	b = append(b, ' ')
	b = append(b, r.Protocol...)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, r.OriginBytes, 10)
	b = append(b, " \""...)
	b = append(b, orDash(r.Referer)...)
	b = append(b, "\" \""...)
	b = append(b, orDash(r.UserAgent)...)
	b = append(b, "\" rt="...)
	b = appendSeconds(b, r.OriginTime+time.Millisecond)
	b = append(b, " uct=\""...)
	b = appendMs(b, l.connMs)
	b = append(b, "\" uht=\""...)
	b = appendMs(b, l.hdrMs)
	b = append(b, "\" urt=\""...)
	b = appendSeconds(b, r.OriginTime)
	b = append(b, "\" ua=\""...)
	b = append(b, l.upstream...)
	b = append(b, "\" us=\""...)
	b = strconv.AppendInt(b, int64(r.OriginStatus), 10)
	return append(b, "\"\n"...)
}
