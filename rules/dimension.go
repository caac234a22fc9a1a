package rules

import (
	"hash/maphash"
	"strings"
	"time"
)

// The dimensions the contrast counts (DIAGNOSIS.md's table): each record
// of an origin gives at most one value per dimension; a dimension the record
// does not carry (no POP in a combined log) gives none, and a dimension no
// record of the span carried is reported Missing with the field to add.
const (
	dimColo = iota
	dimUpstream
	dimRoute
	dimSegment
	dimMethod
	dimClientNet
	dimUAFamily
	dimProtocol
	dimCache
	dimConnection
	dimHeaderWait
	dimInput
	numDims
)

// dimInfo names a dimension for rules (Name), for people (Label) and says
// which log field would give it (Missing; "" when every log has it).
type dimInfo struct {
	Name, Label, Missing string
}

var dimInfos = [numDims]dimInfo{
	dimColo:       {"colo", "data centre", "EdgeColoCode (Logpush)"},
	dimUpstream:   {"upstream", "origin IP", "OriginIP (Logpush) / $upstream_addr (nginx)"},
	dimRoute:      {"route", "route", ""},
	dimSegment:    {"segment", "first path segment", ""},
	dimMethod:     {"method", "method", ""},
	dimClientNet:  {"client_net", "client network", "ClientIP (Logpush) / $remote_addr (nginx)"},
	dimUAFamily:   {"ua_family", "user-agent family", "ClientRequestUserAgent (Logpush) / $http_user_agent (nginx)"},
	dimProtocol:   {"protocol", "client protocol", "ClientRequestProtocol (Logpush)"},
	dimCache:      {"cache", "cache status", "CacheCacheStatus (Logpush)"},
	dimConnection: {"connection", "origin connection", "OriginTCPHandshakeDurationMs (Logpush)"},
	dimHeaderWait: {"header_wait", "header wait", "OriginResponseHeaderReceiveDurationMs (Logpush)"},
	dimInput:      {"input", "input file", ""},
}

// DimensionNames lists the contrast's dimension names in a fixed order.
func DimensionNames() []string {
	out := make([]string, numDims)
	for i, d := range dimInfos {
		out[i] = d.Name
	}
	return out
}

// Small closed value sets are counted by index, not by string: a user-agent
// family, a connection kind and a header-wait bucket cost no map lookup.
var (
	uaFamilies  = []string{"other", "curl", "Chrome", "Firefox", "Safari", "bot", "Go-http-client", "python-requests", "okhttp"}
	connKinds   = []string{"new", "reused"}
	headerWaits = []string{"<20ms", "20-500ms", "0.5-5s", ">=5s"}
)

// enumDim reports whether a dimension's values are a small closed set
// (counted by index) and its values.
func enumValues(d int) []string {
	switch d {
	case dimUAFamily:
		return uaFamilies
	case dimConnection:
		return connKinds
	case dimHeaderWait:
		return headerWaits
	}
	return nil
}

// headerWaitBucket is the index in headerWaits of a header wait, -1 unknown.
func headerWaitBucket(d time.Duration) int {
	switch {
	case d < 0:
		return -1
	case d < 20*time.Millisecond:
		return 0
	case d < 500*time.Millisecond:
		return 1
	case d < 5*time.Second:
		return 2
	}
	return 3
}

// connKind is the index in connKinds, -1 unknown: a zero handshake means
// Cloudflare reused a connection to the origin.
func connKind(d time.Duration) int {
	switch {
	case d < 0:
		return -1
	case d == 0:
		return 1
	}
	return 0
}

// uaFamily classifies a user agent coarsely (index in uaFamilies); -1 when
// the log has none. Bots first: most crawlers also claim a browser.
func uaFamily(ua string) int {
	if ua == "" || ua == "-" {
		return -1
	}
	switch {
	case strings.HasPrefix(ua, "curl/"):
		return 1
	case strings.HasPrefix(ua, "Go-http-client/"):
		return 6
	case strings.HasPrefix(ua, "python-requests/"):
		return 7
	case strings.HasPrefix(ua, "okhttp/"):
		return 8
	case containsFold(ua, "bot") || containsFold(ua, "spider") || containsFold(ua, "crawl"):
		return 5
	case strings.Contains(ua, "Firefox/"):
		return 3
	case strings.Contains(ua, "Chrome/") || strings.Contains(ua, "Chromium/"):
		return 2
	case strings.Contains(ua, "Safari/"):
		return 4
	}
	return 0
}

