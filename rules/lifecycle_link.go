package rules

import (
	"hash/maphash"
	"math/bits"
	"net/url"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
)

// splitLocation reads a status URL: its host (absolute URLs), its path
// resolved against the request path, and whether it was relative.
func splitLocation(loc, reqPath string) (host, p string, relative bool) {
	if len(loc) > 0 && loc[0] == '/' && !strings.ContainsAny(loc, "?#%") && !strings.Contains(loc, "/.") && !strings.HasPrefix(loc, "//") {
		return "", loc, true
	}
	if host, p, ok := plainURL(loc); ok {
		return host, p, false
	}
	return parseLocation(loc, reqPath)
}

// parseLocation is splitLocation by url.Parse.
func parseLocation(loc, reqPath string) (host, p string, relative bool) {
	u, err := url.Parse(strings.TrimSpace(loc))
	if err != nil {
		if i := strings.IndexAny(loc, "?#"); i >= 0 {
			loc = loc[:i]
		}
		return "", loc, true
	}
	if u.Host != "" {
		p = u.EscapedPath()
		if p == "" {
			p = "/"
		}
		if up, err := url.PathUnescape(p); err == nil {
			p = up
		}
		return u.Hostname(), p, false
	}
	base := &url.URL{Path: reqPath}
	ref := base.ResolveReference(&url.URL{Path: u.Path})
	return "", ref.Path, true
}

// plainURL reads an absolute http(s) URL whose host is a plain name and
// whose path needs no unescaping ("https://api.example.com/v1/jobs/42", as
// most status URLs are) without url.Parse; ok false: anything else, which
// splitLocation parses in full. It gives what the full parse would.
func plainURL(loc string) (host, p string, ok bool) {
	rest, found := strings.CutPrefix(loc, "https://")
	if !found {
		if rest, found = strings.CutPrefix(loc, "http://"); !found {
			return "", "", false
		}
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		host, p = rest, "/"
	} else {
		host, p = rest[:i], rest[i:]
	}
	if host == "" || !plainChars(host, false) || !plainChars(p, true) || strings.Contains(p, "/.") || strings.HasPrefix(p, "//") {
		return "", "", false
	}
	return host, p, true
}

