package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

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
