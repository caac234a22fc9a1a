package tui

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
)

// streamSource is a compressed input: its line offsets are in the
// decompressed stream, which cannot be sought. The index keeps a
// checkpoint (decompressed offset) every streamCheckpointEvery lines; a
// block is read again by decompressing from the start and skipping to
// the checkpoint before it.
type streamSource struct {
	path string

	mu       sync.RWMutex
	idx      offsets
	complete int64
	tail     int64
	scanned  int64
	done     bool
	err      error
}

func newStreamSource(path string) *streamSource {
	o := newOffsets(maxIndexEntries)
	o.stride = streamCheckpointEvery
	return &streamSource{path: path, idx: o}
}

func (s *streamSource) name() string { return s.path }

func (s *streamSource) state() srcState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	lines := s.complete
	if s.tail < s.scanned {
		lines++
	}
	return srcState{lines: lines, done: s.done, bytes: s.scanned, err: s.err, sparse: true, stride: s.idx.stride}
}

// index reads the whole stream once (again when called again: a growing
// compressed file is rare and cheap to re-count).
func (s *streamSource) index(ctx context.Context) error {
	rc, _, err := input.Reopen(s.path)
	if err != nil {
		s.mu.Lock()
		s.err, s.done = err, true
		s.mu.Unlock()
		return err
	}
	defer rc.Close()
	s.mu.Lock()
	o := newOffsets(maxIndexEntries)
	o.stride = streamCheckpointEvery
	s.idx, s.complete, s.tail, s.scanned, s.done = o, 0, 0, 0, false
	s.mu.Unlock()
	var pos int64
	err = scanChunks(ctx, rc, 0, func(_ int64, chunk []byte) bool {
		var local []int64
		for i := 0; i < len(chunk); {
			j := bytes.IndexByte(chunk[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			local = append(local, pos+int64(i))
		}
		s.mu.Lock()
		for _, off := range local {
			s.complete++
			s.idx.add(s.complete, off)
			s.tail = off
		}
		pos += int64(len(chunk))
		s.scanned = pos
		s.mu.Unlock()
		return true
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil && ctx.Err() == nil {
		s.err = err
	}
	// scanChunks ends a last line without a newline with one, so every
	// line counts as complete here.
	s.tail = s.scanned
	s.done = ctx.Err() == nil
	return err
}

func (s *streamSource) offset(int64) int64   { return -1 }
func (s *streamSource) lineNo(i int64) int64 { return i + 1 }

func (s *streamSource) read(from, to int64) ([]string, error) {
	s.mu.RLock()
	cpLine, off := s.idx.before(from)
	s.mu.RUnlock()
	rc, _, err := input.Reopen(s.path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if _, err := io.CopyN(io.Discard, rc, off); err != nil {
		return nil, fmt.Errorf("full log: %s: %w", s.path, err)
	}
	return readLines(bufio.NewReaderSize(rc, 64<<10), from-cpLine, to-from)
}

func (s *streamSource) scan(ctx context.Context, _ int64, fn func(first int64, chunk []byte) bool) error {
	rc, _, err := input.Reopen(s.path)
	if err != nil {
		return err
	}
	defer rc.Close()
	return scanChunks(ctx, rc, 0, fn) // from the start: it cannot be sought
}

// ringSource is an input that cannot be read again (standard input, or a
// file that has gone): the view shows the records the ring still holds.
// ringLine is a record of a ringSource: its line and ring sequence number.
type ringLine struct{ line, seq int64 }

type ringSource struct {
	path  string
	ring  *Ring
	read_ int64 // lines the pipeline read from it, for the note

	mu      sync.RWMutex
	seqs    []ringLine // its records held, in line order
	scanned int64      // ring sequence numbers below this have been looked at
	why     error
}

func newRingSource(path string, ring *Ring, why error) *ringSource {
	return &ringSource{path: path, ring: ring, why: why}
}

func (s *ringSource) name() string { return s.path }

func (s *ringSource) state() srcState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := int64(len(s.seqs))
	return srcState{lines: n, done: true, held: n, extra: s.read_, err: s.why}
}

// index takes the ring's new records of this input and drops the evicted.
func (s *ringSource) index(ctx context.Context) error {
	first, _ := s.ring.Bounds()
	s.mu.RLock()
	from := max(s.scanned, first)
	s.mu.RUnlock()
	var add []ringLine
	next := s.ring.Scan(from, func(seq int64, rec *parse.Record) bool {
		if rec.Input == s.path {
			add = append(add, ringLine{rec.Line, seq})
		}
		return ctx.Err() == nil
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.seqs[:0]
	for _, l := range s.seqs {
		if l.seq >= first {
			kept = append(kept, l)
		}
	}
	s.seqs = append(kept, add...)
	// The ring is in time order; lines a little out of it are put back in
	// line order.
	if !sort.SliceIsSorted(s.seqs, func(i, j int) bool { return s.seqs[i].line < s.seqs[j].line }) {
		sort.SliceStable(s.seqs, func(i, j int) bool { return s.seqs[i].line < s.seqs[j].line })
	}
	s.scanned = next
	return nil
}

func (s *ringSource) record(i int64) (parse.Record, bool) {
	s.mu.RLock()
	if i < 0 || i >= int64(len(s.seqs)) {
		s.mu.RUnlock()
		return parse.Record{}, false
	}
	seq := s.seqs[i].seq
	s.mu.RUnlock()
	return s.ring.At(seq)
}

func (s *ringSource) offset(i int64) int64 {
	if rec, ok := s.record(i); ok {
		return rec.Offset
	}
	return -1
}

func (s *ringSource) lineNo(i int64) int64 {
	if rec, ok := s.record(i); ok {
		return rec.Line
	}
	return 0
}

func (s *ringSource) read(from, to int64) ([]string, error) {
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		rec, ok := s.record(i)
		if !ok {
			out = append(out, "(evicted from the ring)")
			continue
		}
		out = append(out, rec.Raw)
	}
	return out, nil
}

func (s *ringSource) scan(ctx context.Context, from int64, fn func(first int64, chunk []byte) bool) error {
	s.mu.RLock()
	n := int64(len(s.seqs))
	s.mu.RUnlock()
	var buf []byte
	for i := max(from, 0); i < n && ctx.Err() == nil; i++ {
		rec, ok := s.record(i)
		if !ok {
			continue
		}
		buf = append(append(buf[:0], rec.Raw...), '\n')
		if !fn(i, buf) {
			return nil
		}
	}
	return ctx.Err()
}

// sourcesFor makes a source per input: plain files are indexed, compressed
// ones checkpointed, and what cannot be read again comes from the ring.
func sourcesFor(inputs []parse.InputStats, ring *Ring, have map[string]bool, reopen func(string) error) []logSource {
	var out []logSource
	for i := range inputs {
		in := &inputs[i]
		if have[in.Path] {
			continue
		}
		have[in.Path] = true
		var src logSource
		switch err := reopen(in.Path); {
		case in.Path == input.StdinName || err != nil:
			rs := newRingSource(in.Path, ring, err)
			rs.read_ = in.Lines
			src = rs
		case in.Compression != "":
			src = newStreamSource(in.Path)
		default:
			src = newFileSource(in.Path)
		}
		out = append(out, src)
	}
	return out
}
