package lb

import (
	"bytes"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// ALB names the format.
const ALB = "alb"

// Reasons for ALB and ELB lines that do not fit (preallocated).
var (
	errALBFields  = parse.MalformedField("fields", "alb: too few fields or an unterminated quote")
	errALBTime    = parse.MalformedField("time", "alb: bad timestamp")
	errALBStatus  = parse.MalformedField("elb_status_code", "alb: bad elb_status_code")
	errALBTarget  = parse.MalformedField("target_status_code", "alb: bad target_status_code")
	errALBBytes   = parse.MalformedField("sent_bytes", "alb: bad sent_bytes")
	errALBTimings = parse.MalformedField("processing times", "alb: bad processing time")
)

// NewALB returns a parser for AWS Application Load Balancer access logs and
// Classic Load Balancer (ELB) access logs, line by line:
//
//	ALB: type time elb client:port target:port request_processing_time target_processing_time
//	     response_processing_time elb_status_code target_status_code received_bytes sent_bytes
//	     "request" "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
//	     "chosen_cert_arn" matched_rule_priority request_creation_time "actions_executed"
//	     "redirect_url" "error_reason" "target:port_list" "target_status_code_list"
//	     "classification" "classification_reason" [conn_trace_id]
//	ELB: time elb client:port backend:port request_processing_time backend_processing_time
//	     response_processing_time elb_status_code backend_status_code received_bytes sent_bytes
//	     "request" "user_agent" ssl_cipher ssl_protocol
//
// Fields that feed the engine:
//
//	Time            time (when the load balancer sent the response)
//	Host            the request URL's host (ALB logs absolute targets), else domain_name (SNI)
//	ClientIP        client (the port dropped); Upstream: target:port as logged
//	Status          elb_status_code; OriginStatus: target_status_code ("-" = 0: no target answered)
//	Bytes           sent_bytes
//	Duration        the sum of the three processing times; Unknown if any is -1
//	                (the load balancer could not send the request or got no response)
//	OriginHeaderTime target_processing_time (request sent to target -> response headers), Unknown if -1
//	RequestID       trace_id (X-Amzn-Trace-Id, "Root=1-...")
//	StatusLocation  redirect_url of a redirect action
//	Failure         error_reason (TargetConnectionError, TargetResponseError, ...), "" when "-"
//
// NLB TLS lines ("tls 2.0 ...") and ALB connection-log lines are ignored.
func NewALB() parse.Parser { return albParser{} }

type albParser struct{}

func (albParser) Format() string { return ALB }

func (albParser) Parse(line []byte, rec *parse.Record) error {
	rec.Reset()
	rec.Source = parse.SourceEdge
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	var f [maxFields][]byte
	n, ok := splitFields(line, &f)
	if n < 2 {
		return parse.MalformedIn(errALBFields, line, stopAt(line, f[:n], ok))
	}
	switch {
	case albType(f[0]):
		if !ok || n < 15 {
			return parse.MalformedIn(errALBFields, line, stopAt(line, f[:n], ok))
		}
		if err := albCommon(line, f[1:n], rec); err != nil {
			return err
		}
		albExtra(f[:n], rec)
		return nil
	case bytes.Equal(f[0], []byte("tls")) && bytes.Equal(f[1], []byte("2.0")):
		return parse.ErrIgnored // NLB TLS listener log: a connection, not a request
	case n >= 4 && isTimestamp(f[0]) && bytes.IndexByte(f[2], ':') < 0 && isDigits(f[2]):
		return parse.ErrIgnored // ALB connection log: time client_ip client_port listener_port ...
	case isTimestamp(f[0]):
		if !ok || n < 15 {
			return parse.MalformedIn(errALBFields, line, stopAt(line, f[:n], ok))
		}
		return albCommon(line, f[:n], rec) // Classic ELB: no type field
	}
	return parse.MalformedIn(errALBFields, line, line) // neither a type nor a time first
}

// albType reports an ALB request type field.
func albType(b []byte) bool {
	switch string(b) {
	case "http", "https", "h2", "grpcs", "ws", "wss":
		return true
	}
	return false
}

// albCommon reads the fields ALB and ELB share, from time on; an error
// names its column in line.
func albCommon(line []byte, f [][]byte, rec *parse.Record) error {
	t, ok := parse.RFC3339(f[0])
	if !ok {
		return parse.MalformedIn(errALBTime, line, f[0])
	}
	rec.Time = t
	if !isDash(f[2]) {
		rec.ClientIP = parse.View(stripPort(f[2]))
	}
	if !isDash(f[3]) {
		rec.Upstream = parse.View(f[3])
	}
	var times [3]time.Duration
	known := true
	for i := range times {
		d, ok := albSeconds(f[4+i])
		if !ok {
			return parse.MalformedIn(errALBTimings, line, f[4+i])
		}
		times[i] = d
		known = known && d >= 0
	}
	if known {
		rec.Duration = times[0] + times[1] + times[2]
	}
	if times[1] >= 0 {
		rec.OriginHeaderTime = times[1]
	}
	status, ok := parse.Status(f[7])
	if !ok || status < 100 {
		return parse.MalformedIn(errALBStatus, line, f[7])
	}
	rec.Status = status
	if isDash(f[8]) {
		rec.OriginStatus = 0
	} else if s, ok := parse.Status(f[8]); ok {
		rec.OriginStatus = s
	} else {
		return parse.MalformedIn(errALBTarget, line, f[8])
	}
	b, ok := parse.Atoi(f[10])
	if !ok {
		return parse.MalformedIn(errALBBytes, line, f[10])
	}
	rec.Bytes = b
	request(f[11], rec)
	if !isDash(f[12]) {
		rec.UserAgent = parse.View(f[12])
	}
	return nil
}

// albExtra reads the ALB-only fields after ssl_protocol, where logged.
func albExtra(f [][]byte, rec *parse.Record) {
	get := func(i int) []byte {
		if i < len(f) && !isDash(f[i]) {
			return f[i]
		}
		return nil
	}
	if v := get(17); v != nil {
		rec.RequestID = parse.View(v)
	}
	if rec.Host == "" {
		if v := get(18); v != nil {
			rec.Host = parse.View(v)
		}
	}
	if v := get(23); v != nil {
		rec.StatusLocation = parse.View(v)
	}
	if v := get(24); v != nil {
		rec.Failure = parse.View(v)
	}
}

// albSeconds reads a processing time: seconds with a fraction, or -1.
func albSeconds(b []byte) (time.Duration, bool) {
	if len(b) == 2 && b[0] == '-' && b[1] == '1' {
		return -1, true
	}
	d, ok := parse.Seconds(b)
	return d, ok && d >= 0
}

// isTimestamp reports an RFC 3339 timestamp ("2018-07-02T22:23:00.186641Z").
func isTimestamp(b []byte) bool {
	return len(b) >= 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T'
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
