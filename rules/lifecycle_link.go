package rules

import (
	"hash/maphash"
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

func (l *lifecycle) link(op *op, h *hostState, p string, by int8) {
	op.host = h
	if p == op.openPath {
		op.resPath = op.openPath // one copy of the path
	} else {
		op.resPath = strings.Clone(p)
	}
	op.linkedBy = by
	k := hashPath(op.resPath)
	op.next = h.res[k]
	h.res[k] = op
	h.filter.add(op.resPath)
}

// The status-resource map is keyed by a 64-bit hash of the path rather than
// the path (8 bytes less per entry, a cheaper lookup); a collision only
// shares a chain, and lookups compare the path itself.
var pathSeed = maphash.MakeSeed()

func hashPath(p string) uint64 { return maphash.String(pathSeed, p) }

// lookup is the newest operation open on status resource p, or nil.
func (h *hostState) lookup(p string) *op {
	for o := h.res[hashPath(p)]; o != nil; o = o.next {
		if o.resPath == p {
			return o
		}
	}
	return nil
}

// rebuild copies the status-resource map into a fresh one, entry by entry
// (maps.Clone would copy the tombstones along).
func (h *hostState) rebuild() {
	m := make(map[uint64]*op, len(h.res))
	for k, v := range h.res {
		m[k] = v
	}
	h.res = m
	h.deletes = 0
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
	h := op.host
	if h == nil {
		return
	}
	k := hashPath(op.resPath)
	head := h.res[k]
	if head == op {
		if op.next == nil {
			delete(h.res, k)
			h.deletes++
			if h.deletes > len(h.res)+4096 {
				h.rebuild()
			}
		} else {
			h.res[k] = op.next
		}
	} else {
		for p := head; p != nil; p = p.next {
			if p.next == op {
				p.next = op.next
				break
			}
		}
	}
	h.filter.remove(op.resPath)
	op.next = nil
	op.host = nil
}

// enqueue makes a POST wait for the next GET of a child P/{id} from the same
// client.
func (l *lifecycle) enqueue(op *op, h *hostState, p string) {
	_ = p
	k := linkHash(op.openPath, op.client.ip, op.client.ua)
	w := h.unlinked[k]
	if w.head == nil {
		w.head = op
	} else {
		w.tail.qnext = op
	}
	w.tail = op
	h.unlinked[k] = w
	op.linkedBy = linkWaiting
	h.nUnlinked++
}

// dequeue removes op from its waiting list (usually its head: operations
// leave in the order they came).
func (l *lifecycle) dequeue(x *op) {
	if x.linkedBy != linkWaiting {
		return
	}
	x.linkedBy = linkNone
	h := x.from
	k := linkHash(x.openPath, x.client.ip, x.client.ua)
	w := h.unlinked[k]
	var prev *op
	found := false
	for o := w.head; o != nil; o = o.qnext {
		if o == x {
			found = true
			break
		}
		prev = o
	}
	switch {
	case !found:
		return // cannot happen: waiting means listed
	case prev == nil:
		w.head = x.qnext
	default:
		prev.qnext = x.qnext
	}
	if w.tail == x {
		w.tail = prev
	}
	x.qnext = nil
	h.nUnlinked--
	if w.head == nil {
		delete(h.unlinked, k)
	} else {
		h.unlinked[k] = w
	}
}

// linkChild links the oldest waiting POST of P from this client to a GET of
// P/{id}; the GET is its first poll.
func (l *lifecycle) linkChild(h *hostState, r *parse.Record) bool {
	i := strings.LastIndexByte(r.Path, '/')
	if i <= 0 || !IsIDSegment(r.Path[i+1:]) {
		return false
	}
	p := r.Path[:i]
	k := linkHash(p, r.ClientIP, r.UserAgent)
	for {
		op := h.unlinked[k].head
		for op != nil && !op.waits(p, r.ClientIP, r.UserAgent) {
			op = op.qnext // another key of the same hash
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
		if rt := l.matchRoute("GET", PathTemplate(r.Path)); rt != nil && op.ep.route == nil {
			op.body = rt.PollStyle == PollStyleBody
		}
		l.addPoll(op, r)
		return true
	}
}
