package input

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/safe"
)

// Queue depths of a stream, in chunks of one slab (~700 records) each. On
// 2 cores the reader, 2 parse workers and the merge+sink share 2 Ps, and
// the sink is the one serial stage: with shallow queues (8 segments to the
// merge, 4 chunks read ahead, 2 outstanding per worker: ~2 ms of sink
// work) the producers filled them, blocked, and one core idled while the
// sink ran alone: a runtime trace of the 1M-line combined log had both
// cores busy only ~40% of the run. Queues that hold ~10 ms of sink work
// (a scheduler time slice) raise that to ~80%. A sole input gets the deep
// queues; several inputs merged at once keep the shallow ones, so that
// their slabs in flight (~12 MB deep, per input) do not add up.
const (
	deepOut, shallowOut             = 64, 8 // segments from the sorter to the merge
	deepReadAhead, shallowReadAhead = 16, 4 // chunks from the reader to the workers
	deepPerWorker, shallowPerWorker = 4, 2  // chunks taken and not yet committed, per worker
)

// stream reads one input in batch mode: reader goroutine -> parse workers
// -> this stream's sorter -> out, in time order. Its stats are final once
// out is closed.
type stream struct {
	src  source
	live *liveStats
	out  chan segment

	first    int64 // first record time, from peek
	hasFirst bool
	deep     bool // the only input: deep queues (see deepOut)
}

// newStream makes the stream of src; sole says it is the run's only input.
func newStream(src source, sole bool) *stream {
	out := shallowOut
	if sole {
		out = deepOut
	}
	return &stream{src: src, live: newLiveStats(src.path, src.err), out: make(chan segment, out), deep: sole}
}

// run reads the input to its end. Failures of the input end up in
// st.live's error; only a panic escapes (through safe.Run in the caller).
func (p *Pipeline) runStream(ctx context.Context, st *stream) {
	defer close(st.out)
	defer p.inputsDone.Add(1)
	if st.src.err != nil {
		p.event(Event{Input: st.src.path, Kind: EventError, Err: st.src.err})
		return
	}
	o, err := p.open(ctx, st.src)
	if err != nil {
		st.live.setErr(err)
		p.event(Event{Input: st.src.path, Kind: EventError, Err: err})
		return
	}
	defer o.close()
	if n := p.openNow.Add(1); n > p.openMax.Load() {
		p.openMax.Store(n) // only a statistic for tests: a lost race is harmless
	}
	defer p.openNow.Add(-1)
	st.live.setCompression(o.compression)
	p.event(Event{Input: st.src.path, Kind: EventOpened})

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := shallowReadAhead
	if st.deep {
		ahead = deepReadAhead
	}
	chunks := make(chan *chunk, ahead) // the workers take chunks directly
	lr := newLineReader(o.r, p.opt.slabSize, p.opt.MaxLine, st.src.stdin, p.slabs)
	var readErr error
	readDone := make(chan struct{})
	name := "read " + st.src.path
	safe.Go(name, func() {
		defer close(readDone)
		defer close(chunks)
		readErr = safe.Run(name, func() error {
			return lr.run(rctx, func(c *chunk) bool {
				select {
				case chunks <- c:
					return true
				case <-rctx.Done():
					return false
				}
			})
		})
	}, nil)

	a := &assembler{p: p, st: st, ctx: ctx}
	a.sort = newSorter(int64(p.opt.ReorderWindow), p.opt.ReorderMax, a.emit)
	a.run(rctx, chunks)
	cancel()
	for range chunks { // let the reader see the cancel and end
	}
	<-readDone
	if st.live.err() != nil {
		return // set by the assembler (format, panic); the read error is moot
	}
	var re *readError
	switch {
	case errors.As(readErr, &re):
		what := "read error"
		if o.compression != "" {
			what = o.compression + " data broken off"
		}
		err = fmt.Errorf("%s: %s %s: %w", st.src.path, what, re.where(), re.err)
	case readErr != nil && !errors.Is(readErr, context.Canceled):
		err = fmt.Errorf("%s: %w", st.src.path, readErr)
	}
	if err != nil {
		st.live.setErr(err)
		p.event(Event{Input: st.src.path, Kind: EventError, Err: err})
	}
}

func (p *Pipeline) open(ctx context.Context, src source) (*opened, error) {
	if src.stdin {
		if p.opt.Stdin == nil {
			return nil, errors.New("-: no standard input")
		}
		return openReader(p.opt.Stdin, &p.bytes)
	}
	return openFile(ctx, src, &p.bytes, func() { // errors name the path
		p.event(Event{Input: src.path, Kind: EventWaiting, Msg: "named pipe: waiting for a writer"})
	})
}

// assembler takes the reader's chunks in order, has them parsed (in
// parallel when the format allows), and feeds the results, in order, to
// the accounting and the sorter.
type assembler struct {
	p    *Pipeline
	st   *stream
	ctx  context.Context
	sort *sorter

	parsers []*lineParser
}

