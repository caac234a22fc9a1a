package parse

import (
	"hash/maphash"
	"os"
	"strings"
	"unsafe"
)

// The diagnosis contrast (rules, dimcount.go) counts every origin-bound
// request by its route template, first path segment, client network and
// user-agent family, method and protocol. The engine runs on one
// goroutine, so the parse workers (parse/input) work out in parallel, once
// per record, what every record needs: the user-agent family (a scan of a
// long string) and the method's and protocol's index, into Record.Dims.
// The route, segment and network are only needed for the few minutes of
// traffic a burst's contrast reads: the engine keeps them as bytes and
// derives them when a burst reads them (rules, dimlog.go), so the workers
// leave them out (Keyed false). This file holds the one copy of the
// functions that derive the values, for the workers and for the engine.

// ContrastOff turns the diagnosis contrast off, for measuring its cost
// only (EDGETRIAGE_CONTRAST=off; README, Performance): the parse workers
// fill no keys and the engine counts no dimensions, so findings carry no
// contrast and their causes are guesses. This is the one place that reads
// the variable.
var ContrastOff = os.Getenv("EDGETRIAGE_CONTRAST") == "off"

// DimKeys are the contrast's keys of a record: the user-agent family
// (index in UAFamilies, -1 none) and the method's and protocol's index
// among the common ones, and when Keyed, DimHash of each derived value (0
// when the record has none); 32 bytes, records are copied on their way to
// the engine. Fields taken as they are (POP, Upstream, CacheStatus, Input)
// have no key: the engine compares them with its recent values. Set says
// the indexes were filled (Light), Keyed that the hashes were too (Keys);
// a record whose Path, ClientIP or UserAgent changes after that must be
// Reset or have Dims cleared (the engine recomputes what is not filled).
type DimKeys struct {
	Route, Segment, Net uint64
	UA                  int8
	Method, Protocol    int8 // index in KnownMethods, KnownProtocols; -1 another (or none)
	Set                 bool
	Keyed               bool // Route, Segment and Net are filled
}

// dimSeed keys DimHash: values from untrusted logs cannot be crafted to
// collide. It differs between runs, so DimHash only says which values are
// equal, never in which order (the contrast's cap orders by a stable hash).
var dimSeed = maphash.MakeSeed()

// DimHash identifies a dimension value within this process (never 0).
func DimHash(v string) uint64 { return maphash.String(dimSeed, v) | 1 }

// DimKeyer fills DimKeys. It keeps scratch space and caches of what recent
// paths and user agents gave (by a hash of the raw field: a hit hashes the
// field once instead of scanning it), so each goroutine uses its own; the
// zero value is ready.
type DimKeyer struct {
	buf   []byte
	paths *[pathSlots]pathSlot
	ua    *[uaSlots]uaSlot
	uab   *[uaSlots]uaBytes
}

const (
	// small enough to stay in a core's cache next to the slab being parsed
	pathSlots = 1024
	uaSlots   = 256
)

type pathSlot struct{ h, route, seg uint64 } // h: maphash of the path | 1; 0 empty
type uaSlot struct {
	h   uint64
	fam int8
}

// Fill sets r.Dims from r's fields (not when ContrastOff): what every
// record needs (Light).
func (k *DimKeyer) Fill(r *Record) {
	if !ContrastOff { // Light's fields, stored in place (no copy of a returned value)
		r.Dims = DimKeys{UA: int8(k.UAFamily(r.UserAgent)), Method: int8(MethodIndex(r.Method)),
			Protocol: int8(ProtocolIndex(r.Protocol)), Set: true}
	}
}

// Light returns the indexes of r's fields (user-agent family, method,
// protocol), no hashes, leaving r as it is.
func (k *DimKeyer) Light(r *Record) DimKeys {
	return DimKeys{UA: int8(k.UAFamily(r.UserAgent)), Method: int8(MethodIndex(r.Method)),
		Protocol: int8(ProtocolIndex(r.Protocol)), Set: true}
}

