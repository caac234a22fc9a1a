package input

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadLine(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "access.log")
	content := "first line\r\nsecond line\nthird, without newline"
	if err := os.WriteFile(plain, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(content))
	zw.Close()
	archive := filepath.Join(dir, "access.log.1") // compressed, name says nothing
	if err := os.WriteFile(archive, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		offset  int64
		maxLine int
		want    string
		errIs   error
	}{
		{"first, CRLF trimmed", plain, 0, 0, "first line", nil},
		{"by offset", plain, int64(strings.Index(content, "second")), 0, "second line", nil},
		{"last line without newline", plain, int64(strings.Index(content, "third")), 0, "third, without newline", nil},
		{"capped", plain, 0, 5, "first", nil},
		{"compressed", archive, 0, 0, "", ErrNotRereadable},
		{"stdin", StdinName, 0, 0, "", ErrNotRereadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadLine(tt.path, tt.offset, tt.maxLine)
			if tt.errIs != nil {
				if !errors.Is(err, tt.errIs) {
					t.Fatalf("err = %v, want %v", err, tt.errIs)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ReadLine = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := ReadLine(filepath.Join(dir, "gone.log"), 0, 0); err == nil || !strings.Contains(err.Error(), "gone.log") {
		t.Fatalf("missing file: err = %v", err)
	}
}
