// Package cdn parses the logs of content delivery networks: Cloudflare
// Logpush/Logpull http_requests NDJSON and AWS CloudFront standard logs.
// Their records are the client's view of a request (Source edge).
package cdn

import (
	"bytes"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/jsonscan"
)

// NewCloudflare returns the parser for Cloudflare http_requests NDJSON
// (Logpush, and Logpull which uses the same field names). What it makes of
// a line never depends on the lines before; it only remembers the order of
// the last line's keys to recognise the next line's faster (so one
// instance serves one goroutine, as parse.Parser says).
//
// Where each Record field comes from:
//
//	Time              EdgeStartTimestamp: RFC 3339 (with or without ms/ns),
//	                  integer Unix seconds or nanoseconds, or either as a string
//	Source            edge
//	Host              ClientRequestHost (EdgeRequestHost if that is missing or empty)
//	Upstream          OriginIP ("" when no origin was contacted)
//	ClientIP          ClientIP
//	Method            ClientRequestMethod
//	Path              ClientRequestPath, else ClientRequestURI up to '?'
//	Query             ClientRequestURI after '?'
//	Protocol          ClientRequestProtocol
//	Referer           ClientRequestReferer
//	UserAgent         ClientRequestUserAgent
//	Status            EdgeResponseStatus
//	OriginStatus      OriginResponseStatus (0 = no origin request; Unknown if absent)
//	Bytes             EdgeResponseBytes
//	Duration          EdgeEndTimestamp - EdgeStartTimestamp, when both are present
//	                  (at the resolution of the timestamps)
//	OriginHeaderTime  OriginResponseHeaderReceiveDurationMs
//	OriginConnectTime OriginTCPHandshakeDurationMs (0 = reused connection)
//	RequestID         RayID
//	POP               EdgeColoCode
//	CacheStatus       CacheCacheStatus
//	StatusLocation    ResponseHeaders (or ResponseFields) custom field, first of the
//	                  keys location, operation-location, azure-asyncoperation,
//	                  content-location (case-insensitive; a value may be ["..."])
//
// Numbers written as strings, strings written as arrays and arrays written as
// strings are accepted, and so is the JSON-array output option ("[" / ","
// / "]" around records; lines holding only those are ignored lines). A line that is not a JSON object, or has no usable
// EdgeStartTimestamp or EdgeResponseStatus, is malformed.
func NewCloudflare() parse.Parser { return &cloudflare{} }

type cloudflare struct {
	order   jsonscan.KeyOrder // the keys of the last record, tagged with their cfField
	members []jsonscan.Member // a batch of the line's members
}

// membersPerBatch is how many members the parser takes from the scanner at
// once: a wide Logpush record in one or two batches, in a buffer made once.
const membersPerBatch = 64

func (*cloudflare) Format() string { return "cloudflare" }

var (
	errNoStart    = parse.MalformedField("EdgeStartTimestamp", "no EdgeStartTimestamp")
	errBadStart   = parse.MalformedField("EdgeStartTimestamp", "EdgeStartTimestamp is not a timestamp")
	errNoStatus   = parse.MalformedField("EdgeResponseStatus", "no EdgeResponseStatus")
	errBadStatus  = parse.MalformedField("EdgeResponseStatus", "EdgeResponseStatus is not a status code")
	errNotObject  = parse.Malformed(jsonscan.ErrNotObject)
	errTruncated  = parse.Malformed(jsonscan.ErrTruncated)
	errSyntax     = parse.Malformed(jsonscan.ErrSyntax)
	errTrailing   = parse.Malformed(jsonscan.ErrTrailing)
	errDepth      = parse.Malformed(jsonscan.ErrDepth)
	errJSONReason = map[string]error{
		jsonscan.ErrNotObject: errNotObject,
		jsonscan.ErrTruncated: errTruncated,
		jsonscan.ErrSyntax:    errSyntax,
		jsonscan.ErrTrailing:  errTrailing,
		jsonscan.ErrDepth:     errDepth,
	}
)

// jsonError turns a jsonscan error reason into a preallocated malformed
// error.
func jsonError(reason string) error {
	if e, ok := errJSONReason[reason]; ok {
		return e
	}
	return parse.Malformed(reason)
}

