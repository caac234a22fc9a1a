package cdn

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// TestMalformedColumn checks that a malformed line's error names the field
// expected and the 1-based byte column where it starts (issue 14): at is
// the text the column must point at (its first occurrence in the line).
func TestMalformedColumn(t *testing.T) {
	csv, err := NewCloudflareDelimited(',', []string{"EdgeStartTimestamp", "EdgeResponseStatus", "ClientRequestHost"})
	if err != nil {
		t.Fatal(err)
	}
	const start = `{"EdgeStartTimestamp":1763632800123000000,`
	tests := []struct {
		name, line, at, field string
		p                     parse.Parser
	}{
		{"cloudflare: bad status", start + `"EdgeResponseStatus":"5xx"}`, `5xx`, "EdgeResponseStatus", NewCloudflare()},
		{"cloudflare: bad start", `{"EdgeStartTimestamp":"soon","EdgeResponseStatus":200}`, `soon`, "EdgeStartTimestamp", NewCloudflare()},
		{"cloudflare: no status", start + `"RayID":"8f"}`, `{`, "EdgeResponseStatus", NewCloudflare()},
		{"cloudflare: syntax", start + `"EdgeResponseStatus":200 "RayID":"8f"}`, `"RayID`, "", NewCloudflare()},
		{"cloudflare: truncated", start + `"EdgeResponseStatus":200,"RayID":"8f`, `"8f`, "", NewCloudflare()},
		{"cloudflare: array wrapper", `[` + start + `"EdgeResponseStatus":-1},`, `-1`, "EdgeResponseStatus", NewCloudflare()},
		{"cloudflare: wrapped record", `{"log":` + start + `"EdgeResponseStatus":true}}`, `true`, "EdgeResponseStatus", NewCloudflare()},
		{"cloudflare-csv: bad status", `1763632800123000000,abc,example.com`, `abc`, "EdgeResponseStatus", csv},
		{"cloudfront: bad status", "2019-12-04\t21:02:31\tLAX1\t392\t89.160.20.112\tGET\td1.cloudfront.net\t/index.html\tOK\t-", "OK", "sc-status", NewCloudFront()},
		{"cloudfront: bad date", "2019-13-04\t21:02:31\tLAX1\t392\t89.160.20.112\tGET\td1.cloudfront.net\t/index.html\t200\t-", "2019-13", "date time", NewCloudFront()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec parse.Record
			err := tt.p.Parse([]byte(tt.line), &rec)
			var m *parse.MalformedError
			if !errors.As(err, &m) {
				t.Fatalf("got %v, want a malformed error", err)
			}
			if want := strings.Index(tt.line, tt.at) + 1; m.Column != want || m.Field != tt.field {
				t.Errorf("%v: column %d field %q, want column %d (%q) field %q", err, m.Column, m.Field, want, tt.at, tt.field)
			}
		})
	}
}