// Keys returns every key of r's fields (Keyed), leaving r as it is.
func (k *DimKeyer) Keys(r *Record) DimKeys {
	d := DimKeys{UA: -1, Set: true, Keyed: true}
	d.Route, d.Segment = k.PathKeys(r.Path)
	if n := ClientNet(r.ClientIP); n != "" { // a scan of a few bytes: cheaper than a cache
		d.Net = DimHash(n)
	}
	d.UA = int8(k.UAFamily(r.UserAgent))
	d.Method, d.Protocol = int8(MethodIndex(r.Method)), int8(ProtocolIndex(r.Protocol))
	return d
}

// PathKeys returns the keys of path p's route and segment, remembered by
// a hash of p: a hit hashes p once instead of making its template.
func (k *DimKeyer) PathKeys(p string) (route, segment uint64) {
	if k.paths == nil {
		k.paths = new([pathSlots]pathSlot)
	}
	h := maphash.String(dimSeed, p) | 1
	ps := &k.paths[(h>>1)&(pathSlots-1)]
	if ps.h != h {
		route := k.Route(p)
		*ps = pathSlot{h: h, route: DimHash(route), seg: DimHash(PathSegment(route))}
	}
	return ps.route, ps.seg
}

// Common methods and protocols are counted by index (a switch on the
// string, no hashing); other values by their string.
var (
	KnownMethods   = []string{"GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"}
	KnownProtocols = []string{"HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "HTTP/2", "HTTP/3", "HTTP/3.0"}
)

// MethodIndex is m's index in KnownMethods, -1 for another.
func MethodIndex(m string) int {
	switch m {
	case "GET":
		return 0
	case "POST":
		return 1
	case "HEAD":
		return 2
	case "PUT":
		return 3
	case "DELETE":
		return 4
	case "PATCH":
		return 5
	case "OPTIONS":
		return 6
	}
	return -1
}

// ProtocolIndex is p's index in KnownProtocols, -1 for another.
func ProtocolIndex(p string) int {
	switch p {
	case "HTTP/1.0":
		return 0
	case "HTTP/1.1":
		return 1
	case "HTTP/2.0":
		return 2
	case "HTTP/2":
		return 3
	case "HTTP/3":
		return 4
	case "HTTP/3.0":
		return 5
	}
	return -1
}

// Route is the route template of path p ("/" for an empty path): p itself
// when it has no id segment, else a view of k's scratch space, valid until
// the next call.
func (k *DimKeyer) Route(p string) string {
	if p == "" {
		return "/"
	}
	b := AppendPathTemplate(k.buf[:0], p)
	if b == nil {
		return p
	}
	k.buf = b
	return unsafe.String(&b[0], len(b))
}

// UAFamily is the family of user agent ua (index in UAFamilies), -1 when
// the log has none, remembered: classifying scans the whole string. An
// agent of 8 to uaKeep bytes is remembered by its bytes, found by a
// fingerprint of its length and two words of it and checked by a compare
// (cheaper than hashing all of it); a shorter or longer one by uaSlow.
// The common case, a hit in the first way, is small enough to inline.
func (k *DimKeyer) UAFamily(ua string) int {
	if n := len(ua); n >= 8 && n <= uaKeep && k.uab != nil {
		if s := &k.uab[uaPrint(ua)]; int(s.n) == n && string(s.b[:n]) == ua {
			return int(s.fam)
		}
	}
	return k.uaSlow(ua)
}

// uaSlow is UAFamily past its first way: the second way, a miss, an agent
// too short or too long for the slots.
func (k *DimKeyer) uaSlow(ua string) int {
	if ua == "" || ua == "-" {
		return -1
	}
	if len(ua) <= uaKeep {
		return k.uaShort(ua)
	}
	if k.ua == nil {
		k.ua = new([uaSlots]uaSlot)
	}
	h := maphash.String(dimSeed, ua) | 1
	i := (h >> 1) & (uaSlots - 1)
	if s := &k.ua[i]; s.h == h {
		return int(s.fam)
	}
	if s := &k.ua[i^1]; s.h == h { // two ways: two busy agents may share a slot
		return int(s.fam)
	}
	f := UAFamily(ua)
	k.ua[i^1] = k.ua[i]
	k.ua[i] = uaSlot{h: h, fam: int8(f)}
	return f
}

// uaKeep is the longest user agent remembered by its bytes (most are
// 10-140 bytes).
const uaKeep = 160

type uaBytes struct {
	n   uint8 // length; 0 empty
	fam int8
	b   [uaKeep]byte
}

func (k *DimKeyer) uaShort(ua string) int {
	if k.uab == nil {
		k.uab = new([uaSlots]uaBytes)
	}
	var i uint64
	if len(ua) >= 8 {
		i = uaPrint(ua)
	} else {
		i = uaPrintTiny(ua)
	}
	if s := &k.uab[i]; int(s.n) == len(ua) && string(s.b[:s.n]) == ua {
		return int(s.fam)
	}
	if s := &k.uab[i^1]; int(s.n) == len(ua) && string(s.b[:s.n]) == ua {
		return int(s.fam)
	}
	f := UAFamily(ua)
	k.uab[i^1] = k.uab[i]
	s := &k.uab[i]
	s.n, s.fam = uint8(copy(s.b[:], ua)), int8(f)
	return f
}

// uaPrint is uaShort's slot of an agent of 8 bytes or more: a fingerprint
// of its length and its middle and last 8 bytes (agents differ in versions,
// near the middle and the end; most begin "Mozilla/").
func uaPrint(s string) uint64 {
	n := len(s)
	x := (load64(s, n-8) ^ load64(s, n/2-4)<<7 ^ uint64(n)) * 0x9e3779b97f4a7c15
	return x >> (64 - 8) // uaSlots
}

// uaPrintTiny is uaShort's slot of an agent under 8 bytes.
func uaPrintTiny(s string) uint64 {
	x := uint64(len(s)) * 0x9e3779b97f4a7c15
	for i := 0; i < len(s); i++ {
		x = (x ^ uint64(s[i])) * 0x100000001b3
	}
	return x >> (64 - 8)
}

// IsIDSegment reports whether a path segment looks like an identifier:
// digits, a UUID, 8+ hex characters, or 8+ characters mixing letters and
// digits (letters, digits, '-' and '_' only).
func IsIDSegment(seg string) bool {
	if seg == "" {
		return false
	}
	digits, letters, hex := 0, 0, 0
	for i := 0; i < len(seg); i++ {
		k := idClass[seg[i]]
		if k == 0 {
			return false
		}
		digits += int(k & cDigit)
		hex += int(k&cHex) >> 1
		letters += int(k&cLetter) >> 2
	}
	n := len(seg)
	switch {
	case digits == n:
		return true
	case hex == n && n >= 8:
		return true
	case isUUID(seg):
		return true
	case n >= 8 && digits > 0 && letters > 0:
		return true
	}
	return false
}

// idClass classifies the bytes of an id segment (0: cannot be in one).
var idClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit | cHex
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = cLetter, cLetter
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c], t[c-'a'+'A'] = cLetter|cHex, cLetter|cHex
	}
	t['-'], t['_'] = cOther, cOther
	return t
}()

