package input

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync/atomic"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/safe"
	"github.com/edgetriage/edgetriage/parse/tail"
)

// follow reads files as they grow (and stdin, if given) until ctx ends.
// One goroutine parses, orders and merges: live input comes at the pace it
// is written, and ordering waits at most FollowLatency of wall-clock time,
// so an idle input never holds the others back.
func (p *Pipeline) follow(ctx context.Context, sink func([]parse.Record)) (*Result, error) {
	f := &follower{p: p, byPath: map[string]*followInput{}}
	var paths []string
	stdin := false
	for _, s := range expandFollow(p.opt.Paths, p.opt.Recursive) {
		fi := f.input(s.path)
		switch {
		case s.err != nil:
			fi.stats.Err = s.err
			p.event(Event{Input: s.path, Kind: "error", Err: s.err})
		case s.stdin:
			stdin = true
		default:
			paths = append(paths, s.path)
		}
	}
	p.inputs.Store(int64(len(f.order)))

	g, _ := safe.NewGroup(ctx, p.opt.OnPanic)
	lines := make(chan []tail.Line, 16)
	events := make(chan tail.Event, 64)
	live := 0
	if len(paths) > 0 {
		live++
		g.Go("tail", func(ctx context.Context) error {
			defer func() { lines <- nil }() // nil: this source ended
			err := tail.Follow(ctx, paths, tail.Options{FromStart: p.opt.FromStart,
				PollInterval: p.opt.PollInterval, MaxLine: p.opt.MaxLine}, lines, events)
			if err != nil && ctx.Err() == nil {
				p.event(Event{Kind: "error", Err: fmt.Errorf("follow: %w", err)})
			}
			return nil
		})
	}
	if stdin {
		live++
		g.Go("read -", func(ctx context.Context) error {
			defer func() { lines <- nil }()
			f.readStdin(ctx, lines)
			return nil
		})
	}
	f.sort = newSorter(int64(p.opt.ReorderWindow), p.opt.ReorderMax, func(seg segment) bool {
		for i := range seg.recs {
			if f.m.keep(&seg.recs[i], seg.late) {
				f.m.batch = append(f.m.batch, seg.recs[i])
				if len(f.m.batch) == cap(f.m.batch) {
					f.m.flush()
				}
			}
		}
		seg.owner.release(len(seg.recs))
		return true
	})
	f.m = p.newMerger(sink)
	g.Go("follow", func(ctx context.Context) error {
		tick := time.NewTicker(min(p.opt.FollowLatency/4, 250*time.Millisecond))
		defer tick.Stop()
		for live > 0 {
			select {
			case batch := <-lines:
				if batch == nil {
					live--
					continue
				}
				f.take(batch)
			case ev := <-events:
				p.event(Event{Input: ev.Path, Kind: ev.Kind.String(), Msg: ev.Msg, Err: ev.Err})
			case now := <-tick.C:
				f.tick(now)
			case <-ctx.Done():
				// Drain what the sources already sent, so their final sends
				// (nil) do not block.
				for live > 0 {
					if batch := <-lines; batch == nil {
						live--
					} else {
						f.take(batch)
					}
				}
			}
		}
		f.finish()
		return nil
	})
	err := g.Wait()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		err = nil // the normal end of following
	}
	if f.stdinErr != nil {
		f.input(StdinName).stats.Err = f.stdinErr
	}
	res := &Result{Inputs: make([]parse.InputStats, len(f.order))}
	for i, fi := range f.order {
		res.Inputs[i] = fi.stats
	}
	res.sum()
	res.Totals.Late = f.sort.late
	res.Totals.Filtered = f.filtered
	f.m.totals(&res.Totals)
	return res, err
}

// expandFollow is expand for followed paths: a file that does not exist yet
// is followed anyway (it is waited for).
func expandFollow(paths []string, recursive bool) []source {
	var out []source
	for _, s := range expand(paths, recursive) {
		if s.err != nil && errors.Is(s.err, fs.ErrNotExist) && !hasMeta(s.path) {
			s.err = nil
		}
		out = append(out, s)
	}
	return out
}

type follower struct {
	p        *Pipeline
	byPath   map[string]*followInput
	order    []*followInput
	sort     *sorter
	m        *merger
	filtered int64
	stdinErr error
}

type followInput struct {
	stats  parse.InputStats
	lp     *lineParser // nil until the format is known
	held   []tail.Line // lines waiting for format detection
	sample [][]byte
	since  time.Time // when the first held line came
}

func (f *follower) input(path string) *followInput {
	fi := f.byPath[path]
	if fi == nil {
		fi = &followInput{stats: parse.InputStats{Path: path}}
		if name := f.p.formatFor(path); name != "" {
			if pr, err := f.p.opt.NewParser(name); err == nil {
				f.setParser(fi, pr)
			}
		}
		f.byPath[path] = fi
		f.order = append(f.order, fi)
	}
	return fi
}

func (f *follower) setParser(fi *followInput, pr parse.Parser) {
	fi.stats.Format = pr.Format()
	fi.lp = &lineParser{p: pr, input: fi.stats.Path, maxExamples: f.p.opt.MaxExamples}
}

// take parses a batch of live lines, per input, into the sorter.
func (f *follower) take(batch []tail.Line) {
	var cur *followInput
	var res chunkResult
	flush := func() {
		if cur != nil {
			f.account(cur, &res)
		}
		res = chunkResult{}
	}
	for _, l := range batch {
		fi := f.input(l.Path)
		if fi != cur {
			flush()
			cur = fi
		}
		f.p.lines.Add(1)
		f.p.bytes.Add(l.Size + 1)
		switch {
		case l.Overlong:
			res.counts.Lines++
			res.counts.Overlong++
			res.counts.Bytes += l.Size + 1
		case fi.lp == nil:
			fi.held = append(fi.held, l)
			if fi.since.IsZero() {
				fi.since = time.Now()
			}
			if !blank(l.Text) {
				fi.sample = append(fi.sample, l.Text)
			}
			if len(fi.sample) >= detectLines {
				flush()
				f.detect(fi)
			}
		default:
			res.counts.Bytes += l.Size + 1
			fi.lp.line(&res, l.Text, l.Number, l.Offset)
		}
	}
	flush()
	f.sort.mark(time.Now().UnixNano())
}

