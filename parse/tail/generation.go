package tail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// generation is one open file behind a path: the path keeps its name across
// rotations, each file it names in turn is a generation with its own
// offsets and line numbers.
type generation struct {
	f  *os.File
	id os.FileInfo // for os.SameFile against a fresh stat of the path

	offset    int64 // next byte to read
	lineStart int64 // offset of the first byte of the held-back partial line
	number    int64 // lines delivered so far

	pending  []byte // partial line waiting for its newline (at most maxLine bytes)
	skipping bool   // inside an over-long line: its bytes are counted, not kept
	skipLen  int64  // bytes of the over-long line so far
	silent   bool   // the skipped line began before Follow started: not reported

	lastGrowth time.Time // when a retired generation last gave bytes

	// index counts the generations of the path (0 for the first file
	// opened); a truncation starts a new one. Gaps name it.
	index int

	// head is the file's identity: its first bytes as read (up to
	// len(head)), as Filebeat, Vector and Fluent Bit fingerprint files. A
	// copytruncate that rewrote the file shows as a changed head even when
	// the file grew back past our offset; the copy it left beside it has
	// the old head, which is how the unread rest is found.
	head    [fingerprintLen]byte
	headLen int

	// The last bytes read (up to len(seen)), checked against the file to
	// notice a copytruncate whose file grew past our offset again before
	// we looked: the size alone cannot tell. Every read re-reads them
	// first (see follower.read).
	seen    [seenLen]byte
	seenLen int
}

// seenLen is how many of the last bytes read are kept and checked: more
// than a typical log line, so that the counter or timestamp of at least
// one line is in them and same-shaped lines do not match by chance.
const seenLen = 128

// fingerprintLen is how many leading bytes identify a file: enough to span
// several log lines, so that files of same-shaped lines still differ in
// their timestamps or counters.
const fingerprintLen = 1024

// remember keeps the tail of what was just read (data ends at g.offset,
// and began at base) and the file's first bytes.
func (g *generation) remember(data []byte, base int64) {
	if h := int64(g.headLen); base <= h && h < fingerprintLen && base+int64(len(data)) > h {
		g.headLen += copy(g.head[g.headLen:], data[int64(g.headLen)-base:])
	}
	if len(data) >= len(g.seen) {
		g.seenLen = copy(g.seen[:], data[len(data)-len(g.seen):])
		return
	}
	keep := min(g.seenLen, len(g.seen)-len(data))
	copy(g.seen[:], g.seen[g.seenLen-keep:g.seenLen])
	g.seenLen = keep + copy(g.seen[keep:], data)
}

// headChanged reports whether the file no longer starts with the bytes
// first read from it.
func (g *generation) headChanged() (bool, error) {
	return differs(g.f, g.head[:g.headLen], 0)
}

// differs reports whether f's bytes at off are not want (a short file
// differs).
func differs(f *os.File, want []byte, off int64) (bool, error) {
	if len(want) == 0 {
		return false, nil
	}
	var buf [fingerprintLen]byte
	n, err := f.ReadAt(buf[:len(want)], off)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return !bytes.Equal(buf[:n], want), nil
}

// openGeneration opens path. atEnd starts reading after the last complete
// line (tail's default for files that exist at start); otherwise from 0.
func openGeneration(path string, atEnd bool, maxLine int) (*generation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat open file: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, st.Mode().Type())
	}
	g := &generation{f: f, id: st}
	if atEnd && st.Size() > 0 {
		start, skipping, err := lastLineStart(f, st.Size(), maxLine)
		if err != nil {
			f.Close()
			return nil, err
		}
		g.offset, g.lineStart = start, start
		if skipping {
			// The unfinished last line is already over-long and began
			// before the part we may look at: skip its rest silently, as
			// a line from before the start.
			g.offset = st.Size()
			g.skipping, g.silent = true, true
		}
		n := int(min(g.offset, int64(len(g.seen))))
		if n, err := f.ReadAt(g.seen[:n], g.offset-int64(n)); err == nil {
			g.seenLen = n
		}
		n = int(min(g.offset, fingerprintLen))
		if n, err := f.ReadAt(g.head[:n], 0); err == nil || errors.Is(err, io.EOF) {
			g.headLen = n
		}
	}
	return g, nil
}

