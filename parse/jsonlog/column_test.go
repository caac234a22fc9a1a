package jsonlog

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
	p := New(nil)
	tests := []struct{ name, line, at, field string }{
		{"bad status", `{"time":"2026-11-20T10:00:00Z","status":"ok","method":"GET"}`, `ok`, "status"},
		{"bad time", `{"time":"noon","status":200,"method":"GET"}`, `noon`, "timestamp"},
		{"no status", `{"time":"2026-11-20T10:00:00Z","method":"GET"}`, `{`, "status"},
		{"syntax", `{"time":"2026-11-20T10:00:00Z" "status":200}`, `"status`, ""},
		{"nested syntax", `{"time":"2026-11-20T10:00:00Z","request":{"method":"GET",},"status":200}`, `}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec parse.Record
			err := p.Parse([]byte(tt.line), &rec)
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
