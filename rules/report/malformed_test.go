package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// TestMalformedSaysWhere: a malformed example with the parser's column and
// expected field reads "input:line:column: expected FIELD: reason" in text,
// and carries both in JSON.
func TestMalformedSaysWhere(t *testing.T) {
	in := []parse.InputStats{{Path: "logs/x.log", Format: "combined", Counts: parse.Counts{Lines: 9, Parsed: 8, Malformed: 1},
		MalformedExamples: []parse.MalformedExample{{Line: 7, Column: 58, Field: "status", Reason: "ncsa: expected 3-digit status after request", Text: "bad"}}}}
	d := Build(in, parse.Totals{}, nil)
	for _, tt := range []struct {
		name  string
		write func(*bytes.Buffer) error
		want  string
	}{
		{"text", func(b *bytes.Buffer) error { return WriteText(b, d, Options{}) }, "logs/x.log:7:58: expected status: ncsa: expected 3-digit status"},
		{"markdown", func(b *bytes.Buffer) error { return WriteMarkdown(b, d, Options{}) }, "line 7, byte 58, expected status"},
		{"json", func(b *bytes.Buffer) error { return WriteJSON(b, d, Options{Compact: true}) }, `"column":58,"field":"status"`},
		{"html", func(b *bytes.Buffer) error { return WriteHTML(b, d, Options{}) }, "line 7, byte 58, expected status"},
	} {
		var b bytes.Buffer
		if err := tt.write(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("%s lacks %q:\n%s", tt.name, tt.want, b.String())
		}
	}
	if r := d.Redacted(); r.Inputs[0].MalformedExamples[0].Column != 58 || r.Inputs[0].MalformedExamples[0].Field != "status" {
		t.Errorf("redaction drops the column or field")
	}
}
