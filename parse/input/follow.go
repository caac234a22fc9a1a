package input

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
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
	scan := newRescanner(p.opt.Paths, p.opt.Recursive)
	paths, stdin := f.startInputs(scan)
	g, _ := safe.NewGroup(ctx, p.opt.OnPanic)
	src := f.startSources(g, scan, paths, stdin)
	f.startOrdering(sink)
	g.Go("follow", func(ctx context.Context) error {
		f.loop(ctx, src)
		return nil
	})
	err := g.Wait()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		err = nil // the normal end of following
	}
	if f.stdinErr != nil {
		f.input(StdinName).live.setErr(f.stdinErr)
	}
	f.m.publish()
	return &Result{Inputs: p.Inputs(), Totals: p.Totals()}, err
}

// sources is what the follow loop reads from the goroutines that read:
// batches of lines from the tailer and from stdin (each sends nil once,
// when it ends, so the loop knows when all are done), the tailer's events,
// and the files the rescan found (nil without patterns to rescan).
type sources struct {
	lines  chan []tail.Line
	events chan tail.Event
	found  chan []string
	live   int // sources that have not sent their final nil yet
}

// startInputs makes an input of every given path, so that each shows (and
// is counted) from the start, even one that does not exist yet. It returns
// the files for the tailer and whether stdin is read; the rescan learns
// which files are already followed.
func (f *follower) startInputs(scan *rescanner) (paths []string, stdin bool) {
	p := f.p
	for _, s := range expandFollow(p.opt.Paths, p.opt.Recursive) {
		if errors.Is(s.err, errNoLogFiles) || errors.Is(s.err, errNoMatch) {
			// Nothing there yet: the rescan follows what appears.
			p.event(Event{Input: s.path, Kind: EventWaiting, Msg: "no log files yet; new ones are followed as they appear"})
			continue
		}
		fi := f.input(s.path)
		switch {
		case s.err != nil:
			fi.live.setErr(s.err)
			p.event(Event{Input: s.path, Kind: EventError, Err: s.err})
		case s.stdin:
			stdin = true
		default:
			paths = append(paths, s.path)
			scan.follows(s.path)
		}
	}
	p.inputs.Store(int64(len(f.order)))
	return paths, stdin
}

// startSources starts the goroutines that read: the rescan (when there are
// patterns), the tailer (when there are files or may be later) and the
// stdin reader.
func (f *follower) startSources(g *safe.Group, scan *rescanner, paths []string, stdin bool) *sources {
	p := f.p
	src := &sources{lines: make(chan []tail.Line, 16), events: make(chan tail.Event, 64)}
	var add chan []string
	src.found, add = f.startRescan(g, scan)
	if len(paths) > 0 || add != nil {
		src.live++
		g.Go("tail", func(ctx context.Context) error {
			defer func() { src.lines <- nil }() // nil: this source ended
			err := tail.FollowAdding(ctx, paths, add, tail.Options{FromStart: p.opt.FromStart,
				PollInterval: p.opt.PollInterval, MaxLine: p.opt.MaxLine}, src.lines, src.events)
			if err != nil && ctx.Err() == nil {
				p.event(Event{Kind: EventError, Err: fmt.Errorf("follow: %w", err)})
			}
			return nil
		})
	}
	if stdin {
		src.live++
		g.Go("read -", func(ctx context.Context) error {
			defer func() { src.lines <- nil }()
			f.readStdin(ctx, src.lines)
			return nil
		})
	}
	return src
}

// startRescan starts looking for new files matching the given directories
// and globs. Each set it finds goes first to the follow loop (found), which
// makes them inputs, and then to the tailer (add), so that no line of a new
// file can arrive before its input exists. Both are nil when nothing is
// rescanned.
func (f *follower) startRescan(g *safe.Group, scan *rescanner) (found, add chan []string) {
	if len(scan.patterns) == 0 {
		return nil, nil
	}
	found, add = make(chan []string), make(chan []string)
	interval := f.p.opt.PollInterval
	if interval <= 0 {
		interval = tail.DefaultPollInterval
	}
	g.Go("rescan", func(ctx context.Context) error {
		scan.run(ctx, interval, func(ctx context.Context, fresh []string) bool {
			for _, ch := range []chan []string{found, add} {
				select {
				case ch <- fresh:
				case <-ctx.Done():
					return false
				}
			}
			return true
		})
		return nil
	})
	return found, add
}

