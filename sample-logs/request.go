package samplelogs

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// Fate says what the origin's own access log shows of an edge request.
type Fate uint8

const (
	// FateNone: the request never went to an origin with a log (cache hit,
	// connection timeout, or an origin whose log is not in the set).
	FateNone Fate = iota
	// FateLogged: the origin logged it with OriginStatus and its bytes.
	FateLogged
	// FateMissing: it reached the origin but never reached its logger
	// (worker crashed, connection reset).
	FateMissing
	// FateEmpty200: the origin logged 200 with 0 bytes (response cut).
	FateEmpty200
)

// Request is one HTTP request as the generator sees it: the client's view
// at the edge plus what the origin did with it. The renderers turn it into
// a line of each format; fields a format does not carry are ignored.
type Request struct {
	Time     time.Time     // edge start (the request's own start for origin-only logs)
	Duration time.Duration // total time at the edge / server

	Host      string
	ClientIP  string
	Country   string
	UserAgent string
	Method    string
	Path      string
	Query     string // without '?'
	Protocol  string // client protocol: HTTP/1.1, HTTP/2, HTTP/3
	Referer   string

	Status      int   // status sent to the client
	Bytes       int64 // response bytes sent to the client
	ContentType string

	// Async headers of the response.
	Location   string
	RetryAfter int // seconds; 0 = not sent

	// Edge (Cloudflare / CloudFront) view.
	RayID        string
	Colo         string
	Cache        string // CacheCacheStatus: hit, miss, dynamic, ...
	EdgeServerIP string
	OriginIP     string // "" when no origin was contacted
	OriginStatus int    // 0 = no valid response from the origin
	OriginTCPMs  int    // 0 = reused connection
	OriginTLSMs  int
	OriginHdrMs  int // request headers sent -> response headers received
	TTFBMs       int

	// Origin view.
	Fate         Fate
	Server       string // origin log the request lands in (key of the server table)
	Upstream     string // upstream the origin server proxied to ($upstream_addr)
	OriginBytes  int64  // body bytes the origin sent ($body_bytes_sent)
	OriginTime   time.Duration
	RemoteAddr   string // peer address at the origin (a Cloudflare egress IP)
	RequestID    string // X-Request-ID for origin-only formats
	UpstreamStat int    // $upstream_status at the origin; 0 = same as the origin's status
	// OriginLogStatus is the status the origin's own log shows when it
	// differs from what reached the edge (a 500 the origin logged but
	// sent as a cut reply); 0 = the origin's status.
	OriginLogStatus int
}

// URI returns the path with its query.
func (r *Request) URI() string {
	if r.Query == "" {
		return r.Path
	}
	return r.Path + "?" + r.Query
}

// End is when the edge finished the response.
func (r *Request) End() time.Time { return r.Time.Add(r.Duration) }

// OriginLogTime is when the origin wrote its log line: after the
// connection set-up and its own processing time.
func (r *Request) OriginLogTime() time.Time {
	return r.Time.Add(time.Duration(r.OriginTCPMs+r.OriginTLSMs+8)*time.Millisecond + r.OriginTime)
}

// CFRay is the CF-Ray header value the origin receives: RayID and colo.
func (r *Request) CFRay() string {
	if r.RayID == "" {
		return ""
	}
	return r.RayID + "-" + r.Colo
}

// rng derives an independent random stream for one scenario piece, so a
// change in one piece does not shift the bytes of the others.
func rng(seed uint64, piece string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(piece))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

const hexDigits = "0123456789abcdef"

func hexID(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[r.IntN(16)]
	}
	return string(b)
}

func uuid(r *rand.Rand) string {
	return fmt.Sprintf("%s-%s-4%s-%c%s-%s", hexID(r, 8), hexID(r, 4), hexID(r, 3),
		"89ab"[r.IntN(4)], hexID(r, 3), hexID(r, 12))
}

// alnumID is an id of letters and digits (the heuristic linker's "8+
// characters mixing letters and digits"); it always holds both.
func alnumID(r *rand.Rand, n int) string {
	const letters = "abcdefghjkmnpqrstuvwxyz"
	const digits = "23456789"
	b := make([]byte, n)
	for i := range b {
		if i%3 == 1 {
			b[i] = digits[r.IntN(len(digits))]
		} else {
			b[i] = letters[r.IntN(len(letters))]
		}
	}
	return string(b)
}

// jitter returns d ± frac·d.
func jitter(r *rand.Rand, d time.Duration, frac float64) time.Duration {
	return d + time.Duration((r.Float64()*2-1)*frac*float64(d))
}

// between returns a uniform time in [from, to).
func between(r *rand.Rand, from, to time.Time) time.Time {
	span := to.Sub(from)
	if span <= 0 {
		return from
	}
	return from.Add(time.Duration(r.Int64N(int64(span))))
}

// pick returns a uniformly chosen element.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted picks an index by integer weights.
func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}