func (p *cloudflare) Parse(line []byte, rec *parse.Record) error {
	rec.Reset()
	whole := line // columns count from here
	line, wrapperOnly := unwrapArray(line)
	if wrapperOnly {
		return parse.ErrIgnored
	}
	rec.Source = parse.SourceEdge
	st := cfLine{locRank: len(locationHeaders)}
	m := jsonscan.MembersOf(line)
	if p.members == nil {
		p.members = make([]jsonscan.Member, 0, membersPerBatch)
	}
	for {
		batch := m.Batch(&p.order, p.members)
		for i := range batch {
			mb := &batch[i]
			f := cfField(mb.Tag)
			switch mb.Tag {
			case jsonscan.Skip: // an object or array of a key read for nothing else
				f = cfOther
			case jsonscan.Unlearned:
				key := mb.Key(line)
				f = cfKeys.field(key)
				learned := uint8(f)
				if f == cfOther {
					learned = jsonscan.Skip // only an object is looked at (see member)
				}
				p.order.Learn(mb.Pos, key, learned)
			}
			if f != cfOther || mb.Kind == jsonscan.Object {
				st.member(f, mb.Value(line), rec)
			}
		}
		if len(batch) < cap(p.members) {
			break
		}
	}
	if reason := m.CheckEnd(); reason != "" {
		return parse.MalformedIn(jsonError(reason), whole, line[m.Offset():])
	}
	if !st.startSeen && !st.statusSeen && st.nested != nil {
		return wrapped(whole, st.nested, rec)
	}
	return st.finishAt(rec, whole, line)
}

// wrapped reads a record that a Logpush record_prefix/record_suffix (or
// record_template) put inside an outer object, such as {"cf":{...}} or
// {"source":"cloudflare","log":{...}}: the first object member naming
// EdgeStartTimestamp, of a line that has no Cloudflare fields of its own.
// One level only. whole is the line, for the column of an error.
func wrapped(whole, obj []byte, rec *parse.Record) error {
	rec.Reset()
	rec.Source = parse.SourceEdge
	st := cfLine{locRank: len(locationHeaders)}
	m := jsonscan.MembersOf(obj)
	for k, v, ok := m.Step(); ok; k, v, ok = m.Step() {
		st.member(cfKeys.field(k), v, rec)
	}
	if reason := m.Err(); reason != "" {
		return parse.MalformedIn(jsonError(reason), whole, obj[m.Offset():])
	}
	return st.finishAt(rec, whole, obj)
}

// finishAt is finish, its error placed in whole: at the bad value, or at
// the start of obj (the record) for a member that is missing.
func (st *cfLine) finishAt(rec *parse.Record, whole, obj []byte) error {
	err := st.finish(rec)
	if err == nil {
		return nil
	}
	at := st.errAt
	if at == nil {
		at = obj
	}
	return parse.MalformedIn(err, whole, at)
}

// cfLine is what one line's members decide together.
type cfLine struct {
	start, end         int64
	haveStart, haveEnd bool
	haveStatus         bool
	startSeen          bool
	statusSeen         bool
	uri                string
	edgeHost           string
	locRank            int
	nested             []byte // the first other object member, for wrapped
	startRaw           []byte // the values of EdgeStartTimestamp and EdgeResponseStatus,
	statusRaw          []byte // for the column of an error
	errAt              []byte // set by finish: where its error is (nil: none or unknown)
}

// member stores one member of the record, whose key names f.
func (st *cfLine) member(f cfField, v jsonscan.Value, rec *parse.Record) {
	switch f {
	case cfStart:
		st.startSeen, st.startRaw = true, v.Raw
		st.start, st.haveStart = timestamp(v)
	case cfEnd:
		st.end, st.haveEnd = timestamp(v)
	case cfStatus:
		st.statusSeen, st.statusRaw = true, v.Raw
		if n, ok := v.Int(); ok && n >= 0 && n <= 999 {
			rec.Status, st.haveStatus = int(n), true
		} else {
			st.haveStatus = false
		}
	case cfOriginStatus:
		if n, ok := v.Int(); ok && n >= 0 && n <= 999 {
			rec.OriginStatus = int(n)
		}
	case cfHost:
		rec.Host = text(v)
	case cfEdgeHost:
		st.edgeHost = text(v)
	case cfOriginIP:
		rec.Upstream = text(v)
	case cfClientIP:
		rec.ClientIP = text(v)
	case cfMethod:
		rec.Method = internMethod(text(v))
	case cfPath:
		rec.Path = text(v)
	case cfURI:
		st.uri = text(v)
	case cfProtocol:
		rec.Protocol = internProtocol(text(v))
	case cfReferer:
		rec.Referer = text(v)
	case cfUserAgent:
		rec.UserAgent = text(v)
	case cfBytes:
		if n, ok := v.Int(); ok && n >= 0 {
			rec.Bytes = n
		}
	case cfOriginHeaderTime:
		if d, ok := millis(v); ok {
			rec.OriginHeaderTime = d
		}
	case cfOriginConnectTime:
		if d, ok := millis(v); ok {
			rec.OriginConnectTime = d
		}
	case cfRayID:
		rec.RequestID = text(v)
	case cfColo:
		rec.POP = internColo(text(v))
	case cfCacheStatus:
		rec.CacheStatus = internCacheStatus(text(v))
	case cfResponseHeaders:
		if v.Kind == jsonscan.Object {
			st.locRank = responseHeaders(v.Raw, rec, st.locRank)
		}
	case cfIgnored:
	default:
		if v.Kind == jsonscan.Object && st.nested == nil && bytes.Contains(v.Raw, []byte(`"EdgeStartTimestamp"`)) {
			st.nested = v.Raw
		}
	}
}

