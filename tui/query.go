package tui

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// A query is what `/` and `&` accept: words that must all match. A word is
// either plain text, found anywhere in the raw line (ignoring case unless
// it has upper-case letters), or a field expression such as status=504,
// status>=500, status=5xx, host=api.example.com, path~/account, colo=FRA,
// upstream=10.0.0.7 or duration>2s.
type query struct {
	src   string
	terms []term
}

// term is one word of a query.
type term struct {
	text  *textMatcher // plain text; nil for a field expression
	field *queryField
	op    string
	str   string        // lower-case value of string fields
	num   int64         // numeric fields
	dur   time.Duration // duration fields
	class int           // status=5xx: the class (5); 0 otherwise
}

// fieldKind says how a field's value compares.
type fieldKind int

const (
	fieldString fieldKind = iota
	fieldInt
	fieldDuration
)

// queryField is a field a query can name.
type queryField struct {
	name  string
	help  string
	kind  fieldKind
	str   func(*parse.Record) string
	num   func(*parse.Record) int64
	dur   func(*parse.Record) time.Duration
	alias []string
}

// queryFields are the fields of parse.Record a query can test, in the
// order completion offers them.
var queryFields = []*queryField{
	{name: "status", help: "status sent to the client: 504, >=500, 5xx", kind: fieldInt, num: func(r *parse.Record) int64 { return int64(r.Status) }},
	{name: "host", help: "site asked for", str: func(r *parse.Record) string { return r.Host }},
	{name: "path", help: "path without the query: path~/account", str: func(r *parse.Record) string { return r.Path }},
	{name: "method", help: "GET, POST, ...", str: func(r *parse.Record) string { return r.Method }},
	{name: "colo", help: "Cloudflare data centre (EdgeColoCode)", alias: []string{"pop"}, str: func(r *parse.Record) string { return r.POP }},
	{name: "upstream", help: "origin IP or upstream address", str: func(r *parse.Record) string { return r.Upstream }},
	{name: "client", help: "client IP", alias: []string{"ip"}, str: func(r *parse.Record) string { return r.ClientIP }},
	{name: "duration", help: "request time: duration>2s", kind: fieldDuration, dur: func(r *parse.Record) time.Duration { return r.Duration }},
	{name: "header_wait", help: "origin header wait: header_wait>1s", kind: fieldDuration, dur: func(r *parse.Record) time.Duration { return r.OriginHeaderTime }},
	{name: "connect", help: "origin TCP connect time: connect=0s is a reused connection", kind: fieldDuration, dur: func(r *parse.Record) time.Duration { return r.OriginConnectTime }},
	{name: "bytes", help: "response bytes", kind: fieldInt, num: func(r *parse.Record) int64 { return r.Bytes }},
	{name: "origin_status", help: "status the origin returned", kind: fieldInt, num: func(r *parse.Record) int64 { return int64(r.OriginStatus) }},
	{name: "id", help: "request id (RayID, X-Request-ID)", str: func(r *parse.Record) string { return r.RequestID }},
	{name: "query", help: "query string", str: func(r *parse.Record) string { return r.Query }},
	{name: "ua", help: "user agent", str: func(r *parse.Record) string { return r.UserAgent }},
	{name: "cache", help: "cache status", str: func(r *parse.Record) string { return r.CacheStatus }},
	{name: "protocol", help: "HTTP/1.1, HTTP/2.0, ...", str: func(r *parse.Record) string { return r.Protocol }},
	{name: "input", help: "the input file", str: func(r *parse.Record) string { return r.Input }},
}

func lookupField(name string) *queryField {
	name = strings.ToLower(name)
	for _, f := range queryFields {
		if f.name == name {
			return f
		}
		for _, a := range f.alias {
			if a == name {
				return f
			}
		}
	}
	return nil
}

// operators, longest first so ">=" is not read as ">".
var queryOps = []string{"!=", ">=", "<=", "!~", "=", ">", "<", "~"}

// parseQuery reads a query; an error names the word it could not read.
func parseQuery(s string) (*query, error) {
	q := &query{src: strings.TrimSpace(s)}
	for _, w := range strings.Fields(s) {
		t, err := parseTerm(w)
		if err != nil {
			return nil, err
		}
		q.terms = append(q.terms, t)
	}
	return q, nil
}

