// Package jsonlog parses JSON-lines access logs written by web servers and
// proxies: nginx log_format with escape=json, Caddy's access log and
// Traefik's JSON access log, recognising their usual key names, plus any
// other names the user maps onto Record fields.
package jsonlog

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/jsonscan"
)

// New returns the parser for JSON-lines access logs (Format "json"; with a
// mapping "json:Field=key,...", see Format).
//
// mapping overrides or adds key names: Record field name (case-insensitive,
// see Fields) -> JSON key. A key with dots also matches nested objects
// ("request.headers.X-Trace-Id" reads Caddy's request headers; the literal
// dotted key is tried as well). A mapped key wins over every built-in name
// for that field. Unknown field names are ignored; use Check to report them.
//
// Built-in names, best first (a later one fills a field only when no earlier
// one did; "-" and "" count as absent). Lists of retries such as
// "10.0.0.1:80, 10.0.0.2:80" or "502, 200" (nginx $upstream_*) yield their
// last entry, the one that answered:
//
//	Time              time_iso8601, time_local, msec, StartUTC, StartLocal (Traefik),
//	                  timestamp, time, @timestamp, ts (Caddy): RFC 3339 (no zone
//	                  = UTC), CLF time, or Unix seconds/ms/us/ns (number or string)
//	Host              host, http_host, RequestHost, request.host, server_name, vhost
//	Upstream          upstream_addr, upstream, ServiceAddr, ServiceURL (scheme and path dropped),
//	                  BackendAddr (Traefik v1)
//	ClientIP          http_cf_connecting_ip, request_Cf-Connecting-Ip,
//	                  request.headers.Cf-Connecting-Ip, request.client_ip, client_ip,
//	                  remote_addr, request.remote_ip, ClientHost, remote_ip, ip,
//	                  ClientAddr (Traefik; the port dropped)
//	Method            request_method, method, RequestMethod, request.method, request line
//	Path, Query       request_uri, RequestPath, request.uri, path, url (split at '?'),
//	                  request line ("GET /p?q HTTP/1.1" in "request"), uri;
//	                  Query also args, query_string, query
//	Protocol          server_protocol, protocol, RequestProtocol, request.proto, request line
//	UserAgent         http_user_agent, user_agent, request_User-Agent,
//	                  request.headers.User-Agent, useragent, agent
//	Referer           http_referer, referer, referrer, http_referrer, request_Referer,
//	                  request.headers.Referer
//	Status            status, DownstreamStatus, status_code, response_status
//	OriginStatus      upstream_status, OriginStatus (Traefik)
//	Bytes             body_bytes_sent, bytes_sent, size (Caddy), DownstreamContentSize,
//	                  bytes, response_size
//	Duration          request_time (s), duration (Caddy, s), Duration (Traefik, ns),
//	                  upstream_response_time (s) as a fallback
//	OriginHeaderTime  upstream_header_time (s)
//	OriginConnectTime upstream_connect_time (s; 0 = reused keep-alive connection)
//	RequestID         http_cf_ray, request_Cf-Ray, request.headers.Cf-Ray, cf_ray,
//	                  http_x_request_id, request_X-Request-Id,
//	                  request.headers.X-Request-Id, request_id, req_id, x_request_id
//	POP               the colo of a CF-Ray value ("8f3a2b1c4d5e6f70-FRA"), pop, colo
//	StatusLocation    sent_http_location, sent_http_operation_location,
//	                  sent_http_azure_asyncoperation, sent_http_content_location,
//	                  the same as upstream_http_*,
//	                  downstream_Location (and the same Traefik downstream_ names),
//	                  resp_headers.Location (and the same Caddy names), location
//	CacheStatus       upstream_cache_status, cache_status
//	Failure           errorCode (Akamai DataStream 2)
//	RetryAfter        sent_http_retry_after, upstream_http_retry_after,
//	                  downstream_Retry-After (Traefik), resp_headers.Retry-After (Caddy),
//	                  retry_after: seconds only, an HTTP-date leaves it Unknown
//
// Akamai DataStream 2 (JSON) and Fastly's usual JSON log format names are
// known too, from their public field references: reqTimeSec, reqHost,
// cliIP, reqMethod, reqPath, queryStr, UA, statusCode, totalBytes, reqId,
// errorCode; request_protocol, request_referer, request_user_agent,
// response_status, response_body_size, response_state (the cache state).
//
// Elastic Common Schema names are known too, nested or flattened, after the
// names above: @timestamp, http.request.method, url.original, url.path,
// url.query, url.domain, client.ip, source.ip, http.response.status_code,
// http.response.body.bytes, event.duration (ns), user_agent.original,
// http.request.referrer, http.request.id.
//
// A CF-Ray value keeps its id as RequestID (the form Cloudflare's RayID
// has) and its colo as POP. Source is origin. Header objects (Caddy's
// request.headers, resp_headers) are matched case-insensitively and their
// ["value"] arrays read as their first value. A line with a "msg" or
// "message" but neither a status nor a request (method, path) is an
// application message, ignored; any other line without a usable time or
// status is malformed.
func New(mapping map[string]string) parse.Parser {
	p := &parser{root: defaultTable(), name: "json"}
	var pairs []string
	names := make([]string, 0, len(mapping))
	for name := range mapping {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic when two names map one key
	for _, name := range names {
		spec, ok := fieldNames[strings.ToLower(name)]
		key := mapping[name]
		if !ok || key == "" {
			continue
		}
		pairs = append(pairs, spec.name+"="+key)
		p.root.removeField(spec.field)
		p.root.add(key, action{field: spec.field, how: spec.how, rank: 0})
		if strings.Contains(key, ".") {
			p.root.addPath(strings.Split(key, "."), action{field: spec.field, how: spec.how, rank: 0})
		}
	}
	if len(pairs) > 0 {
		sort.Strings(pairs)
		p.name = "json:" + strings.Join(pairs, ",")
	}
	return p
}

// Check reports mapping entries whose field name is not one of Fields.
func Check(mapping map[string]string) error {
	var bad []string
	for name, key := range mapping {
		if _, ok := fieldNames[strings.ToLower(name)]; !ok {
			bad = append(bad, name)
		} else if key == "" {
			bad = append(bad, name+" (empty key)")
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("json mapping: unknown field %s (known: %s)", strings.Join(bad, ", "), strings.Join(Fields(), ", "))
	}
	return nil
}

// Fields lists the names a mapping may use: Record fields, plus Request (a
// whole request line), URI (path with query), CFRay (a CF-Ray header value)
// and DurationMs/DurationUs/DurationNs (Duration in other units; Duration
// itself is seconds).
func Fields() []string {
	out := make([]string, 0, len(fieldNames))
	for _, s := range fieldNames {
		out = append(out, s.name)
	}
	sort.Strings(out)
	return out
}

type parser struct {
	root *table
	name string
}

// Format is "json", or with a mapping "json:Field=key,..." (sorted), the
// name parse/formats.New builds the same parser from.
func (p *parser) Format() string { return p.name }

// field is a destination in the Record; pseudo-fields fill several.
type field uint8

const (
	fTime field = iota
	fHost
	fUpstream
	fClientIP
	fMethod
	fPath
	fQuery
	fProtocol
	fUserAgent
	fReferer
	fStatus
	fOriginStatus
	fBytes
	fDuration
	fOriginHeaderTime
	fOriginConnectTime
	fRequestID
	fPOP
	fStatusLocation
	fCacheStatus
	fRetryAfter
	fFailure
	nFields
	fRequest // request line: method, path, query, protocol
	fURI     // path with query
)

// how says how to read a value.
type how uint8

const (
	hString   how = iota
	hTime         // any timestamp form
	hStatus       // HTTP status
	hInt          // byte count
	hSeconds      // duration in seconds
	hMillis       // duration in ms
	hMicros       // duration in us
	hNanos        // duration in ns
	hList         // last entry of a retry list, then as the field wants
	hRay          // CF-Ray: id-COLO
	hAddr         // address, scheme and path dropped
	hHostPort     // address, a :port dropped
)

type action struct {
	field field
	how   how
	list  bool // a retry list: use its last entry
	rank  uint8
}

type entry struct {
	acts []action
	sub  *table // for a nested object
	tag  uint8  // its index in table.entries + 1; jsonscan.Unlearned past the first 253
}

// A table belongs to one parser, so one goroutine: besides its names it
// keeps the key order of the last object it read (see jsonscan.KeyOrder)
// and a buffer for a batch of members.
type table struct {
	keys    map[string]*entry
	fold    bool // keys compared case-insensitively (header maps)
	entries []*entry
	order   jsonscan.KeyOrder
	members []jsonscan.Member
}

func newTable(fold bool) *table { return &table{keys: map[string]*entry{}, fold: fold} }

// byTag is the entry a tag names: nil for jsonscan.Skip, a key not in the
// table.
func (t *table) byTag(tag uint8) *entry {
	if tag == jsonscan.Skip {
		return nil
	}
	return t.entries[tag-1]
}

// tagOf is the tag for the entry a key looked up to (nil: not in the table,
// whatever its value).
func tagOf(e *entry) uint8 {
	if e == nil {
		return jsonscan.Skip
	}
	return e.tag
}

func (t *table) entry(key string) *entry {
	if t.fold {
		key = strings.ToLower(key)
	}
	e := t.keys[key]
	if e == nil {
		e = &entry{tag: jsonscan.Unlearned}
		if len(t.entries) < int(jsonscan.Skip)-1 {
			e.tag = uint8(len(t.entries) + 1)
		}
		t.entries = append(t.entries, e)
		t.keys[key] = e
	}
	return e
}

func (t *table) add(key string, a action) { e := t.entry(key); e.acts = append(e.acts, a) }

// addPath registers a nested key path; objects named "headers" and
// "resp_headers" are header maps and match case-insensitively.
func (t *table) addPath(path []string, a action) {
	for len(path) > 1 {
		e := t.entry(path[0])
		if e.sub == nil {
			e.sub = newTable(path[0] == "headers" || path[0] == "resp_headers")
		}
		t, path = e.sub, path[1:]
	}
	t.add(path[0], a)
}

// removeField drops the built-in names of a field, so that a mapped key
// replaces them rather than competing with them.
func (t *table) removeField(f field) {
	for _, e := range t.keys {
		kept := e.acts[:0]
		for _, a := range e.acts {
			if a.field == f {
				continue
			}
			kept = append(kept, a)
		}
		e.acts = kept
		if e.sub != nil {
			e.sub.removeField(f)
		}
	}
}

// lookup finds the entry of a raw (possibly escaped) key without
// allocating.
func (t *table) lookup(key []byte) *entry {
	if !t.fold {
		return t.keys[string(key)]
	}
	var buf [128]byte
	if len(key) > len(buf) {
		return nil
	}
	for i, c := range key {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return t.keys[string(buf[:len(key)])]
}

var (
	errNoTime    = parse.MalformedField("timestamp", "no timestamp field")
	errBadTime   = parse.MalformedField("timestamp", "timestamp not understood")
	errNoStatus  = parse.MalformedField("status", "no status field")
	errBadStatus = parse.MalformedField("status", "status is not an HTTP status code")
	errJSON      = map[string]error{}
)

func init() {
	for _, r := range []string{jsonscan.ErrNotObject, jsonscan.ErrTruncated, jsonscan.ErrSyntax, jsonscan.ErrTrailing, jsonscan.ErrDepth} {
		errJSON[r] = parse.Malformed(r)
	}
}

// state is what one line has filled so far.
type state struct {
	rank               [nFields]uint8 // rank of the value held; 255 = none
	timeSeen, badTime  bool
	statusSeen, badSts bool
	// Where a bad time or status value, or a JSON error, is (for the
	// error's column).
	timeAt, statusAt, jsonAt []byte
}

func (p *parser) Parse(line []byte, rec *parse.Record) error {
	rec.Reset()
	rec.Source = parse.SourceOrigin
	var st state
	for i := range st.rank {
		st.rank[i] = 255
	}
	if reason := p.object(line, p.root, rec, &st, 0, true); reason != "" {
		e, ok := errJSON[reason]
		if !ok {
			e = parse.Malformed(reason)
		}
		return parse.MalformedIn(e, line, st.jsonAt)
	}
	if !st.statusSeen && st.rank[fMethod] == 255 && st.rank[fPath] == 255 && isMessage(line) {
		// No status and no request, but a log message: an application
		// message logged beside the access log (Caddy's "server running",
		// a Traefik start-up line), not a request.
		return parse.ErrIgnored
	}
	if st.rank[fTime] == 255 {
		if st.badTime {
			return parse.MalformedIn(errBadTime, line, orLine(st.timeAt, line))
		}
		return parse.MalformedIn(errNoTime, line, line)
	}
	if st.rank[fStatus] == 255 {
		if st.badSts {
			return parse.MalformedIn(errBadStatus, line, orLine(st.statusAt, line))
		}
		return parse.MalformedIn(errNoStatus, line, line)
	}
	return nil
}

const maxNesting = 4

// isMessage reports whether a line has a log message key ("msg" or
// "message"). Only lines without a status get here.
func isMessage(line []byte) bool {
	return bytes.Contains(line, []byte(`"msg":`)) || bytes.Contains(line, []byte(`"message":`))
}

// membersPerBatch is how many members object takes from the scanner at
// once.
const membersPerBatch = 32

// object walks one object against table t; top says it is the whole line.
// Its keys are predicted from the last object t read (a shipper writes
// them in the same order on every line) and looked up when they differ.
func (p *parser) object(data []byte, t *table, rec *parse.Record, st *state, depth int, top bool) string {
	m := jsonscan.MembersOf(data)
	if t.members == nil {
		t.members = make([]jsonscan.Member, 0, membersPerBatch)
	}
	for {
		batch := m.Batch(&t.order, t.members)
		for i := range batch {
			mb := &batch[i]
			var e *entry
			if mb.Tag == jsonscan.Unlearned {
				key := mb.Key(data)
				e = t.lookup(key)
				t.order.Learn(mb.Pos, key, tagOf(e))
			} else {
				e = t.byTag(mb.Tag)
			}
			if e == nil {
				continue
			}
			v := mb.Value(data)
			if v.Kind == jsonscan.Object {
				if e.sub != nil && depth < maxNesting {
					if reason := p.object(v.Raw, e.sub, rec, st, depth+1, false); reason != "" {
						return reason
					}
				}
				continue
			}
			for _, a := range e.acts {
				apply(rec, st, a, v)
			}
		}
		if len(batch) < cap(t.members) {
			break
		}
	}
	reason := m.Err()
	if top {
		reason = m.CheckEnd()
	}
	if reason != "" && st.jsonAt == nil {
		st.jsonAt = data[m.Offset():]
	}
	return reason
}

// orLine is at, or line when at was not a view of it (an unescaped copy).
func orLine(at, line []byte) []byte {
	if parse.ColumnIn(line, at) == 0 {
		return line
	}
	return at
}

// apply stores v into the action's field unless a better-ranked value is
// already there.
func apply(rec *parse.Record, st *state, a action, v jsonscan.Value) {
	if a.field < nFields && st.rank[a.field] <= a.rank {
		return
	}
	// The text of a scalar value (an array's first string; a list's last
	// entry); null, booleans, "" and "-" are absent.
	if v.Kind == jsonscan.Array {
		s, ok := v.FirstString()
		if !ok {
			return
		}
		v = s
	}
	if v.Kind == jsonscan.Null || v.Kind == jsonscan.True || v.Kind == jsonscan.False {
		return
	}
	var b []byte
	if v.Kind == jsonscan.String {
		b = v.Bytes()
	} else {
		b = v.Raw
	}
	b = bytes.TrimSpace(b)
	if a.list {
		b = parse.LastEntry(b)
	}
	if len(b) == 0 || (len(b) == 1 && b[0] == '-') {
		return
	}
	// Store b; the field's rank is taken only when it now holds the value.
	switch a.field {
	case fTime, fStatus, fOriginStatus:
		if !storeTimeStatus(rec, st, a.field, b) {
			return
		}
	case fBytes, fDuration, fOriginHeaderTime, fOriginConnectTime, fRetryAfter:
		if !storeNumber(rec, a, b) {
			return
		}
	case fRequest:
		requestLine(rec, st, a.rank, b)
		return
	case fURI:
		uri(rec, st, a.rank, parse.View(b))
		return
	case fRequestID:
		s := parse.View(b)
		if a.how == hRay {
			if id, colo, ok := strings.Cut(s, "-"); ok && id != "" {
				s = id
				if colo != "" && st.rank[fPOP] > a.rank {
					rec.POP, st.rank[fPOP] = colo, a.rank
				}
			}
		}
		rec.RequestID = s
	case fUpstream:
		rec.Upstream = address(parse.View(b))
	default:
		if a.how == hHostPort {
			b = stripPort(b)
		}
		*stringField(rec, a.field) = parse.View(b)
	}
	if a.field < nFields {
		st.rank[a.field] = a.rank
	}
}

// storeTimeStatus stores the time and the statuses, noting in st that the
// line had one even when it cannot be read (the line's error says so).
func storeTimeStatus(rec *parse.Record, st *state, f field, b []byte) bool {
	if f == fTime {
		st.timeSeen = true
		t, ok := timestamp(b)
		if !ok {
			if !st.badTime {
				st.timeAt = b
			}
			st.badTime = true
			return false
		}
		rec.Time = t
		return true
	}
	if f == fStatus {
		st.statusSeen = true
	}
	s, ok := status(b)
	if !ok {
		if f == fStatus {
			if !st.badSts {
				st.statusAt = b
			}
			st.badSts = true
		}
		return false
	}
	if f == fStatus {
		rec.Status = s
	} else {
		rec.OriginStatus = s
	}
	return true
}

// storeNumber stores byte counts and durations; a value that cannot be read
// is skipped, leaving the field to a lower-ranked name.
func storeNumber(rec *parse.Record, a action, b []byte) bool {
	switch a.field {
	case fBytes:
		n, ok := integer(b)
		if !ok || n < 0 {
			return false
		}
		rec.Bytes = n
	case fRetryAfter:
		d, ok := parse.RetryAfter(b) // an HTTP-date stays Unknown
		if !ok {
			return false
		}
		rec.RetryAfter = d
	default:
		d, ok := duration(b, a.how)
		if !ok {
			return false
		}
		switch a.field {
		case fDuration:
			rec.Duration = d
		case fOriginHeaderTime:
			rec.OriginHeaderTime = d
		default:
			rec.OriginConnectTime = d
		}
	}
	return true
}
