//go:build !unix

package tail

import (
	"io"
	"os"
)

// readOnce reads once, in one system call, at off (see readonce_unix.go
// for why not ReadAt).
func readOnce(f *os.File, buf []byte, off int64) (int, error) {
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return f.Read(buf)
}
