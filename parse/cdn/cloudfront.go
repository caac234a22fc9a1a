package cdn

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
)

// NewCloudFront returns the parser for AWS CloudFront standard (access) logs:
// W3C extended format, tab separated. The "#Version:" and "#Fields:" header
// lines are ignored lines (parse.ErrIgnored) and "#Fields:" sets the column
// order for the lines after it, so each input needs its own parser. Data
// before any "#Fields:" line is read in the standard 33-column order.
//
// Where each Record field comes from:
//
//	Time         date + time (UTC)
//	Source       edge
//	Host         x-host-header when present and not "-", else cs(Host)
//	ClientIP     c-ip
//	Method       cs-method
//	Path         cs-uri-stem (as logged, still URL-encoded)
//	Query        cs-uri-query ("-" -> "")
//	Protocol     cs-protocol-version
//	Referer      cs(Referer), URL-decoded ("-" -> "")
//	UserAgent    cs(User-Agent), URL-decoded ("-" -> "")
//	Status       sc-status ("000": the viewer went away before a response -> 0)
//	Bytes        sc-bytes
//	Duration     time-taken (seconds)
//	RequestID    x-edge-request-id
//	POP          x-edge-location
//	CacheStatus  x-edge-result-type, else x-edge-response-result-type, lower
//	             case (hit, refreshhit, originshieldhit, miss, error, redirect,
//	             limitexceeded, capacityexceeded, ...)
//	Failure      x-edge-detailed-result-type of an Error (OriginDnsError,
//	             OriginConnectError, ClientCommError, ...)
//
// CloudFront logs neither the origin's address nor its status: Upstream is
// "" and OriginStatus Unknown. A line with fewer columns than the header
// still parses when date, time and sc-status are present.
func NewCloudFront() parse.Parser {
	p := &cloudfront{}
	p.setFields(defaultCloudFrontFields)
	return p
}

// defaultCloudFrontFields is the standard log's column order (33 fields).
const defaultCloudFrontFields = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"

type cfColumn uint8

const (
	colSkip cfColumn = iota
	colDate
	colTime
	colPOP
	colBytes
	colClientIP
	colMethod
	colHost
	colStem
	colStatus
	colReferer
	colUserAgent
	colQuery
	colResult
	colRequestID
	colHostHeader
	colDuration
	colResponseResult
	colProtocolVersion
	colDetailedResult
)

var cloudFrontColumns = map[string]cfColumn{
	"date":                        colDate,
	"time":                        colTime,
	"x-edge-location":             colPOP,
	"sc-bytes":                    colBytes,
	"c-ip":                        colClientIP,
	"cs-method":                   colMethod,
	"cs(host)":                    colHost,
	"cs-uri-stem":                 colStem,
	"sc-status":                   colStatus,
	"cs(referer)":                 colReferer,
	"cs(user-agent)":              colUserAgent,
	"cs-uri-query":                colQuery,
	"x-edge-result-type":          colResult,
	"x-edge-request-id":           colRequestID,
	"x-host-header":               colHostHeader,
	"time-taken":                  colDuration,
	"x-edge-response-result-type": colResponseResult,
	"cs-protocol-version":         colProtocolVersion,
	"x-edge-detailed-result-type": colDetailedResult,
}

// maxColumns bounds the header; CloudFront has never had more than ~40.
const maxColumns = 128

type cloudfront struct {
	cols     []cfColumn // role of each column, in order
	required int        // columns needed: the index of the last of date, time, sc-status, +1
}

var (
	errCFColumns = parse.MalformedField("columns", "fewer columns than date, time and sc-status need")
	errCFDate    = parse.MalformedField("date time", "bad date or time")
	errCFStatus  = parse.MalformedField("sc-status", "bad sc-status")
	errCFFields  = parse.MalformedField("#Fields", "#Fields header lacks date, time or sc-status")
)

func (p *cloudfront) Format() string { return "cloudfront" }

// setFields reads a "#Fields:" list; false if it cannot describe records.
func (p *cloudfront) setFields(list string) bool {
	names := strings.Fields(list)
	if len(names) > maxColumns {
		names = names[:maxColumns]
	}
	cols := make([]cfColumn, len(names))
	need := map[cfColumn]int{colDate: -1, colTime: -1, colStatus: -1}
	for i, n := range names {
		c := cloudFrontColumns[strings.ToLower(n)]
		cols[i] = c
		if _, ok := need[c]; ok {
			need[c] = i
		}
	}
	required := 0
	for _, i := range need {
		if i < 0 {
			return false
		}
		required = max(required, i+1)
	}
	p.cols, p.required = cols, required
	return true
}