// startOrdering sets up the sorter, which puts each input's records in time
// order within the reorder window, and the merger behind it, which keeps
// the records the options keep and hands them to sink.
func (f *follower) startOrdering(sink func([]parse.Record)) {
	p := f.p
	f.sort = newSorter(int64(p.opt.ReorderWindow), p.opt.ReorderMax, func(seg segment) bool {
		for i := range seg.recs {
			if f.m.keep(&seg.recs[i], seg.late) {
				f.m.gather(&seg.recs[i])
			}
		}
		f.m.hold(&seg, 0, len(seg.recs)) // released after the merge's next flush
		return true
	})
	f.m = p.newMerger(sink)
	f.m.extraLate = func() int64 { return f.sort.late }
}

// loop is the one goroutine that parses, orders and merges, until every
// source has ended; its ticker releases what waited FollowLatency even
// when no line comes.
func (f *follower) loop(ctx context.Context, src *sources) {
	tick := time.NewTicker(min(f.p.opt.FollowLatency/4, 250*time.Millisecond))
	defer tick.Stop()
	for src.live > 0 {
		select {
		case batch := <-src.lines:
			if batch == nil {
				src.live--
				continue
			}
			f.take(batch)
		case ev := <-src.events:
			f.onTailEvent(ev)
		case fresh := <-src.found:
			for _, path := range fresh {
				f.input(path)
			}
			f.p.inputs.Store(int64(len(f.order)))
		case now := <-tick.C:
			f.tick(now)
		case <-ctx.Done():
			f.drain(src)
		}
	}
	f.finish()
}

// onTailEvent passes a tailer event on; a possible gap is also kept in its
// input's stats, where the report and the status line show it.
func (f *follower) onTailEvent(ev tail.Event) {
	out := Event{Input: ev.Path, Kind: EventKind(ev.Kind.String()), Msg: ev.Msg, Err: ev.Err}
	if ev.Kind == tail.PossibleGap {
		out.Gap = &parse.Gap{Generation: ev.Gap.Generation, From: ev.Gap.From, To: ev.Gap.To, Reason: ev.Msg}
		f.input(ev.Path).live.addGap(*out.Gap)
	}
	f.p.event(out)
}

// drain takes what the sources still send after ctx ended, so that their
// final sends (nil) do not block and no line read is left unaccounted.
func (f *follower) drain(src *sources) {
	for src.live > 0 {
		if batch := <-src.lines; batch == nil {
			src.live--
		} else {
			f.take(batch)
		}
	}
}

