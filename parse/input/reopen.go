package input

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// Reopen opens path again for reading its decompressed bytes from the
// start, with the decompressor its magic bytes call for. It is how the
// interface's full-log view re-reads a compressed input (whose line
// offsets are in the decompressed stream); it returns the compression name
// ("" for plain text).
func Reopen(path string) (io.ReadCloser, string, error) {
	if path == StdinName {
		return nil, "", fmt.Errorf("standard input: %w", ErrNotRereadable)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("re-reading %s: %w", path, err)
	}
	o, err := openReader(f, new(atomic.Int64))
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("re-reading %s: %w", path, err)
	}
	return reopened{Reader: o.r, close: func() { o.close(); f.Close() }}, o.compression, nil
}

type reopened struct {
	io.Reader
	close func()
}

func (r reopened) Close() error { r.close(); return nil }