// account adds a parsed run of one input to its stats and the sorter.
func (f *follower) account(fi *followInput, res *chunkResult) {
	s := &fi.stats
	if res.counts.Parsed > 0 {
		if s.Parsed == 0 || res.first < s.First.UnixNano() {
			s.First = time.Unix(0, res.first).UTC()
		}
		if s.Parsed == 0 || res.last > s.Last.UnixNano() {
			s.Last = time.Unix(0, res.last).UTC()
		}
	}
	s.Counts.Add(res.counts)
	for _, ex := range res.examples {
		if len(s.MalformedExamples) < f.p.opt.MaxExamples {
			s.MalformedExamples = append(s.MalformedExamples, ex)
		}
	}
	recs := res.recs
	if f.p.since != 0 || f.p.until != 0 {
		w := 0
		for i := range recs {
			t := recs[i].Time
			if (f.p.since != 0 && t < f.p.since) || (f.p.until != 0 && t >= f.p.until) {
				f.filtered++
				continue
			}
			recs[w] = recs[i]
			w++
		}
		recs = recs[:w]
	}
	if len(recs) > 0 {
		f.sort.add(recs, nil)
	}
}

// detect picks fi's format from its held lines (or fails the input, whose
// lines are then all malformed) and parses what was held.
func (f *follower) detect(fi *followInput) {
	var pr parse.Parser
	err := safe.Run("detect "+fi.stats.Path, func() error {
		var derr error
		pr, derr = f.p.opt.Detect(fi.sample)
		return derr
	})
	if err != nil {
		fi.stats.Err = fmt.Errorf("%s: %w", fi.stats.Path, err)
		f.p.event(Event{Input: fi.stats.Path, Kind: "error", Err: fi.stats.Err})
		pr = noRecords{reason: reasonUnknown}
		f.setParser(fi, pr)
		fi.stats.Format = ""
	} else {
		f.setParser(fi, pr)
	}
	var res chunkResult
	for _, l := range fi.held {
		res.counts.Bytes += l.Size + 1
		fi.lp.line(&res, l.Text, l.Number, l.Offset)
	}
	fi.held, fi.sample = nil, nil
	f.account(fi, &res)
}

// tick detects formats that waited long enough and releases what is due.
func (f *follower) tick(now time.Time) {
	for _, fi := range f.order {
		if fi.lp == nil && len(fi.sample) > 0 && now.Sub(fi.since) >= f.p.opt.detectWait {
			f.detect(fi)
		}
	}
	f.sort.mark(now.UnixNano()) // what detection just let through arrived now
	f.sort.due(now.UnixNano(), int64(f.p.opt.FollowLatency))
	f.m.flush()
	if f.p.opt.OnTick != nil {
		f.p.opt.OnTick(now)
	}
}

// finish detects what still waits, flushes everything held and accounts
// for lines held without any format (blank only).
func (f *follower) finish() {
	for _, fi := range f.order {
		if fi.lp != nil || len(fi.held) == 0 {
			continue
		}
		if len(fi.sample) > 0 {
			f.detect(fi)
			continue
		}
		var res chunkResult
		for range fi.held {
			res.counts.Lines++
			res.counts.Ignored++
		}
		fi.held = nil
		f.account(fi, &res)
	}
	f.sort.flush()
	f.m.flush()
}

// readStdin turns standard input into live lines, as the tailer does for
// files.
func (f *follower) readStdin(ctx context.Context, out chan<- []tail.Line) {
	if f.p.opt.Stdin == nil {
		f.stdinErr = errors.New("-: no standard input")
		return
	}
	var raw atomic.Int64 // progress counts the lines' bytes instead
	o, err := openReader(f.p.opt.Stdin, &raw)
	if err != nil {
		f.p.event(Event{Input: StdinName, Kind: "error", Err: err})
		return
	}
	defer o.close()
	lr := newLineReader(o.r, f.p.opt.slabSize, f.p.opt.MaxLine, true)
	err = lr.run(ctx, func(c *chunk) bool {
		var batch []tail.Line
		if c.overlong {
			batch = append(batch, tail.Line{Path: StdinName, Number: c.first, Offset: c.offset, Size: c.skipped - 1, Overlong: true})
		}
		data, n, off := c.data, c.first, c.offset
		for len(data) > 0 {
			line, next := data, len(data)
			for i, b := range data {
				if b == '\n' {
					line, next = data[:i], i+1
					break
				}
			}
			text := line
			if k := len(text); k > 0 && text[k-1] == '\r' {
				text = text[:k-1]
			}
			batch = append(batch, tail.Line{Path: StdinName, Text: text, Number: n, Offset: off, Size: int64(len(line))})
			data = data[next:]
			n++
			off += int64(next)
		}
		select {
		case out <- batch:
			return true
		case <-ctx.Done():
			return false
		}
	})
	var re *readError
	if errors.As(err, &re) {
		err = fmt.Errorf("-: read error %s: %w", re.where(), re.err)
	}
	if err != nil && ctx.Err() == nil {
		f.p.event(Event{Input: StdinName, Kind: "error", Err: err})
		f.stdinErr = err // read by the loop after this source's final nil
	}
}
