package accesslog

import (
	"bytes"
	"fmt"
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
}

func (p *patternParser) Format() string { return p.format }

// lineState is what one line's captures decide together.
type lineState struct {
	ranks      [numSlots]uint8
	upstreamNS time.Duration // sum of $upstream_response_time entries
	hasUpTime  bool
	tm         timeAcc
}

func (p *patternParser) Parse(line []byte, rec *parse.Record) error {
	rec.Reset()
	rec.Source = parse.SourceOrigin
	line = trimLine(line)
	var st lineState
	lits, caps := p.pat.bl, p.pat.caps
	if !bytes.HasPrefix(line, lits[0]) {
		return errLiteral
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
			return err
		}
		if err := p.store(cp, line[pos:end], rec, &st); err != nil {
			return err
		}
		pos = end
		if !bytes.HasPrefix(line[pos:], next) {
			return errLiteral
		}
		pos += len(next)
	}
	// Anything after the format's end is ignored: formats grow at the end.
	if st.ranks[slotStatus] == 0 {
		return errNoStatus
	}
	if st.ranks[slotDuration] == 0 && st.hasUpTime {
		rec.Duration = st.upstreamNS
	}
	t, ok := st.tm.resolve()
	if !ok {
		return errNoTime
	}
	rec.Time = t
	return nil
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

func (p *patternParser) store(cp *capture, v []byte, rec *parse.Record, st *lineState) error {
	switch cp.kind {
	case kSkip:
	case kClientIP:
		if !isDash(v) && st.claim(slotClientIP, cp.rank) {
			rec.ClientIP = parse.View(v)
		}
	case kHost:
		if !isDash(v) && st.claim(slotHost, cp.rank) {
			rec.Host = parse.View(stripPort(v))
		}
	case kUpstream:
		if !isDash(v) {
			if u := parse.LastEntry(v); !isDash(u) {
				rec.Upstream = parse.View(u)
			}
		}
	case kRequest:
		r := splitRequest(v)
		if st.claim(slotMethod, cp.rank) {
			rec.Method = parse.View(r.method)
		}
		if st.claim(slotPath, cp.rank) {
			rec.Path = parse.View(r.path)
		}
		if st.claim(slotQuery, cp.rank) {
			rec.Query = parse.View(r.query)
		}
		if st.claim(slotProtocol, cp.rank) {
			rec.Protocol = parse.View(r.protocol)
		}
	case kMethod:
		if !isDash(v) && st.claim(slotMethod, cp.rank) {
			rec.Method = parse.View(v)
		}
	case kURI:
		if !isDash(v) {
			path, query := splitTarget(v)
			if st.claim(slotPath, cp.rank) {
				rec.Path = parse.View(path)
			}
			if st.claim(slotQuery, cp.rank) {
				rec.Query = parse.View(query)
			}
		}
	case kPath:
		if !isDash(v) && st.claim(slotPath, cp.rank) {
			rec.Path = parse.View(v)
		}
	case kQuery:
		if len(v) > 0 && v[0] == '?' {
			v = v[1:]
		}
		if !isDash(v) && st.claim(slotQuery, cp.rank) {
			rec.Query = parse.View(v)
		}
	case kProtocol:
		if !isDash(v) && st.claim(slotProtocol, cp.rank) {
			rec.Protocol = parse.View(v)
		}
	case kStatus:
		n, ok := validStatus(v)
		if !ok {
			return errStatus
		}
		if st.claim(slotStatus, cp.rank) {
			rec.Status = n
		}
	case kOriginStatus:
		n, ok := parse.Status(parse.LastEntry(v))
		if !ok {
			return errOriginStat
		}
		rec.OriginStatus = n
	case kBytes:
		var n int64
		if !isDash(v) {
			var ok bool
			if n, ok = parse.Atoi(v); !ok {
				return errBytes
			}
		}
		if st.claim(slotBytes, cp.rank) {
			rec.Bytes = n
		}
	case kSeconds, kWholeSeconds, kMillis, kMicros:
		if isDash(v) {
			return nil
		}
		d, ok := duration(cp.kind, v)
		if !ok {
			return errDuration
		}
		if st.claim(slotDuration, cp.rank) {
			rec.Duration = d
		}
	case kUpstreamTime:
		// Retries: the request took the sum of the attempts.
		var sum time.Duration
		known := false
		for len(v) > 0 {
			e := v
			if c := bytes.IndexAny(v, ",:"); c >= 0 {
				e, v = v[:c], v[c+1:]
			} else {
				v = nil
			}
			e = bytes.TrimSpace(e)
			d, ok := parse.Seconds(e)
			if !ok {
				return errDuration
			}
			if d >= 0 {
				sum += d
				known = true
			}
		}
		if known {
			st.upstreamNS, st.hasUpTime = sum, true
		}
	case kHeaderTime, kConnectTime:
		d, ok := parse.Seconds(parse.LastEntry(v))
		if !ok {
			return errDuration
		}
		if cp.kind == kHeaderTime {
			rec.OriginHeaderTime = d
		} else {
			rec.OriginConnectTime = d
		}
	case kReferer:
		if !isDash(v) {
			rec.Referer = parse.View(v)
		}
	case kUserAgent:
		if !isDash(v) {
			rec.UserAgent = parse.View(v)
		}
	case kRequestID:
		if !isDash(v) && st.claim(slotRequestID, cp.rank) {
			rec.RequestID = parse.View(v)
		}
	case kCFRay:
		if !isDash(v) && st.claim(slotRequestID, cp.rank) {
			ray, colo := splitRay(v)
			rec.RequestID = parse.View(ray)
			rec.POP = parse.View(colo)
		}
	case kStatusLocation:
		if !isDash(v) && st.claim(slotStatusLocation, cp.rank) {
			rec.StatusLocation = parse.View(v)
		}
	case kCacheStatus:
		if !isDash(v) {
			rec.CacheStatus = cacheStatus(v)
		}
	case kRetryAfter:
		// The seconds form only; an HTTP-date is no error, just unknown.
		if d, ok := parse.RetryAfter(parse.LastEntry(v)); ok && st.claim(slotRetryAfter, cp.rank) {
			rec.RetryAfter = d
		}
	default:
		return p.storeTime(cp, v, st)
	}
	return nil
}

