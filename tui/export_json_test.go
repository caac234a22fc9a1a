package tui

import (
	"bytes"
	"testing"

	"github.com/edgetriage/edgetriage/rules/report"
)

// TestExportJSONIsTheReport: the interface's JSON export is byte for byte
// what `report --json > file` writes (compact), so the two never differ in
// size again (they did: 3.67 MB indented against 2.46 MB).
func TestExportJSONIsTheReport(t *testing.T) {
	u := fixtureUpdate()
	got, err := renderExport(exportData{snap: u.Snapshot, inputs: u.Inputs, totals: u.Totals, scope: exportReport})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := report.WriteJSON(&want, report.Build(u.Inputs, u.Totals, u.Snapshot), report.Options{Compact: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("export (%d bytes) differs from report --json (%d bytes)", len(got), want.Len())
	}
}
