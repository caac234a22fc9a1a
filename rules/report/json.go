package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// WriteJSON writes the document as indented JSON (schema
// "edgetriage.report/v2").
func WriteJSON(w io.Writer, d *Document, opts Options) error {
	d = prepare(d, opts)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if !opts.Compact {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	if _, err := w.Write(escapeHidden(buf.Bytes())); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	return nil
}

// escapeHidden rewrites, in encoded JSON, the characters parse.Hidden
// names (C1 controls such as U+009B, bidi overrides such as U+202E,
// zero-width characters) as \u escapes: encoding/json leaves them raw, and
// they would reach the terminal of whoever cats the file. JSON's structure
// is ASCII, so they can only be inside strings, where an escape means the
// same character. Output without them is returned as it is.
func escapeHidden(b []byte) []byte {
	i := 0
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if parse.Hidden(r) {
			break
		}
		i += size
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i]...)
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if !parse.Hidden(r) {
			out = append(out, b[i:i+size]...)
		} else if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
	}
	return out
}

// WriteFindingJSON writes one finding as a single JSON line, as the
// document's findings are written: for `report --follow` and the
// interface's export.
func WriteFindingJSON(w io.Writer, f *rules.Finding, opts Options) error {
	out := prepareFinding(f, opts)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing finding JSON: %w", err)
	}
	if _, err := w.Write(escapeHidden(buf.Bytes())); err != nil {
		return fmt.Errorf("writing finding JSON: %w", err)
	}
	return nil
}

// GapLine is a possible gap of a followed input as report --follow prints
// it, one JSON line among the findings': an alert pipeline learns that
// lines may be missing from the same stream.
type GapLine struct {
	Kind  string `json:"kind"` // always "possible_gap"
	Input string `json:"input"`
	Gap
}

// WriteGapJSON writes one possible gap as a JSON line.
func WriteGapJSON(w io.Writer, input string, g parse.Gap) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(GapLine{Kind: "possible_gap", Input: input, Gap: Gap(g)}); err != nil {
		return fmt.Errorf("writing possible gap JSON: %w", err)
	}
	if _, err := w.Write(escapeHidden(buf.Bytes())); err != nil {
		return fmt.Errorf("writing possible gap JSON: %w", err)
	}
	return nil
}

func prepareFinding(f *rules.Finding, opts Options) Finding {
	out := buildFinding(f)
	if opts.Redact {
		out = newRedactor([]Finding{out}).finding(out)
	}
	return trimCauses(out, opts)
}
