package formats

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// TestMalformedColumn checks that an unwrapped line's error column counts
// in the container's line (issue 14): at is the text the column must point
// at; a message that had to be unescaped names the byte of the message
// (60: where "2x0" starts in it).
func TestMalformedColumn(t *testing.T) {
	tests := []struct {
		name, format, line, at, field, reason string
	}{
		{"cri: view of the line", "cri+combined",
			`2026-11-20T10:00:00.123456789Z stdout F 10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 2x0 1`, "2x0", "status", ""},
		{"compose: view of the line", "compose+combined",
			`web-1  | 10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1k`, "1k", "bytes", ""},
		{"not a CRI line", "cri+combined", `10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1`, "10.0.0.1", "", ""},
		{"docker: unescaped copy", "docker+combined", string(dockerWrap("stdout", "10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 2x0 1\n")),
			"", "status", "at byte 60 of the unwrapped message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			var rec parse.Record
			err = p.Parse([]byte(tt.line), &rec)
			var m *parse.MalformedError
			if !errors.As(err, &m) {
				t.Fatalf("got %v, want a malformed error", err)
			}
			want := 0
			if tt.at != "" {
				want = strings.Index(tt.line, tt.at) + 1
			}
			if m.Column != want || m.Field != tt.field || !strings.Contains(m.Reason, tt.reason) {
				t.Errorf("%v: column %d field %q, want column %d (%q) field %q", err, m.Column, m.Field, want, tt.at, tt.field)
			}
		})
	}
}
