package tail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// maxCopyCandidates bounds the sibling files looked at for the copy a
// copytruncate left, so a directory of thousands of old logs costs little.
const maxCopyCandidates = 64

// onTruncated handles a copytruncate. The unread rest of the old content
// is read from the copy left beside the file (found by its first bytes, the
// way Filebeat, Vector and Fluent Bit recognise a file), the held-back
// partial line is delivered, and the file is read again from 0 as a new
// generation. Without a copy the bytes from the offset read up to the
// truncation may be lost: a Gap event says so, with the offsets. err is set
// only when ctx ended.
func (f *follower) onTruncated(tf *tailedFile, g *generation, reason string) error {
	from := g.offset
	copyName, err := f.readCopy(tf, g)
	if err != nil {
		return err
	}
	// Without a copy, the held-back partial line (delivered Unterminated
	// below) may have gone on in the lost part: the gap starts at its first
	// byte, not at the offset read.
	gapFrom := g.lineStart
	if err := tf.split.flush(g); err != nil {
		return err
	}
	msg := reason + "; reading again from the start"
	if copyName != "" && g.offset > from {
		msg += fmt.Sprintf(" (offsets %d to %d of the old content read from its copy %s)", from, g.offset, filepath.Base(copyName))
	}
	f.event(Event{Path: tf.path, Kind: Truncated, Msg: msg})
	if copyName == "" && from > 0 {
		f.event(Event{Path: tf.path, Kind: PossibleGap, Gap: Gap{Generation: g.index, From: gapFrom, To: -1},
			Msg: fmt.Sprintf("no copy of the old content found beside it: what was written after offset %d (generation %d) before the truncation may not have been read", gapFrom, g.index)})
	}
	g.offset, g.lineStart, g.number, g.seenLen, g.headLen = 0, 0, 0, 0, 0
	g.index = tf.nextGeneration()
	return nil
}

// readCopy looks for the copy of g's old content (a sibling named after
// the file, e.g. access.log.1 or access.log-20240101, with the same first
// bytes and at least g.offset bytes) and reads it from g.offset to its end.
// It returns the copy's path, or "" when there is none.
func (f *follower) readCopy(tf *tailedFile, g *generation) (string, error) {
	if g.headLen == 0 || g.offset == 0 {
		return "", nil
	}
	entries, err := os.ReadDir(tf.dir)
	if err != nil {
		return "", nil
	}
	base := filepath.Base(tf.abs)
	looked := 0
	for _, e := range entries {
		name := e.Name()
		if name == base || !strings.HasPrefix(name, base) || !e.Type().IsRegular() {
			continue
		}
		if looked++; looked > maxCopyCandidates {
			break
		}
		path := filepath.Join(tf.dir, name)
		c, ok := f.openCopy(tf, g, path)
		if !ok {
			continue
		}
		orig := g.f
		g.f = c
		for {
			more, _, rewritten, err := f.read(tf, g, readBudget)
			if err != nil || !more || rewritten {
				g.f = orig
				c.Close()
				return path, err
			}
		}
	}
	return "", nil
}

// openCopy opens path if it holds g's old content: another file than any
// generation of tf, starting with g's first bytes, at least g.offset long.
func (f *follower) openCopy(tf *tailedFile, g *generation, path string) (*os.File, bool) {
	c, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	st, err := c.Stat()
	ok := err == nil && st.Size() >= g.offset && !os.SameFile(st, g.id)
	for _, r := range tf.retired {
		ok = ok && !os.SameFile(st, r.id)
	}
	if ok {
		changed, err := differs(c, g.head[:g.headLen], 0)
		ok = err == nil && !changed
	}
	if !ok {
		c.Close()
		return nil, false
	}
	return c, true
}

// nextGeneration numbers a new generation of the path.
func (tf *tailedFile) nextGeneration() int {
	n := tf.gens
	tf.gens++
	return n
}
