package jsonlog

import (
	"bytes"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/jsonscan"
)

// The conversions from a JSON value to a Record field.

func stringField(rec *parse.Record, f field) *string {
	switch f {
	case fHost:
		return &rec.Host
	case fClientIP:
		return &rec.ClientIP
	case fMethod:
		return &rec.Method
	case fPath:
		return &rec.Path
	case fQuery:
		return &rec.Query
	case fProtocol:
		return &rec.Protocol
	case fUserAgent:
		return &rec.UserAgent
	case fReferer:
		return &rec.Referer
	case fPOP:
		return &rec.POP
	case fStatusLocation:
		return &rec.StatusLocation
	case fCacheStatus:
		return &rec.CacheStatus
	case fFailure:
		return &rec.Failure
	}
	var sink string
	return &sink
}

// setString fills a string field if rank beats what it holds.
func setString(rec *parse.Record, st *state, f field, rank uint8, s string) {
	if s == "" || st.rank[f] <= rank {
		return
	}
	*stringField(rec, f) = s
	st.rank[f] = rank
}

// uri splits a path with its query.
func uri(rec *parse.Record, st *state, rank uint8, s string) {
	path, query, _ := strings.Cut(s, "?")
	setString(rec, st, fPath, rank, path)
	setString(rec, st, fQuery, rank, query)
}

// requestLine splits "GET /path?q HTTP/1.1".
func requestLine(rec *parse.Record, st *state, rank uint8, b []byte) {
	s := parse.View(b)
	method, rest, ok := strings.Cut(s, " ")
	if !ok {
		return
	}
	target := rest
	if i := strings.LastIndexByte(rest, ' '); i >= 0 && strings.HasPrefix(rest[i+1:], "HTTP/") {
		target = rest[:i]
		setString(rec, st, fProtocol, rank, rest[i+1:])
	}
	setString(rec, st, fMethod, rank, method)
	uri(rec, st, rank, target)
}

// address drops a URL's scheme and path: "http://10.0.0.2:80/x" -> "10.0.0.2:80".
func address(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		if j := strings.IndexByte(s, '/'); j >= 0 {
			s = s[:j]
		}
	}
	return s
}

func timestamp(b []byte) (int64, bool) {
	if b[0] == '[' && b[len(b)-1] == ']' {
		b = b[1 : len(b)-1]
	}
	if len(b) == 0 {
		return 0, false
	}
	if b[0] >= '0' && b[0] <= '9' && len(b) >= 19 && b[4] == '-' {
		if t, ok := parse.RFC3339(b); ok {
			return t, true
		}
		if len(b) <= 29 { // no zone: read as UTC
			var buf [32]byte
			n := copy(buf[:], b)
			buf[n] = 'Z'
			if t, ok := parse.RFC3339(buf[:n+1]); ok {
				return t, true
			}
		}
		return 0, false
	}
	if t, ok := parse.CLFTime(b); ok {
		return t, true
	}
	return parse.Epoch(b)
}

func status(b []byte) (int, bool) {
	if s, ok := parse.Status(b); ok {
		return s, true
	}
	n, ok := integer(b) // 200.0 from a float encoder
	if !ok || n < 0 || n > 999 {
		return 0, false
	}
	return int(n), true
}

func integer(b []byte) (int64, bool) {
	if n, ok := parse.Atoi(b); ok {
		return n, true
	}
	v := jsonscan.Value{Kind: jsonscan.Number, Raw: b}
	return v.Int()
}

func duration(b []byte, h how) (time.Duration, bool) {
	switch h {
	case hSeconds:
		if d, ok := parse.Seconds(b); ok {
			return d, d >= 0
		}
		f, ok := jsonscan.Value{Kind: jsonscan.Number, Raw: b}.Float()
		if !ok || f < 0 || f > 1e9 {
			return 0, false
		}
		return time.Duration(f * float64(time.Second)), true
	}
	f, ok := jsonscan.Value{Kind: jsonscan.Number, Raw: b}.Float()
	if !ok || f < 0 || f > 9e18 {
		return 0, false
	}
	switch h {
	case hMillis:
		f *= float64(time.Millisecond)
	case hMicros:
		f *= float64(time.Microsecond)
	}
	if f > 9e18 {
		return 0, false
	}
	return time.Duration(f), true
}

// stripPort drops a ":port" from "host:port" or "[v6]:port"; a bare IPv6
// address is returned whole.
func stripPort(b []byte) []byte {
	if len(b) > 0 && b[0] == '[' {
		if e := bytes.IndexByte(b, ']'); e > 0 {
			return b[1:e]
		}
		return b
	}
	c := bytes.LastIndexByte(b, ':')
	if c < 0 || bytes.IndexByte(b[:c], ':') >= 0 {
		return b
	}
	return b[:c]
}
