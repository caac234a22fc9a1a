package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/edgetriage/edgetriage/rules"
)

// WriteJSON writes the document as indented JSON (schema
// "edgetriage.report/v2").
func WriteJSON(w io.Writer, d *Document, opts Options) error {
	d = prepare(d, opts)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if !opts.Compact {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	return nil
}

// WriteFindingJSON writes one finding as a single JSON line, as the
// document's findings are written: for `report --follow` and the
// interface's export.
func WriteFindingJSON(w io.Writer, f *rules.Finding, opts Options) error {
	out := prepareFinding(f, opts)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing finding JSON: %w", err)
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
