package input

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Compression names, as InputStats.Compression reports them.
const (
	compNone  = ""
	compGzip  = "gzip"
	compZstd  = "zstd"
	compBzip2 = "bzip2"
	compXz    = "xz"
)

var (
	magicGzip  = []byte{0x1f, 0x8b}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicBzip2 = []byte("BZh")
	magicXz    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// sniff names the compression whose magic bytes start head ("" for none).
// Names are never trusted: a .gz that is plain text is read as text.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, magicGzip):
		return compGzip
	case bytes.HasPrefix(head, magicZstd):
		return compZstd
	case bytes.HasPrefix(head, magicXz):
		return compXz
	case len(head) >= 4 && bytes.HasPrefix(head, magicBzip2) && head[3] >= '1' && head[3] <= '9':
		return compBzip2
	}
	return compNone
}

// countingReader counts the raw (compressed) bytes taken from a file, for
// the progress bar; the counter is shared with Progress readers.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.n.Add(int64(n))
	}
	return n, err
}

// drainThen reads what br has buffered, then raw directly.
type drainThen struct {
	br  *bufio.Reader
	raw io.Reader
}

func (d *drainThen) Read(p []byte) (int, error) {
	if d.br != nil {
		if d.br.Buffered() > 0 {
			return d.br.Read(p)
		}
		d.br = nil
	}
	return d.raw.Read(p)
}

// opened is an input ready to be read: decompressed bytes plus how to close.
type opened struct {
	r           io.Reader
	compression string
	close       func()
}

// openReader wraps raw in the decompressor its first bytes call for. raw
// counts into counter as it is consumed.
func openReader(raw io.Reader, counter *atomic.Int64) (*opened, error) {
	br := bufio.NewReaderSize(countingReader{raw, counter}, 64<<10)
	head, _ := br.Peek(6) // a short or empty input is plain text
	o := &opened{r: br, compression: sniff(head), close: func() {}}
	switch o.compression {
	case compNone:
		// Plain text goes straight into the reader's slabs once the sniffed
		// bytes are taken: through bufio it would be copied twice whenever
		// a read asks for less than bufio's buffer.
		o.r = &drainThen{br: br, raw: countingReader{raw, counter}}
	case compGzip:
		zr, err := gzip.NewReader(br) // multistream by default: concatenated members are read on
		if err != nil {
			return nil, fmt.Errorf("gzip header: %w", err)
		}
		o.r, o.close = zr, func() { _ = zr.Close() }
	case compZstd:
		// One synchronous decoder per input: inputs already run in parallel,
		// and a bounded window keeps a hostile frame from taking the memory.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(128<<20))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		o.r, o.close = zr, zr.Close
	case compBzip2:
		o.r = bzip2.NewReader(br)
	case compXz:
		zr, err := xz.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("xz header: %w", err)
		}
		o.r = zr
	}
	return o, nil
}

// openFile opens path (or src.open) and its decompressor. A named pipe is
// waited on for a writer while ctx lasts; waiting is called if it has none
// yet.
func openFile(ctx context.Context, src source, counter *atomic.Int64, waiting func()) (*opened, error) {
	path := src.path
	var f io.ReadCloser
	var err error
	switch {
	case src.open != nil:
		f, err = src.open()
		if err != nil {
			err = fmt.Errorf("%s: %w", path, err)
		}
	case isFIFO(path):
		f, err = openFIFO(ctx, path, waiting)
		if err != nil && ctx.Err() == nil {
			err = fmt.Errorf("%s: %w", path, err)
		}
	default:
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, err
	}
	o, err := openReader(f, counter)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	inner := o.close
	o.close = func() { inner(); _ = f.Close() }
	return o, nil
}

// isFIFO reports whether path is a named pipe (which cannot be opened
// twice, peeked at or reopened).
func isFIFO(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode()&os.ModeNamedPipe != 0
}