func duration(k kind, v []byte) (time.Duration, bool) {
	if k == kSeconds {
		return parse.Seconds(v)
	}
	n, ok := parse.Atoi(v)
	if !ok {
		return 0, false
	}
	switch k {
	case kWholeSeconds:
		return time.Duration(n) * time.Second, true
	case kMillis:
		return time.Duration(n) * time.Millisecond, true
	}
	return time.Duration(n) * time.Microsecond, true
}

func (p *patternParser) storeTime(cp *capture, v []byte, st *lineState) error {
	t := &st.tm
	switch cp.kind {
	case kTimeCLFBracketed:
		if len(v) < 2 || v[0] != '[' || v[len(v)-1] != ']' {
			return errTime
		}
		v = v[1 : len(v)-1]
		fallthrough
	case kTimeCLF:
		ns, ok := p.clf.parse(v)
		if !ok {
			return errTime
		}
		t.setNS(ns)
	case kTimeISO:
		ns, ok := parse.RFC3339(v)
		if !ok {
			return errTime
		}
		t.setNS(ns)
	case kTimeEpoch, kTimeEpochMillis, kTimeEpochMicros:
		var ns int64
		var ok bool
		if cp.kind == kTimeEpoch {
			ns, ok = parse.Epoch(v)
		} else if n, good := parse.Atoi(v); good {
			if cp.kind == kTimeEpochMillis {
				ns, ok = parse.EpochIn(n, time.Millisecond)
			} else {
				ns, ok = parse.EpochIn(n, time.Microsecond)
			}
		}
		if !ok {
			return errTime
		}
		t.setNS(ns)
	case kTimeFracMillis, kTimeFracMicros:
		n, ok := parse.Atoi(v)
		if !ok || (cp.kind == kTimeFracMillis && n > 999) || n > 999999 {
			return errTime
		}
		if cp.kind == kTimeFracMillis {
			t.frac = n * int64(time.Millisecond)
		} else {
			t.frac = n * int64(time.Microsecond)
		}
	case kTimeStrftime:
		if !cp.strf.parse(v, t) {
			return errTime
		}
	}
	return nil
}
