package input

import (
	"bytes"
	"context"
	"io"
	"maps"
	"math"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/safe"
)

// passThrough is the smallest segment handed to the sink as it is (no
// copy) when one stream is left; smaller ones are gathered into a batch.
const passThrough = 64

// peekBytes is how much of a file (decompressed) is read to find its first
// timestamp when many inputs are merged.
const peekBytes = 64 << 10

// batch reads every input to its end and merges them.
func (p *Pipeline) batch(ctx context.Context, sink func([]parse.Record)) (*Result, error) {
	ex := expander{all: p.opt.AllFiles}
	srcs := ex.expand(p.opt.Paths, p.opt.Recursive)
	if note := SkippedNote(ex.skipped); note != "" {
		p.event(Event{Kind: EventSkipped, Msg: note})
	}
	for _, s := range p.opt.Sources {
		srcs = append(srcs, source{path: s.Name, size: s.Size, open: s.Open})
	}
	streams := make([]*stream, len(srcs))
	var total int64
	for i, s := range srcs {
		streams[i] = newStream(s, len(srcs) == 1)
		p.register(streams[i].live)
		total += s.size
	}
	p.inputs.Store(int64(len(streams)))
	p.bytesTotal.Store(total)
	if len(streams) > 1 {
		p.peekAll(ctx, streams)
	}
	// Inputs whose first time is unknown start at once; the others in time
	// order, each when the merge comes within the reorder window of it.
	pending := make([]*stream, len(streams))
	copy(pending, streams)
	sort.SliceStable(pending, func(i, j int) bool {
		return pending[i].firstKey() < pending[j].firstKey()
	})

	g, _ := safe.NewGroup(ctx, p.opt.OnPanic)
	m := p.newMerger(sink)
	g.Go("merge", func(ctx context.Context) error {
		return m.run(ctx, pending, func(st *stream) {
			g.Go("input "+st.src.path, func(ctx context.Context) error {
				p.runStream(ctx, st)
				return nil
			})
		})
	})
	err := g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	m.publish()
	return &Result{Inputs: p.Inputs(), Totals: p.Totals(), Skipped: ex.skipped}, err
}

func (st *stream) firstKey() int64 {
	if !st.hasFirst {
		return math.MinInt64
	}
	return st.first
}

// peekAll finds the first record time of every file input, two at a time.
func (p *Pipeline) peekAll(ctx context.Context, streams []*stream) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(p.opt.Workers, len(streams)) {
		wg.Add(1)
		safe.Go("peek", func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(streams) || ctx.Err() != nil {
					return
				}
				st := streams[i]
				if st.src.err == nil && !st.src.stdin {
					st.first, st.hasFirst = p.peek(st.src)
				}
			}
		}, func(error) { wg.Done() })
	}
	wg.Wait()
}

