package lb

import (
	"bytes"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// HAProxy names the format.
const HAProxy = "haproxy"

// Reasons for HAProxy lines that do not fit (preallocated).
var (
	errHAPrefix  = parse.MalformedField("client:port [accept date]", "haproxy: expected client:port [accept date]")
	errHATime    = parse.MalformedField("accept date", "haproxy: bad accept date")
	errHATimers  = parse.MalformedField("timers", "haproxy: bad timers")
	errHAStatus  = parse.MalformedField("status", "haproxy: bad status")
	errHABytes   = parse.MalformedField("bytes_read", "haproxy: bad bytes_read")
	errHARequest = parse.MalformedField(`"request"`, "haproxy: expected a quoted request at the end")
)

// NewHAProxy returns a parser for HAProxy's HTTP log (option httplog),
// after any syslog header:
//
//	client_ip:port [accept_date] frontend backend/server TR/Tw/Tc/Tr/Ta status bytes_read
//	  req_cookie res_cookie termination_state actconn/feconn/beconn/srv_conn/retries
//	  srv_queue/backend_queue [{captured request headers}] [{captured response headers}] "request"
//
// Up to two fields of a custom log-format between backend/server and the
// timers are skipped, and so is anything after the request (HTTPS logs add
// TLS fields there). Fields that feed the engine:
//
//	Time             accept_date, read as UTC (HAProxy logs local time without a zone)
//	ClientIP         client_ip
//	Upstream         backend/server; "" for <NOSRV> (no server was chosen)
//	Status           status sent to the client
//	OriginStatus     the same when the server sent response headers (Tr >= 0), else 0: the
//	                 status was HAProxy's own (503 no server, 504 server timeout, ...)
//	Bytes            bytes_read (sent to the client)
//	Duration         Ta (total active time); OriginConnectTime Tc; OriginHeaderTime Tr;
//	                 each Unknown when logged as -1 (that stage was not reached)
//	Host             the first captured request header when it looks like a host name
//	Failure          termination_state when it is not "----" (sH--: server timeout, SC--:
//	                 connection refused, CD--: client aborted, ...)
//
// HAProxy's own event lines (Proxy started, SSL handshake failure) and
// TCP-mode lines (three timers, no request) are ignored.
func NewHAProxy() parse.Parser { return haproxyParser{} }

type haproxyParser struct{}

func (haproxyParser) Format() string { return HAProxy }

func (haproxyParser) Parse(line []byte, rec *parse.Record) error {
	rec.Reset()
	rec.Source = parse.SourceEdge
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	open := acceptDate(line)
	if open < 0 {
		if bytes.Contains(line, []byte("haproxy[")) {
			return parse.ErrIgnored // an event line: Proxy started, Stopping frontend, ...
		}
		return parse.MalformedIn(errHAPrefix, line, line)
	}
	client := line[bytes.LastIndexByte(line[:open], ' ')+1 : open]
	if c := bytes.LastIndexByte(client, ':'); c >= 0 {
		client = client[:c]
	}
	if !isDash(client) {
		rec.ClientIP = parse.View(client)
	}
	rest := line[open+2:]
	end := bytes.IndexByte(rest, ']')
	if end < 0 {
		return parse.MalformedIn(errHATime, line, rest)
	}
	t, ok := haproxyTime(rest[:end])
	if !ok {
		return parse.MalformedIn(errHATime, line, rest)
	}
	rec.Time = t
	rest = rest[end+1:]

	var f [maxFields][]byte
	n, _ := splitFields(bytes.TrimPrefix(rest, []byte(" ")), &f)
	// frontend backend/server [custom fields] TR/Tw/Tc/Tr/Ta ...
	ti := -1
	for i := 2; i < n && i <= 4; i++ {
		if bytes.Count(f[i], []byte("/")) == 4 {
			ti = i
			break
		}
	}
	if ti < 0 || n < 2 || bytes.IndexByte(f[1], '/') < 0 {
		return parse.ErrIgnored // TCP mode, a handshake failure: no HTTP request
	}
	return haproxyHTTP(line, f[:n], ti, rec)
}

// haproxyHTTP reads an HTTP line's fields from frontend on; ti is the index
// of the timers. An error names its column in line.
func haproxyHTTP(line []byte, f [][]byte, ti int, rec *parse.Record) error {
	if len(f) < ti+8 {
		return parse.MalformedIn(errHARequest, line, line[len(line):])
	}
	if srv := f[1][bytes.IndexByte(f[1], '/')+1:]; !bytes.Equal(srv, []byte("<NOSRV>")) {
		rec.Upstream = parse.View(f[1])
	}
	var timers [5]time.Duration
	v := f[ti]
	for i := range timers {
		part := v
		if s := bytes.IndexByte(v, '/'); s >= 0 {
			part, v = v[:s], v[s+1:]
		}
		d, ok := millis(part)
		if !ok {
			return parse.MalformedIn(errHATimers, line, f[ti])
		}
		timers[i] = d
	}
	rec.OriginConnectTime, rec.OriginHeaderTime, rec.Duration = timers[2], timers[3], timers[4]
	status, ok := parse.Status(f[ti+1])
	if !ok || status < 100 {
		return parse.MalformedIn(errHAStatus, line, f[ti+1])
	}
	rec.Status = status
	rec.OriginStatus = 0
	if timers[3] >= 0 && rec.Upstream != "" {
		rec.OriginStatus = status
	}
	b, ok := parse.Atoi(bytes.TrimPrefix(f[ti+2], []byte("+")))
	if !ok {
		return parse.MalformedIn(errHABytes, line, f[ti+2])
	}
	rec.Bytes = b
	if ts := f[ti+5]; len(ts) >= 2 && !(ts[0] == '-' && ts[1] == '-') {
		rec.Failure = parse.View(ts)
	}
	// After the queues: optional {headers} {headers}, then the request.
	i := ti + 8
	if i < len(f) && len(f[i]) > 0 && f[i][0] == '{' {
		if h := firstHeader(f[i]); h != nil {
			rec.Host = parse.View(stripPort(h))
		}
		i++
		if i < len(f) && len(f[i]) > 0 && f[i][0] == '{' {
			i++
		}
	}
	if i >= len(f) {
		return parse.MalformedIn(errHARequest, line, line[len(line):])
	}
	request(f[i], rec)
	return nil
}

// acceptDate is the index of the " [" before HAProxy's accept date
// ("[06/Feb/2009:12:14:14.655]"), after a client:port, or -1.
func acceptDate(line []byte) int {
	from := 0
	for {
		i := bytes.Index(line[from:], []byte(" ["))
		if i < 0 {
			return -1
		}
		i += from
		d := line[i+2:]
		if len(d) > 11 && d[2] == '/' && d[6] == '/' && d[11] == ':' && i > 0 && line[i-1] != ' ' {
			return i
		}
		from = i + 2
	}
}

// haproxyTime reads "06/Feb/2009:12:14:14.655" as UTC.
func haproxyTime(b []byte) (int64, bool) {
	var buf [40]byte
	if len(b) > len(buf)-6 {
		return 0, false
	}
	n := copy(buf[:], b)
	n += copy(buf[n:], " +0000")
	return parse.CLFTime(buf[:n])
}

// millis reads a timer in milliseconds; -1 (not reached) is Unknown.
func millis(b []byte) (time.Duration, bool) {
	if len(b) == 2 && b[0] == '-' && b[1] == '1' {
		return parse.Unknown, true
	}
	n, ok := parse.Atoi(bytes.TrimPrefix(b, []byte("+")))
	return time.Duration(n) * time.Millisecond, ok
}

// firstHeader is the first value of a captured-headers block "{a|b|c}" when
// it looks like a host name (no space or slash, a dot or a colon: "1wt.eu",
// "localhost:8888"), else nil.
func firstHeader(block []byte) []byte {
	block = bytes.TrimSuffix(bytes.TrimPrefix(block, []byte("{")), []byte("}"))
	if p := bytes.IndexByte(block, '|'); p >= 0 {
		block = block[:p]
	}
	if len(block) == 0 || bytes.ContainsAny(block, " /") || !bytes.ContainsAny(block, ".:") {
		return nil
	}
	return block
}
