package accesslog

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// kind says what a captured value is and which Record field it feeds.
type kind uint8

const (
	kSkip             kind = iota // matched, not stored (unknown variables)
	kClientIP                     // peer or forwarded client address
	kHost                         // site asked for; a :port suffix is dropped
	kUpstream                     // upstream list: the last entry answered
	kRequest                      // "GET /p?q HTTP/1.1"
	kMethod                       //
	kURI                          // path with query
	kPath                         // path only
	kQuery                        // query, a leading '?' dropped
	kProtocol                     //
	kStatus                       // 3 digits
	kOriginStatus                 // upstream status list: the last entry
	kBytes                        // decimal, "-" = 0
	kSeconds                      // duration "0.123"
	kWholeSeconds                 // duration "3"
	kMillis                       // duration in ms
	kMicros                       // duration in µs
	kUpstreamTime                 // $upstream_response_time: Duration only without $request_time
	kHeaderTime                   // seconds, last list entry
	kConnectTime                  // seconds, last list entry
	kReferer                      //
	kUserAgent                    //
	kRequestID                    //
	kCFRay                        // "<ray>-<colo>": RequestID and POP
	kStatusLocation               //
	kCacheStatus                  //
	kRetryAfter                   // delay-seconds; an HTTP-date is left Unknown
	kTimeCLF                      // 10/Oct/2000:13:55:36 -0700
	kTimeCLFBracketed             // [10/Oct/2000:13:55:36 -0700] (Apache %t)
	kTimeISO                      // RFC 3339
	kTimeEpoch                    // seconds[.frac], or ms/µs/ns by digit count
	kTimeEpochMillis              // Apache %{msec}t
	kTimeEpochMicros              // Apache %{usec}t
	kTimeFracMillis               // Apache %{msec_frac}t
	kTimeFracMicros               // Apache %{usec_frac}t
	kTimeStrftime                 // Apache %{<strftime>}t
)

// slot is a Record field that several captures may compete for; the one
// with the highest rank that carries a value wins.
type slot uint8

const (
	slotNone slot = iota
	slotClientIP
	slotHost
	slotMethod
	slotPath
	slotQuery
	slotProtocol
	slotStatus
	slotBytes
	slotDuration
	slotRequestID
	slotStatusLocation
	slotTime
	slotRetryAfter
	numSlots
)

// capture is one variable or directive of a compiled format.
type capture struct {
	name   string // as written, for errors and tests
	kind   kind
	slot   slot
	rank   uint8
	quoted bool  // between quotes: ends at an unescaped quote
	list   bool  // nginx upstream list: "a, b" and "a : b" continue the value
	token  bool  // never holds a space (for the last capture of a format)
	spaces int   // spaces the value itself holds (an unquoted $time_local)
	stop   byte  // adjacent to the next capture: ends before this byte
	strf   *strf // kTimeStrftime layout
}

// pattern is a compiled format: lits[0] cap[0] lits[1] cap[1] ... lits[n].
type pattern struct {
	lits []string
	bl   [][]byte // lits as bytes, so matching converts nothing per line
	caps []capture
}

// compiler accumulates a pattern from a format's pieces.
type compiler struct {
	lit  strings.Builder
	lits []string
	caps []capture
}

func (c *compiler) literal(s string) { c.lit.WriteString(s) }

func (c *compiler) capture(cp capture) {
	c.lits = append(c.lits, c.lit.String())
	c.lit.Reset()
	c.caps = append(c.caps, cp)
}

