package formats

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// FuzzDetect detects a format on arbitrary lines and parses them all with
// it: nothing panics, every line is parsed, ignored or malformed.
func FuzzDetect(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	for _, name := range files {
		if filepath.Ext(name) == ".md" || filepath.Ext(name) == ".txt" {
			continue
		}
		data, err := os.ReadFile(name)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add(bytes.Join([][]byte{dockerWrap("stdout", combinedLine+"\n"), dockerWrap("stdout", "x")}, []byte("\n")))
	f.Add(bytes.Join([][]byte{criWrap("stdout", "P", jsonLine[:20]), criWrap("stdout", "F", jsonLine[20:])}, []byte("\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		p, err := Detect(lines)
		if err != nil {
			return
		}
		if p.Format() == "" {
			t.Fatal("empty format name")
		}
		var rec parse.Record
		for _, l := range lines {
			if err := p.Parse(l, &rec); err != nil && !errors.Is(err, parse.ErrIgnored) && !parse.IsMalformed(err) {
				t.Fatalf("%s: error %v is neither ignored nor malformed", p.Format(), err)
			}
		}
	})
}
