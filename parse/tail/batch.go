package tail

// Batch bounds: a batch is sent when it holds this many lines or this many
// bytes of text, and at the end of every wake-up.
const (
	maxBatchLines = 1024
	maxBatchBytes = 1 << 20
	arenaChunk    = 64 << 10
)

// batcher collects lines and copies their text into arena chunks that are
// written once and never reused: a sent Line's Text stays valid for ever.
type batcher struct {
	lines []Line
	bytes int
	arena []byte // current chunk; only its unused tail is ever written
}

// add copies l.Text into the arena (dropping a trailing '\r') and appends
// the line; it reports whether the batch is full.
func (b *batcher) add(l Line) bool {
	if !l.Overlong {
		text := l.Text
		if n := len(text); n > 0 && text[n-1] == '\r' {
			text = text[:n-1]
		}
		n := len(text)
		if n == 0 {
			l.Text = []byte{} // empty, but not nil: nil means Overlong
			b.lines = append(b.lines, l)
			return len(b.lines) >= maxBatchLines
		}
		if cap(b.arena)-len(b.arena) < n {
			b.arena = make([]byte, 0, max(arenaChunk, n))
		}
		start := len(b.arena)
		b.arena = append(b.arena, text...)
		// Cap the slice so a receiver's append cannot write into the
		// next line's bytes.
		l.Text = b.arena[start:len(b.arena):len(b.arena)]
		b.bytes += n
	}
	b.lines = append(b.lines, l)
	return len(b.lines) >= maxBatchLines || b.bytes >= maxBatchBytes
}

// take hands the batch over as a slice of its own, sized to fit (live
// tails send small batches); the batcher keeps its buffer for the next.
func (b *batcher) take() []Line {
	out := make([]Line, len(b.lines))
	copy(out, b.lines)
	clear(b.lines) // drop references to sent text
	b.lines = b.lines[:0]
	b.bytes = 0
	return out
}
