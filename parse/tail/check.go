package tail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// readDirty checks every file marked dirty, turn by turn, until none has
// more to read, and sends what was read. It fails only when ctx ends.
func (f *follower) readDirty() error {
	for {
		more := false
		for _, tf := range f.files {
			if !tf.dirty {
				continue
			}
			tf.dirty = false
			again, err := f.check(tf)
			if err != nil {
				return err
			}
			if again {
				tf.dirty, more = true, true
			}
		}
		if err := f.sendBatch(); err != nil {
			return err
		}
		if !more {
			return nil
		}
		if err := f.ctx.Err(); err != nil {
			return err
		}
	}
}

// check brings one path up to date: it reads rotated-away files, notices
// truncation, reads the current file to its end (or its budget), then
// notices rotation and removal. again reports an unfinished read; err is
// set only when ctx ended.
func (f *follower) check(tf *tailedFile) (again bool, err error) {
	now := time.Now()
	retiredMore, err := f.drainRetired(tf, now)
	if err != nil {
		return false, err
	}
	if tf.cur == nil {
		if !f.open(tf) {
			return retiredMore, nil
		}
	}
	g := tf.cur
	if st, err := g.f.Stat(); err != nil {
		f.fail(tf, fmt.Errorf("stat open file: %w", err))
	} else if reason := truncated(g, st.Size()); reason != "" {
		if err := f.onTruncated(tf, g, reason); err != nil {
			return false, err
		}
	}
	more, _, rewritten, err := f.read(tf, g, readBudget)
	if err != nil {
		return false, err
	}
	if rewritten {
		// Truncated and written again while we read: what was read past
		// the old content is not in this file any more; start over.
		reason := fmt.Sprintf("bytes before offset %d changed while reading", g.offset)
		if err := f.onTruncated(tf, g, reason); err != nil {
			return false, err
		}
		return true, nil
	}
	if more {
		return true, nil
	}
	again = retiredMore

	st, err := os.Stat(tf.abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.retire(tf, now)
		tf.waiting = true
		f.event(Event{Path: tf.path, Kind: Removed, Msg: "deleted or moved away; waiting for it to reappear"})
		f.checkDir(tf.dir)
		return again, nil
	case err != nil:
		f.fail(tf, fmt.Errorf("stat: %w", err))
		return again, nil
	case os.SameFile(g.id, st):
		return again, nil
	}
	// Rotated: the old file has been read to its end above; the new one
	// is read from its start.
	ng, err := openGeneration(tf.abs, false, f.opt.MaxLine)
	if err != nil {
		// Replaced and gone again, or unreadable: retry on the next wake-up
		// with the old file kept current so nothing written to it is lost.
		if !errors.Is(err, fs.ErrNotExist) {
			f.fail(tf, fmt.Errorf("open rotated file: %w", err))
		}
		return again, nil
	}
	f.retire(tf, now)
	ng.index = tf.nextGeneration()
	tf.cur = ng
	f.resolve(tf)
	f.event(Event{Path: tf.path, Kind: Rotated, Msg: "replaced by a new file; old file read to its end, new one read from the start"})
	return true, nil
}

// truncated says why g's file was truncated under us, or "" if it was not:
// it shrank below the offset read, or it no longer starts with the bytes it
// started with. That the bytes just before the offset changed is seen by
// the read itself, which re-reads them anyway (follower.read); checking
// them here too would cost one more system call per wake-up.
func truncated(g *generation, size int64) string {
	if size < g.offset {
		return fmt.Sprintf("size %d < offset %d", size, g.offset)
	}
	if changed, err := g.headChanged(); err == nil && changed {
		return fmt.Sprintf("its first %d bytes changed", g.headLen)
	}
	return ""
}

// open tries to open the path; it reports success and sends the matching
// event (Opened, or Waiting/Error once per spell).
func (f *follower) open(tf *tailedFile) bool {
	atEnd := tf.initial && !f.opt.FromStart
	tf.initial = false
	g, err := openGeneration(tf.abs, atEnd, f.opt.MaxLine)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if !tf.waiting {
				tf.waiting = true
				f.event(Event{Path: tf.path, Kind: Waiting, Msg: "does not exist yet; will read it from the start once created"})
			}
			return false
		}
		f.fail(tf, fmt.Errorf("open: %w", err))
		return false
	}
	g.index = tf.nextGeneration()
	tf.cur = g
	tf.lastErr = ""
	tf.waiting = false
	msg := "reading from the start"
	switch {
	case atEnd:
		msg = fmt.Sprintf("following from the end (offset %d)", g.offset)
	case tf.seen:
		msg = "re-created; reading from the start"
	}
	tf.seen = true
	f.resolve(tf)
	f.event(Event{Path: tf.path, Kind: Opened, Msg: msg})
	return true
}

