// Package lb parses load-balancer access logs: AWS Application and Classic
// Load Balancer (ALB, ELB) logs and HAProxy's HTTP log (option httplog).
// Both stand between the client and the origin, so their records are
// SourceEdge: Status is what the client got, OriginStatus what the target
// or server answered (0 when none answered).
//
// Each format also logs why a request failed, in its own terms; that goes to
// Record.Failure for the cause rules: ALB error_reason, HAProxy's
// termination state. Lines of the same log family that are not HTTP requests
// (NLB TLS lines and ALB connection-log lines; HAProxy start/stop events,
// TCP-mode lines and handshake failures) are parse.ErrIgnored: accounted
// for, not records.
//
// Speed: no allocation per line; values are views of the line.
package lb
