package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

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
	assetRoutes := []route{
		{weight: 30, method: "GET", path: fixed("/js/site.4c1d.js"), ctype: "application/javascript", size: 88000},
		{weight: 30, method: "GET", path: func(r *rand.Rand) (string, string) { return fmt.Sprintf("/img/%d.jpg", 100+r.IntN(80)), "" }, ctype: "image/jpeg", size: 120000, failPct: 2, fail: 404},
		{weight: 10, method: "GET", path: fixed("/index.html"), ctype: "text/html", size: 9000},
	}
	l.traffic(2, host, assetRoutes, users)
	l.trafficIn(22, host, assetRoutes, users, l.at(33*time.Minute), l.at(45*time.Minute))
	for _, req := range l.reqs {
		req.Cache = []string{"Hit", "Hit", "Hit", "Hit", "Miss", "RefreshHit"}[l.r.IntN(6)]
	}
	for _, req := range l.storm(l.at(41*time.Minute), 2*time.Minute, 20, users, host, "GET", "/img/new-collection.jpg", 504) {
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
