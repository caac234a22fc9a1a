package accesslog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/edgetriage/edgetriage/parse"
)

// NCSA variant names, as New accepts them and Variant returns them.
const (
	Common        = "common"
	Combined      = "combined"
	VhostCombined = "vhost_combined"
)

// Reasons for NCSA lines that do not fit. Preallocated: a good line never
// allocates; a bad one allocates the copy that carries its column.
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
//
// Each step has a fast path for the usual line and a fallback, run only when
// the fast path rejects the line, for the relatives real files mix in: a
// forwarded address list as the client, a status of "-", an unquoted "-"
// referer, Traefik's trailing router, server URL and duration.
func scanNCSA(line []byte, rec *parse.Record, cache *clfCache) (string, error) {
	// Every field a line leaves out is reset; the ones each line read
	// writes (resetUnscanned says which) are written below. A line that
	// fails may leave any of them: its record is not used.
	resetUnscanned(rec)
	rec.Source = parse.SourceOrigin
	whole := line // columns count from here, a byte order mark included
	line = trimLine(line)
	variant, open, ok := ncsaPrefix(line, rec)
	if !ok {
		return "", parse.MalformedIn(errNCSAPrefix, whole, line)
	}

	// [time]. The usual stamp is 26 bytes ("10/Oct/2000:13:55:36 -0700"):
	// look there first. With a ±hhmm zone no shorter stamp is valid, and
	// none holds a ']', so an earlier ']' fails either way.
	rest := line[open+2:]
	closeAt := clfLen
	if len(rest) <= clfLen || rest[clfLen] != ']' || rest[20] != ' ' || (rest[21] != '+' && rest[21] != '-') {
		closeAt = bytes.IndexByte(rest, ']')
	}
	if closeAt < 0 {
		return "", parse.MalformedIn(errNCSATime, whole, rest)
	}
	t, ok := cache.parse(rest[:closeAt])
	if !ok {
		return "", parse.MalformedIn(errNCSATime, whole, rest)
	}
	rec.Time = t
	rest = rest[closeAt+1:]

	// "request": it ends at the first unescaped quote that a status
	// follows, so an unescaped quote inside a request (old servers) does
	// not cut it.
	if len(rest) < 2 || rest[0] != ' ' || rest[1] != '"' {
		return "", parse.MalformedIn(errNCSARequest, whole, rest)
	}
	rest = rest[2:]
	end := -1
	for from := 0; ; {
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
		if end = dashStatusEnd(rest); end < 0 {
			return "", requestEndError(whole, rest)
		}
	}
	req := splitRequest(rest[:end])
	rec.Method = parse.View(req.method)
	rec.Path = parse.View(req.path)
	rec.Query = parse.View(req.query)
	rec.Protocol = parse.View(req.protocol)
	return ncsaTail(whole, rest[end+2:], rec, variant)
}

// requestEndError says why no request end was found in rest (what follows
// its opening quote): no closing quote, or no status after it, pointing
// where the status should be: after the first unescaped quote that a space
// follows (the request's end, most likely), else after the last quote.
//
//go:noinline
func requestEndError(whole, rest []byte) error {
	end := bytes.LastIndexByte(rest, '"')
	if end < 0 {
		return parse.MalformedIn(errNCSARequest, whole, rest)
	}
	for q := 0; q < end; q++ {
		if rest[q] == '"' && rest[q+1] == ' ' && !escaped(rest, q) {
			end = q
			break
		}
	}
	return parse.MalformedIn(errNCSAStatus, whole, rest[min(end+2, len(rest)):])
}

// ncsaPrefix reads what comes before " [time]": host ident user,
// optionally after a vhost, into rec. It returns the variant so far and
// where the " [" is; false when the prefix is not NCSA. The usual
// "client - - [" and "vhost client - - [" take one search for a space;
// anything else (a named ident or user, a list) takes the general pass.
func ncsaPrefix(line []byte, rec *parse.Record) (variant string, open int, ok bool) {
	if sp := bytes.IndexByte(line, ' '); sp > 0 && line[0] != '"' && line[0] != '{' && line[sp-1] != ',' {
		if dashesOpen(line[sp:]) {
			rec.ClientIP = parse.View(line[:sp])
			return Common, sp + 4, true
		}
		// A vhost first: the client is the next word (not a "[" that
		// would open the timestamp right after the vhost).
		if c := sp + 1; c < len(line) && line[c] != '[' {
			if sp2 := bytes.IndexByte(line[c:], ' '); sp2 > 0 && line[c+sp2-1] != ',' && dashesOpen(line[c+sp2:]) {
				rec.Host, rec.ClientIP = parse.View(stripPort(line[:sp])), parse.View(line[c:c+sp2])
				return VhostCombined, c + sp2 + 4, true
			}
		}
	}
	return ncsaPrefixGeneral(line, rec)
}

