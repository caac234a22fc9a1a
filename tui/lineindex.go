package tui

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Sizes of the full-log view's reading.
const (
	// maxIndexEntries caps a line index: 2M offsets (8 MiB). Past it the
	// index keeps every other offset (and then every fourth, ...), so a
	// line is found by reading on from the checkpoint before it.
	maxIndexEntries = 1 << 21
	// streamCheckpointEvery is how many lines apart the checkpoints of a
	// compressed input are.
	streamCheckpointEvery = 4096
	indexChunk            = 1 << 20
	maxScanLine           = 8 << 20 // a longer line is cut for search
)

// srcState is how far a source's indexing has got.
type srcState struct {
	lines       int64 // lines known so far
	done        bool  // the index reached the end of the input (as it was)
	bytes       int64 // bytes indexed
	total       int64 // size of the input (0: unknown)
	err         error
	sparse      bool // the index keeps checkpoints, not every offset
	stride      int64
	held, extra int64 // ring sources: records held, and lines read in all
}

// logSource is one input as the full-log view reads it. index, read and
// scan do I/O: they run in commands and goroutines, never in Update.
type logSource interface {
	name() string
	state() srcState
	// index extends the line index to the current end of the input.
	index(ctx context.Context) error
	// read returns the text of lines [from, to), 0-based, each cut at
	// maxRawShown bytes, without line endings.
	read(from, to int64) ([]string, error)
	// scan calls fn with chunks of whole lines from about line from on
	// (a chunk may start a little earlier: callers skip lines below from),
	// first being the 0-based number of the chunk's first line, until fn
	// returns false or ctx ends.
	scan(ctx context.Context, from int64, fn func(first int64, chunk []byte) bool) error
	// offset is the byte offset of line i when the source knows it, else -1.
	offset(i int64) int64
	// lineNo is the 1-based line number of line i within its input.
	lineNo(i int64) int64
}

// offsets is a line index: the byte offset of every stride-th line. It
// grows block by block, each block a base offset and 4-byte deltas (a
// block whose lines span more than 4 GiB keeps full offsets), so it holds
// about 4 bytes a line; at the cap it halves itself (doubling the stride),
// so its size is bounded whatever the input's length.
type offsets struct {
	blocks []offsetBlockT
	n      int // entries held
	stride int64
	limit  int // maxIndexEntries, smaller in tests
}

type offsetBlockT struct {
	base int64
	rel  []uint32
	wide []int64 // set instead of rel when a delta does not fit
}

const offsetBlock = 8192

func newOffsets(limit int) offsets {
	o := offsets{stride: 1, limit: limit}
	o.push(0)
	return o
}

func (o *offsets) push(off int64) {
	if o.n%offsetBlock == 0 {
		o.blocks = append(o.blocks, offsetBlockT{base: off, rel: make([]uint32, 0, offsetBlock)})
	}
	b := &o.blocks[len(o.blocks)-1]
	switch d := off - b.base; {
	case b.wide != nil:
		b.wide = append(b.wide, off)
	case d >= 0 && d <= 1<<32-1:
		b.rel = append(b.rel, uint32(d))
	default: // lines longer than 512 KiB on average: full offsets
		b.wide = make([]int64, len(b.rel), offsetBlock)
		for i, r := range b.rel {
			b.wide[i] = b.base + int64(r)
		}
		b.rel = nil
		b.wide = append(b.wide, off)
	}
	o.n++
}

func (o *offsets) get(i int) int64 {
	b := &o.blocks[i/offsetBlock]
	if b.wide != nil {
		return b.wide[i%offsetBlock]
	}
	return b.base + int64(b.rel[i%offsetBlock])
}

// bytes is the memory the index holds.
func (o *offsets) bytes() int {
	n := 0
	for i := range o.blocks {
		n += 8*cap(o.blocks[i].wide) + 4*cap(o.blocks[i].rel) + 56
	}
	return n
}

// add records that line n (0-based) starts at off.
func (o *offsets) add(n, off int64) {
	if n%o.stride != 0 {
		return
	}
	if o.n >= o.limit {
		half := offsets{stride: o.stride * 2, limit: o.limit}
		for i := 0; i < o.n; i += 2 {
			half.push(o.get(i))
		}
		*o = half
		if n%o.stride != 0 {
			return
		}
	}
	o.push(off)
}

// before is the checkpoint at or before line n: its line and offset.
func (o *offsets) before(n int64) (int64, int64) {
	i := min(n/o.stride, int64(o.n-1))
	return i * o.stride, o.get(int(i))
}

// fileSource is a plain file: lines are found by an offset index and read
// with ReadAt on demand.
type fileSource struct {
	path string

	mu       sync.RWMutex
	idx      offsets
	complete int64 // lines ended by a newline
	tail     int64 // offset of the line after the last newline
	scanned  int64 // bytes indexed
	size     int64
	done     bool
	err      error
}

func newFileSource(path string) *fileSource {
	return &fileSource{path: path, idx: newOffsets(maxIndexEntries)}
}

func (s *fileSource) name() string { return s.path }