const (
	cDigit  = 1
	cHex    = 2
	cLetter = 4
	cOther  = 8
)

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// AppendPathTemplate appends to buf the template of path p, every segment
// that looks like an id (IsIDSegment) made "{id}", and returns it; it
// returns nil when p is its own template, so the common path costs no copy.
func AppendPathTemplate(buf []byte, p string) []byte {
	start := 0
	changed := false
	for i := 0; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		seg := p[start:i]
		if IsIDSegment(seg) {
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

// PathSegment is "/" and the first segment of a path, a view of it.
func PathSegment(p string) string {
	if p == "" {
		return "/"
	}
	if i := strings.IndexByte(p[1:], '/'); i >= 0 {
		return p[:i+1]
	}
	return p
}

// ClientNet is the network of a client address as a view of it: the first
// three octets of IPv4 (a /24), the first three groups of IPv6 (a /48);
// "" for no address.
func ClientNet(ip string) string {
	if ip == "" || ip == "-" {
		return ""
	}
	if strings.IndexByte(ip, ':') >= 0 {
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

// UAFamilies are the user-agent families, by index.
var UAFamilies = []string{"other", "curl", "Chrome", "Firefox", "Safari", "bot", "Go-http-client", "python-requests", "okhttp"}

// UAFamily classifies a user agent coarsely (index in UAFamilies); -1 when
// the log has none. Bots first: most crawlers also claim a browser.
func UAFamily(ua string) int {
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