// dashesOpen reports whether b starts with " - - [": ident and user absent,
// then the timestamp.
func dashesOpen(b []byte) bool {
	return len(b) >= 6 && b[0] == ' ' && b[1] == '-' && b[2] == ' ' && b[3] == '-' && b[4] == ' ' && b[5] == '['
}

// ncsaPrefixGeneral is ncsaPrefix for every prefix: one pass finds both
// the " [" that opens the timestamp and the token ends of what comes
// before it: host ident user, optionally after the vhost, single spaces
// between non-empty tokens, none of them part of a list ("a, b"). n is -1
// once the prefix does not fit that; forwardedPrefix reads it then. Ends
// are kept as offsets: cheaper to store than slices.
func ncsaPrefixGeneral(line []byte, rec *parse.Record) (variant string, open int, ok bool) {
	var ends [3]int
	open, n, from := -1, 0, 0
	for i := 0; i < len(line); i++ {
		if line[i] != ' ' {
			continue
		}
		if i+1 < len(line) && line[i+1] == '[' {
			open = i
			break
		}
		if n < 0 {
			continue
		}
		if i == from || n == len(ends) || line[i-1] == ',' { // empty, a fifth, a list
			n = -1
			continue
		}
		ends[n], n, from = i, n+1, i+1
	}
	if open <= 0 {
		return "", 0, false
	}
	if n >= 2 && from < open && line[0] != '"' && line[0] != '{' {
		client := line[:ends[0]]
		variant = Common
		if n == 3 {
			rec.Host, client, variant = parse.View(stripPort(client)), line[ends[0]+1:ends[1]], VhostCombined
		}
		rec.ClientIP = parse.View(client)
		return variant, open, true
	}
	variant, ok = forwardedPrefix(line[:open], rec)
	return variant, open, ok
}

// ncsaTail reads what follows the request: "status bytes", then the
// optional referer and agent (one function with them: a call per field
// costs more than the fields). A status "-" (no response sent) leaves
// Status 0. whole is the line, for the column of an error.
func ncsaTail(whole, rest []byte, rec *parse.Record, variant string) (string, error) {
	if rest[0] == '-' {
		rest = rest[1:]
	} else {
		// statusFollows checked these three digits when it ended the request
		rec.Status = int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
		rest = rest[3:]
	}
	if len(rest) == 0 {
		return "", parse.MalformedIn(errNCSABytes, whole, rest)
	}
	rest = rest[1:]
	// The byte count, read as it is found: up to 18 digits (parse.Atoi's
	// limit) that a space or the end follows. Anything else ("-", more
	// digits, garbage) takes the general path. Fewer than 8 digits, with
	// 8 bytes to load, are read as one word.
	sp, b := 8, int64(0)
	if len(rest) >= 8 {
		sp, b = leadingDigits(binary.LittleEndian.Uint64(rest))
	}
	if sp == 8 {
		sp, b = 0, 0
		for sp < len(rest) && sp < 18 && rest[sp]-'0' <= 9 {
			b = b*10 + int64(rest[sp]-'0')
			sp++
		}
	}
	if sp > 0 && (sp == len(rest) || rest[sp] == ' ') {
		rec.Bytes = b
	} else if sp = bytesEnd(rest); isDash(rest[:sp]) && sp == 1 {
		rec.Bytes = 0
	} else if b, ok := parse.Atoi(rest[:sp]); ok {
		rec.Bytes = b
	} else {
		return "", parse.MalformedIn(errNCSABytes, whole, rest)
	}
	if sp == len(rest) {
		return variant, nil
	}
	// Optional "referer" "agent", possibly after unquoted extras (a %D or
	// %I some servers put before them); anything after is ignored but
	// Traefik's own fields.
	rest = rest[sp+1:]
	if len(rest) > 2 && rest[0] == '-' && rest[1] == ' ' && rest[2] == '"' {
		if v, ok := dashReferer(rest[2:], rec, variant); ok {
			return v, nil
		}
	}
	for len(rest) > 0 && rest[0] != '"' {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return variant, nil
		}
		rest = rest[sp+1:]
	}
	// `"referer" "agent"`, by index into rest: r and e are the closing
	// quotes of the two.
	if len(rest) == 0 {
		return variant, nil
	}
	r := closingQuote(rest, 0)
	if r < 0 || len(rest)-r < 3 || rest[r+1] != ' ' || rest[r+2] != '"' {
		return variant, nil
	}
	e := closingQuote(rest, r+2)
	if e < 0 {
		return variant, nil
	}
	if ref := rest[1:r]; !isDash(ref) {
		rec.Referer = parse.View(ref)
	}
	if agent := rest[r+3 : e]; !isDash(agent) {
		rec.UserAgent = parse.View(agent)
	}
	if e+1 < len(rest) {
		traefikTail(rest[e+1:], rec)
	}
	if variant == Common {
		variant = Combined
	}
	return variant, nil
}

