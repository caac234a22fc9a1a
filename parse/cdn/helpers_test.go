package cdn

import (
	"bytes"
	"os"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// readLines returns the non-blank lines of a testdata file.
func readLines(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, l := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// parseAll parses every line and fails on any malformed one.
func parseAll(t *testing.T, p parse.Parser, lines [][]byte) []parse.Record {
	t.Helper()
	var recs []parse.Record
	for i, l := range lines {
		var r parse.Record
		err := p.Parse(l, &r)
		if err == parse.ErrIgnored {
			continue
		}
		if err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, l)
		}
		recs = append(recs, r.Clone())
	}
	return recs
}
