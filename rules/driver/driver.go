// Package driver runs one analysis: it reads the inputs (files through
// parse/input, or a ClickHouse table), feeds the records to one
// rules.Engine, takes snapshots at a steady cadence and tells its consumer
// what happens as typed Events. The report, the interface and tail all run
// through it, so reading, the engine and cancellation are written once.
//
// Goroutines: Run reads on one goroutine it starts (the sink: ring, then
// engine) and delivers events on the caller's; both end when the context
// ends, and Run returns only after both have.
package driver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/clickhouse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/parse/safe"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/causes"
)

// maxQueued bounds the input events waiting for the next delivery: a
// flapping input must not grow memory.
const maxQueued = 50

// Options say what to read, how to judge it and how often to report.
type Options struct {
	// Input is what to read: files, globs, dirs, stdin, sources. Its
	// OnEvent and OnTick belong to the driver (they are replaced).
	Input input.Options
	// Table, if set, is read instead of Input: a clickhouse:// source.
	// TableFollow, if set, polls it as it fills (tail).
	Table       *clickhouse.Source
	TableFollow *clickhouse.FollowOptions

	Rules rules.Config
	// RuleWarnings lists the cause rules that failed so far (their first
	// error each); each rule is told once. nil: none to ask.
	RuleWarnings func() []causes.Warning

	// Every is the snapshot cadence; 0 means only the final snapshot (a
	// batch report), with input events still delivered as they happen.
	Every time.Duration

	// Recent, if set, gets each batch's rows (aggregates, Count > 1, are
	// left out) on a goroutine of its own while the engine takes the same
	// batch; calls do not overlap. The slice and the rows' text (the
	// read buffers of files too) are reused after Recent returns: it
	// copies what it keeps.
	Recent func(rows []parse.Record)
	// FinishStopped: when the context ends reading, the engine is still
	// finished for EventDone's snapshot (report --follow prints the last
	// state on SIGTERM). Otherwise a stopped run has no final snapshot and
	// ends at once: the interface quitting mid-load does not wait for it.
	FinishStopped bool

	// OnPending, if set, is called on the reading goroutine after each
	// batch with the number of pending 202 operations (the report's
	// memory limit follows it).
	OnPending func(pending int)
}

// source is what the driver reads: the file pipeline or a table.
type source interface {
	Run(ctx context.Context, sink func([]parse.Record)) (*input.Result, error)
	Progress() input.Progress
	Inputs() []parse.InputStats
	Totals() parse.Totals
}

// Driver is one run. Use New, then Run once.
type Driver struct {
	opt    Options
	src    source
	follow bool

	mu        sync.Mutex // guards eng, lastBatch, changed
	eng       *rules.Engine
	lastBatch time.Time // wall time records last reached the engine
	changed   bool      // the engine moved since the last snapshot

	evMu    sync.Mutex // guards queued
	queued  []Event    // input events waiting for the deliverer
	wake    chan struct{}
	paused  atomic.Bool
	running atomic.Bool

	// The recent-records copy runs beside the engine (see sink); only the
	// reading goroutine touches these.
	recentIn  chan []parse.Record
	recentOut chan error
	recentErr error

	// Only the deliverer touches these.
	warned    map[string]bool
	seenLines int64
	lastLine  time.Time
	rate      rateMeter
}

// New checks the options and builds the source. An error is a usage error
// (an unknown format, a bad glob).
func New(o Options) (*Driver, error) {
	d := &Driver{opt: o, eng: rules.NewEngine(o.Rules), wake: make(chan struct{}, 1)}
	if o.Table != nil {
		t := &tableSource{src: o.Table, follow: o.TableFollow}
		if t.follow != nil {
			d.follow = true
			t.advance = d.advanceTo
		}
		d.src = t
		return d, nil
	}
	in := o.Input
	d.follow = in.Follow
	in.OnEvent = d.queue
	// Tailing, event time moves on while the inputs are idle, so bursts end
	// and 202s time out without new lines. OnTick runs on the sink's
	// goroutine: no race with Add.
	in.OnTick = d.tick
	// The engine and Recent copy what they keep of a record (the poison
	// test in parse/input checks it end to end): slabs may be reused.
	in.ReuseBuffers = true
	p, err := input.New(in)
	if err != nil {
		return nil, err
	}
	d.src = p
	return d, nil
}