func (s *fileSource) state() srcState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	lines := s.complete
	if s.partial() {
		lines++
	}
	return srcState{lines: lines, done: s.done, bytes: s.scanned, total: s.size, err: s.err,
		sparse: s.idx.stride > 1, stride: s.idx.stride}
}

// partial says the input ends with a line without its newline.
func (s *fileSource) partial() bool { return s.tail < s.scanned }

func (s *fileSource) index(ctx context.Context) error {
	f, err := os.Open(s.path)
	if err != nil {
		s.fail(err)
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.fail(err)
		return err
	}
	s.mu.Lock()
	if fi.Size() < s.scanned { // truncated: start again
		s.idx, s.complete, s.scanned, s.tail = newOffsets(s.idx.limit), 0, 0, 0
	}
	s.size, s.done = fi.Size(), false
	pos, n := s.scanned, s.complete
	s.mu.Unlock()
	buf := make([]byte, indexChunk)
	for ctx.Err() == nil {
		k, rerr := f.ReadAt(buf, pos)
		local := make([]int64, 0, 64)
		chunk := buf[:k]
		for i := 0; ; {
			j := bytes.IndexByte(chunk[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			local = append(local, pos+int64(i))
		}
		s.mu.Lock()
		for _, off := range local {
			n++
			s.idx.add(n, off)
			s.tail = off
		}
		s.complete, s.scanned = n, pos+int64(k)
		s.mu.Unlock()
		pos += int64(k)
		if rerr == io.EOF || k == 0 {
			break
		}
		if rerr != nil {
			s.fail(rerr)
			return rerr
		}
	}
	s.mu.Lock()
	s.done = ctx.Err() == nil
	s.mu.Unlock()
	return ctx.Err()
}

func (s *fileSource) fail(err error) {
	s.mu.Lock()
	s.err, s.done = fmt.Errorf("full log: %w", err), true
	s.mu.Unlock()
}

func (s *fileSource) offset(i int64) int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.idx.stride != 1 || i < 0 || i >= int64(s.idx.n) {
		return -1
	}
	return s.idx.get(int(i))
}

func (s *fileSource) lineNo(i int64) int64 { return i + 1 }

func (s *fileSource) read(from, to int64) ([]string, error) {
	s.mu.RLock()
	cpLine, off := s.idx.before(from)
	s.mu.RUnlock()
	f, err := os.Open(s.path)
	if err != nil {
		return nil, fmt.Errorf("full log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, fmt.Errorf("full log: %w", err)
	}
	return readLines(bufio.NewReaderSize(f, 64<<10), from-cpLine, to-from)
}

func (s *fileSource) scan(ctx context.Context, from int64, fn func(first int64, chunk []byte) bool) error {
	s.mu.RLock()
	line, off := s.idx.before(from)
	s.mu.RUnlock()
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("full log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("full log: %w", err)
	}
	return scanChunks(ctx, f, line, fn)
}

// readLines skips skip lines of r, then returns the next n, each cut at
// maxRawShown bytes and without its line ending.
func readLines(r *bufio.Reader, skip, n int64) ([]string, error) {
	out := make([]string, 0, n)
	var line []byte
	for i := int64(0); i < skip+n; i++ {
		line = line[:0]
		var err error
		for {
			var part []byte
			part, err = r.ReadSlice('\n')
			if i >= skip && len(line) < maxRawShown {
				line = append(line, part[:min(len(part), maxRawShown-len(line))]...)
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if i >= skip && (len(line) > 0 || err == nil) {
			out = append(out, string(bytes.TrimRight(line, "\r\n")))
		}
		if err != nil {
			if err == io.EOF {
				return out, nil
			}
			return out, fmt.Errorf("full log: %w", err)
		}
	}
	return out, nil
}

// scanChunks reads r in large chunks and hands fn whole lines only (the
// first of them numbered line): the
// bytes after a chunk's last newline start the next chunk. A line longer
// than maxScanLine is cut (and counted as one line).
func scanChunks(ctx context.Context, r io.Reader, line int64, fn func(first int64, chunk []byte) bool) error {
	buf := make([]byte, indexChunk)
	carry := 0
	for ctx.Err() == nil {
		k, err := io.ReadFull(r, buf[carry:])
		data := buf[:carry+k]
		last := bytes.LastIndexByte(data, '\n')
		eof := err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return fmt.Errorf("full log: %w", err)
		}
		switch {
		case eof:
			if len(data) > 0 {
				if data[len(data)-1] != '\n' {
					data = append(data, '\n')
				}
				fn(line, data)
			}
			return nil
		case last < 0 && len(buf) < maxScanLine:
			nb := make([]byte, len(buf)*2) // one very long line: a bigger buffer
			copy(nb, data)
			buf, carry = nb, len(data)
			continue
		case last < 0:
			last = len(data) - 1 // cut: the rest goes on as the next line
			data[last] = '\n'
		}
		if !fn(line, data[:last+1]) {
			return nil
		}
		line += int64(bytes.Count(data[:last+1], nl))
		carry = copy(buf, data[last+1:])
	}
	return ctx.Err()
}

var nl = []byte{'\n'}
