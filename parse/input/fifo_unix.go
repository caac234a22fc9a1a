//go:build unix

package input

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// fifoWaitPoll is how often a FIFO without a writer looks at its context.
const fifoWaitPoll = 100 * time.Millisecond

// openFIFO opens a named pipe without blocking until a writer comes (a
// plain open would, beyond the reach of signals): it opens non-blocking,
// calls waiting once if no writer is there yet, and waits for one while
// ctx lasts. The file it returns ends its reads when ctx ends, even while
// a writer is connected but silent.
func openFIFO(ctx context.Context, path string, waiting func()) (io.ReadCloser, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("fifo: %w", err)
	}
	told := false
	for {
		// Linux and the BSDs report POLLHUP only once a writer has come
		// and gone, so until a writer opens, poll just times out.
		var n int
		var perr error
		cerr := rc.Control(func(fd uintptr) {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			n, perr = unix.Poll(fds, int(fifoWaitPoll/time.Millisecond))
		})
		if cerr == nil && perr != nil && !errors.Is(perr, unix.EINTR) {
			cerr = perr
		}
		if cerr != nil {
			f.Close()
			return nil, fmt.Errorf("fifo: wait for a writer: %w", cerr)
		}
		if n > 0 {
			break
		}
		if err := ctx.Err(); err != nil {
			f.Close()
			return nil, err
		}
		if !told {
			told = true
			waiting()
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Now()) })
	return &fifoFile{File: f, ctx: ctx, stop: stop}, nil
}

// fifoFile is an open FIFO whose reads end with a context.
type fifoFile struct {
	*os.File
	ctx  context.Context
	stop func() bool
}

func (f *fifoFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && f.ctx.Err() != nil {
		err = f.ctx.Err()
	}
	return n, err
}

func (f *fifoFile) Close() error {
	f.stop()
	return f.File.Close()
}
