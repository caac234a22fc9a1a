//go:build unix

package tail

import (
	"errors"
	"io"
	"os"
	"runtime"
	"syscall"
)

// readOnce reads once, in one system call (pread), at off. os.File.ReadAt
// would read again until buf is full; a file truncated and written again
// between two of those reads would give bytes of its new content straight
// after bytes of the old, past the check of the bytes before the offset.
// One pread instead of Seek+Read: this runs on every wake-up of a tailed
// file.
func readOnce(f *os.File, buf []byte, off int64) (int, error) {
	fd := int(f.Fd()) // a regular file: blocking already, no poller to lose
	for {
		n, err := syscall.Pread(fd, buf, off)
		runtime.KeepAlive(f)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case err != nil:
			return 0, &os.PathError{Op: "pread", Path: f.Name(), Err: err}
		case n == 0 && len(buf) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}
