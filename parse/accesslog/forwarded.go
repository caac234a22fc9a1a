package accesslog

import (
	"bytes"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The NCSA relatives that the fast path rejects and scanNCSA falls back to.
// None of this runs for a line the fast path reads.

// forwardedPrefix reads a prefix (the text before " [time]") whose client
// field is not one address, as nginx writes it when $http_x_forwarded_for or
// a proxy list stands first:
//
//	[vhost[:port] ]a, b, c ident user          a list: a is the client
//	[vhost[:port] ]"a, b, c" peer ident user   a quoted list, then the connecting address
//	[vhost[:port] ]a, b peer ident user        the same, unquoted
//	client                                     ident and user left out
//
// The first address of a list is the client (ClientIP); the address logged
// beside the list, when there is one, is the connecting peer (PeerIP).
func forwardedPrefix(prefix []byte, rec *parse.Record) (string, bool) {
	u := bytes.LastIndexByte(prefix, ' ')
	if u < 0 {
		if !plainWord(prefix) {
			return "", false
		}
		rec.ClientIP = parse.View(prefix)
		return Common, true
	}
	i := bytes.LastIndexByte(prefix[:u], ' ')
	if i <= 0 || !plainWord(prefix[i+1:u]) || !plainWord(prefix[u+1:]) {
		return "", false // ident and user: one word each
	}
	var g [3][]byte
	n, ok := addressGroups(prefix[:i], &g)
	if !ok {
		return "", false
	}
	var vhost, list, peer []byte
	switch {
	case n == 1:
		list = g[0]
	case n == 2 && isList(g[0]):
		list, peer = g[0], g[1]
	case n == 2:
		vhost, list = g[0], g[1]
	case n == 3 && !isList(g[0]) && isList(g[1]):
		vhost, list, peer = g[0], g[1], g[2]
	default:
		return "", false
	}
	if peer != nil && (isList(peer) || !plainWord(peer)) {
		return "", false
	}
	client := firstAddress(list)
	if len(client) == 0 {
		return "", false
	}
	rec.ClientIP = parse.View(client)
	rec.PeerIP = parse.View(peer)
	if vhost != nil {
		if !plainWord(vhost) {
			return "", false
		}
		rec.Host = parse.View(stripPort(vhost))
		return VhostCombined, true
	}
	return Common, true
}

// addressGroups splits the words before ident and user into at most three
// groups: a quoted "a, b" is one group, and so are words joined by a comma
// ("a, b, c"). It reports false for more groups or a stray quote.
func addressGroups(head []byte, g *[3][]byte) (int, bool) {
	n := 0
	for len(head) > 0 {
		if n == len(g) {
			return 0, false
		}
		end := 0
		if head[0] == '"' {
			q := bytes.IndexByte(head[1:], '"')
			if q < 0 {
				return 0, false
			}
			end = q + 2
		} else {
			for end < len(head) && (head[end] != ' ' || (end > 0 && head[end-1] == ',')) {
				if head[end] == '"' {
					return 0, false
				}
				end++
			}
		}
		if end == 0 {
			return 0, false
		}
		g[n] = head[:end]
		n++
		head = head[end:]
		if len(head) > 0 {
			if head[0] != ' ' {
				return 0, false
			}
			head = head[1:]
		}
	}
	return n, n > 0
}

// isList reports whether a group is an address list: quoted or with a comma.
func isList(g []byte) bool {
	return g[0] == '"' || bytes.IndexByte(g, ',') >= 0
}

// firstAddress is the first entry of a list, quotes and spaces dropped.
func firstAddress(list []byte) []byte {
	if list[0] == '"' {
		list = list[1 : len(list)-1]
	}
	if c := bytes.IndexByte(list, ','); c >= 0 {
		list = list[:c]
	}
	list = bytes.TrimSpace(list)
	if !plainWord(list) {
		return nil
	}
	return list
}

// plainWord reports a non-empty word with no space, quote or brace
// ("[v6]:port" is a word).
func plainWord(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		switch c {
		case ' ', '"', '{', '}', '\t':
			return false
		}
	}
	return true
}

// traefikTail reads what Traefik's CLF access log writes after the agent:
//
//	<requests> "<router>" "<server URL>" <duration>ms
//
// The server URL's host:port is the Upstream; the duration the Duration. Any
// other trailing text is ignored, as for every NCSA extra.
func traefikTail(b []byte, rec *parse.Record) {
	n := len(b)
	if n < 12 || b[0] != ' ' || b[n-1] != 's' || b[n-2] != 'm' {
		return
	}
	sp := bytes.LastIndexByte(b, ' ')
	ms, ok := parse.Atoi(b[sp+1 : n-2])
	if !ok || sp < 1 {
		return
	}
	// ` <requests> "<router>" "<url>"`
	head := b[1:sp]
	d := 0
	for d < len(head) && head[d] >= '0' && head[d] <= '9' {
		d++
	}
	if d == 0 || d+1 >= len(head) || head[d] != ' ' {
		return
	}
	router, after, ok := quoted(head[d+1:])
	if !ok || len(router) == 0 || len(after) < 3 || after[0] != ' ' {
		return
	}
	url, after, ok := quoted(after[1:])
	if !ok || len(after) != 0 {
		return
	}
	rec.Duration = time.Duration(ms) * time.Millisecond
	if i := bytes.Index(url, []byte("://")); i > 0 {
		host := url[i+3:]
		if s := bytes.IndexByte(host, '/'); s >= 0 {
			host = host[:s]
		}
		rec.Upstream = parse.View(host)
	}
}
