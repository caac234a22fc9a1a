package input

import (
	"bytes"
	"errors"

	"github.com/edgetriage/edgetriage/parse"
)

// Reasons for lines the reader itself rejects.
const (
	reasonCut     = "line cut short: the input broke off here"
	reasonUnknown = "format not detected"
)

// initialBatch is the record capacity a chunk starts with: a 128 KiB slab
// of 180-byte lines holds about 730.
const initialBatch = 1024

// maxExampleText caps the text kept with a malformed example.
const maxExampleText = 256

// chunkResult is what parsing a chunk gave: records in line order plus the
// accounting of every line in it.
type chunkResult struct {
	recs        []parse.Record
	owner       *recBatch // the pooled array recs lives in (nil if not pooled)
	counts      parse.Counts
	first, last int64 // time range of recs (when counts.Parsed > 0)
	examples    []parse.MalformedExample
}

// lineParser parses the lines of chunks for one input. Each parse worker
// has its own (parsers may keep state).
type lineParser struct {
	p           parse.Parser
	input       string
	maxExamples int
	maxLine     int // lines longer than this that still fit a slab are overlong too
	dims        parse.DimKeyer
}

// parseChunk fills c.res. Every line of the chunk lands in exactly one of
// parsed, ignored, malformed or overlong.
func (lp *lineParser) parseChunk(c *chunk) {
	res := &c.res
	if c.overlong {
		res.counts.Lines, res.counts.Overlong, res.counts.Bytes = 1, 1, c.skipped
		return
	}
	res.counts.Bytes = int64(len(c.data))
	// Room for the records of a typical chunk, not for every line: a slab
	// of blank lines (128 Ki of them) would otherwise take 50 MB of Records
	// that are never filled. Appends grow the array past that; the batch
	// then keeps (and pools) the grown one.
	res.owner = getBatch(min(int(c.lines), initialBatch))
	res.owner.slab = c.slab // the chunk's reference: dropped when the batch is recycled
	res.recs = res.owner.recs[:0]
	defer func() {
		if cap(res.recs) > cap(res.owner.recs) {
			res.owner.recs = res.recs[:0]
		}
		// The records written, and the slot of a last line that failed.
		res.owner.used = min(len(res.recs)+1, cap(res.recs))
		if n := len(res.recs); int64(n)*16 < c.lines && n < cap(res.recs)/16 {
			// A few records among many lines (mostly blank or malformed):
			// copied out with their text, so that while they wait in the
			// reorder and duplicate windows they pin neither a whole batch
			// nor a whole slab; the batch is reused at once.
			recs := make([]parse.Record, n)
			for i := range res.recs {
				recs[i] = res.recs[i].Clone()
			}
			clear(res.recs)
			res.owner.hold(0)
			res.recs, res.owner = recs, nil
			return
		}
		res.owner.hold(len(res.recs))
	}()
	data := c.data
	lineNo, off := c.first, c.offset
	for len(data) > 0 {
		line, next := data, len(data) // cutLine, inlined by hand on this hot path
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, next = data[:i], i+1
		}
		over := lp.maxLine > 0 && len(line) > lp.maxLine
		line = trimCR(line)
		if over {
			res.counts.Lines++
			res.counts.Overlong++
		} else if c.cut && next == len(data) {
			res.counts.Lines++
			res.counts.Malformed++
			lp.example(res, lineNo, reasonCut, line)
		} else {
			lp.line(res, line, lineNo, off)
		}
		data = data[next:]
		lineNo++
		off += int64(next)
	}
}

// line accounts for one line (without its line ending) and parses it.
func (lp *lineParser) line(res *chunkResult, line []byte, lineNo, off int64) {
	res.counts.Lines++
	if blank(line) {
		res.counts.Ignored++
		return
	}
	lp.parseLine(res, line, lineNo, off)
}

func (lp *lineParser) parseLine(res *chunkResult, line []byte, lineNo, off int64) {
	if n := len(res.recs); n < cap(res.recs) {
		res.recs = res.recs[:n+1] // Parse resets it: no need to zero it first
	} else {
		res.recs = append(res.recs, parse.Record{})
	}
	rec := &res.recs[len(res.recs)-1]
	err := lp.p.Parse(line, rec)
	if err == nil {
		rec.Raw = parse.View(line)
		rec.Input = lp.input
		rec.Line = lineNo
		rec.Offset = off
		lp.dims.Fill(rec) // the contrast's keys, off the engine's goroutine
		if rec.RequestID != "" {
			rec.IDHash = idHash(rec) // likewise the duplicate filter's key
		}
		if res.counts.Parsed == 0 {
			res.first, res.last = rec.Time, rec.Time
		} else if rec.Time < res.first {
			res.first = rec.Time
		} else if rec.Time > res.last {
			res.last = rec.Time
		}
		res.counts.Parsed++
		return
	}
	res.recs = res.recs[:len(res.recs)-1]
	if errors.Is(err, parse.ErrIgnored) {
		res.counts.Ignored++
		return
	}
	res.counts.Malformed++
	if len(res.examples) < lp.maxExamples {
		reason := err.Error()
		var m *parse.MalformedError
		if errors.As(err, &m) {
			reason = m.Reason
		}
		lp.example(res, lineNo, reason, line)
		if m != nil && len(res.examples) > 0 {
			ex := &res.examples[len(res.examples)-1]
			ex.Column, ex.Field = m.Column, m.Field
		}
	}
}

func (lp *lineParser) example(res *chunkResult, lineNo int64, reason string, line []byte) {
	if len(res.examples) >= lp.maxExamples {
		return
	}
	if len(line) > maxExampleText {
		line = line[:maxExampleText]
	}
	// A copy: examples outlive the run, and must not pin a whole slab.
	res.examples = append(res.examples, parse.MalformedExample{Line: lineNo, Reason: reason, Text: string(line)})
}

// cutLine returns the first line of data without its "\n", and how many
// bytes it takes with its "\n" (all of data for a last line without one).
func cutLine(data []byte) (line []byte, next int) {
	line, next = data, len(data)
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line, next = data[:i], i+1
	}
	return line, next
}

// trimCR drops the "\r" of a CRLF line ending.
func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// blank reports a line of nothing but spaces and tabs.
func blank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