func (a *assembler) emit(seg segment) bool {
	select {
	case a.st.out <- seg:
		return true
	case <-a.ctx.Done():
		return false
	}
}

func (a *assembler) run(ctx context.Context, chunks <-chan *chunk) {
	held, ok := a.detect(ctx, chunks)
	if !ok {
		return
	}
	// Whatever ended the input (its end, a broken archive, a panic), what
	// was parsed goes on; flush does nothing once cancelled.
	defer a.sort.flush()
	if len(a.parsers) > 1 {
		a.parallel(ctx, held, chunks)
		return
	}
	for _, c := range held {
		if !a.parseInline(c) {
			return
		}
	}
	for c := range chunks {
		if !a.parseInline(c) {
			return
		}
	}
}

func (a *assembler) parseInline(c *chunk) bool {
	if err := safe.Run("parse "+a.st.src.path, func() error { a.parsers[0].parseChunk(c); return nil }); err != nil {
		a.fail(c, err)
		return false
	}
	a.take(c)
	return !a.sort.stopped
}

// parallel has one worker per parser take chunks straight from the
// reader, parse them and commit them in input order: whichever worker
// finishes the oldest outstanding chunk passes it (and any later ones
// already done) to the accounting and the sorter. There is no dispatcher
// goroutine between reader, parsers and merge, so both cores stay busy
// even with small, cache-friendly chunks; at most deepPerWorker (or
// shallowPerWorker) chunks per worker are outstanding.
func (a *assembler) parallel(ctx context.Context, held []*chunk, chunks <-chan *chunk) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	k := shallowPerWorker * len(a.parsers)
	if a.st.deep {
		k = deepPerWorker * len(a.parsers)
	}
	c := &committer{a: a, ring: make([]*chunk, k), held: held, chunks: chunks,
		slots: make(chan struct{}, k), cancel: cancel}
	g, _ := safe.NewGroup(wctx, a.p.opt.OnPanic)
	for _, lp := range a.parsers {
		g.Go("parse "+a.st.src.path, func(ctx context.Context) error {
			for {
				ch := c.take(ctx)
				if ch == nil {
					return nil
				}
				lp.parseChunk(ch)
				c.commit(ch)
			}
		})
	}
	if err := g.Wait(); err != nil {
		a.failed(fmt.Errorf("%s: %w", a.st.src.path, err))
	}
}

// committer hands out an input's chunks to the parse workers and passes
// them on, parsed, in input order.
type committer struct {
	a      *assembler
	slots  chan struct{} // one per outstanding chunk (taken, not yet committed)
	chunks <-chan *chunk
	cancel context.CancelFunc

	recv  sync.Mutex // hands out chunks in order
	held  []*chunk   // chunks read for format detection, handed out first
	seq   int64      // sequence number of the next chunk handed out
	ended bool       // the reader is done

	mu   sync.Mutex // commits in order
	ring []*chunk   // parsed chunks waiting for their turn, by seq
	next int64      // seq of the next chunk to commit
	busy bool       // a worker is committing
}

// take returns the next chunk to parse, or nil when there is none (or the
// run stopped).
func (c *committer) take(ctx context.Context) *chunk {
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil
	}
	// Receiving and numbering happen under one lock, so sequence numbers
	// follow the reader's order. A worker waiting here for the reader holds
	// up only the other worker's next chunk, never a commit.
	c.recv.Lock()
	defer c.recv.Unlock()
	var ch *chunk
	switch {
	case c.ended:
		return nil
	case len(c.held) > 0:
		ch = c.held[0]
		c.held[0] = nil
		c.held = c.held[1:]
	default:
		select {
		case got, ok := <-c.chunks:
			if !ok {
				c.ended = true
				return nil
			}
			ch = got
		case <-ctx.Done():
			return nil
		}
	}
	ch.seq = c.seq
	c.seq++
	return ch
}

// commit queues a parsed chunk; the worker that completes the run of
// chunks due passes them on, outside the lock (the sorter may block on a
// slow merge while the other worker goes on parsing).
func (c *committer) commit(ch *chunk) {
	c.mu.Lock()
	c.ring[ch.seq%int64(len(c.ring))] = ch
	if c.busy {
		c.mu.Unlock()
		return
	}
	c.busy = true
	for {
		i := c.next % int64(len(c.ring))
		due := c.ring[i]
		if due == nil || due.seq != c.next {
			c.busy = false
			c.mu.Unlock()
			return
		}
		c.ring[i] = nil
		c.next++
		c.mu.Unlock()
		c.a.take(due)
		<-c.slots
		c.mu.Lock()
		if c.a.sort.stopped {
			c.busy = false
			c.mu.Unlock()
			c.cancel() // the other worker stops at its next chunk
			return
		}
	}
}

