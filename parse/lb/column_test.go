package lb

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// TestMalformedColumn checks that a malformed line's error names the field
// expected and the 1-based byte column where it starts (issue 14): at is
// the text the column must point at (its last occurrence in the line, ""
// for the end of the line).
func TestMalformedColumn(t *testing.T) {
	const alb = `http 2018-07-02T22:23:00.186641Z app/lb/50dc 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 STATUS 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - -`
	const ha = `Feb 25 16:19:49 192.168.4.2 haproxy[7]: 92.193.212.151:59841 [25/Feb/2019:16:19:49.851] in~ bk/nginx 0/0/0/62/62 STATUS 306 - - ---- 3/2/0/0/0 0/0 "POST /portal/ HTTP/1.1"`
	tests := []struct {
		name, line, at, field string
		p                     parse.Parser
	}{
		{"alb: bad status", strings.Replace(alb, "STATUS", "2x0", 1), "2x0", "elb_status_code", NewALB()},
		{"alb: bad time", strings.Replace(strings.Replace(alb, "STATUS", "200", 1), "2018-07-02T", "2018-07-0xT", 1), "2018-07-0xT", "time", NewALB()},
		{"alb: bad timing", strings.Replace(strings.Replace(alb, "STATUS", "200", 1), "0.001", "fast", 1), "fast", "processing times", NewALB()},
		{"alb: unterminated quote", strings.Replace(alb, `"curl/7.46.0" - -`, `"curl/7.46.0`, 1), `"curl`, "fields", NewALB()},
		{"alb: too few fields", `http 2018-07-02T22:23:00.186641Z app/lb/50dc 192.168.131.39:2817`, "", "fields", NewALB()},
		{"haproxy: bad status", strings.Replace(ha, "STATUS", "OK", 1), "OK", "status", NewHAProxy()},
		{"haproxy: bad timers", strings.Replace(strings.Replace(ha, "STATUS", "200", 1), "0/0/0/62/62", "0/0/0/x/62", 1), "0/0/0/x/62", "timers", NewHAProxy()},
		{"haproxy: bad date", strings.Replace(strings.Replace(ha, "STATUS", "200", 1), "25/Feb/2019", "25/Fex/2019", 1), "25/Fex", "accept date", NewHAProxy()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec parse.Record
			err := tt.p.Parse([]byte(tt.line), &rec)
			var m *parse.MalformedError
			if !errors.As(err, &m) {
				t.Fatalf("got %v, want a malformed error", err)
			}
			want := len(tt.line) + 1
			if tt.at != "" {
				want = strings.LastIndex(tt.line, tt.at) + 1
			}
			if m.Column != want || m.Field != tt.field {
				t.Errorf("%v: column %d field %q, want column %d (%q) field %q", err, m.Column, m.Field, want, tt.at, tt.field)
			}
		})
	}
}
