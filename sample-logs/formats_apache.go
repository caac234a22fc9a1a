package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

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
// goes away for two minutes (502 storm) and report polls get throttled (429).
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
	l.traffic(1.5, "www.example.org", site, users)
	l.trafficIn(14, "www.example.org", site, users, l.at(18*time.Minute), l.at(30*time.Minute))
	l.traffic(1, "docs.example.org", site, users)
	l.failRoute("www.example.org", "/api/status", l.at(26*time.Minute), l.at(28*time.Minute), 502)
	l.storm(l.at(26*time.Minute), 2*time.Minute, 20, users, "www.example.org", "GET", "/api/status", 502)
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

func bytesOrDash(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