// SetPaused stops (true) or resumes snapshots while following; reading
// goes on. Safe from any goroutine.
func (d *Driver) SetPaused(on bool) { d.paused.Store(on) }

// Progress is how far reading has got; safe from any goroutine.
func (d *Driver) Progress() input.Progress { return d.src.Progress() }

// Result is what a run ends with.
type Result struct {
	Snapshot *rules.Snapshot // the engine's final snapshot; nil if stopped (see FinishStopped)
	Read     *input.Result   // the accounting; nil if reading failed before counting
}

// Run reads to the end of the inputs (following: until ctx ends), calling
// emit on the caller's goroutine for each event; EventDone comes last,
// also when ctx ended. The error is the one reading stopped with (a
// *safe.PanicError for a panic); a batch read cut short by ctx says
// "stopped: " and the context's cause. A tail ends with ctx and no error.
func (d *Driver) Run(ctx context.Context, emit func(Event)) (*Result, error) {
	if d.running.Swap(true) {
		return nil, errors.New("driver: Run called twice")
	}
	finished := make(chan struct{})
	var read *input.Result
	var runErr error
	recentDone := d.startRecent()
	go func() {
		defer close(finished)
		runErr = safe.Run("reading", func() error {
			var err error
			read, err = d.src.Run(ctx, d.sink)
			return err
		})
		if d.recentIn != nil {
			close(d.recentIn)
		}
		if runErr == nil {
			runErr = d.recentErr
		}
	}()
	d.deliver(finished, emit)
	<-recentDone

	var snap *rules.Snapshot
	if ctx.Err() == nil || d.opt.FinishStopped {
		d.mu.Lock()
		snap = d.eng.Finish()
		d.mu.Unlock()
	}
	d.flush(emit)
	d.ruleWarnings(emit)
	done := Event{Kind: EventDone, Snapshot: snap, Result: read, Err: runErr, Stopped: ctx.Err() != nil}
	done.Progress = d.progress(time.Now(), read)
	if runErr != nil {
		done.Text = parse.Printable(runErr.Error())
		if ctx.Err() != nil && !isPanic(runErr) {
			runErr = fmt.Errorf("stopped: %w", context.Cause(ctx))
			done.Err = runErr
		}
	}
	emit(done)
	return &Result{Snapshot: snap, Read: read}, runErr
}

func isPanic(err error) bool {
	var pe *safe.PanicError
	return errors.As(err, &pe)
}

// firstSnapshot is the wait before the first snapshot; the waits double
// from there up to Options.Every. A snapshot costs a few milliseconds, so
// the first screen can show findings within a tenth of a second of the
// first records without later ones coming more often than Every.
const firstSnapshot = 50 * time.Millisecond

// deliver sends queued input events as they come and, at the snapshot
// cadence, a snapshot (or progress when nothing changed), until reading
// finishes.
func (d *Driver) deliver(finished <-chan struct{}, emit func(Event)) {
	var tick <-chan time.Time
	wait := min(firstSnapshot, d.opt.Every)
	var timer *time.Timer
	if d.opt.Every > 0 {
		timer = time.NewTimer(wait)
		defer timer.Stop()
		tick = timer.C
	}
	for {
		select {
		case <-finished:
			return
		case <-d.wake:
			d.flush(emit)
		case now := <-tick:
			wait = min(2*wait, d.opt.Every)
			timer.Reset(wait)
			d.flush(emit)
			if !d.follow || !d.paused.Load() { // paused: keep reading, stop redrawing
				d.ruleWarnings(emit)
				emit(d.snapshot(now))
			}
		}
	}
}

// snapshot is the event of one tick: a snapshot when records or time moved
// since the last one (an idle tail costs nothing, and the consumer redraws
// only what is new), else progress.
func (d *Driver) snapshot(now time.Time) Event {
	ev := Event{Kind: EventProgress}
	d.mu.Lock()
	if d.changed {
		ev.Kind, ev.Snapshot, d.changed = EventSnapshot, d.eng.Snapshot(), false
	}
	d.mu.Unlock()
	ev.Progress = d.progress(now, nil)
	return ev
}

