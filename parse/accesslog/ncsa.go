package accesslog

import (
	"bytes"
	"fmt"

	"github.com/edgetriage/edgetriage/parse"
)

// NCSA variant names, as New accepts them and Variant returns them.
const (
	Common        = "common"
	Combined      = "combined"
	VhostCombined = "vhost_combined"
)

// Reasons for NCSA lines that do not fit. Preallocated: Parse must not
// allocate, even for bad lines.
var (
	errNCSAPrefix  = parse.MalformedField("host ident user", "ncsa: expected host ident user before [timestamp]")
	errNCSATime    = parse.MalformedField("[timestamp]", "ncsa: bad timestamp")
	errNCSARequest = parse.MalformedField(`"request"`, "ncsa: expected quoted request after timestamp")
	errNCSAStatus  = parse.MalformedField("status", "ncsa: expected 3-digit status after request")
	errNCSABytes   = parse.MalformedField("bytes", "ncsa: bad byte count")
)

// New returns the NCSA parser named "combined", "common" or "vhost_combined".
// The name is what Format reports; whatever it is, the parser reads every
// NCSA variant line by line (a leading vhost with or without :port, with or
// without referer and user agent, extra trailing fields such as
// X-Forwarded-For="..." ignored).
func New(name string) (parse.Parser, error) {
	switch name {
	case Common, Combined, VhostCombined:
		return &ncsaParser{name: name}, nil
	}
	return nil, fmt.Errorf("accesslog: unknown NCSA format %q (want combined, common or vhost_combined)", name)
}

// Variant names the NCSA variant a line fits: "vhost_combined" (a leading
// virtual host), "combined" (referer and user agent), "common", or "" when the
// line is not an NCSA access-log line. Detection uses it on first lines.
func Variant(line []byte) string {
	var rec parse.Record
	var cache clfCache
	v, err := scanNCSA(line, &rec, &cache)
	if err != nil {
		return ""
	}
	return v
}

type ncsaParser struct {
	name string
	time clfCache
}

func (p *ncsaParser) Format() string { return p.name }

func (p *ncsaParser) Parse(line []byte, rec *parse.Record) error {
	_, err := scanNCSA(line, rec, &p.time)
	return err
}