// closingQuote is the index of the first unescaped quote after the one
// that opens a field at b[open], or -1.
func closingQuote(b []byte, open int) int {
	if open+2 < len(b) && b[open+2] == '"' && b[open+1] != '"' && b[open+1] != '\\' {
		return open + 2 // one character, such as the "-" of no referer
	}
	for from := open + 1; ; {
		q := bytes.IndexByte(b[from:], '"')
		if q < 0 {
			return -1
		}
		q += from
		if !escaped(b, q) {
			return q
		}
		from = q + 1
	}
}

// leadingDigits reads the decimal digits that start w, 8 bytes of a line
// loaded little-endian: how many there are (8 when all are) and, when fewer
// than 8, their value. No loop, no branch: a byte is a digit when its high
// nibble is 3 and stays 3 with 6 added (a carry out of a byte >= 0xfa only
// reaches bytes after it, which a non-digit ends anyway).
func leadingDigits(w uint64) (int, int64) {
	const ones, high = 0x0101010101010101, 0xf0f0f0f0f0f0f0f0
	notDigit := (w&high ^ 0x30*ones) | ((w+6*ones)&high ^ 0x30*ones)
	n := bits.TrailingZeros64(notDigit) >> 3
	// The n digits' values, moved to the top bytes: the bytes below them
	// are leading zeros. Then pairs, quads, and the eight are combined.
	v := (w & (0x0f * ones)) << (64 - 8*n)
	v = (v * (10<<8 + 1)) >> 8
	v = ((v & 0x00ff00ff00ff00ff) * (100<<16 + 1)) >> 16
	v = ((v & 0x0000ffff0000ffff) * (10000<<32 + 1)) >> 32
	return n, int64(v)
}

// bytesEnd is the index of the first space in rest, or its length.
func bytesEnd(rest []byte) int {
	sp := 0 // the byte count is short: a loop beats a call
	for sp < len(rest) && rest[sp] != ' ' {
		sp++
	}
	return sp
}

// dashReferer reads `"agent"` after an unquoted "-" referer (Traefik). It
// reports false when a quoted referer and agent follow instead: the "-"
// was an extra field then.
func dashReferer(b []byte, rec *parse.Record, variant string) (string, bool) {
	agent, after, ok := quoted(b)
	if !ok || (len(after) > 1 && after[0] == ' ' && after[1] == '"') {
		return variant, false
	}
	if !isDash(agent) {
		rec.UserAgent = parse.View(agent)
	}
	traefikTail(after, rec)
	if variant == Common {
		variant = Combined
	}
	return variant, true
}

// dashStatusEnd is the index of the quote that ends a request followed by a
// status of "-" (Traefik, when no response was sent), or -1.
func dashStatusEnd(rest []byte) int {
	for from := 0; ; {
		q := bytes.IndexByte(rest[from:], '"')
		if q < 0 {
			return -1
		}
		q += from
		if !escaped(rest, q) && dashFollows(rest[q+1:]) {
			return q
		}
		from = q + 1
	}
}

// clfLen is the length of a CLF timestamp without fraction.
const clfLen = len("10/Oct/2000:13:55:36 -0700")

// statusFollows reports whether b starts with " ddd" then a space or the
// end, ddd a status validStatus accepts (100-999), checked here byte by
// byte: it runs at every quote of a request.
func statusFollows(b []byte) bool {
	return len(b) >= 4 && b[0] == ' ' && b[1]-'1' <= 8 && b[2]-'0' <= 9 && b[3]-'0' <= 9 &&
		(len(b) == 4 || b[4] == ' ')
}

// dashFollows reports whether b starts with " -" then a space or the end:
// a status of "-".
func dashFollows(b []byte) bool {
	return len(b) >= 2 && b[0] == ' ' && b[1] == '-' && (len(b) == 2 || b[2] == ' ')
}

// escaped reports whether b[i] is preceded by an odd number of backslashes.
func escaped(b []byte, i int) bool {
	if i == 0 || b[i-1] != '\\' {
		return false // the usual quote: one compare
	}
	n := 0
	for i > 0 && b[i-1] == '\\' {
		n++
		i--
	}
	return n&1 == 1
}

// quoted reads a quoted field at the start of b: its content (escapes kept)
// and what follows the closing quote.
func quoted(b []byte) (val, after []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return nil, b, false
	}
	q := closingQuote(b, 0)
	if q < 0 {
		return nil, b, false
	}
	return b[1:q], b[q+1:], true
}
