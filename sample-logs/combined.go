package samplelogs

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// combinedPools are the precomputed strings the big-file generator draws
// from, so a line costs a few appends and no formatting.
type combinedPools struct {
	ips, paths, referers, uas []string
	routes                    []int // the template index of each path
	statuses                  []int
	statusWeights             []int
}

// Path templates of the combined file, by index (see newCombinedPools).
const (
	combinedSearch = 3 // /search
	combinedOrders = 8 // /api/v1/orders/{id}
)

func newCombinedPools(r *rand.Rand) *combinedPools {
	p := &combinedPools{}
	for i := range 1500 {
		switch i % 4 {
		case 0:
			p.ips = append(p.ips, fmt.Sprintf("203.0.113.%d", 1+r.IntN(254)))
		case 1:
			p.ips = append(p.ips, fmt.Sprintf("198.51.100.%d", 1+r.IntN(254)))
		case 2:
			p.ips = append(p.ips, fmt.Sprintf("192.0.2.%d", 1+r.IntN(254)))
		default:
			p.ips = append(p.ips, fmt.Sprintf("2001:db8:%x::%x", r.IntN(0xffff), 1+r.IntN(0xfff)))
		}
	}
	templates := []func() string{
		func() string { return "/" },
		func() string { return "/products/" + pick(r, productSlugs) },
		func() string { return fmt.Sprintf("/category/%s?page=%d", pick(r, categories), 1+r.IntN(9)) },
		func() string { return "/search?q=" + pick(r, searches) },
		func() string { return fmt.Sprintf("/img/products/%d.webp", 1000+r.IntN(4000)) },
		func() string { return "/static/js/app.91ac2e.js" },
		func() string { return "/static/css/site.3e1f0a.css" },
		func() string { return fmt.Sprintf("/api/v1/products/%d", 10000+r.IntN(90000)) },
		func() string { return fmt.Sprintf("/api/v1/orders/%d", 5500000+r.IntN(900000)) },
		func() string { return "/api/v1/cart" },
		func() string { return fmt.Sprintf("/blog/2026/%02d/%s", 1+r.IntN(11), pick(r, productSlugs)) },
		func() string { return "/favicon.ico" },
		func() string { return "/robots.txt" },
	}
	for range 3000 {
		k := r.IntN(len(templates))
		p.paths = append(p.paths, templates[k]())
		p.routes = append(p.routes, k)
	}
	p.referers = []string{"-", "-", "-", "https://www.example.com/", "https://www.google.com/", "https://www.example.com/products/linen-shirt"}
	p.uas = append(append([]string{"curl/8.5.0", "python-requests/2.32.3", "Go-http-client/1.1", "okhttp/4.12.0"}, browserUAs...), botUAs...)
	p.statuses = []int{200, 304, 404, 301, 302, 206, 201, 202, 401, 403, 499, 500, 502, 503, 504}
	p.statusWeights = []int{8150, 600, 400, 120, 150, 60, 80, 60, 90, 60, 60, 50, 40, 40, 40}
	return p
}

// WriteCombined writes n nginx combined lines, deterministic for a seed,
// starting at DefaultBase with about 12 lines a second: a realistic mix of
// paths (a few hot, a long tail), user agents, referers and statuses,
// about 180 bytes a line, with steady 5xx rates and, from 100,000 lines
// on, three planted storms (see CombinedTruth). It returns the bytes
// written.
func WriteCombined(w io.Writer, n int, seed uint64) (int64, error) {
	written, _, err := WriteCombinedTruth(w, n, seed)
	return written, err
}

// WriteCombinedTruth is WriteCombined that also returns the truth of what
// it planted.
func WriteCombinedTruth(w io.Writer, n int, seed uint64) (int64, CombinedTruth, error) {
	r := rng(seed, "combined")
	p := newCombinedPools(r)
	storms := plantCombinedStorms(n)
	var (
		buf      = make([]byte, 0, 1<<20)
		written  int64
		t              = DefaultBase
		lastSec  int64 = -1
		stamp    []byte
		cumW     = cumulative(p.statusWeights)
		totalW   = cumW[len(cumW)-1]
		nPaths   = len(p.paths)
		nIPs     = len(p.ips)
		nUAs     = len(p.uas)
		nRefs    = len(p.referers)
		protocol = []string{"HTTP/1.1", "HTTP/2.0", "HTTP/2.0"}
	)
	for i := range n {
		t = t.Add(time.Duration(r.IntN(170)) * time.Millisecond)
		if sec := t.Unix(); sec != lastSec {
			lastSec = sec
			stamp = t.AppendFormat(stamp[:0], "02/Jan/2006:15:04:05 -0700")
		}
		// Squaring the draw skews toward the head of the pools: hot paths and heavy clients.
		f := r.Float64()
		path := p.paths[int(f*f*float64(nPaths))]
		g := r.Float64()
		ip := p.ips[int(g*g*float64(nIPs))]
		status := p.statuses[search(cumW, r.IntN(totalW))]
		pi := int(f * f * float64(nPaths))
		if s := storms.at(i, t); s != nil {
			status = s.hit(r, p.routes[pi], t, status)
		}
		method := "GET"
		switch {
		case status == 202:
			// Accepted beacons: fire and forget, nobody polls them. (A 202
			// on a random page would be a job nobody ever polls, which is
			// not what this file plants.)
			method, path = "POST", "/api/v1/events"
		case status == 201:
			method = "POST"
		case i%53 == 0:
			method = "HEAD"
		}
		var size int
		switch {
		case status == 304 || status == 499 || method == "HEAD":
			size = 0
		case status >= 400:
			size = 150 + r.IntN(400)
		default:
			size = 200 + r.IntN(60000)
		}

		buf = append(buf, ip...)
		buf = append(buf, " - - ["...)
		buf = append(buf, stamp...)
		buf = append(buf, "] \""...)
		buf = append(buf, method...)
		buf = append(buf, ' ')
		buf = append(buf, path...)
		buf = append(buf, ' ')
		buf = append(buf, protocol[i%3]...)
		buf = append(buf, "\" "...)
		buf = strconv.AppendInt(buf, int64(status), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, int64(size), 10)
		buf = append(buf, " \""...)
		buf = append(buf, p.referers[r.IntN(nRefs)]...)
		buf = append(buf, "\" \""...)
		buf = append(buf, p.uas[r.IntN(nUAs)]...)
		buf = append(buf, "\"\n"...)
		if len(buf) > cap(buf)-1024 {
			m, err := w.Write(buf)
			written += int64(m)
			if err != nil {
				return written, CombinedTruth{}, fmt.Errorf("write combined: %w", err)
			}
			buf = buf[:0]
		}
	}
	m, err := w.Write(buf)
	written += int64(m)
	if err != nil {
		return written, CombinedTruth{}, fmt.Errorf("write combined: %w", err)
	}
	return written, storms.truth(n, seed, DefaultBase, t), nil
}

func cumulative(ws []int) []int {
	out := make([]int, len(ws))
	sum := 0
	for i, w := range ws {
		sum += w
		out[i] = sum
	}
	return out
}

// search returns the first index whose cumulative weight exceeds x.
func search(cum []int, x int) int {
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}
