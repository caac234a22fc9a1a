package accesslog

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
	combined, _ := New(Combined)
	nginx, err := NewNginx(`$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time`)
	if err != nil {
		t.Fatal(err)
	}
	apache, err := NewApache(`%h %l %u %t "%r" %>s %b %D`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, line, at, field string
		p                     parse.Parser
	}{
		{"combined: no timestamp", `10.0.0.1 - - 01/May/2024 "GET / HTTP/1.1" 200 5`, `10.0.0.1`, "host ident user", combined},
		{"combined: bad timestamp", `10.0.0.1 - - [01/Mey/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 5`, `01/Mey`, "[timestamp]", combined},
		{"combined: unquoted request", `10.0.0.1 - - [01/May/2024:08:00:01 +0000] GET / 200 5`, ` GET`, `"request"`, combined},
		{"combined: bad status", `10.0.0.1 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 2x0 5`, `2x0`, "status", combined},
		{"combined: bad status, agent after", `10.0.0.1 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 2x0 5 "-" "curl"`, `2x0`, "status", combined},
		{"combined: bad bytes", `10.0.0.1 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 5k "-" "curl"`, `5k`, "bytes", combined},
		{"combined: byte order mark", "\xef\xbb\xbf10.0.0.1 - - [01/May/2024:08:00:01 +0000] \"GET / HTTP/1.1\" 200 5k", `5k`, "bytes", combined},
		{"nginx: bad status", `10.0.0.1 [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" abc 5 0.010`, `abc`, "status", nginx},
		{"nginx: bad duration", `10.0.0.1 [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 5 fast`, `fast`, "duration", nginx},
		{"nginx: bad timestamp", `10.0.0.1 [yesterday] "GET / HTTP/1.1" 200 5 0.010`, `yesterday`, "$time_local", nginx},
		{"apache: bad bytes", `10.0.0.1 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 x5 1000`, `x5`, "bytes", apache},
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