// take accounts for a parsed chunk and passes its records on.
func (a *assembler) take(c *chunk) {
	res := &c.res
	recs, owner := res.recs, res.owner
	n := len(recs)
	recs = a.p.filter(recs)
	owner.release(n - len(recs))
	a.st.live.add(res, a.p.opt.MaxExamples, int64(n-len(recs)))
	a.p.lines.Add(res.counts.Lines)
	c.res = chunkResult{}
	c.data, c.slab = nil, nil // the batch holds the slab now
	if len(recs) > 0 {
		a.sort.add(recs, owner)
		a.st.live.setLate(a.sort.late)
	}
}

// fail ends the input after a panic while parsing c.
func (a *assembler) fail(c *chunk, err error) {
	a.failed(fmt.Errorf("%s: near line %d: %w", a.st.src.path, c.first, err))
	if a.p.opt.OnPanic != nil {
		a.p.opt.OnPanic(err)
	}
}

// failed ends the input with err (which names it).
func (a *assembler) failed(err error) {
	a.st.live.setErr(err)
	a.p.event(Event{Input: a.st.src.path, Kind: EventError, Err: err})
}

// detect chooses the input's parser from the options or from its first
// non-blank lines, reading (and holding) as many chunks as that takes, up
// to detectMaxHeld bytes from the first non-blank line. On
// failure the lines read are accounted for and the input ends with an error.
func (a *assembler) detect(ctx context.Context, chunks <-chan *chunk) ([]*chunk, bool) {
	name := a.p.formatFor(a.st.src.path)
	var held []*chunk
	var sample [][]byte
	heldBytes := 0
	if name == "" {
		deadline := time.NewTimer(a.p.opt.detectWait) // live stdin: do not wait for lines forever
		defer deadline.Stop()
	collect:
		for len(sample) < detectLines {
			select {
			case c, ok := <-chunks:
				if !ok {
					break collect
				}
				before := len(sample)
				sample = appendSample(sample, c)
				if len(held) == 0 && len(sample) == before {
					// Nothing but blank (or overlong) lines so far: they
					// need no format, and holding them would keep a file
					// of newlines in memory whole.
					a.lineParser(noRecords{}).parseChunk(c)
					a.take(c)
					continue
				}
				held = append(held, c)
				heldBytes += len(c.data)
				if heldBytes >= detectMaxHeld {
					break collect // sparse lines: detect from what is there
				}
			case <-deadline.C:
				if len(sample) > 0 {
					break collect
				}
				deadline.Reset(a.p.opt.detectWait)
			case <-ctx.Done():
				return nil, false
			}
		}
	}
	var p0 parse.Parser
	var err error
	switch {
	case name != "":
		p0, err = a.p.opt.NewParser(name)
	case len(sample) == 0:
		// Nothing but blank or overlong lines (or nothing at all): no format
		// is needed to account for them.
		p0 = noRecords{}
	default:
		err = safe.Run("detect "+a.st.src.path, func() error {
			var derr error
			p0, derr = a.p.opt.Detect(sample)
			return derr
		})
	}
	if err != nil {
		a.failed(fmt.Errorf("%s: %w", a.st.src.path, err))
		lp := a.lineParser(noRecords{reason: reasonUnknown})
		for _, c := range held {
			lp.parseChunk(c)
			a.take(c)
		}
		return nil, false
	}
	a.st.live.setFormat(parse.FormatLabel(p0))
	a.parsers = []*lineParser{a.lineParser(p0)}
	if a.p.opt.Workers > 1 && parallelSafe(p0.Format()) {
		for len(a.parsers) < a.p.opt.Workers {
			pn, err := a.p.opt.NewParser(p0.Format())
			if err != nil || pn.Format() != p0.Format() {
				break // a parser that cannot be rebuilt by name is read by one worker
			}
			a.parsers = append(a.parsers, a.lineParser(pn))
		}
	}
	return held, true
}

// lineParser parses this input's lines with pr.
func (a *assembler) lineParser(pr parse.Parser) *lineParser {
	return &lineParser{p: pr, input: a.st.src.path, maxExamples: a.p.opt.MaxExamples, maxLine: a.p.opt.MaxLine}
}

// appendSample adds the chunk's first non-blank lines to the detection sample.
func appendSample(sample [][]byte, c *chunk) [][]byte {
	data := c.data
	for len(data) > 0 && len(sample) < detectLines {
		line, next := cutLine(data)
		data = data[next:]
		line = trimCR(line)
		if c.cut && len(data) == 0 {
			break // a line cut short by a broken archive says nothing of the format
		}
		if !blank(line) {
			sample = append(sample, line)
		}
	}
	return sample
}

// noRecords stands in for a parser where no format applies: every
// non-blank line it sees is malformed with its reason.
type noRecords struct{ reason string }

func (noRecords) Format() string { return "" }
func (n noRecords) Parse([]byte, *parse.Record) error {
	if n.reason == "" {
		return parse.Malformed("no format")
	}
	return parse.Malformed(n.reason)
}
