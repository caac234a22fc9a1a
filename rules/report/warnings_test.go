package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// Rules that failed reach every format, made inert.
func TestRuleWarningsShown(t *testing.T) {
	d := Build(nil, parse.Totals{}, nil)
	d.Warnings = []string{"mine.yaml:4: rule mine: expression failed: index out of range \x1b[31m (feature origin)"}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"text": func(b *bytes.Buffer) error { return WriteText(b, d, Options{}) },
		"md":   func(b *bytes.Buffer) error { return WriteMarkdown(b, d, Options{}) },
		"json": func(b *bytes.Buffer) error { return WriteJSON(b, d, Options{}) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if name == "json" {
			var back Document
			if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back.Warnings) != 1 {
				t.Errorf("json warnings: %v %v", back.Warnings, err)
			}
			continue
		}
		if !strings.Contains(out, "mine.yaml:4: rule mine: expression failed") || strings.Contains(out, "\x1b[31m") {
			t.Errorf("%s: warning missing or raw:\n%s", name, out)
		}
	}
}