// finish checks the pattern can be matched and holds what edgetriage needs.
func (c *compiler) finish(what string) (pattern, error) {
	p := pattern{lits: append(c.lits, c.lit.String()), caps: c.caps}
	for _, l := range p.lits {
		p.bl = append(p.bl, []byte(l))
	}
	hasTime, hasStatus := false, false
	for i := range p.caps {
		cp := &p.caps[i]
		switch {
		case cp.kind >= kTimeCLF:
			hasTime = true
		case cp.kind == kStatus:
			hasStatus = true
		}
		before, after := p.lits[i], p.lits[i+1]
		cp.quoted = strings.HasSuffix(before, `"`) && strings.HasPrefix(after, `"`)
		if after == "" && i+1 < len(p.caps) {
			// Two variables with nothing between them can only be told
			// apart when the second starts with a known byte.
			// ($host$request_uri, %U%q).
			switch next := p.caps[i+1].kind; {
			case (next == kURI || next == kPath) && cp.kind != kPath && cp.kind != kURI:
				cp.stop = '/'
			case next == kQuery:
				cp.stop = '?'
			}
			if cp.stop == 0 || (i+2 < len(p.caps) && p.lits[i+2] == "") {
				return pattern{}, fmt.Errorf("%s: %s and %s have nothing between them to tell them apart", what, cp.name, p.caps[i+1].name)
			}
		}
	}
	if !hasTime {
		return pattern{}, fmt.Errorf("%s: format has no time field", what)
	}
	if !hasStatus {
		return pattern{}, fmt.Errorf("%s: format has no status field", what)
	}
	return p, nil
}

// Reasons for lines that do not fit a compiled format (preallocated).
var (
	errLiteral    = parse.Malformed("line does not match the format's fixed text")
	errUnquoted   = parse.Malformed("unterminated quoted field")
	errTruncated  = parse.Malformed("format text not found after a field")
	errStatus     = parse.MalformedField("status", "bad status")
	errOriginStat = parse.MalformedField("upstream status", "bad upstream status")
	errBytes      = parse.MalformedField("bytes", "bad byte count")
	errDuration   = parse.MalformedField("duration", "bad duration")
	errTime       = parse.MalformedField("timestamp", "bad timestamp")
	errNoTime     = parse.MalformedField("timestamp", "no timestamp")
	errNoStatus   = parse.MalformedField("status", "no status")
)

// patternParser runs a compiled pattern over lines.
type patternParser struct {
	format string
	pat    pattern
	clf    clfCache
	strict bool // no NCSA fallback (see Strict)
}

func (p *patternParser) Format() string { return p.format }

// lineState is what one line's captures decide together.
type lineState struct {
	ranks      [numSlots]uint8
	upstreamNS time.Duration // sum of $upstream_response_time entries
	hasUpTime  bool
	tm         timeAcc
}

// Parse matches the compiled format. A line whose shape does not fit it
// (the format's fixed text is missing) is tried as an NCSA line: a file in
// an nginx format that also holds plain combined or common lines, such as
// ingress-nginx's from before its format was set. A line of the right shape
// with a bad value stays malformed, and a line that fails both keeps the
// format's reason.
func (p *patternParser) Parse(line []byte, rec *parse.Record) error {
	resetRecord(rec)
	rec.Source = parse.SourceOrigin
	whole := line // columns count from here
	line = trimLine(line)
	var st lineState
	lits, caps := p.pat.bl, p.pat.caps
	if !bytes.HasPrefix(line, lits[0]) {
		return malformedAt(p.otherShape(line, rec, errLiteral), strconv.Quote(p.pat.lits[0]), whole, line)
	}
	pos := len(lits[0])
	for i := range caps {
		cp := &caps[i]
		next := lits[i+1]
		var end int
		var err error
		if cp.stop != 0 {
			end, err = splitAdjacent(line, pos, cp.stop, lits[i+2])
		} else {
			end, err = findEnd(line, pos, cp, next, i == len(caps)-1)
		}
		if err != nil {
			return malformedAt(p.otherShape(line, rec, err), cp.name, whole, line[pos:])
		}
		if err := p.store(cp, line[pos:end], rec, &st); err != nil {
			return parse.MalformedIn(err, whole, line[pos:])
		}
		pos = end
		if !bytes.HasPrefix(line[pos:], next) {
			return malformedAt(p.otherShape(line, rec, errLiteral), strconv.Quote(p.pat.lits[i+1]), whole, line[pos:])
		}
		pos += len(next)
	}
	// Anything after the format's end is ignored: formats grow at the end.
	if st.ranks[slotStatus] == 0 {
		return parse.MalformedIn(errNoStatus, whole, line) // the format has none
	}
	if st.ranks[slotDuration] == 0 && st.hasUpTime {
		rec.Duration = st.upstreamNS
	}
	t, ok := st.tm.resolve()
	if !ok {
		return parse.MalformedIn(errNoTime, whole, line)
	}
	rec.Time = t
	return nil
}

