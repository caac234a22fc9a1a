package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

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
// of them refuses connections for two and a half minutes (502 storm).
func buildTraefik(seed uint64, base time.Time) (*fileOut, error) {
	const name = "formats/traefik.log"
	const host = "orders.example.net"
	l := newSiteLog(seed, base, name, host, time.Millisecond)
	users := l.clients(30, append(slices.Clone(apiUAs), browserUAs...))
	backends := []string{"10.0.1.12:8080", "10.0.1.13:8080"}
	orderRoutes := []route{
		{weight: 30, method: "GET", path: func(r *rand.Rand) (string, string) { return "/v1/orders", fmt.Sprintf("page=%d", 1+r.IntN(5)) }, size: 8800},
		{weight: 20, method: "GET", path: func(r *rand.Rand) (string, string) { return fmt.Sprintf("/v1/orders/%d", 5500000+r.IntN(9000)), "" }, size: 1200, failPct: 4, fail: 404},
		{weight: 8, method: "POST", path: fixed("/v1/orders"), size: 700, status: 201},
	}
	l.traffic(1.5, host, orderRoutes, users)
	l.trafficIn(16, host, orderRoutes, users, l.at(7*time.Minute), l.at(15*time.Minute))
	for _, req := range l.reqs {
		req.Upstream = backends[l.r.IntN(2)]
	}
	// While backend 2 is down, every request balanced to it fails, whatever
	// its route: the upstream separates, not the path.
	downFrom, downTo := l.at(12*time.Minute), l.at(14*time.Minute+30*time.Second)
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
