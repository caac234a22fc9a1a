package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"time"
)

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
	l.traffic(2, "", webAppRoutes, users)
	l.trafficIn(13, "", webAppRoutes, users, l.at(30*time.Minute), l.at(42*time.Minute))
	l.failRoute("", "/api/v2/search", l.at(38*time.Minute), l.at(40*time.Minute), 504)
	l.storm(l.at(38*time.Minute), 2*time.Minute, 24, users, "", "POST", "/api/v2/search", 504)
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
