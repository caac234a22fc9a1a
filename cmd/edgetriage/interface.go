package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/parse/safe"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/causes"
	"github.com/edgetriage/edgetriage/tui"
)

// updateEvery is how often the interface gets a fresh snapshot: often
// enough to feel live, rare enough that a flood of lines costs nothing.
const updateEvery = 250 * time.Millisecond

// runInterface wires pipeline -> engine -> snapshots -> Bubble Tea.
func runInterface(ctx context.Context, a *app, stdin io.Reader, stdout, stderr io.Writer) int {
	url, isTable, err := clickhouseURL(a.o.paths)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	if !isTable {
		if err := a.prepareInputs(stdin); err != nil {
			fmt.Fprintf(stderr, "edgetriage: %v\n", err)
			return exitUsage
		}
	}
	// Fail fast: when not one input can be read, say why and exit before
	// the interface starts, instead of an empty screen "detecting…".
	// Following, a missing file may still appear, so only open checks.
	if !a.input.Follow && len(a.input.Sources) == 0 {
		readable, problems := input.Probe(a.input.Paths, a.input.Recursive, a.input.AllFiles)
		if readable == 0 && len(problems) > 0 {
			for _, p := range problems {
				fmt.Fprintf(stderr, "edgetriage: %s\n", parse.Printable(p.Error()))
			}
			return exitUsage
		}
	}
	// A relative --since on archived logs counts back from their newest
	// record, as in report; the interface says so in its notices.
	anchor, err := anchorWindow(ctx, a)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	// A log on stdin cannot also be the keyboard: the interface then reads
	// its keys from the controlling terminal.
	keysFromTTY := false
	for _, p := range a.input.Paths {
		if p == input.StdinName {
			keysFromTTY = true
		}
	}
	loc, err := interfaceZone(a.o.tz)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	var l *live
	readRaw := readRawLine(a.input.MaxLine)
	if isTable {
		l, err = newTableLive(a, url, stderr)
		readRaw = nil // rows keep the line the server sent
	} else {
		l, err = newLive(a.input, a.rules)
	}
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	if anchor != "" {
		l.notices = append(l.notices, tui.Notice{Kind: tui.NoticeInfo, Text: anchor + "."})
	}
	if a.causes != nil {
		l.ruleWarnings = a.causes.Warnings
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := safe.NewGroup(ctx, nil)
	l.start(g)

	err = tui.Run(gctx, tui.Options{
		Updates:     l.updates,
		Recent:      l.ring,
		ReadRaw:     readRaw,
		Live:        a.input.Follow,
		SetFollow:   l.setFollow,
		Redact:      a.redact,
		KeysFromTTY: keysFromTTY,
		Bell:        a.o.bell,
		Location:    loc,
		Mutes:       a.mutes,
		SaveMute:    muteSaver(a.config),
	})
	cancel()
	gerr := g.Wait()
	if err == nil && gerr != nil && !errors.Is(gerr, context.Canceled) {
		err = gerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	if l.failed.Load() {
		return exitUsage
	}
	return exitOK
}

// interfaceZone reads --tz: the interface shows local time unless told.
func interfaceZone(tz string) (*time.Location, error) {
	switch strings.ToLower(tz) {
	case "", "local":
		return time.Local, nil
	case "utc":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("--tz %q: want local, UTC or an Area/City zone such as Europe/Berlin", tz)
	}
	return loc, nil
}

// live is the state shared by the pipeline goroutine and the publisher.
type live struct {
	follow   bool
	pipeline recordSource
	ring     *tui.Ring
	updates  chan tui.Update

	mu        sync.Mutex // guards eng, lastBatch, notices, result
	eng       *rules.Engine
	lastBatch time.Time // wall time the last records reached the engine
	notices   []tui.Notice
	result    *input.Result

	// ruleWarnings lists the cause rules that failed so far (their first
	// error each); nil when there are none to ask. The publisher shows
	// each rule once.
	ruleWarnings func() []causes.Warning

	// Only the publisher touches these.
	warned    map[string]bool // rules whose failure was already shown
	seenLines int64           // the pipeline's line count at the previous update
	lastLine  time.Time       // wall time the line count last grew
	rate      rateMeter

	// cloneRows: the source parses into reused buffers (ClickHouse), so
	// the ring gets copies.
	cloneRows bool

	following atomic.Bool
	finished  chan struct{}
	failed    atomic.Bool
}

// newLive builds the pipeline over in and an engine with rc. The caller
// starts it with start and reads l.updates until it is closed.
func newLive(in input.Options, rc rules.Config) (*live, error) {
	l := &live{
		follow:   in.Follow,
		ring:     tui.NewRing(tui.DefaultRingSize),
		updates:  make(chan tui.Update, 1),
		eng:      rules.NewEngine(rc),
		finished: make(chan struct{}),
	}
	l.following.Store(true)
	in.OnEvent = func(ev input.Event) {
		if ev.Kind == input.EventOpened {
			return
		}
		l.mu.Lock()
		if len(l.notices) < 50 {
			l.notices = append(l.notices, eventNotice(ev))
		}
		l.mu.Unlock()
	}
	// Tailing, the engine's event time moves on while the inputs are idle,
	// so bursts end and 202s time out without new lines. OnTick runs on the
	// sink's goroutine: no race with Add.
	in.OnTick = func(now time.Time) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if last := l.eng.Now(); !last.IsZero() && !l.lastBatch.IsZero() {
			l.eng.Advance(last.Add(now.Sub(l.lastBatch)))
		}
	}
	p, err := input.New(in)
	if err != nil {
		return nil, err
	}
	l.pipeline = p
	return l, nil
}

// start runs the pipeline and the publisher in g.
func (l *live) start(g *safe.Group) {
	g.Go("pipeline", l.read)
	g.Go("snapshots", l.publish)
}

func (l *live) setFollow(on bool) { l.following.Store(on) }

// read runs the pipeline to its end (or, tailing, until ctx ends).
func (l *live) read(ctx context.Context) error {
	defer close(l.finished)
	res, err := l.pipeline.Run(ctx, func(batch []parse.Record) {
		rows := rowsOnly(batch)
		if l.cloneRows {
			rows = cloned(rows)
		}
		l.ring.Add(rows)
		l.mu.Lock()
		l.eng.Add(batch)
		l.lastBatch = time.Now()
		l.mu.Unlock()
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil && ctx.Err() == nil {
		l.notices = append(l.notices, tui.Notice{Kind: tui.NoticeError, Text: parse.Printable(err.Error())})
		l.failed.Store(true)
	}
	if res != nil {
		l.result = res
		for _, in := range res.Inputs {
			if in.Err != nil {
				l.failed.Store(true)
				l.notices = append(l.notices, tui.Notice{Kind: tui.NoticeError, Text: parse.Printable(in.Err.Error())})
			}
		}
	}
	return nil
}

// publish sends a coalesced update a few times a second, and a final one
// when the pipeline ends; the interface never sees one message per line.
func (l *live) publish(ctx context.Context) error {
	defer close(l.updates)
	tick := time.NewTicker(updateEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.finished:
			l.mu.Lock()
			snap := l.eng.Finish()
			l.mu.Unlock()
			l.send(ctx, l.update(snap, true, time.Now()))
			return nil
		case now := <-tick.C:
			if l.follow && !l.following.Load() {
				continue // paused: keep reading, stop redrawing
			}
			l.mu.Lock()
			snap := l.eng.Snapshot()
			l.mu.Unlock()
			l.send(ctx, l.update(snap, false, now))
		}
	}
}

// update assembles one state for the interface at wall time now.
func (l *live) update(snap *rules.Snapshot, done bool, now time.Time) tui.Update {
	pr := l.pipeline.Progress()
	if pr.Lines != l.seenLines {
		l.seenLines, l.lastLine = pr.Lines, now
	}
	perSec := pr.LinesPerSec
	if l.follow {
		// Tailing, the average since start says little: the recent rate.
		perSec = l.rate.add(now, pr.Lines)
	}
	u := tui.Update{
		Snapshot: snap,
		Progress: tui.Progress{
			BytesRead: pr.Bytes, BytesTotal: pr.BytesTotal, Lines: pr.Lines,
			LinesPerSec: perSec, Done: done || pr.Done,
			Live: l.follow, Following: l.following.Load(), LastLine: l.lastLine,
		},
	}
	l.mu.Lock()
	u.Notices, l.notices = l.notices, nil
	res := l.result
	l.mu.Unlock()
	u.Notices = append(u.Notices, l.newRuleFailures()...)
	if res != nil {
		u.Inputs, u.Totals = res.Inputs, res.Totals
	} else {
		// Live accounting while reading and tailing.
		u.Inputs, u.Totals = l.pipeline.Inputs(), l.pipeline.Totals()
	}
	return u
}

// rateMeter is a lines/s rate over the last few seconds, smoothed so the
// header's number does not flicker.
type rateMeter struct {
	at    time.Time
	lines int64
	rate  float64
}

func (r *rateMeter) add(now time.Time, lines int64) float64 {
	if r.at.IsZero() {
		r.at, r.lines = now, lines
		return 0
	}
	dt := now.Sub(r.at).Seconds()
	if dt < 0.1 {
		return r.rate
	}
	inst := float64(lines-r.lines) / dt
	const keep = 0.6 // about 1 s of memory at 4 updates a second
	r.rate = keep*r.rate + (1-keep)*inst
	if inst == 0 && r.rate < 0.5 {
		r.rate = 0
	}
	r.at, r.lines = now, lines
	return r.rate
}

// send replaces an update the interface has not taken yet: latest wins.
func (l *live) send(ctx context.Context, u tui.Update) {
	for {
		select {
		case l.updates <- u:
			return
		case <-ctx.Done():
			return
		default:
		}
		select {
		case old := <-l.updates:
			// Keep the notices of the dropped update.
			u.Notices = append(old.Notices, u.Notices...)
		default:
		}
	}
}

// eventNotice turns a pipeline event into a status-line notice; its kind,
// not its text, says whether it is a failure.
func eventNotice(ev input.Event) tui.Notice {
	kind := tui.NoticeInfo
	if ev.Kind.Failure() {
		kind = tui.NoticeError
	}
	return tui.Notice{Kind: kind, Text: parse.Printable(ev.String())}
}

// newRuleFailures are the cause rules that failed since the previous
// update, one notice per rule (its first error, with the rule's id and
// the feature involved). Only the publisher calls it.
func (l *live) newRuleFailures() []tui.Notice {
	if l.ruleWarnings == nil {
		return nil
	}
	var out []tui.Notice
	for _, w := range l.ruleWarnings() {
		if l.warned[w.Rule] {
			continue
		}
		if l.warned == nil {
			l.warned = map[string]bool{}
		}
		l.warned[w.Rule] = true
		out = append(out, tui.Notice{Kind: tui.NoticeRuleFailure, Text: parse.Printable(w.String())})
	}
	return out
}

// readRawLine re-reads a raw line of a plain file by its offset for the
// raw-line screen; the interface falls back to the retained copy for
// stdin and archives.
func readRawLine(maxLine int) func(string, int64) (string, error) {
	return func(path string, offset int64) (string, error) {
		return input.ReadLine(path, offset, maxLine)
	}
}