// malformedAt places err (if the line stays malformed) at the start of at
// in whole, naming field as expected there unless err names one: the
// capture that did not end, or the format's fixed text that is missing.
//
//go:noinline
func malformedAt(err error, field string, whole, at []byte) error {
	placed := parse.MalformedIn(err, whole, at)
	m, ok := placed.(*parse.MalformedError)
	if !ok || m.Field != "" {
		return placed
	}
	if placed == err { // no column found: copy before naming the field
		m = m.At(0)
	}
	m.Field = field
	return m
}

// otherShape handles a line whose shape does not fit the format: unless
// the parser is strict, a line NCSA reads is a record; otherwise err, the
// format's reason (an unterminated quote stays malformed).
//
//go:noinline
func (p *patternParser) otherShape(line []byte, rec *parse.Record, err error) error {
	if p.strict || (err != errLiteral && err != errTruncated) {
		return err
	}
	if _, nerr := scanNCSA(line, rec, &p.clf); nerr == nil {
		return nil
	}
	return err
}

// findEnd finds where the value starting at pos ends, given the literal that
// follows it in the format.
func findEnd(line []byte, pos int, cp *capture, next []byte, last bool) (int, error) {
	rest := line[pos:]
	switch {
	case len(next) == 0:
		if last && cp.token {
			if i := bytes.IndexByte(rest, ' '); i >= 0 {
				return pos + i, nil
			}
		}
		return len(line), nil
	case cp.quoted:
		// The closing quote is an unescaped one followed by the rest of
		// the literal, so \" (escape=json, Apache) and \x22 never end it.
		from := 0
		err := errUnquoted
		for {
			q := bytes.IndexByte(rest[from:], '"')
			if q < 0 {
				return 0, err
			}
			q += from
			if !escaped(rest, q) {
				if bytes.HasPrefix(rest[q:], next) {
					return pos + q, nil
				}
				err = errLiteral // a closing quote, but not the text after it
			}
			from = q + 1
		}
	}
	from := 0
	for s := cp.spaces; s > 0; s-- {
		i := bytes.IndexByte(rest[from:], ' ')
		if i < 0 {
			return 0, errTruncated
		}
		from += i + 1
	}
	for {
		i := bytes.Index(rest[from:], next)
		if i < 0 {
			return 0, errTruncated
		}
		i += from
		if cp.list && next[0] == ' ' {
			if i > 0 && rest[i-1] == ',' {
				from = i + 1
				continue
			}
			if bytes.HasPrefix(rest[i:], []byte(" : ")) {
				from = i + 3
				continue
			}
		}
		return pos + i, nil
	}
}

// splitAdjacent ends a value that runs straight into the next one at the
// first stop byte ('/' before a path, '?' before a query) within the text
// both share; without one, the second value is empty.
func splitAdjacent(line []byte, pos int, stop byte, after []byte) (int, error) {
	region := line[pos:]
	if len(after) > 0 {
		i := bytes.Index(region, after)
		if i < 0 {
			return 0, errTruncated
		}
		region = region[:i]
	}
	if i := bytes.IndexByte(region, stop); i >= 0 {
		return pos + i, nil
	}
	return pos + len(region), nil
}

// claim reports whether a value of rank r may fill slot s, and takes it.
func (st *lineState) claim(s slot, r uint8) bool {
	if r <= st.ranks[s] {
		return false
	}
	st.ranks[s] = r
	return true
}

// Strict returns a parser for p's format that does not fall back to NCSA
// for lines of another shape, or p itself if it has no fallback. Detection
// scores a format by the lines it reads itself, so that a compiled format
// wins only where it fits better than plain NCSA.
func Strict(p parse.Parser) parse.Parser {
	if pp, ok := p.(*patternParser); ok {
		return &patternParser{format: pp.format, pat: pp.pat, strict: true}
	}
	return p
}