// sink takes each batch on the reading goroutine.
func (d *Driver) sink(batch []parse.Record) {
	// Copying the rows for Recent and the engine both only read the batch:
	// they run side by side, and the batch goes back once both are done.
	recent := d.recentIn != nil && d.recentErr == nil
	if recent {
		d.recentIn <- rowsOnly(batch)
	}
	d.mu.Lock()
	d.eng.Add(batch)
	d.lastBatch = time.Now()
	d.changed = true
	pending := d.eng.PendingOps()
	d.mu.Unlock()
	if recent {
		d.recentErr = <-d.recentOut
	}
	if d.opt.OnPending != nil {
		d.opt.OnPending(pending)
	}
}

// startRecent starts the goroutine that hands batches to Recent, if set;
// it ends when the reading goroutine closes recentIn, and the returned
// channel closes then. A panic in Recent becomes the run's error.
func (d *Driver) startRecent() <-chan struct{} {
	done := make(chan struct{})
	if d.opt.Recent == nil {
		close(done)
		return done
	}
	// recentOut has room for one result: if the engine panics before the
	// sink takes it, the goroutine still ends.
	d.recentIn, d.recentOut = make(chan []parse.Record), make(chan error, 1)
	go func() {
		defer close(done)
		for rows := range d.recentIn {
			d.recentOut <- safe.Run("recent records", func() error { d.opt.Recent(rows); return nil })
		}
	}()
	return done
}

// tick advances event time by the wall time since the last batch (files
// followed while idle).
func (d *Driver) tick(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if last := d.eng.Now(); !last.IsZero() && !d.lastBatch.IsZero() {
		d.eng.Advance(last.Add(now.Sub(d.lastBatch)))
		d.changed = true
	}
}

// advanceTo moves event time to t: a followed table said no record
// before t will come.
func (d *Driver) advanceTo(t time.Time) {
	d.mu.Lock()
	d.eng.Advance(t)
	d.lastBatch = time.Now()
	d.changed = true
	d.mu.Unlock()
}

// queue takes an input event from the pipeline's goroutines; it never blocks.
func (d *Driver) queue(ev input.Event) {
	if ev.Kind == input.EventOpened {
		return
	}
	e := Event{Kind: EventNote, Input: ev.Input, Change: ev.Kind, Err: ev.Err, Text: parse.Printable(ev.String())}
	switch ev.Kind {
	case input.EventError, input.EventRemoved:
		e.Kind = EventInputError
	case input.EventPossibleGap:
		e.Kind, e.Gap = EventPossibleGap, ev.Gap
	}
	d.evMu.Lock()
	if len(d.queued) < maxQueued {
		d.queued = append(d.queued, e)
	}
	d.evMu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// flush delivers the queued input events.
func (d *Driver) flush(emit func(Event)) {
	d.evMu.Lock()
	evs := d.queued
	d.queued = nil
	d.evMu.Unlock()
	for _, e := range evs {
		emit(e)
	}
}

// ruleWarnings delivers the cause rules that failed since the last call,
// one event per rule.
func (d *Driver) ruleWarnings(emit func(Event)) {
	if d.opt.RuleWarnings == nil {
		return
	}
	for _, w := range d.opt.RuleWarnings() {
		if d.warned[w.Rule] {
			continue
		}
		if d.warned == nil {
			d.warned = map[string]bool{}
		}
		d.warned[w.Rule] = true
		emit(Event{Kind: EventRuleWarning, Rule: w.Rule, Text: parse.Printable(w.String())})
	}
}

// progress is where reading is at wall time now; read is the final
// accounting once reading ended.
func (d *Driver) progress(now time.Time, read *input.Result) Progress {
	pr := d.src.Progress()
	if pr.Lines != d.seenLines {
		d.seenLines, d.lastLine = pr.Lines, now
	}
	p := Progress{
		Bytes: pr.Bytes, BytesTotal: pr.BytesTotal, Lines: pr.Lines, LinesPerSec: pr.LinesPerSec,
		Done: pr.Done, Follow: d.follow, Paused: d.paused.Load(), LastLine: d.lastLine,
	}
	if d.follow {
		// Tailing, the average since start says little: the recent rate.
		p.LinesPerSec = d.rate.add(now, pr.Lines)
	}
	if read != nil {
		p.Inputs, p.Totals, p.Done = read.Inputs, read.Totals, true
	} else {
		p.Inputs, p.Totals = d.src.Inputs(), d.src.Totals()
	}
	return p
}
