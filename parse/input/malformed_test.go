package input

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// colParser fails every line that lacks "ok" at byte 5, saying where.
type colParser struct{}

func (colParser) Format() string { return "col" }

var errColStatus = parse.MalformedField("status", "expected ok")

func (colParser) Parse(line []byte, rec *parse.Record) error {
	rec.Reset()
	if !bytes.HasPrefix(line[min(4, len(line)):], []byte("ok")) {
		return errColStatus.At(5)
	}
	rec.Time, rec.Status = 1, 200
	return nil
}

// TestMalformedExamplesSayWhere: the field a parser expected and the byte
// column it stopped at reach the input's examples with the line number,
// and the error text names them; a preallocated error is not changed by At.
func TestMalformedExamplesSayWhere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	if err := os.WriteFile(path, []byte("abc ok\nabc no\nabc ok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, res := collect(t, Options{Paths: []string{path}, Formats: []string{"col"},
		NewParser: func(string) (parse.Parser, error) { return colParser{}, nil }})
	ex := res.Inputs[0].MalformedExamples
	if len(ex) != 1 || ex[0].Line != 2 || ex[0].Column != 5 || ex[0].Field != "status" || ex[0].Reason != "expected ok" {
		t.Fatalf("examples %+v, want line 2, column 5, field status", ex)
	}
	if got := parse.Locate(path, ex[0].Line, ex[0].Column); got != path+":2:5" {
		t.Errorf("Locate = %q", got)
	}
	if got := errColStatus.At(5).Error(); got != "malformed at byte 5 (expected status): expected ok" {
		t.Errorf("Error() = %q", got)
	}
	if errColStatus.Column != 0 || parse.Malformed("x").Error() != "malformed: x" {
		t.Errorf("At changed the shared error, or the plain form changed")
	}
}
