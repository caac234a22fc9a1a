package tui

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/formats"
)

// maxMatches caps what one search or filter keeps (8 bytes each).
const maxMatches = 4 << 20

// logRef names a line of the full log: its source and 0-based line.
type logRef int64

func mkRef(src int, line int64) logRef { return logRef(int64(src)<<40 | line) }
func (r logRef) src() int              { return int(r >> 40) }
func (r logRef) line() int64           { return int64(r) & (1<<40 - 1) }

// logJob is a search or filter over every line of every source, running
// in its own goroutine; the view polls its progress and matches.
type logJob struct {
	q        *query
	from, to time.Time // a time window the lines must fall in (zero: none)
	cancel   context.CancelFunc

	mu      sync.Mutex
	matches []logRef // in source and line order
	capped  bool

	scanned atomic.Int64 // bytes looked at
	total   int64        // bytes to look at (0: unknown)
	lines   atomic.Int64 // lines looked at, for sources of unknown size
	done    atomic.Bool
	started time.Time
	took    time.Duration
	err     error
}

// startJob starts a job over srcs (formats[i] names each one's format, for
// field tests).
func startJob(ctx context.Context, srcs []logSource, fmts []string, q *query, from, to time.Time) *logJob {
	ctx, cancel := context.WithCancel(ctx)
	j := &logJob{q: q, from: from, to: to, cancel: cancel, started: time.Now()}
	for _, s := range srcs {
		j.total += s.state().total
	}
	go func() {
		defer cancel()
		var err error
		for i, s := range srcs {
			var p parse.Parser
			if i < len(fmts) && fmts[i] != "" {
				p, _ = formats.New(fmts[i]) // nil: field tests cannot match
			}
			sc := j.newScanner(i, p)
			if err = s.scan(ctx, sc.chunk); err != nil || ctx.Err() != nil {
				break
			}
		}
		j.mu.Lock()
		j.err, j.took = err, time.Since(j.started)
		j.mu.Unlock()
		j.done.Store(true)
	}()
	return j
}

func (j *logJob) stop() {
	if j != nil {
		j.cancel()
	}
}

// count is the number of matches so far.
func (j *logJob) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.matches)
}

// at is match i.
func (j *logJob) at(i int) (logRef, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if i < 0 || i >= len(j.matches) {
		return 0, false
	}
	return j.matches[i], true
}

// search is the index of the first match at or after r (count() if none).
func (j *logJob) search(r logRef) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	lo, hi := 0, len(j.matches)
	for lo < hi {
		m := (lo + hi) / 2
		if j.matches[m] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// jobScanner scans one source's chunks.
type jobScanner struct {
	j      *logJob
	src    int
	parser parse.Parser
	rec    parse.Record
	finder *textMatcher // text every matching line contains, if any
	parse  bool         // lines must be parsed (field tests, time window)
	batch  []logRef
}

func (j *logJob) newScanner(src int, p parse.Parser) *jobScanner {
	sc := &jobScanner{j: j, src: src, parser: p, parse: j.q.needsRecord() || !j.from.IsZero()}
	sc.finder = j.q.prefilter()
	return sc
}

// chunk looks at one chunk of whole lines. With text to find it jumps from
// hit to hit, so a rare string costs about a scan of the bytes; otherwise
// it tests every line.
func (sc *jobScanner) chunk(first int64, data []byte) bool {
	sc.batch = sc.batch[:0]
	line, pos := first, 0 // line number of the line starting at pos
	if sc.finder != nil {
		for pos < len(data) {
			k := sc.finder.index(data[pos:])
			if k < 0 {
				break
			}
			hit := pos + k
			start := bytes.LastIndexByte(data[pos:hit], '\n') + 1 + pos
			line += int64(bytes.Count(data[pos:start], nl))
			end := bytes.IndexByte(data[hit:], '\n') + hit
			sc.test(line, data[start:end])
			line++
			pos = end + 1
		}
	} else {
		for pos < len(data) {
			end := bytes.IndexByte(data[pos:], '\n') + pos
			sc.test(line, data[pos:end])
			line++
			pos = end + 1
		}
	}
	sc.j.scanned.Add(int64(len(data)))
	sc.j.lines.Add(int64(bytes.Count(data, nl)))
	return sc.flush()
}

func (sc *jobScanner) test(line int64, raw []byte) {
	raw = bytes.TrimSuffix(raw, []byte{'\r'})
	var rec *parse.Record
	if sc.parse {
		if sc.parser == nil || sc.parser.Parse(raw, &sc.rec) != nil {
			if sc.j.q.needsRecord() || !sc.j.from.IsZero() {
				return
			}
		} else {
			rec = &sc.rec
		}
		if rec != nil && !sc.j.from.IsZero() {
			t := rec.Time
			if t < sc.j.from.UnixNano() || t > sc.j.to.UnixNano() {
				return
			}
		}
	}
	if sc.j.q.match(raw, rec) {
		sc.batch = append(sc.batch, mkRef(sc.src, line))
	}
}

func (sc *jobScanner) flush() bool {
	if len(sc.batch) == 0 {
		return true
	}
	j := sc.j
	j.mu.Lock()
	defer j.mu.Unlock()
	room := maxMatches - len(j.matches)
	if len(sc.batch) > room {
		sc.batch = sc.batch[:room]
		j.capped = true
	}
	j.matches = append(j.matches, sc.batch...)
	return !j.capped
}
