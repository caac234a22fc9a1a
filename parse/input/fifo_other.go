//go:build !unix

package input

import (
	"context"
	"io"
	"os"
)

// openFIFO: no named pipes here; open as a file.
func openFIFO(_ context.Context, path string, _ func()) (io.ReadCloser, error) {
	return os.Open(path)
}