// lastLineStart finds where the last complete line ends, so that starting
// "at the end" does not cut a line being written in two. It looks back at
// most maxLine+1 bytes; skipping reports that the unfinished line is
// already longer than that.
func lastLineStart(f *os.File, size int64, maxLine int) (start int64, skipping bool, err error) {
	const chunk = 4096
	var buf [chunk]byte
	limit := size - int64(maxLine) - 1
	if limit < 0 {
		limit = 0
	}
	end := size
	for end > limit {
		from := end - chunk
		if from < limit {
			from = limit
		}
		n, err := f.ReadAt(buf[:end-from], from)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, false, fmt.Errorf("read end of file: %w", err)
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return from + int64(i) + 1, false, nil
		}
		end = from
	}
	if limit == 0 {
		return 0, false, nil // the whole file is one unfinished line
	}
	return limit, true, nil
}

func (g *generation) close() {
	if g.f != nil {
		g.f.Close()
		g.f = nil
	}
}

// splitter turns the bytes of one generation into Lines.
type splitter struct {
	maxLine int
	emit    func(Line) error
	path    string
}

// consume splits data, which starts at offset base of g, into lines; the
// trailing partial line is held in g.pending (or counted, when over-long).
func (s *splitter) consume(g *generation, data []byte, base int64) error {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			switch {
			case g.skipping:
				g.skipLen += int64(len(data))
			case len(g.pending)+len(data) > s.maxLine:
				g.skipping = true
				g.skipLen = int64(len(g.pending) + len(data))
				g.releasePending()
			default:
				g.pending = append(g.pending, data...)
			}
			return nil
		}
		seg := data[:i]
		var err error
		switch {
		case g.skipping && g.silent:
			g.skipping, g.skipLen, g.silent = false, 0, false
		case g.skipping:
			err = s.overlong(g, g.skipLen+int64(i), false)
			g.skipping, g.skipLen = false, 0
		case len(g.pending)+i > s.maxLine:
			err = s.overlong(g, int64(len(g.pending)+i), false)
			g.releasePending()
		default:
			err = s.line(g, g.pending, seg, false)
			g.releasePending()
		}
		base += int64(i) + 1
		g.lineStart = base
		if err != nil {
			return err
		}
		data = data[i+1:]
	}
	return nil
}

// flush delivers the held-back partial line, if any, as Unterminated: its
// file was rotated away or truncated, so no newline will come.
func (s *splitter) flush(g *generation) error {
	var err error
	switch {
	case g.skipping && g.silent:
	case g.skipping:
		err = s.overlong(g, g.skipLen, true)
	case len(g.pending) > 0:
		err = s.line(g, g.pending, nil, true)
	default:
		return nil
	}
	g.skipping, g.skipLen, g.silent = false, 0, false
	g.releasePending()
	g.lineStart = g.offset
	return err
}

func (s *splitter) line(g *generation, head, tail []byte, unterminated bool) error {
	g.number++
	size := len(head) + len(tail)
	l := Line{Path: s.path, Offset: g.lineStart, Number: g.number, Size: int64(size), Unterminated: unterminated}
	// Text is assembled by the emitter (it owns the arena); pass the parts.
	return s.emitParts(l, head, tail)
}

func (s *splitter) overlong(g *generation, size int64, unterminated bool) error {
	g.number++
	return s.emit(Line{Path: s.path, Offset: g.lineStart, Number: g.number, Size: size, Overlong: true, Unterminated: unterminated})
}

// emitParts hands the line to emit with Text pointing at head+tail; the
// emitter copies it into memory it never reuses.
func (s *splitter) emitParts(l Line, head, tail []byte) error {
	if len(head) == 0 {
		l.Text = tail
	} else if len(tail) == 0 {
		l.Text = head
	} else {
		l.Text = append(head, tail...) // head is g.pending, released right after
	}
	return s.emit(l)
}

// releasePending empties the partial-line buffer, dropping a large one so
// one long line does not pin up to MaxLine bytes per file for ever.
func (g *generation) releasePending() {
	if cap(g.pending) > 64<<10 {
		g.pending = nil
	} else {
		g.pending = g.pending[:0]
	}
}
