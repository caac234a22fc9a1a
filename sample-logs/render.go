package samplelogs

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// TimeStyle is how a Cloudflare Logpush job encodes its timestamps
// (the job's timestamp_format option).
type TimeStyle uint8

const (
	TimeRFC3339ms TimeStyle = iota // "2026-11-20T09:00:00.123Z"
	TimeUnixNano                   // 1763629200123000000
)

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	if plainJSON(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		b = append(b, s[i:i+size]...)
		i += size
	}
	return append(b, '"')
}

// plainJSON reports whether s needs no escaping (printable ASCII without
// quote or backslash), the common case that is copied whole.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

type jsonObj struct {
	b     []byte
	first bool
}

func (o *jsonObj) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *jsonObj) str(k, v string) { o.key(k); o.b = appendJSONString(o.b, v) }
func (o *jsonObj) num(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}
func (o *jsonObj) float(k string, v float64, prec int) {
	o.key(k)
	o.b = strconv.AppendFloat(o.b, v, 'f', prec, 64)
}
func (o *jsonObj) raw(k, v string) { o.key(k); o.b = append(o.b, v...) }

func newObj(b []byte) *jsonObj   { return &jsonObj{b: append(b, '{'), first: true} }
func (o *jsonObj) close() []byte { return append(o.b, '}') }

func appendCFTime(b []byte, t time.Time, style TimeStyle) []byte {
	if style == TimeUnixNano {
		return strconv.AppendInt(b, t.UnixNano(), 10)
	}
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	return append(b, '"')
}

// AppendCloudflare appends r as one Cloudflare Logpush http_requests NDJSON
// record (without the newline), fields in alphabetical order as Logpush
// writes them, ResponseHeaders carrying the location / retry-after custom
// fields.
func AppendCloudflare(b []byte, r *Request, style TimeStyle) []byte {
	o := newObj(b)
	o.str("CacheCacheStatus", r.Cache)
	o.num("CacheResponseStatus", int64(cacheResponseStatus(r)))
	o.str("ClientCountry", r.Country)
	o.str("ClientIP", r.ClientIP)
	o.num("ClientRequestBytes", int64(requestBytes(r)))
	o.str("ClientRequestHost", r.Host)
	o.str("ClientRequestMethod", r.Method)
	o.str("ClientRequestPath", r.Path)
	o.str("ClientRequestProtocol", r.Protocol)
	o.str("ClientRequestReferer", r.Referer)
	o.str("ClientRequestScheme", "https")
	o.str("ClientRequestSource", "eyeball")
	o.str("ClientRequestURI", r.URI())
	o.str("ClientRequestUserAgent", r.UserAgent)
	o.str("EdgeColoCode", r.Colo)
	o.key("EdgeEndTimestamp")
	o.b = appendCFTime(o.b, r.End(), style)
	o.str("EdgeRequestHost", r.Host)
	o.num("EdgeResponseBytes", r.Bytes)
	o.str("EdgeResponseContentType", r.ContentType)
	o.num("EdgeResponseStatus", int64(r.Status))
	o.str("EdgeServerIP", r.EdgeServerIP)
	o.key("EdgeStartTimestamp")
	o.b = appendCFTime(o.b, r.Time, style)
	o.num("EdgeTimeToFirstByteMs", int64(r.TTFBMs))
	o.num("OriginDNSResponseTimeMs", 0) // origin names are cached at the edge
	o.str("OriginIP", r.OriginIP)
	o.num("OriginRequestHeaderSendDurationMs", 0)
	o.num("OriginResponseDurationMs", int64(originDurationMs(r)))
	o.num("OriginResponseHeaderReceiveDurationMs", int64(r.OriginHdrMs))
	o.num("OriginResponseStatus", int64(r.OriginStatus))
	if r.OriginIP != "" && r.Status != 522 { // a 522 never got a connection, let alone TLS
		o.str("OriginSSLProtocol", "TLSv1.3")
	} else {
		o.str("OriginSSLProtocol", "unknown")
	}
	o.num("OriginTCPHandshakeDurationMs", int64(r.OriginTCPMs))
	o.num("OriginTLSHandshakeDurationMs", int64(r.OriginTLSMs))
	o.str("RayID", r.RayID)
	o.key("ResponseHeaders")
	h := newObj(o.b)
	if r.Location != "" {
		h.str("location", r.Location)
	}
	if r.RetryAfter > 0 {
		h.str("retry-after", strconv.Itoa(r.RetryAfter))
	}
	o.b = h.close()
	o.str("SecurityAction", "unknown")
	return o.close()
}

