package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Client is one caller: an address, a user agent and where it is.
type Client struct {
	IP        string
	UserAgent string
	Country   string
	Colo      string // the Cloudflare PoP its traffic lands on
}

var browserUAs = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}

var apiUAs = []string{
	"python-requests/2.32.3",
	"acme-sdk-go/1.8.0 (linux; amd64)",
	"okhttp/4.12.0",
	"curl/8.5.0",
	"axios/1.7.7",
	"Go-http-client/2.0",
}

var botUAs = []string{
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
}

func isBot(ua string) bool { return strings.Contains(ua, "bot") }

// clientFor picks a client for a request; crawlers only GET.
func clientFor(r *rand.Rand, clients []Client, method string) Client {
	c := pick(r, clients)
	for method != "GET" && isBot(c.UserAgent) {
		c = pick(r, clients)
	}
	return c
}

// colos pairs a Cloudflare PoP with the countries it serves and a weight.
var colos = []struct {
	code      string
	countries []string
	weight    int
	rttMs     int // TCP handshake to the origins (hosted in Frankfurt)
}{
	{"FRA", []string{"de", "at", "ch"}, 30, 2},
	{"AMS", []string{"nl", "be"}, 15, 7},
	{"LHR", []string{"gb", "ie"}, 15, 14},
	{"CDG", []string{"fr"}, 12, 9},
	{"IAD", []string{"us"}, 12, 88},
	{"SJC", []string{"us"}, 6, 148},
	{"SIN", []string{"sg", "my"}, 5, 162},
	{"NRT", []string{"jp"}, 5, 231},
}

func coloRTT(code string) int {
	for _, c := range colos {
		if c.code == code {
			return c.rttMs
		}
	}
	return 20
}

// newClients makes n clients with addresses from the documentation ranges
// (203.0.113.0/24 and 2001:db8::/32), so no real address appears.
func newClients(r *rand.Rand, n int, uas []string) []Client {
	weights := make([]int, len(colos))
	for i, c := range colos {
		weights[i] = c.weight
	}
	out := make([]Client, n)
	for i := range out {
		c := colos[weighted(r, weights)]
		var ip string
		if r.IntN(4) == 0 {
			ip = fmt.Sprintf("2001:db8:%x:%x::%x", r.IntN(0xffff), r.IntN(0xffff), 1+r.IntN(0xfff))
		} else {
			ip = fmt.Sprintf("203.0.113.%d", 1+r.IntN(254))
		}
		out[i] = Client{IP: ip, UserAgent: pick(r, uas), Country: pick(r, c.countries), Colo: c.code}
	}
	return out
}

// cfEgress is a Cloudflare egress address as an origin sees it. These are
// Cloudflare's published ranges, which is what a real origin log shows.
func cfEgress(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return fmt.Sprintf("172.70.%d.%d", 80+r.IntN(60), 1+r.IntN(254))
	}
	return fmt.Sprintf("162.158.%d.%d", 80+r.IntN(60), 1+r.IntN(254))
}