func parseTerm(w string) (term, error) {
	for i := 0; i < len(w); i++ {
		for _, op := range queryOps {
			if !strings.HasPrefix(w[i:], op) {
				continue
			}
			f := lookupField(w[:i])
			if f == nil {
				return term{text: newTextMatcher(w)}, nil
			}
			return fieldTerm(f, op, w[i+len(op):])
		}
	}
	return term{text: newTextMatcher(w)}, nil
}

func fieldTerm(f *queryField, op, v string) (term, error) {
	t := term{field: f, op: op}
	ordered := op == ">" || op == "<" || op == ">=" || op == "<="
	switch f.kind {
	case fieldString:
		if ordered {
			return t, fmt.Errorf("%s%s: %s is text: use =, !=, ~ or !~", f.name, op, f.name)
		}
		t.str = strings.ToLower(v)
	case fieldInt:
		if op == "~" || op == "!~" {
			return t, fmt.Errorf("%s%s: %s is a number: use =, !=, <, <=, > or >=", f.name, op, f.name)
		}
		if len(v) == 3 && (v[1] == 'x' || v[1] == 'X') && (v[2] == 'x' || v[2] == 'X') && v[0] >= '1' && v[0] <= '5' && !ordered {
			t.class = int(v[0] - '0')
			return t, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return t, fmt.Errorf("%s%s%s: want a number", f.name, op, v)
		}
		t.num = n
	case fieldDuration:
		if op == "~" || op == "!~" {
			return t, fmt.Errorf("%s%s: %s is a duration: use <, <=, >, >=, = or !=", f.name, op, f.name)
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			secs, ferr := strconv.ParseFloat(v, 64)
			if ferr != nil {
				return t, fmt.Errorf("%s%s%s: want a duration such as 2s or 250ms", f.name, op, v)
			}
			d = time.Duration(secs * float64(time.Second))
		}
		t.dur = d
	}
	return t, nil
}

// needsRecord says whether the query tests fields (the line must be parsed).
func (q *query) needsRecord() bool {
	for i := range q.terms {
		if q.terms[i].field != nil {
			return true
		}
	}
	return false
}

// prefilter is text every matching raw line must contain (a plain word,
// or the value of an = or ~ test, which a log line carries as written):
// lines without it need not be parsed. nil when there is none.
func (q *query) prefilter() *textMatcher {
	var best string
	for _, t := range q.terms {
		var lit string
		switch {
		case t.text != nil:
			lit = t.text.src
		case t.field.kind == fieldString && (t.op == "=" || t.op == "~") && t.field.name != "input" && t.field.name != "protocol":
			// A value the parser does not rewrite is in the line as written
			// (case aside); the input's name and a normalised protocol are not.
			lit = t.str
		case t.field.kind == fieldInt && t.op == "=" && t.class == 0:
			lit = strconv.FormatInt(t.num, 10)
		}
		if len(lit) > len(best) {
			best = lit
		}
	}
	if best == "" {
		return nil
	}
	return newTextMatcher(best)
}

// match tests a raw line and, when the query needs one, its record (nil
// when the line does not parse: then no field test matches).
func (q *query) match(raw []byte, rec *parse.Record) bool {
	for i := range q.terms {
		t := &q.terms[i]
		if t.text != nil {
			if t.text.index(raw) < 0 {
				return false
			}
			continue
		}
		if rec == nil || !t.matchRecord(rec) {
			return false
		}
	}
	return true
}

func (t *term) matchRecord(rec *parse.Record) bool {
	f := t.field
	switch f.kind {
	case fieldString:
		v := strings.ToLower(f.str(rec))
		switch t.op {
		case "=":
			return v == t.str
		case "!=":
			return v != t.str
		case "~":
			return strings.Contains(v, t.str)
		case "!~":
			return !strings.Contains(v, t.str)
		}
	case fieldInt:
		v := f.num(rec)
		if v == parse.Unknown {
			return false
		}
		if t.class > 0 {
			return (v/100 == int64(t.class)) == (t.op == "=")
		}
		return compare(v, t.num, t.op)
	case fieldDuration:
		v := f.dur(rec)
		if v == parse.Unknown || v < 0 {
			return false
		}
		return compare(int64(v), int64(t.dur), t.op)
	}
	return false
}

func compare(a, b int64, op string) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "<":
		return a < b
	case "<=":
		return a <= b
	}
	return false
}

