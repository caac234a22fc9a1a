package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// hostile holds characters encoding/json leaves raw but a terminal acts on
// (C1 CSI), or that reorder or hide text (bidi override, zero width, BOM,
// a tag character beyond the BMP).
const hostile = "a\u009b31mb\u202ec\u200bd\ufeffe\U000e0041f 😀"

// Every JSON writer escapes them, and the JSON still means the same text.
func TestJSONEscapesHiddenCharacters(t *testing.T) {
	doc := &Document{Inputs: []Input{{Path: hostile, MalformedExamples: []MalformedExample{{Text: hostile}}}}}
	f := &rules.Finding{ID: "x", Kind: rules.KindBurst520, Origin: hostile}
	writers := map[string]func(*bytes.Buffer) error{
		"document":         func(b *bytes.Buffer) error { return WriteJSON(b, doc, Options{}) },
		"document compact": func(b *bytes.Buffer) error { return WriteJSON(b, doc, Options{Compact: true}) },
		"finding":          func(b *bytes.Buffer) error { return WriteFindingJSON(b, f, Options{}) },
	}
	for name, write := range writers {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, r := range out {
			if parse.Hidden(r) {
				t.Errorf("%s: raw %U in %s", name, r, out)
			}
		}
		for _, esc := range []string{`\u009b`, `\u202e`, `\u200b`, `\ufeff`, `\udb40\udc41`, "😀"} {
			if !strings.Contains(out, esc) {
				t.Errorf("%s: %s missing from %s", name, esc, out)
			}
		}
		var back struct {
			Origin string
			Inputs []struct{ Path string }
		}
		if err := json.Unmarshal(b.Bytes(), &back); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := back.Origin
		if len(back.Inputs) > 0 {
			got = back.Inputs[0].Path
		}
		if got != hostile {
			t.Errorf("%s: decodes to %q, want %q", name, got, hostile)
		}
	}
}

func TestEscapeHiddenLeavesCleanOutputAlone(t *testing.T) {
	in := []byte(`{"a":"café 😀 \u2028"}`)
	if out := escapeHidden(in); &out[0] != &in[0] {
		t.Error("clean output was copied")
	}
}
