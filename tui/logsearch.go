package tui

import (
	"bytes"
	"context"
	"sort"
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
	ctx     context.Context
	fmts    []string
	upto    []int64 // lines of each source looked at (written by run before done)
	started time.Time
	took    time.Duration
	err     error
}

// startJob starts a job over srcs (formats[i] names each one's format, for
// field tests). It looks at the lines each source has now; extend looks at
// the ones added since (tailing).
func startJob(ctx context.Context, srcs []logSource, fmts []string, q *query, from, to time.Time) *logJob {
	ctx, cancel := context.WithCancel(ctx)
	j := &logJob{q: q, from: from, to: to, cancel: cancel, started: time.Now(), ctx: ctx, fmts: fmts}
	for _, s := range srcs {
		j.total += s.state().total
	}
	j.run(srcs, make([]int64, len(srcs)), true)
	return j
}

// run scans each source from line start[i] on: to its end the first time
// (initial), else to the lines it has now. j.upto then holds how far each
// source was looked at, for the next extend.
func (j *logJob) run(srcs []logSource, start []int64, initial bool) {
	j.done.Store(false)
	upto := make([]int64, len(srcs))
	for i, s := range srcs {
		upto[i] = s.state().lines
		if initial {
			upto[i] = 1 << 62 // the whole input, however far it is indexed
		}
	}
	go func() {
		var err error
		var found []logRef
		seen := append([]int64(nil), start...)
		for i, s := range srcs {
			if start[i] >= upto[i] {
				continue
			}
			var p parse.Parser
			if i < len(j.fmts) && j.fmts[i] != "" {
				p, _ = formats.New(j.fmts[i]) // nil: field tests cannot match
			}
			sc := j.newScanner(i, p, start[i], upto[i])
			if !initial {
				sc.out = &found // after other sources' lines: merged below
			}
			err = s.scan(j.ctx, start[i], sc.chunk)
			seen[i] = max(sc.seen, start[i])
			if err != nil || j.ctx.Err() != nil {
				break
			}
		}
		j.mu.Lock()
		if len(found) > 0 {
			j.matches = mergeRefs(j.matches, found)
		}
		j.err, j.took = err, time.Since(j.started)
		j.mu.Unlock()
		j.upto = seen
		j.done.Store(true)
	}()
}

// extend looks at the lines added to srcs since the job ran (tailing);
// false when there are none or the job is still running.
func (j *logJob) extend(srcs []logSource) bool {
	if j == nil || !j.done.Load() || j.ctx.Err() != nil || len(srcs) < len(j.upto) {
		return false
	}
	start := make([]int64, len(srcs))
	grew := false
	for i, s := range srcs {
		if i < len(j.upto) {
			start[i] = j.upto[i]
		}
		grew = grew || s.state().lines > start[i]
	}
	if grew {
		j.run(srcs, start, false)
	}
	return grew
}

// mergeRefs merges two sorted lists.
func mergeRefs(a, b []logRef) []logRef {
	sort.Slice(b, func(i, k int) bool { return b[i] < b[k] })
	out := make([]logRef, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0] <= b[0] {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
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
	j        *logJob
	src      int
	from, to int64     // the lines to test
	seen     int64     // lines looked at so far (the next line's number)
	out      *[]logRef // nil: straight into the job's matches
	parser   parse.Parser
	rec      parse.Record
	finder   *textMatcher // text every matching line contains, if any
	parse    bool         // lines must be parsed (field tests, time window)
	batch    []logRef
}

func (j *logJob) newScanner(src int, p parse.Parser, from, to int64) *jobScanner {
	sc := &jobScanner{j: j, src: src, parser: p, parse: j.q.needsRecord() || !j.from.IsZero(), from: from, to: to}
	sc.finder = j.q.prefilter()
	return sc
}

// chunk looks at one chunk of whole lines. With text to find it jumps from
// hit to hit, so a rare string costs about a scan of the bytes; otherwise
// it tests every line.
func (sc *jobScanner) chunk(first int64, data []byte) bool {
	if first >= sc.to {
		return false // lines added after the job started: extend's
	}
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
	n := int64(bytes.Count(data, nl))
	sc.seen = min(first+n, sc.to)
	sc.j.scanned.Add(int64(len(data)))
	sc.j.lines.Add(n)
	return sc.flush()
}

func (sc *jobScanner) test(line int64, raw []byte) {
	if line < sc.from || line >= sc.to {
		return
	}
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
	if sc.out != nil {
		*sc.out = append(*sc.out, sc.batch...)
		return len(*sc.out)+len(j.matches) < maxMatches
	}
	room := maxMatches - len(j.matches)
	if len(sc.batch) > room {
		sc.batch = sc.batch[:room]
		j.capped = true
	}
	j.matches = append(j.matches, sc.batch...)
	return !j.capped
}