// cacheResponseStatus mirrors Logpush: the status the cache layer handed to
// the edge, which is the edge status for everything we generate.
func cacheResponseStatus(r *Request) int { return r.Status }

func requestBytes(r *Request) int {
	n := 180 + len(r.URI()) + len(r.UserAgent) + len(r.Host)
	if r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH" {
		n += 240
	}
	return n
}

func originDurationMs(r *Request) int {
	if r.OriginIP == "" {
		return 0
	}
	return r.OriginTCPMs + r.OriginTLSMs + r.OriginHdrMs + int(r.OriginTime/time.Millisecond/8)
}

// clfTime formats t as nginx/Apache $time_local in the given zone.
func appendCLFTime(b []byte, t time.Time, loc *time.Location) []byte {
	return t.In(loc).AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func appendSeconds(b []byte, d time.Duration) []byte {
	return strconv.AppendFloat(b, d.Seconds(), 'f', 3, 64)
}

// OriginNginxFormat is the log_format of the demo origins: combined plus
// the fields that make the edge/origin join work.
const OriginNginxFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" host=$host cf_ray=$http_cf_ray client=$http_cf_connecting_ip upstream=$upstream_addr upstream_status=$upstream_status rt=$request_time urt=$upstream_response_time location="$sent_http_location"`

// AppendOriginNginx appends r as the origin's nginx line in
// OriginNginxFormat, as the origin logged it (status, bytes per r.Fate).
func AppendOriginNginx(b []byte, r *Request, loc *time.Location) []byte {
	status, bytes := r.OriginStatus, r.OriginBytes
	if r.Fate == FateEmpty200 {
		status, bytes = 200, 0
	}
	if r.OriginLogStatus != 0 {
		status = r.OriginLogStatus
	}
	up := r.UpstreamStat
	if up == 0 {
		up = status
	}
	b = append(b, r.RemoteAddr...)
	b = append(b, " - - ["...)
	b = appendCLFTime(b, r.OriginLogTime(), loc)
	b = append(b, "] \""...)
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = append(b, r.URI()...)
	b = append(b, " HTTP/1.1\" "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, bytes, 10)
	b = append(b, " \""...)
	b = append(b, orDash(r.Referer)...)
	b = append(b, "\" \""...)
	b = append(b, orDash(r.UserAgent)...)
	b = append(b, "\" host="...)
	b = append(b, r.Host...)
	b = append(b, " cf_ray="...)
	b = append(b, orDash(r.CFRay())...)
	b = append(b, " client="...)
	b = append(b, r.ClientIP...)
	b = append(b, " upstream="...)
	b = append(b, r.Upstream...)
	b = append(b, " upstream_status="...)
	b = strconv.AppendInt(b, int64(up), 10)
	b = append(b, " rt="...)
	b = appendSeconds(b, r.OriginTime)
	b = append(b, " urt="...)
	b = appendSeconds(b, r.OriginTime-time.Millisecond)
	b = append(b, " location=\""...)
	b = append(b, orDash(r.Location)...)
	return append(b, '"')
}

// AppendCombined appends r as an NCSA combined line (nginx and Apache
// default); with common set, as the common format (no referer, no agent).
func AppendCombined(b []byte, r *Request, loc *time.Location, common bool) []byte {
	b = append(b, r.ClientIP...)
	b = append(b, " - - ["...)
	b = appendCLFTime(b, r.Time, loc)
	b = append(b, "] \""...)
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = append(b, r.URI()...)
	b = append(b, ' ')
	b = append(b, r.Protocol...)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, ' ')
	if common && r.Bytes == 0 {
		b = append(b, '-')
	} else {
		b = strconv.AppendInt(b, r.Bytes, 10)
	}
	if common {
		return b
	}
	b = append(b, " \""...)
	b = append(b, orDash(r.Referer)...)
	b = append(b, "\" \""...)
	b = append(b, orDash(r.UserAgent)...)
	return append(b, '"')
}