// expandFollow is expand for followed paths: a file that does not exist yet
// is followed anyway (it is waited for). Of the files a directory or glob
// brings, rotated-away members of a family (access.log.1, access.log.2.gz)
// and compressed files are left out: they do not grow, and the rotation
// that renames them would make the tailer read them again as new files.
// Files that appear later are found by a rescanner.
func expandFollow(paths []string, recursive bool) []source {
	given := map[string]bool{}
	for _, p := range paths {
		given[filepath.Clean(p)] = true
	}
	var out []source
	for _, s := range expand(paths, recursive) {
		if s.err != nil && errors.Is(s.err, fs.ErrNotExist) && !hasMeta(s.path) {
			s.err = nil
		}
		if s.err == nil && !s.stdin && !given[filepath.Clean(s.path)] && !liveFile(filepath.Base(s.path)) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// liveFile reports whether a file name can be a log that is still written:
// not compressed, not a numbered rotation.
func liveFile(name string) bool {
	for _, suf := range compressSuffixes {
		if strings.HasSuffix(name, suf) {
			return false
		}
	}
	_, kind, _ := rotation(name)
	return kind != 1
}

type follower struct {
	p        *Pipeline
	byPath   map[string]*followInput
	order    []*followInput
	sort     *sorter
	m        *merger
	stdinErr error
}

type followInput struct {
	path   string
	live   *liveStats
	lp     *lineParser // nil until the format is known
	held   []tail.Line // lines waiting for format detection
	sample [][]byte
	since  time.Time // when the first held line came
}

func (f *follower) input(path string) *followInput {
	fi := f.byPath[path]
	if fi == nil {
		fi = &followInput{path: path, live: newLiveStats(path, nil)}
		f.p.register(fi.live)
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
	fi.live.setFormat(parse.FormatLabel(pr))
	fi.lp = &lineParser{p: pr, input: fi.path, maxExamples: f.p.opt.MaxExamples}
}

// take parses a batch of live lines, per input, into the sorter.
func (f *follower) take(batch []tail.Line) {
	// Progress is counted once per batch (not per line), before any of it
	// can reach the sink.
	var size int64
	for _, l := range batch {
		size += lineBytes(l)
	}
	f.p.lines.Add(int64(len(batch)))
	f.p.bytes.Add(size)
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
		switch {
		case l.Overlong:
			res.counts.Lines++
			res.counts.Overlong++
			res.counts.Bytes += lineBytes(l)
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
			res.counts.Bytes += lineBytes(l)
			fi.lp.line(&res, l.Text, l.Number, l.Offset)
		}
	}
	flush()
	f.sort.mark(time.Now().UnixNano())
}

// account adds a parsed run of one input to its stats and the sorter.
func (f *follower) account(fi *followInput, res *chunkResult) {
	recs := res.recs
	n := len(recs)
	recs = f.p.filter(recs)
	fi.live.add(res, f.p.opt.MaxExamples, int64(n-len(recs)))
	if len(recs) > 0 {
		f.sort.add(recs, nil)
	}
}

// detect picks fi's format from its held lines (or fails the input, whose
// lines are then all malformed) and parses what was held.
func (f *follower) detect(fi *followInput) {
	var pr parse.Parser
	err := safe.Run("detect "+fi.path, func() error {
		var derr error
		pr, derr = f.p.opt.Detect(fi.sample)
		return derr
	})
	if err != nil {
		err = fmt.Errorf("%s: %w", fi.path, err)
		fi.live.setErr(err)
		f.p.event(Event{Input: fi.path, Kind: EventError, Err: err})
		pr = noRecords{reason: reasonUnknown}
	}
	f.setParser(fi, pr)
	var res chunkResult
	for _, l := range fi.held {
		res.counts.Bytes += lineBytes(l)
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
		res.counts.Lines = int64(len(fi.held))
		res.counts.Ignored = res.counts.Lines
		for _, l := range fi.held {
			res.counts.Bytes += lineBytes(l)
		}
		fi.held = nil
		f.account(fi, &res)
	}
	f.sort.flush()
	f.m.flush()
}

// lineBytes is what a live line took in its file: its bytes and its '\n',
// which a last line delivered unterminated does not have.
func lineBytes(l tail.Line) int64 {
	if l.Unterminated {
		return l.Size
	}
	return l.Size + 1
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
		f.p.event(Event{Input: StdinName, Kind: EventError, Err: err})
		return
	}
	defer o.close()
	lr := newLineReader(o.r, f.p.opt.slabSize, f.p.opt.MaxLine, true, nil) // tail.Lines view the slabs: never reused
	err = lr.run(ctx, func(c *chunk) bool {
		var batch []tail.Line
		if c.overlong {
			l := tail.Line{Path: StdinName, Number: c.first, Offset: c.offset, Size: c.skipped - 1, Overlong: true}
			if c.noEOL {
				l.Size, l.Unterminated = c.skipped, true
			}
			batch = append(batch, l)
		}
		data, n, off := c.data, c.first, c.offset
		for len(data) > 0 {
			line, next := cutLine(data)
			unterminated := next == len(line)
			batch = append(batch, tail.Line{Path: StdinName, Text: trimCR(line), Number: n, Offset: off, Size: int64(len(line)), Unterminated: unterminated})
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
		f.p.event(Event{Input: StdinName, Kind: EventError, Err: err})
		f.stdinErr = err // read by the loop after this source's final nil
	}
}
