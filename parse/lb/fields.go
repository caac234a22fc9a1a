package lb

import (
	"bytes"

	"github.com/edgetriage/edgetriage/parse"
)

// maxFields bounds the fields a line is split into; ALB logs 30 today.
const maxFields = 40

// splitFields splits a line of space-separated fields, some of them quoted
// ("GET / HTTP/1.1") or braced ({a|b}), into out, and returns how many it found. A quoted
// field is returned without its quotes; it ends at the first quote that a
// space or the end of the line follows. It reports false for an unterminated
// quote; fields past len(out) are left in the last one.
func splitFields(line []byte, out *[maxFields][]byte) (int, bool) {
	n := 0
	for len(line) > 0 {
		if n == len(out)-1 {
			out[n] = line
			return n + 1, true
		}
		if line[0] == '"' {
			end := quoteEnd(line[1:])
			if end < 0 {
				return n, false
			}
			out[n] = line[1 : end+1]
			line = line[end+2:]
		} else if line[0] == '{' {
			// HAProxy's captured headers: "{a b|c}" is one field, braces kept.
			end := braceEnd(line)
			if end < 0 {
				return n, false
			}
			out[n] = line[:end+1]
			line = line[end+1:]
		} else {
			sp := bytes.IndexByte(line, ' ')
			if sp < 0 {
				sp = len(line)
			}
			out[n] = line[:sp]
			line = line[sp:]
		}
		n++
		if len(line) > 0 {
			if line[0] != ' ' {
				return n, false
			}
			line = line[1:]
		}
	}
	return n, true
}

// quoteEnd is the index in b of the quote that closes a field: the first one
// a space or the end follows; -1 if none.
func quoteEnd(b []byte) int { return closerEnd(b, '"') }

// braceEnd is the index in b of the '}' that closes a braced field: the
// first one a space or the end follows; -1 if none.
func braceEnd(b []byte) int { return closerEnd(b, '}') }

// closerEnd is the index of the first c in b that a space or the end follows.
func closerEnd(b []byte, c byte) int {
	from := 0
	for {
		q := bytes.IndexByte(b[from:], c)
		if q < 0 {
			return -1
		}
		q += from
		if q == len(b)-1 || b[q+1] == ' ' {
			return q
		}
		from = q + 1
	}
}

// request fills Method, Path, Query, Protocol and, for an absolute target
// ("GET http://host:80/p?q HTTP/1.1", as ALB logs it), Host from a request
// line. A garbage request ("-", "<BADREQ>") leaves them empty.
func request(req []byte, rec *parse.Record) {
	sp := bytes.IndexByte(req, ' ')
	if sp <= 0 || !isMethod(req[:sp]) {
		return
	}
	method, target := req[:sp], req[sp+1:]
	var proto []byte
	if last := bytes.LastIndexByte(target, ' '); last >= 0 && bytes.HasPrefix(target[last+1:], []byte("HTTP/")) {
		proto, target = target[last+1:], target[:last]
	}
	if i := bytes.Index(target, []byte("://")); i > 0 && i < 6 {
		hostPort := target[i+3:]
		target = nil
		if s := bytes.IndexByte(hostPort, '/'); s >= 0 {
			hostPort, target = hostPort[:s], hostPort[s:]
		}
		if rec.Host == "" {
			rec.Host = parse.View(stripPort(hostPort))
		}
	}
	if len(target) == 0 {
		target = []byte("/")
	}
	rec.Method, rec.Protocol = parse.View(method), parse.View(proto)
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		rec.Path, rec.Query = parse.View(target[:q]), parse.View(target[q+1:])
	} else {
		rec.Path = parse.View(target)
	}
}

// isMethod reports an HTTP method: upper-case letters, at most 20.
func isMethod(b []byte) bool {
	if len(b) > 20 {
		return false
	}
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// stripPort drops a ":port" from "host:port" or "[v6]:port"; a bare IPv6
// address is returned whole.
func stripPort(b []byte) []byte {
	c := bytes.LastIndexByte(b, ':')
	if c < 0 {
		return b
	}
	if len(b) > 0 && b[0] == '[' {
		if e := bytes.IndexByte(b, ']'); e > 0 {
			return b[1:e]
		}
		return b
	}
	if bytes.IndexByte(b[:c], ':') >= 0 {
		return b // bare IPv6
	}
	return b[:c]
}

// isDash reports an absent value.
func isDash(b []byte) bool { return len(b) == 0 || (len(b) == 1 && b[0] == '-') }

// stopAt is where splitFields stopped fitting in line, given the fields it
// read and its ok: the field after the last one read (an unterminated
// quote or brace, or no space after a field), or the end of the line when
// there were too few fields.
func stopAt(line []byte, f [][]byte, ok bool) []byte {
	if ok {
		return line[len(line):]
	}
	if len(f) == 0 {
		return line
	}
	last := f[len(f)-1]
	end := parse.ColumnIn(line, last) - 1 + len(last)
	if end < 0 || end >= len(line) {
		return line[len(line):]
	}
	if line[end] == '"' { // the closing quote of a quoted field
		end++
	}
	return line[min(end+1, len(line)):]
}