// peek reads the start of a file and returns the earliest record time in
// it, cheaply: the file is opened, its first 64 KiB decompressed, parsed
// and closed again. Any trouble just means "unknown" (the input starts at
// once and reports its own error).
func (p *Pipeline) peek(src source) (first int64, ok bool) {
	path := src.path
	if src.open == nil && isFIFO(path) {
		return 0, false // reading it would take its data
	}
	var discard atomic.Int64
	o, err := openFile(context.Background(), src, &discard, func() {})
	if err != nil {
		return 0, false
	}
	defer o.close()
	buf := make([]byte, peekBytes)
	n, _ := io.ReadFull(o.r, buf)
	buf = buf[:n]
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 && n == peekBytes {
		buf = buf[:i+1]
	}
	var lines [][]byte
	for len(buf) > 0 {
		line, next := cutLine(buf)
		buf = buf[next:]
		line = trimCR(line)
		if !blank(line) {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return 0, false
	}
	err = safe.Run("peek "+path, func() error {
		var parser parse.Parser
		var perr error
		if name := p.formatFor(path); name != "" {
			parser, perr = p.opt.NewParser(name)
		} else {
			parser, perr = p.opt.Detect(lines[:min(len(lines), detectLines)])
		}
		if perr != nil {
			return perr
		}
		var rec parse.Record
		for _, l := range lines {
			if parser.Parse(l, &rec) == nil && (!ok || rec.Time < first) {
				first, ok = rec.Time, true
			}
		}
		return nil
	})
	return first, ok && err == nil
}

// merger joins the streams into one in time order, drops duplicate request
// ids, counts the status mix and hands batches to the sink.
type merger struct {
	p      *Pipeline
	sink   func([]parse.Record)
	window int64
	batch  []parse.Record
	// pend are the records gathered into batch (and those dropped among
	// them), by their parse batch: released once the sink has had batch,
	// because the copies view their batches' slabs.
	pend []pendRelease
	dd   *deduper

	last        int64
	hasLast     bool
	late, dup   int64
	status      [600]int64
	statusOther map[int]int64
	// extraLate, if set, is the late count of a reorder buffer in front of
	// the merge (follow mode), published with the merge's own.
	extraLate func() int64
}

func (p *Pipeline) newMerger(sink func([]parse.Record)) *merger {
	return &merger{p: p, sink: sink, window: int64(p.opt.ReorderWindow),
		dd: newDeduper(int64(p.opt.ReorderWindow), p.opt.DedupeMax)}
}

type head struct {
	st  *stream
	seg segment
	pos int
}

func (h *head) time() int64 { return h.seg.recs[h.pos].Time }

// run merges until every stream has ended. start launches a stream's
// goroutine; streams are started lazily, so that of a tree of thousands of
// archives only those overlapping in time are open at once.
func (m *merger) run(ctx context.Context, pending []*stream, start func(*stream)) error {
	var active []*head
	for {
		for i := 0; i < len(active); {
			h := active[i]
			if h.pos < len(h.seg.recs) {
				i++
				continue
			}
			select {
			case seg, ok := <-h.st.out:
				if !ok {
					active = append(active[:i], active[i+1:]...)
					continue
				}
				h.seg, h.pos = seg, 0
				if len(seg.recs) > 0 {
					i++
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		minIdx, minT, second := -1, int64(math.MaxInt64), int64(math.MaxInt64)
		for i, h := range active {
			if t := h.time(); t < minT {
				minIdx, second, minT = i, minT, t
			} else if t < second {
				second = t
			}
		}
		// Start the next input when the merge comes within the reorder
		// window of its first record, or as a prefetch while only one is
		// running, so that the next archive of a rotation family is already
		// decompressing on the other core when the current one ends.
		if len(pending) > 0 && (len(active) < 2 || !pending[0].hasFirst || pending[0].first-m.window <= minT) {
			start(pending[0])
			active = append(active, &head{st: pending[0]})
			pending = pending[1:]
			continue
		}
		if minIdx < 0 {
			m.flush()
			return nil
		}
		limit := second
		if len(pending) > 0 {
			limit = min(limit, pending[0].first-m.window)
		}
		m.take(active[minIdx], limit)
	}
}

// take passes on h's records up to limit (at least one).
func (m *merger) take(h *head, limit int64) {
	recs := h.seg.recs
	late := h.seg.late
	if end := runEnd(recs, h.pos, limit); end-h.pos >= passThrough {
		m.pass(h, end)
		return
	}
	i := h.pos
	for {
		if m.keep(&recs[i], late) {
			m.gather(&recs[i])
		}
		i++
		if i == len(recs) || recs[i].Time > limit {
			break
		}
	}
	m.hold(&h.seg, h.pos, i)
	h.pos = i
}

// pendRelease is n records of batch b waiting for the sink.
type pendRelease struct {
	b *recBatch
	n int
}

// hold defers seg's release of recs[lo:hi] to the next flush.
func (m *merger) hold(seg *segment, lo, hi int) {
	if seg.owners == nil {
		m.holdBatch(seg.owner, hi-lo)
		return
	}
	for i, o := range seg.owners[lo:hi] {
		m.holdBatch(o, 1)
		seg.owners[lo+i] = nil
	}
}

func (m *merger) holdBatch(b *recBatch, n int) {
	if b == nil || n == 0 {
		return
	}
	if k := len(m.pend); k > 0 && m.pend[k-1].b == b {
		m.pend[k-1].n += n
		return
	}
	m.pend = append(m.pend, pendRelease{b, n})
}

// runEnd is the end of the run of recs from pos that the merge passes on
// before any other stream's: the records at or before limit (at least
// the one at pos). Segments are in time order, so the last record tells
// whether the whole rest qualifies, the common case of inputs that follow
// one another in time (a rotated family, a log split in parts): a binary
// search finds the end otherwise.
func runEnd(recs []parse.Record, pos int, limit int64) int {
	if recs[len(recs)-1].Time <= limit {
		return len(recs)
	}
	rest := recs[pos+1:]
	return pos + 1 + sort.Search(len(rest), func(i int) bool { return rest[i].Time > limit })
}

// pass hands h's records from h.pos to end to the sink as they are, without
// copying them into the merge's batch (after what was gathered before
// them, to keep the order): a 320-byte copy and clear per record was most
// of the merge's cost with several inputs. Duplicates are squeezed out in
// place; the records are h's own (a view of their parse batch, released
// once the sink is done with them).
func (m *merger) pass(h *head, end int) {
	m.flush()
	lo := h.pos
	recs := h.seg.recs[lo:end]
	w := 0
	for i := range recs {
		if m.keep(&recs[i], h.seg.late) {
			if w != i {
				recs[w] = recs[i]
			}
			w++
		}
	}
	h.pos = end
	if w > 0 {
		m.sink(recs[:w])
		m.publish()
	}
	h.seg.release(lo, end) // the sink is done with them
}

// keep decides whether rec goes on, and counts it.
func (m *merger) keep(rec *parse.Record, late bool) bool {
	// Most logs carry no request id (NCSA): no call into the deduper then.
	if rec.RequestID != "" && m.dd.duplicate(rec) {
		m.dup++
		return false
	}
	if t := rec.Time; t >= m.last && m.hasLast { // in order: the common case
		m.last = t
	} else if !m.hasLast {
		m.last, m.hasLast = t, true
	} else if !late {
		m.late++ // out of order across inputs: the stream itself was in order
	}
	if s := uint(rec.Status); s < uint(len(m.status)) {
		m.status[s]++
	} else {
		m.countOther(rec.Status)
	}
	return true
}

// countOther counts a status outside 0..599: the map stays off the
// per-record path.
func (m *merger) countOther(status int) {
	if m.statusOther == nil {
		m.statusOther = map[int]int64{}
	}
	m.statusOther[status]++
}

// gather copies rec into the batch for the sink, flushing a full one. The
// batch (BatchSize records, with pointers) is made on first use: a single
// ordered input never needs it, and the collector need not scan it.
func (m *merger) gather(rec *parse.Record) {
	if m.batch == nil {
		m.batch = make([]parse.Record, 0, m.p.opt.BatchSize)
	}
	m.batch = append(m.batch, *rec)
	if len(m.batch) == cap(m.batch) {
		m.flush()
	}
}

func (m *merger) flush() {
	if len(m.batch) > 0 {
		m.sink(m.batch)
		clear(m.batch) // stale copies would keep their slabs reachable
		m.batch = m.batch[:0]
		m.publish()
	}
	// Only now may the gathered records' slabs be read into again.
	for i, pr := range m.pend {
		pr.b.release(pr.n)
		m.pend[i] = pendRelease{}
	}
	m.pend = m.pend[:0]
}

// publish makes the counts so far readable by Pipeline.Totals: once per
// batch, so the per-record counting stays free of locks.
func (m *merger) publish() {
	pub := &m.p.merged
	pub.mu.Lock()
	defer pub.mu.Unlock()
	pub.late, pub.dup, pub.status = m.late, m.dup, m.status
	if len(m.statusOther) > 0 {
		pub.statusOther = maps.Clone(m.statusOther)
	}
	if m.extraLate != nil {
		pub.extraLate = m.extraLate()
	}
}
