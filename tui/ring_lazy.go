package tui

import (
	"cmp"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"slices"
	"sync/atomic"
	"unsafe"
)

// Deferred text: a plain file read at full speed fills the ring ten times
// over (1M lines through 100,000 slots), so copying each line as it passes
// was the interface's largest cost beyond report's, for text nobody saw.
// With DeferText, a record of a file that can be read again by offset
// keeps its slot (numbers, spans, a reserved place in the arena) and the
// hash of its line; the line itself is read again from the file, in runs,
// by Fill: once reading ends (the wiring calls it) or at the next batch
// once anybody looked (At, Scan, Find), after which every record is copied
// at once again. Until then At and Find do not find such a record and
// Scan stops before it, so nobody sees a record without its text.
//
// A line that reads back different (the file was rewritten: its first or
// last 8 bytes differ; a hash of the whole line cost as much as the copy it
// saves) keeps its numbers and loses its text, as a line too long for the
// arena does.

// fillWindow is how much of a file Fill reads at a time.
const fillWindow = 1 << 20

// lazyText is the ring's deferred-copy state. rereadable, byInput and
// pending belong to the writer (Add, Fill: under Ring.wmu).
type lazyText struct {
	rereadable func(input string) bool
	byInput    []int8 // per input: 0 not asked yet, 1 deferrable, -1 not
	pending    bool   // some slot may still be lazy
	observed   atomic.Bool
}

// DeferText lets the ring defer copying the text of records from inputs
// for which rereadable says a line can be read again at its offset (a
// plain file that is not followed: its bytes stay where they were). Call
// it before the first Add; rereadable runs on the adding goroutine, once
// per input.
func (r *Ring) DeferText(rereadable func(input string) bool) {
	if r == nil {
		return
	}
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.lazy.rereadable = rereadable
}

// observe notes that somebody reads the ring: from the next batch on,
// nothing is deferred.
func (r *Ring) observe() {
	if !r.lazy.observed.Load() {
		r.lazy.observed.Store(true)
	}
}

// Waiting reports whether seq is held but its text not copied yet (At
// does not return it until the next batch or the end of reading).
func (r *Ring) Waiting(seq int64) bool {
	if r == nil {
		return false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return seq >= r.first && seq < r.next && r.slotOf(seq).lazy
}

// deferrable says whether input's records may wait for Fill (writer).
func (r *Ring) deferrable(in uint32) bool {
	if r.lazy.rereadable == nil || r.lazy.observed.Load() {
		return false
	}
	for int(in) >= len(r.lazy.byInput) {
		r.lazy.byInput = append(r.lazy.byInput, 0)
	}
	if r.lazy.byInput[in] == 0 {
		r.lazy.byInput[in] = -1
		if r.lazy.rereadable(r.inputs[in]) {
			r.lazy.byInput[in] = 1
		}
	}
	return r.lazy.byInput[in] > 0
}

// Fill copies the text of every held record that still waits for it, by
// reading its input again. The wiring calls it when reading ends; it may
// run while the interface reads the ring, not beside Add.
func (r *Ring) Fill() {
	if r == nil {
		return
	}
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.fill()
}

// fill is Fill with wmu held. Readers never look at a lazy slot's place in
// the arena, so it is written without the read lock; the slots are marked
// copied under the lock at the end.
func (r *Ring) fill() {
	if !r.lazy.pending {
		return
	}
	// In file order: records of several inputs interleave (merged by time),
	// and one window then serves consecutive lines of one file.
	type wait struct {
		seq, offset int64
		input       uint32
	}
	var todo []wait
	for seq := r.first; seq < r.next; seq++ {
		if s := r.slotOf(seq); s.lazy {
			todo = append(todo, wait{seq, s.offset, s.input})
		}
	}
	slices.SortFunc(todo, func(a, b wait) int {
		return cmp.Or(cmp.Compare(a.input, b.input), cmp.Compare(a.offset, b.offset))
	})
	var failed []int64 // lines that read back different or not at all
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	win := make([]byte, 0, fillWindow)
	winAt, open := int64(-1), uint32(0)
	for i, w := range todo {
		s := r.slotOf(w.seq)
		if i == 0 || w.input != open {
			if f != nil {
				f.Close()
			}
			f, _ = os.Open(r.inputs[w.input]) // nil: its lines fail below
			open, winAt = w.input, -1
		}
		text := r.arena[s.at%int64(len(r.arena)):][:s.text[0].n]
		// The window read last, when it holds the line.
		inWin := winAt >= 0 && s.offset >= winAt && s.offset+int64(len(text)) <= winAt+int64(len(win))
		if !inWin {
			if winAt = -1; !r.readWindow(f, s.offset, len(text), &win) {
				failed = append(failed, w.seq)
				continue
			}
			winAt = s.offset
		}
		line := win[s.offset-winAt:][:len(text)]
		if lineEnds(unsafe.String(unsafe.SliceData(line), len(line))) != s.ends {
			failed = append(failed, w.seq)
			continue
		}
		copy(text, line)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, seq := range failed {
		s := r.slotOf(seq)
		s.size, s.text = 0, [ringTexts]textSpan{}
	}
	for seq := r.first; seq < r.next; seq++ {
		r.slotOf(seq).lazy = false
	}
	r.lazy.pending = false
}

// readWindow reads into *win the file from off, at least need bytes of it.
func (r *Ring) readWindow(f *os.File, off int64, need int, win *[]byte) bool {
	if f == nil {
		return false
	}
	if cap(*win) < need {
		*win = make([]byte, need)
	}
	w := (*win)[:max(fillWindow, need)]
	n, err := f.ReadAt(w, off)
	*win = w[:n]
	return (err == nil || errors.Is(err, io.EOF)) && n >= need
}

// lineEnds are a line's first and last 8 bytes (fewer: zero-padded).
func lineEnds(line string) [2]uint64 {
	if len(line) < 8 {
		var b [8]byte
		copy(b[:], line)
		v := binary.LittleEndian.Uint64(b[:])
		return [2]uint64{v, v}
	}
	p := unsafe.Slice(unsafe.StringData(line), len(line))
	return [2]uint64{binary.LittleEndian.Uint64(p), binary.LittleEndian.Uint64(p[len(p)-8:])}
}