// resolve indexes the target of a symlinked path, so writes to the target
// (which fsnotify names by the target's path) wake the path.
func (f *follower) resolve(tf *tailedFile) {
	target, err := filepath.EvalSymlinks(tf.abs)
	if err != nil || target == tf.abs || tf.symlinks[target] {
		return
	}
	tf.symlinks[target] = true
	f.index(tf, target)
	if dir := filepath.Dir(target); f.watcher != nil && !f.watched[dir] {
		if f.watcher.Add(dir) == nil {
			f.watched[dir] = true
		}
	}
}

// retire moves the current generation to the retired list: it stays open
// for drainWindow after its last growth, for writers that still hold it.
func (f *follower) retire(tf *tailedFile, now time.Time) {
	g := tf.cur
	tf.cur = nil
	g.lastGrowth = now
	tf.retired = append(tf.retired, g)
}

// drainRetired reads rotated-away files and closes those idle for the drain
// window, delivering their last partial line. more: one of them has more
// to read than one turn's budget.
func (f *follower) drainRetired(tf *tailedFile, now time.Time) (more bool, err error) {
	kept := tf.retired[:0]
	for _, g := range tf.retired {
		unread, grew, rewritten, err := f.read(tf, g, readBudget)
		if err != nil {
			return false, err
		}
		if rewritten {
			// A rotated-away file truncated and written again: what it
			// held past our offset is gone; say so and stop reading it.
			f.event(Event{Path: tf.path, Kind: PossibleGap, Gap: Gap{Generation: g.index, From: g.lineStart, To: -1},
				Msg: fmt.Sprintf("rotated-away file (generation %d) was rewritten after offset %d; stopped reading it", g.index, g.lineStart)})
			g.releasePending()
			g.close()
			continue
		}
		more = more || unread
		if grew {
			g.lastGrowth = now
		}
		if unread || now.Sub(g.lastGrowth) < f.opt.drainWindow {
			kept = append(kept, g)
			continue
		}
		if err := tf.split.flush(g); err != nil {
			return false, err
		}
		g.close()
	}
	clear(tf.retired[len(kept):])
	tf.retired = kept
	return more, nil
}

// read reads g from its offset until EOF or budget bytes. more: the budget
// ran out first; grew: bytes arrived; rewritten: the bytes just before the
// offset are no longer the ones read there, so the file was truncated (and
// perhaps written past the offset again) since the last read, and nothing
// more was taken from it. err is set only when ctx ended; read errors
// become events.
//
// Every read starts a little before the offset, at the last bytes read
// (g.seen), and is used only if they are still there: a copytruncate can
// happen between two reads of one turn, and a file that grew back past the
// offset would otherwise be read from the middle of its new content.
func (f *follower) read(tf *tailedFile, g *generation, budget int) (more, grew, rewritten bool, err error) {
	for budget > 0 {
		ov := g.seenLen
		want := ov + readBufSize
		n, rerr := readOnce(g.f, f.buf[:want], g.offset-int64(ov))
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			f.fail(tf, fmt.Errorf("read: %w", rerr))
			return false, grew, false, nil
		}
		if n < ov || !bytes.Equal(f.buf[:ov], g.seen[:ov]) {
			return false, grew, true, nil
		}
		if data := f.buf[ov:n]; len(data) > 0 {
			grew = true
			base := g.offset
			g.offset += int64(len(data))
			g.remember(data, base)
			budget -= len(data)
			if err := tf.split.consume(g, data, base); err != nil {
				return false, grew, false, err
			}
		}
		if rerr != nil || n < want {
			return false, grew, false, nil // the end, for now
		}
	}
	return true, grew, false, nil
}

// fail reports an error once per distinct message, so a file that stays
// unreadable does not flood the events.
func (f *follower) fail(tf *tailedFile, err error) {
	if msg := err.Error(); msg != tf.lastErr {
		tf.lastErr = msg
		f.event(Event{Path: tf.path, Kind: Error, Err: err})
	}
}
