package input

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
)

// chunk is a run of whole lines cut from a slab, handed from the reader to
// the parsers in order. data is never written again once sent: records keep
// views of it. A chunk with no data may carry an overlong line (counted,
// never held) or the end of the input.
type chunk struct {
	data     []byte
	slab     *slab // the slab data views, held once for this chunk (nil: none)
	lines    int64 // lines in data (the last one may lack its '\n')
	first    int64 // number of data's first line (1-based)
	offset   int64 // byte offset of data[0] in the decompressed input
	overlong bool  // no data: one line over MaxLine was skipped at line first
	cut      bool  // data's last line was cut short by a read error
	skipped  int64 // overlong: the bytes skipped (with the '\n', unless noEOL)
	noEOL    bool  // overlong: the line ended with the input, without '\n'

	res chunkResult
	seq int64 // order among the input's chunks (parallel parsing)
}

// lineReader cuts lines out of large slabs, the way fzf's reader does:
// only a line that crosses a slab boundary is copied (into the next slab),
// and a line over maxLine is skipped without ever being held whole. A slab
// is reused (from pool) only once every chunk cut from it was released.
type lineReader struct {
	r        io.Reader
	slabSize int
	maxLine  int
	live     bool      // stdin: hand over what arrived at once instead of filling the slab
	pool     *slabPool // nil: slabs are never reused

	cur        *slab  // the slab being read into (held by the reader)
	slab       []byte // cur.buf
	start, end int    // slab[start:end] holds bytes read but not yet sent
	offset     int64  // input offset of slab[start]
	line       int64  // lines sent so far
	bytes      int64  // decompressed bytes read
}

func newLineReader(r io.Reader, slabSize, maxLine int, live bool, pool *slabPool) *lineReader {
	return &lineReader{r: r, slabSize: slabSize, maxLine: maxLine, live: live, pool: pool}
}

// readError is a read error that ended an input early.
type readError struct {
	line  int64 // the line reached
	after bool  // the input broke right after that line, not inside it
	err   error
}

// where says where the input broke, for error messages.
func (e *readError) where() string {
	if e.after {
		return "after line " + strconv.FormatInt(e.line, 10)
	}
	return "at line " + strconv.FormatInt(e.line, 10)
}

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// run reads to the end of the input, calling send for every chunk in order.
// It returns nil at EOF, the context's error when cancelled, or a
// *readError when the input broke off (a truncated or corrupt archive).
func (lr *lineReader) run(ctx context.Context, send func(*chunk) bool) error {
	lr.cur = lr.pool.get(lr.slabSize)
	lr.slab = lr.cur.buf
	defer func() { lr.cur.release() }() // the chunks sent keep their own references
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if lr.end == len(lr.slab) {
			if lr.start == 0 && lr.end > lr.maxLine {
				if err := lr.skipOverlong(ctx, send); err != nil {
					if errors.Is(err, io.EOF) {
						return nil
					}
					return err
				}
				continue
			}
			lr.newSlab()
		}
		n, err := lr.r.Read(lr.slab[lr.end:])
		lr.end += n
		lr.bytes += int64(n)
		full := lr.end == len(lr.slab)
		if n > 0 && (full || lr.live || err != nil) {
			if i := bytes.LastIndexByte(lr.slab[lr.start:lr.end], '\n'); i >= 0 {
				if !lr.sendLines(lr.start+i+1, false, send) {
					return ctx.Err()
				}
			}
		}
		if err == nil {
			continue
		}
		var rest bool
		if lr.end > lr.start { // a last line without '\n', or one cut short
			rest = true
			if !lr.sendLines(lr.end, !errors.Is(err, io.EOF), send) {
				return ctx.Err()
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		return &readError{line: lr.line, after: !rest, err: err}
	}
}

// sendLines sends slab[start:upto] as a chunk.
func (lr *lineReader) sendLines(upto int, cut bool, send func(*chunk) bool) bool {
	data := lr.slab[lr.start:upto:upto] // capped: nobody may append into the unsent rest
	n := int64(bytes.Count(data, nl))
	if data[len(data)-1] != '\n' {
		n++
	}
	lr.cur.refs.Add(1)
	c := &chunk{data: data, slab: lr.cur, lines: n, first: lr.line + 1, offset: lr.offset, cut: cut}
	lr.line += n
	lr.offset += int64(len(data))
	lr.start = upto
	return send(c)
}

var nl = []byte{'\n'}

// newSlab moves the unsent partial line into a fresh slab (the old slab
// stays with the chunks that view it, and goes back to the pool with the
// last of them), growing it for long lines.
func (lr *lineReader) newSlab() {
	partial := lr.end - lr.start
	size := lr.slabSize
	if lr.start == 0 { // the slab holds one unfinished line: grow towards maxLine
		size = min(2*len(lr.slab), lr.maxLine+1)
	} else if partial+lr.slabSize/4 > size {
		size = partial + lr.slabSize/4
	}
	next := lr.pool.get(size) // a grown size is not the pool's: never reused
	copy(next.buf, lr.slab[lr.start:lr.end])
	lr.cur.release()
	lr.cur, lr.slab, lr.start, lr.end = next, next.buf, 0, partial
}

// skipOverlong discards the current line, which is longer than maxLine,
// reading it through the unsent part of the slab as scratch space; the line
// is counted (send gets an overlong chunk) but never held whole.
func (lr *lineReader) skipOverlong(ctx context.Context, send func(*chunk) bool) error {
	skipped := int64(0)
	scratch := lr.slab[lr.start:]
	n := lr.end - lr.start
	for {
		if i := bytes.IndexByte(scratch[:n], '\n'); i >= 0 {
			skipped += int64(i + 1)
			rest := copy(scratch, scratch[i+1:n])
			lr.line++
			if !send(&chunk{overlong: true, first: lr.line, offset: lr.offset, skipped: skipped}) {
				return ctx.Err()
			}
			lr.offset += skipped
			lr.end = lr.start + rest
			return nil
		}
		skipped += int64(n)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m, err := lr.r.Read(scratch)
		n = m
		lr.bytes += int64(m)
		if err != nil && m == 0 {
			lr.line++
			if !send(&chunk{overlong: true, first: lr.line, offset: lr.offset, skipped: skipped, noEOL: true}) {
				return ctx.Err()
			}
			lr.offset += skipped
			lr.end = lr.start
			if errors.Is(err, io.EOF) {
				return io.EOF // the caller's next Read sees EOF too; say so directly
			}
			return &readError{line: lr.line, err: err}
		}
	}
}
