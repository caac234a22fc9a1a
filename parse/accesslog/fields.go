package accesslog

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// isTokenChar reports whether c may appear in an HTTP method (RFC 9110 tchar).
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// tokenChars is isTokenChar as a table, for the per-line method check.
var tokenChars = func() (t [256]bool) {
	for c := range t {
		t[c] = isTokenChar(byte(c))
	}
	return t
}()

// request is a request line split into its parts.
type request struct{ method, path, query, protocol []byte }

// splitRequest splits a request line such as "GET /a?b=1 HTTP/1.1". A
// request line that is "-", empty or garbage (a TLS handshake logged as
// escaped bytes, "\n", an XSS probe) gives all parts empty: the record still
// counts, it just has no method.
func splitRequest(req []byte) (r request) {
	// The method: token characters, at least one a letter, up to the first
	// space (one pass: methods are short).
	sp, letter := -1, false
	if len(req) > 4 && string(req[:4]) == "GET " { // most requests: a known token
		sp, letter = 3, true
	} else {
		for i, c := range req {
			if c == ' ' {
				sp = i
				break
			}
			if !tokenChars[c] {
				return r
			}
			if c|0x20 >= 'a' && c|0x20 <= 'z' {
				letter = true
			}
		}
	}
	if sp <= 0 || !letter {
		return r
	}
	method := req[:sp]
	target := req[sp+1:]
	// The protocol is the last word when it looks like one; a target with
	// unescaped spaces (nginx logs them raw) keeps them.
	var proto []byte
	if n := len(target); n > 9 && target[n-9] == ' ' && string(target[n-8:n-3]) == "HTTP/" &&
		target[n-3] != ' ' && target[n-2] != ' ' && target[n-1] != ' ' {
		// The usual " HTTP/x.y" end: its space is the last one, as the
		// search below would find.
		proto, target = target[n-8:], target[:n-9]
	} else if last := bytes.LastIndexByte(target, ' '); last >= 0 && bytes.HasPrefix(target[last+1:], []byte("HTTP/")) {
		proto = target[last+1:]
		target = target[:last]
	}
	if len(target) == 0 {
		return r
	}
	r.method, r.protocol = method, proto
	r.path, r.query = splitTarget(target)
	return r
}

// splitTarget splits a request target at its first '?' into path and query.
func splitTarget(target []byte) (path, query []byte) {
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		return target[:q], target[q+1:]
	}
	return target, nil
}

// stripPort drops a ":port" suffix from "host:port" or "[v6]:port"; a bare
// IPv6 address (more than one colon, no brackets) is returned whole.
func stripPort(b []byte) []byte {
	c := bytes.LastIndexByte(b, ':')
	if c < 0 || c == len(b)-1 {
		return b
	}
	for _, d := range b[c+1:] {
		if d < '0' || d > '9' {
			return b
		}
	}
	if b[0] == '[' {
		if b[c-1] == ']' {
			return b[1 : c-1]
		}
		return b
	}
	if bytes.IndexByte(b[:c], ':') >= 0 {
		return b // bare IPv6
	}
	return b[:c]
}

// isDash reports an absent value as logged by nginx and Apache.
func isDash(b []byte) bool { return len(b) == 0 || (len(b) == 1 && b[0] == '-') }

// splitRay splits a CF-Ray header value "8a1b2c3d4e5f6a7b-AMS" into the ray
// id (as Cloudflare's own logs write RayID) and the colo code.
func splitRay(b []byte) (ray, colo []byte) {
	if d := bytes.LastIndexByte(b, '-'); d > 0 && d < len(b)-1 {
		return b[:d], b[d+1:]
	}
	return b, nil
}

// Cache statuses as nginx's $upstream_cache_status writes them, mapped to the
// lower-case constants without allocating.
var cacheStatuses = [...]string{"hit", "miss", "bypass", "expired", "stale", "updating", "revalidated", "dynamic"}

// cacheStatus lower-cases a known cache status to a constant; an unknown
// value is kept as logged.
func cacheStatus(b []byte) string {
	for _, s := range cacheStatuses {
		if len(s) == len(b) && equalFold(b, s) {
			return s
		}
	}
	return parse.View(b)
}

// equalFold compares ASCII b with lower-case s, ignoring b's case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// clfCache remembers the last CLF timestamp: consecutive lines mostly share
// their second, so the bytes compare equal and the conversion is skipped.
type clfCache struct {
	buf [40]byte
	n   int
	ns  int64
	sec int // seconds field of buf
}

func (c *clfCache) parse(b []byte) (int64, bool) {
	if len(b) == clfLen && c.n == clfLen {
		// The usual 26-byte stamp, compared as three words and a half
		// word: no call, one branch for a hit. Bytes 18 and 19 (the
		// seconds) are bytes 2 and 3 of the third word.
		_ = b[clfLen-1]
		le := binary.LittleEndian
		d := (le.Uint64(b) ^ le.Uint64(c.buf[:])) | (le.Uint64(b[8:]) ^ le.Uint64(c.buf[8:])) |
			uint64(le.Uint16(b[24:])^le.Uint16(c.buf[24:]))
		s := le.Uint64(b[16:]) ^ le.Uint64(c.buf[16:])
		if d|s == 0 {
			return c.ns, true
		}
		if d|s&^0xffff0000 == 0 {
			return c.sameMinute(b)
		}
	} else if c.n == len(b) && c.n > 20 {
		if string(c.buf[:c.n]) == string(b) {
			return c.ns, true
		}
		// The same minute, another second (the common miss): only the two
		// digits of "dd/Mon/yyyy:hh:mm:SS..." differ from the cached stamp.
		if string(c.buf[:18]) == string(b[:18]) && string(c.buf[20:c.n]) == string(b[20:]) {
			return c.sameMinute(b)
		}
	}
	return c.full(b)
}

// sameMinute reads b, which differs from the cached stamp in its seconds
// only, from the cache: the result is linear in the seconds.
func (c *clfCache) sameMinute(b []byte) (int64, bool) {
	s, ok := sec(b[18], b[19])
	if !ok {
		return c.full(b) // not two digits to 60: CLFTime says why
	}
	ns := c.ns + int64(s-c.sec)*int64(time.Second)
	c.buf[18], c.buf[19] = b[18], b[19]
	c.ns, c.sec = ns, s
	return ns, true
}

// full parses b and caches it.
func (c *clfCache) full(b []byte) (int64, bool) {
	ns, ok := parse.CLFTime(b)
	if !ok {
		return 0, false
	}
	if len(b) <= len(c.buf) {
		c.n = copy(c.buf[:], b)
		c.ns = ns
		c.sec, _ = sec(b[18], b[19]) // CLFTime checked them: 00 to 60
	}
	return ns, true
}

// sec reads the two digits of a seconds field, 00 to 60 (a leap second),
// the range parse.CLFTime accepts: its result is linear in them.
func sec(tens, ones byte) (int, bool) {
	if tens < '0' || tens > '6' || ones < '0' || ones > '9' {
		return 0, false
	}
	s := int(tens-'0')*10 + int(ones-'0')
	return s, s <= 60
}

// validStatus accepts the three-digit statuses a server can log (100-999).
func validStatus(b []byte) (int, bool) {
	if len(b) != 3 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	n, ok := parse.Status(b)
	return n, ok
}

// trimLine drops what a line may carry that is no part of the record: a
// UTF-8 byte order mark at the start of a file and the CR of a CRLF ending.
func trimLine(line []byte) []byte {
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) >= 3 && line[0] == 0xef && line[1] == 0xbb && line[2] == 0xbf {
		line = line[3:]
	}
	return line
}