// containsFold is strings.Contains ignoring ASCII case for a lower-case word.
func containsFold(s, lower string) bool {
	n := len(lower)
	for i := 0; i+n <= len(s); i++ {
		c := s[i] | 0x20
		if c != lower[0] {
			continue
		}
		j := 1
		for ; j < n && s[i+j]|0x20 == lower[j]; j++ {
		}
		if j == n {
			return true
		}
	}
	return false
}

// uaCache remembers the family of recent user agents by a hash of the
// string: classifying scans the whole string, a lookup hashes it once.
type uaCache struct {
	slots [256]struct {
		h   uint64
		fam int8
	}
}

func (c *uaCache) family(ua string) int {
	if ua == "" || ua == "-" {
		return -1
	}
	h := maphash.String(hashSeed, ua) | 1
	s := &c.slots[h&255]
	if s.h == h {
		return int(s.fam)
	}
	f := uaFamily(ua)
	s.h, s.fam = h, int8(f)
	return f
}

// fnv64 is FNV-1a: stable across runs and platforms, so capped counts and
// the values they keep are the same on every run.
func fnv64(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// clientNet is the network of a client address as a view of it: the first
// three octets of IPv4 (a /24), the first three groups of IPv6 (a /48).
// netLabel turns it into "203.0.113.0/24" for people.
func clientNet(ip string) string {
	if ip == "" || ip == "-" {
		return ""
	}
	if i := strings.IndexByte(ip, ':'); i >= 0 {
		// IPv6: up to the third ':' (or a '::' before it)
		n := 0
		for j := 0; j < len(ip); j++ {
			if ip[j] != ':' {
				continue
			}
			if j+1 < len(ip) && ip[j+1] == ':' {
				return ip[:j]
			}
			n++
			if n == 3 {
				return ip[:j]
			}
		}
		return ip
	}
	if i := strings.LastIndexByte(ip, '.'); i > 0 {
		return ip[:i]
	}
	return ip
}

func netLabel(v string) string {
	if strings.IndexByte(v, ':') >= 0 {
		return v + "::/48"
	}
	if strings.Count(v, ".") == 2 {
		return v + ".0/24"
	}
	return v
}

// pathSegment is "/" and the first segment of a path, a view of it.
func pathSegment(p string) string {
	if p == "" {
		return "/"
	}
	if i := strings.IndexByte(p[1:], '/'); i >= 0 {
		return p[:i+1]
	}
	return p
}

// routeInto writes the path's template (PathTemplate) into buf and returns
// it, or returns nil when the path is its own template (no id segment), so
// the common path costs no copy.
func routeInto(buf []byte, p string) []byte {
	start := 0
	changed := false
	buf = buf[:0]
	for i := 0; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		seg := p[start:i]
		if seg != "" && IsIDSegment(seg) {
			if !changed {
				buf = append(buf, p[:start]...)
				changed = true
			}
			buf = append(buf, "{id}"...)
		} else if changed {
			buf = append(buf, seg...)
		}
		if i < len(p) && changed {
			buf = append(buf, '/')
		}
		start = i + 1
	}
	if !changed {
		return nil
	}
	return buf
}

// valueOf turns a record's raw field into dimension d's value: the route
// template of a path, the first segment of its route, the network of a
// client address; other dimensions take the field as it is. The result may
// be a view of raw or of the counter's scratch buffer: capTable clones what
// it keeps.
func (c *dimCounter) valueOf(d int, raw string) string {
	switch d {
	case dimRoute, dimSegment:
		route := raw
		if b := routeInto(c.routeBuf[:0], raw); b != nil {
			c.routeBuf = b
			route = bytesView(b)
		}
		if d == dimSegment {
			return pathSegment(route)
		}
		return route
	case dimClientNet:
		return clientNet(raw)
	}
	return raw
}