// plainChars: only letters, digits, '-', '.', '_', '~' (and '/' in a path).
func plainChars(s string, path bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.':
		case c == '_' || c == '~' || c == '/':
			if !path {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func (l *lifecycle) link(op *op, h *hostState, p string, by int8) {
	op.host = h.id
	k := uint32(hashPath(p))
	switch {
	case p == l.tab.str(op.openPath):
		op.resPath = op.openPath // one copy of the path
	default:
		if o := l.lookupHash(h, p, k); o != nil {
			// the same status resource as another open operation: one
			// copy, and a poll compares the two by reference (poll)
			op.resPath = o.resPath
			l.tab.arena.retain(op.resPath)
		} else {
			op.resPath = l.tab.put(p)
		}
	}
	op.linkedBy = by
	l.resAdd(&h.res, op, k)
	h.filter.add(p)
}

// Status resources are found by a hash of their path (lifecycle_res.go);
// a collision only shares a chain, and lookups compare the path itself.
var pathSeed = maphash.MakeSeed()

func hashPath(p string) uint64 { return maphash.String(pathSeed, p) }

// lookup is the newest operation open on status resource p of h, or nil.
func (l *lifecycle) lookup(h *hostState, p string) *op {
	return l.lookupHash(h, p, uint32(hashPath(p)))
}

// lookupHash is lookup with p's hash k.
func (l *lifecycle) lookupHash(h *hostState, p string, k uint32) *op {
	if h.res.n == 0 {
		return nil
	}
	for id := *h.res.bucket(k); id != 0; {
		o := l.tab.at(id)
		if l.tab.str(o.resPath) == p {
			return o
		}
		id = o.next
	}
	return nil
}

// pathFilter is a counting filter over a cheap hash of a path, so that
// most requests skip the status-resource map lookup.
type pathFilter struct{ n [4096]uint16 }

func filterHash(p string) int {
	n := len(p)
	if n < 3 {
		return n
	}
	h := uint(n)*0x9E37 ^ uint(p[n-1]) ^ uint(p[n-2])<<3 ^ uint(p[n-3])<<6 ^ uint(p[n>>1])<<9
	return int(h & 4095)
}

func (f *pathFilter) add(p string) {
	if i := filterHash(p); f.n[i] < 65535 {
		f.n[i]++
	}
}

func (f *pathFilter) remove(p string) {
	if i := filterHash(p); f.n[i] > 0 && f.n[i] < 65535 {
		f.n[i]--
	}
}

func (f *pathFilter) maybe(p string) bool { return f.n[filterHash(p)] != 0 }

func (l *lifecycle) unlink(op *op) {
	if op.host == 0 {
		return
	}
	h := l.hostAll[op.host]
	l.resRemove(&h.res, op)
	h.filter.remove(l.tab.str(op.resPath))
	op.host = 0
}

// linkChild links the oldest waiting POST of P from this client to a GET of
// P/{id}; the GET is its first poll.
func (l *lifecycle) linkChild(h *hostState, r *parse.Record) bool {
	i := lastSlash(r.Path)
	if i <= 0 || !h.parents.maybe(r.Path[:i]) || !IsIDSegment(r.Path[i+1:]) {
		return false
	}
	p := r.Path[:i]
	l.indexFresh(h)
	ua := uaHash(r.UserAgent)
	t := &h.waits
	b := uint32(linkHash(p, r.ClientIP, ua)) & t.mask()
	for {
		var op *op
		for o := l.tab.next(t.head[b]); o != nil; o = l.tab.next(o.qnext) {
			if l.waits(o, p, r.ClientIP, ua) {
				op = o // the oldest: buckets keep their order
				break
			}
		}
		if op == nil || r.Time < op.open {
			return false
		}
		if op.state != opInflight || r.Time > l.deadline(op) {
			l.dequeue(op) // past its link window
			continue
		}
		l.dequeue(op)
		l.link(op, h, r.Path, linkChild)
		if len(l.e.cfg.Routes) > 0 && l.epOf(op).route == nil { // no template to build without routes
			if rt := l.matchRoute("GET", PathTemplate(r.Path)); rt != nil {
				op.body = rt.PollStyle == PollStyleBody
			}
		}
		l.addPoll(op, r)
		return true
	}
}

// lastSlash is strings.LastIndexByte(p, '/'), eight bytes at a time: it
// runs for every GET while a POST waits for its first poll, and the
// standard one (a byte loop; there is no assembly for it) was a tenth of
// the lifecycle's instructions on combined logs.
func lastSlash(p string) int {
	i := len(p)
	for ; i >= 8; i -= 8 {
		if z := slashBytes(p[i-8 : i]); z != 0 {
			return i - 8 + (63-bits.LeadingZeros64(z))/8
		}
	}
	if i > 0 && len(p) >= 8 { // the first i bytes: the first word, the rest masked off
		if z := slashBytes(p[:8]) & (1<<(8*i) - 1); z != 0 {
			return (63 - bits.LeadingZeros64(z)) / 8
		}
		return -1
	}
	for i--; i >= 0; i-- {
		if p[i] == '/' {
			return i
		}
	}
	return -1
}

// slashBytes has the high bit of byte k set exactly where w[k] is '/'
// (w is 8 bytes, read little-endian): with no carry across bytes, unlike
// the shorter zero-byte test, so the highest set bit is the last '/'.
func slashBytes(w string) uint64 {
	const lo7, slashes = 0x7f7f7f7f7f7f7f7f, 0x2f2f2f2f2f2f2f2f
	x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	x ^= slashes // a '/' byte is now zero
	return ^((x&lo7 + lo7) | x | lo7)
}