// completeField completes the field name being typed at the end of s:
// the completed text (s unchanged when nothing fits) and the candidates.
func completeField(s string) (string, []string) {
	start := strings.LastIndexByte(s, ' ') + 1
	word := strings.ToLower(s[start:])
	for _, op := range queryOps {
		if strings.Contains(word, op) {
			return s, nil // past the name already
		}
	}
	var cands []string
	for _, f := range queryFields {
		for _, n := range append([]string{f.name}, f.alias...) {
			if strings.HasPrefix(n, word) {
				cands = append(cands, n)
			}
		}
	}
	sort.Strings(cands)
	switch len(cands) {
	case 0:
		return s, nil
	case 1:
		return s[:start] + cands[0] + "=", cands
	}
	// The longest common prefix of the candidates.
	p := cands[0]
	for _, c := range cands[1:] {
		for !strings.HasPrefix(c, p) {
			p = p[:len(p)-1]
		}
	}
	return s[:start] + p, cands
}

// textMatcher finds plain text in raw lines fast: it looks for the
// needle's rarest byte with IndexByte (both cases when it folds) and
// checks the needle around each hit, so a search costs about what a scan
// of the bytes costs.
type textMatcher struct {
	src    string
	needle []byte // lower case when fold
	fold   bool   // ignore ASCII case (the needle has no upper-case letter)
	exact  bool   // no folding needed: bytes.Index
	rare   int    // index in needle of the byte searched for
	lo, up byte
}

func newTextMatcher(s string) *textMatcher {
	m := &textMatcher{src: s, needle: []byte(s), fold: strings.ToLower(s) == s}
	m.exact = !m.fold || !hasLetter(m.needle)
	best := 256
	for i, c := range m.needle {
		if r := byteRank(c); r < best {
			best, m.rare = r, i
		}
	}
	if len(m.needle) > 0 {
		c := m.needle[m.rare]
		m.lo, m.up = c, c
		if m.fold && 'a' <= c && c <= 'z' {
			m.up = c - 'a' + 'A'
		}
	}
	return m
}

// byteRank ranks how common a byte is in access logs (lower: rarer).
func byteRank(c byte) int {
	switch {
	case strings.IndexByte(" \"-./:0123456789", c) >= 0:
		return 200 + strings.IndexByte(" \"-./:0123456789", c)
	case strings.IndexByte("etaoinsrhlcdmupgfw", c) >= 0:
		return 100 + strings.IndexByte("etaoinsrhlcdmupgfw", c)
	case 'A' <= c && c <= 'Z':
		return 60
	}
	return 10
}

// index is the first offset of the needle in b, or -1.
func (m *textMatcher) index(b []byte) int {
	n := len(m.needle)
	if n == 0 {
		return 0
	}
	if m.exact {
		return bytes.Index(b, m.needle)
	}
	// nextLo and nextUp are the next hits of each case of the rare byte at
	// or after pos (-2: not looked for yet, -1: none left), so each part
	// of b is scanned once per case.
	pos, nextLo, nextUp := m.rare, -2, -1
	if m.lo != m.up {
		nextUp = -2
	}
	for pos < len(b) {
		nextLo = nextHit(b, pos, m.lo, nextLo)
		nextUp = nextHit(b, pos, m.up, nextUp)
		hit := nextLo
		if hit < 0 || (nextUp >= 0 && nextUp < hit) {
			hit = nextUp
		}
		if hit < 0 {
			return -1
		}
		at := hit - m.rare
		if at+n <= len(b) && equalFoldLower(b[at:at+n], m.needle) {
			return at
		}
		pos = hit + 1
	}
	return -1
}

// nextHit is the next offset of c at or after pos, given the last one found.
func nextHit(b []byte, pos int, c byte, last int) int {
	if last == -1 || last >= pos {
		return last
	}
	i := bytes.IndexByte(b[pos:], c)
	if i < 0 {
		return -1
	}
	return pos + i
}

// equalFoldLower compares b with the lower-case needle, ignoring ASCII case.
func equalFoldLower(b, needle []byte) bool {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != needle[i] {
			return false
		}
	}
	return true
}

func hasLetter(b []byte) bool {
	for _, c := range b {
		if 'a' <= c && c <= 'z' {
			return true
		}
	}
	return false
}