func (p *cloudfront) Parse(line []byte, rec *parse.Record) error {
	rec.Reset()
	line = bytes.TrimRight(line, "\r")
	if len(line) > 0 && line[0] == '#' {
		if rest, ok := bytes.CutPrefix(line, []byte("#Fields:")); ok {
			if !p.setFields(string(rest)) {
				return parse.MalformedIn(errCFFields, line, rest)
			}
		}
		return parse.ErrIgnored
	}
	rec.Source = parse.SourceEdge
	var raw cfRaw
	col := 0
	for start := 0; col < len(p.cols); col++ {
		end := bytes.IndexByte(line[start:], '\t')
		var f []byte
		if end < 0 {
			f = line[start:]
		} else {
			f = line[start : start+end]
		}
		if err := raw.column(p.cols[col], f, rec); err != nil {
			return parse.MalformedIn(err, line, f)
		}
		if end < 0 {
			col++
			break
		}
		start += end + 1
	}
	if col < p.required || !raw.haveStatus {
		return parse.MalformedIn(errCFColumns, line, line[len(line):])
	}
	if err := raw.finish(rec); err != nil {
		at := raw.date // the date and time columns
		if at == nil {
			at = line
		}
		return parse.MalformedIn(err, line, at)
	}
	return nil
}

// cfRaw holds the columns that are read together once the line is split.
type cfRaw struct {
	date, clock        []byte
	host, hostHeader   []byte
	result, respResult []byte
	detailed           []byte
	haveStatus         bool
}

// column stores one column's value f, or keeps it in r for finish.
func (r *cfRaw) column(c cfColumn, f []byte, rec *parse.Record) error {
	switch c {
	case colDate:
		r.date = f
	case colTime:
		r.clock = f
	case colPOP:
		rec.POP = str(f)
	case colBytes:
		if n, ok := parse.Atoi(f); ok {
			rec.Bytes = n
		}
	case colClientIP:
		rec.ClientIP = str(f)
	case colMethod:
		rec.Method = str(f)
	case colHost:
		r.host = f
	case colStem:
		rec.Path = str(f)
	case colStatus:
		s, ok := parse.Status(f)
		if !ok {
			return errCFStatus
		}
		rec.Status, r.haveStatus = s, true
	case colReferer:
		rec.Referer = decoded(f)
	case colUserAgent:
		rec.UserAgent = decoded(f)
	case colQuery:
		rec.Query = str(f)
	case colResult:
		r.result = f
	case colRequestID:
		rec.RequestID = str(f)
	case colHostHeader:
		r.hostHeader = f
	case colDuration:
		if d, ok := parse.Seconds(f); ok {
			rec.Duration = d
		}
	case colResponseResult:
		r.respResult = f
	case colProtocolVersion:
		rec.Protocol = str(f)
	case colDetailedResult:
		r.detailed = f
	}
	return nil
}

// finish fills the fields that depend on several columns.
func (r *cfRaw) finish(rec *parse.Record) error {
	t, ok := cfTime(r.date, r.clock)
	if !ok {
		return errCFDate
	}
	rec.Time = t
	if h := str(r.hostHeader); h != "" {
		rec.Host = h
	} else {
		rec.Host = str(r.host)
	}
	if c := str(r.result); c != "" {
		rec.CacheStatus = resultType(c)
	} else {
		rec.CacheStatus = resultType(str(r.respResult))
	}
	if rec.CacheStatus == "error" {
		if d := str(r.detailed); d != "" && d != "Error" {
			rec.Failure = d
		}
	}
	return nil
}

// str returns a field's text, "" for CloudFront's "-" placeholder.
func str(f []byte) string {
	if len(f) == 1 && f[0] == '-' {
		return ""
	}
	return parse.View(f)
}

// decoded returns a URL-encoded field decoded (allocating only when it
// holds a '%'); a field that does not decode is kept as logged.
func decoded(f []byte) string {
	s := str(f)
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	d, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return d
}

// cfTime joins "2019-12-04" and "21:02:31" into a UTC timestamp.
func cfTime(date, clock []byte) (int64, bool) {
	if len(date) != 10 || len(clock) < 8 || len(clock) > 18 {
		return 0, false
	}
	var buf [32]byte
	n := copy(buf[:], date)
	buf[n] = 'T'
	n++
	n += copy(buf[n:], clock)
	buf[n] = 'Z'
	n++
	return parse.RFC3339(buf[:n])
}

// resultTypes maps CloudFront's result types to the lower-case cache status
// without allocating.
var resultTypes = map[string]string{
	"Hit":                       "hit",
	"RefreshHit":                "refreshhit",
	"OriginShieldHit":           "originshieldhit",
	"Miss":                      "miss",
	"Error":                     "error",
	"Redirect":                  "redirect",
	"LimitExceeded":             "limitexceeded",
	"CapacityExceeded":          "capacityexceeded",
	"FunctionGeneratedResponse": "functiongeneratedresponse",
}

func resultType(s string) string {
	if s == "" {
		return ""
	}
	if c, ok := resultTypes[s]; ok {
		return c
	}
	return strings.ToLower(s)
}