// finish checks the line has a time and a status and fills the fields that
// depend on several members.
func (st *cfLine) finish(rec *parse.Record) error {
	if !st.haveStart {
		if st.startSeen {
			st.errAt = st.startRaw
			return errBadStart
		}
		return errNoStart
	}
	if !st.haveStatus {
		if st.statusSeen {
			st.errAt = st.statusRaw
			return errBadStatus
		}
		return errNoStatus
	}
	rec.Time = st.start
	if st.haveEnd && st.end >= st.start {
		rec.Duration = time.Duration(st.end - st.start)
	}
	if rec.Host == "" {
		rec.Host = st.edgeHost
	}
	if st.uri != "" {
		path, query, _ := strings.Cut(st.uri, "?")
		if rec.Path == "" {
			rec.Path = path
		}
		rec.Query = query
	}
	return nil
}

// unwrapArray strips what Logpush's JSON-array output option puts around
// records ("[" before the first, "," between, "]" after the last), so
// `[{...},` and `{...}]` read as records; a line of only those characters is
// part of the wrapper.
func unwrapArray(line []byte) ([]byte, bool) {
	i, j := 0, len(line)
	for i < j && (line[i] == '[' || line[i] == ',' || isSpace(line[i])) {
		i++
	}
	for j > i && (line[j-1] == ']' || line[j-1] == ',' || isSpace(line[j-1])) {
		j--
	}
	if i == j {
		return line, len(line) > 0 && bytes.ContainsAny(line, "[],")
	}
	if i == 0 && j == len(line) {
		return line, false
	}
	return line[i:j], false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// locationHeaders are the status-resource headers of an async response, most
// telling first.
var locationHeaders = [...]string{"location", "operation-location", "azure-asyncoperation", "content-location"}

// responseHeaders fills rec.StatusLocation and rec.RetryAfter from a
// headers object, keeping the best-ranked location header seen so far; it
// returns the rank now held.
func responseHeaders(obj []byte, rec *parse.Record, rank int) int {
	h := jsonscan.MembersOf(obj)
	for h.Next() {
		if bytes.EqualFold(h.Key, []byte("retry-after")) {
			if s, ok := h.Val.FirstString(); ok {
				if d, ok := parse.RetryAfter(s.Raw); ok { // digits never need unescaping
					rec.RetryAfter = d
				}
			} else if h.Val.Kind == jsonscan.Number {
				if d, ok := parse.RetryAfter(h.Val.Raw); ok {
					rec.RetryAfter = d
				}
			}
			continue
		}
		for i := 0; i < rank; i++ {
			if !bytes.EqualFold(h.Key, []byte(locationHeaders[i])) {
				continue
			}
			if s, ok := h.Val.FirstString(); ok {
				if t := s.Text(); t != "" {
					rec.StatusLocation, rank = t, i
				}
			}
			break
		}
	}
	return rank
}

// text returns a value as a string, leniently: strings as they are (a view
// unless escaped), numbers and booleans as written, the first string of an
// array, and "" for null or an object.
func text(v jsonscan.Value) string {
	if v.Kind == jsonscan.Array {
		s, ok := v.FirstString()
		if !ok {
			return ""
		}
		v = s
	}
	if v.Kind == jsonscan.Null {
		return ""
	}
	return v.Text()
}

// timestamp reads a Cloudflare timestamp in any of its output formats.
func timestamp(v jsonscan.Value) (int64, bool) {
	raw := v.Raw
	switch v.Kind {
	case jsonscan.String:
		raw = bytes.TrimSpace(raw)
		if t, ok := parse.RFC3339(raw); ok {
			return t, true
		}
	case jsonscan.Number:
		if t, ok := unixNano19(raw); ok {
			return t, true
		}
	default:
		return 0, false
	}
	if t, ok := parse.Epoch(raw); ok {
		return t, true
	}
	// Exponent notation from a float encoder: seconds if small, else ns.
	f, ok := v.Float()
	if !ok || f <= 0 || f > 9e18 {
		return 0, false
	}
	if f < 1e11 {
		return int64(f * 1e9), true
	}
	return int64(f), true
}

// millis reads a millisecond count (integer, float or string; a fraction
// is dropped).
func millis(v jsonscan.Value) (time.Duration, bool) {
	n, ok := v.Int()
	if !ok || n < 0 || n > 1e12 {
		return 0, false
	}
	return time.Duration(n) * time.Millisecond, true
}