// scanNCSA reads one NCSA line:
//
//	[vhost[:port] ]host ident user [time] "request" status bytes ["referer" "agent"] [extra...]
//
// Bytes "-" is read as 0, the meaning %b gives it ("no body sent"). The
// request line is kept apart into method, path, query and protocol; a "-" or
// garbage request leaves them empty. Values are views of line, as logged
// (escapes such as \x22 are not decoded).
func scanNCSA(line []byte, rec *parse.Record, cache *clfCache) (string, error) {
	rec.Reset()
	rec.Source = parse.SourceOrigin
	variant := Common
	line = trimLine(line)

	open := timeOpen(line)
	if open <= 0 {
		return "", errNCSAPrefix
	}
	// host ident user, optionally preceded by the vhost: single spaces
	// between non-empty tokens. One pass over a few dozen bytes is cheaper
	// than a call per token.
	var tok [4][]byte
	n := 0
	prefix := line[:open]
	from := 0
	for i, c := range prefix {
		if c != ' ' {
			continue
		}
		if i == from || n == len(tok)-1 { // an empty token, or a fifth after this one
			return "", errNCSAPrefix
		}
		tok[n] = prefix[from:i]
		n++
		from = i + 1
	}
	if from == len(prefix) {
		return "", errNCSAPrefix
	}
	tok[n] = prefix[from:]
	n++
	switch n {
	case 3:
		rec.ClientIP = parse.View(tok[0])
	case 4:
		rec.Host = parse.View(stripPort(tok[0]))
		rec.ClientIP = parse.View(tok[1])
		variant = VhostCombined
	default:
		return "", errNCSAPrefix
	}
	if tok[0][0] == '"' || tok[0][0] == '{' {
		return "", errNCSAPrefix
	}

	rest := line[open+2:]
	// The usual stamp is 26 bytes ("10/Oct/2000:13:55:36 -0700"): look
	// there first. With a ±hhmm zone no shorter stamp is valid, and none
	// holds a ']', so an earlier ']' fails either way.
	closeAt := clfLen
	if len(rest) <= clfLen || rest[clfLen] != ']' || rest[20] != ' ' || (rest[21] != '+' && rest[21] != '-') {
		closeAt = bytes.IndexByte(rest, ']')
	}
	if closeAt < 0 {
		return "", errNCSATime
	}
	t, ok := cache.parse(rest[:closeAt])
	if !ok {
		return "", errNCSATime
	}
	rec.Time = t
	rest = rest[closeAt+1:]
	if len(rest) < 2 || rest[0] != ' ' || rest[1] != '"' {
		return "", errNCSARequest
	}
	rest = rest[2:]

	// The request ends at the first unescaped quote that a status follows,
	// so an unescaped quote inside a request (old servers) does not cut it.
	end := -1
	from = 0
	for {
		q := bytes.IndexByte(rest[from:], '"')
		if q < 0 {
			break
		}
		q += from
		if !escaped(rest, q) && statusFollows(rest[q+1:]) {
			end = q
			break
		}
		from = q + 1
	}
	if end < 0 {
		if bytes.IndexByte(rest, '"') < 0 {
			return "", errNCSARequest
		}
		return "", errNCSAStatus
	}
	req := splitRequest(rest[:end])
	rec.Method = parse.View(req.method)
	rec.Path = parse.View(req.path)
	rec.Query = parse.View(req.query)
	rec.Protocol = parse.View(req.protocol)
	rest = rest[end+2:]

	status, _ := validStatus(rest[:3])
	rec.Status = status
	rest = rest[3:]
	if len(rest) == 0 {
		return "", errNCSABytes
	}
	rest = rest[1:]
	sp := 0 // the byte count is short: a loop beats a call
	for sp < len(rest) && rest[sp] != ' ' {
		sp++
	}
	if isDash(rest[:sp]) && sp == 1 {
		rec.Bytes = 0
	} else if b, ok := parse.Atoi(rest[:sp]); ok {
		rec.Bytes = b
	} else {
		return "", errNCSABytes
	}
	if sp == len(rest) {
		return variant, nil
	}
	rest = rest[sp+1:]

	// Optional "referer" "agent", possibly after unquoted extras (a %D or
	// %I some servers put before them); anything after is ignored.
	for len(rest) > 0 && rest[0] != '"' {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return variant, nil
		}
		rest = rest[sp+1:]
	}
	ref, after, ok := quoted(rest)
	if !ok || len(after) < 2 || after[0] != ' ' || after[1] != '"' {
		return variant, nil
	}
	agent, _, ok := quoted(after[1:])
	if !ok {
		return variant, nil
	}
	if !isDash(ref) {
		rec.Referer = parse.View(ref)
	}
	if !isDash(agent) {
		rec.UserAgent = parse.View(agent)
	}
	if variant == Common {
		variant = Combined
	}
	return variant, nil
}

// clfLen is the length of a CLF timestamp without fraction.
const clfLen = len("10/Oct/2000:13:55:36 -0700")

// timeOpen is the index of the first " [" in line (the space before the
// timestamp), or -1. It searches for the rarer '[' rather than the space.
func timeOpen(line []byte) int {
	from := 0
	for {
		i := bytes.IndexByte(line[from:], '[')
		if i < 0 {
			return -1
		}
		i += from
		if i > 0 && line[i-1] == ' ' {
			return i - 1
		}
		from = i + 1
	}
}

// statusFollows reports whether b starts with " ddd" then a space or the end.
func statusFollows(b []byte) bool {
	if len(b) < 4 || b[0] != ' ' {
		return false
	}
	if _, ok := validStatus(b[1:4]); !ok {
		return false
	}
	return len(b) == 4 || b[4] == ' '
}

// escaped reports whether b[i] is preceded by an odd number of backslashes.
func escaped(b []byte, i int) bool {
	n := 0
	for i > 0 && b[i-1] == '\\' {
		n++
		i--
	}
	return n%2 == 1
}

// quoted reads a quoted field at the start of b: its content (escapes kept)
// and what follows the closing quote.
func quoted(b []byte) (val, after []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return nil, b, false
	}
	if len(b) > 2 && b[2] == '"' && b[1] != '"' && b[1] != '\\' {
		return b[1:2], b[3:], true // one character, such as the "-" of no referer
	}
	from := 1
	for {
		q := bytes.IndexByte(b[from:], '"')
		if q < 0 {
			return nil, b, false
		}
		q += from
		if !escaped(b, q) {
			return b[1:q], b[q+1:], true
		}
		from = q + 1
	}
}
