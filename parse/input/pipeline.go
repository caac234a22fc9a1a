package input

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// Defaults for the zero Options.
const (
	DefaultMaxLine       = 1 << 20
	DefaultReorderWindow = 2 * time.Minute
	DefaultReorderMax    = 100_000
	DefaultDedupeMax     = 200_000
	DefaultBatchSize     = 4096
	DefaultMaxExamples   = 5
	DefaultFollowLatency = 2 * time.Second
	// DefaultSlabSize is the size of the reader's slabs, and so of the
	// chunks the parse workers take: a chunk and its ~700 records fit a
	// core's L2 cache, and a record the sink keeps pins half what a 256 KiB
	// slab did. End to end (1M-line combined log, rules engine as sink) the
	// time is flat from 64 to 256 KiB; below that per-chunk costs show.
	DefaultSlabSize = 128 << 10
	detectLines     = 16 // non-blank lines shown to format detection
	// detectMaxHeld bounds the bytes held while those lines are collected:
	// past it, detection goes by the lines found so far.
	detectMaxHeld = 4 << 20
)

// Options say what to read and how. The zero value reads nothing; set Paths.
type Options struct {
	// Paths are files, globs, directories (their log files, rotated families
	// oldest first) or "-" for Stdin.
	Paths []string
	// Recursive reads directories as whole trees (a Logpush bucket synced
	// to disk with its dated folders).
	Recursive bool
	// AllFiles reads every file of a directory; by default files that are
	// clearly not logs (certificates, patches, binaries, READMEs) are left
	// out and listed in Result.Skipped.
	AllFiles bool
	// Stdin is read for the path "-" (os.Stdin, usually).
	Stdin io.Reader
	// Sources are inputs that are not files on disk, such as the embedded
	// sample logs; they are read after Paths, like files (decompressed by
	// magic bytes, merged by time).
	Sources []Source

	// Formats are format names, each either NAME (for every input) or
	// GLOB=NAME (for inputs whose path or base name matches GLOB; the first
	// match wins, before any NAME). Inputs nothing matches are detected from
	// their first lines. NAME is anything NewParser accepts, such as
	// "combined", "cloudflare" or "nginx:<log_format>".
	Formats []string
	// NewParser builds a parser by name and Detect picks one from an input's
	// first non-blank lines. Both default to the parse/formats registry.
	NewParser func(name string) (parse.Parser, error)
	Detect    func(firstLines [][]byte) (parse.Parser, error)

	// Since and Until keep records with Since <= time < Until (zero: open).
	Since, Until time.Time

	// MaxLine is the longest line read, in bytes; longer ones are counted as
	// overlong and skipped without being held whole. Default 1 MiB.
	MaxLine int
	// ReorderWindow is how much disorder the merge repairs (default 2 min)
	// and ReorderMax how many records it may hold for that (default 100k,
	// about 50 MB at worst with their lines; past it the oldest go on early
	// and what comes later for their time is late). Ordered input holds
	// only ReorderWindow of log time.
	ReorderWindow time.Duration
	ReorderMax    int
	// DedupeMax caps the request ids remembered to drop duplicates (default
	// 200k); they are remembered for ReorderWindow.
	DedupeMax int
	// BatchSize is the largest batch handed to the sink (default 4096).
	BatchSize int
	// MaxExamples is how many malformed lines are kept per input (default 5).
	MaxExamples int
	// Workers parse chunks of one input in parallel (default GOMAXPROCS).
	Workers int

	// Follow keeps reading files as they grow (tail -F) until the context
	// ends; FromStart reads them from their first byte instead of their end.
	Follow, FromStart bool
	// PollInterval is the stat interval where fsnotify cannot watch (Follow).
	PollInterval time.Duration
	// FollowLatency bounds how long a followed record is held for reordering
	// (default 2 s): a live view stays current, and disorder that arrives
	// later than that is passed on as late.
	FollowLatency time.Duration

	// OnTick, if set, is called in Follow mode from the sink's goroutine a
	// few times a second, after what was due went to the sink: the place to
	// advance an event-time engine while inputs are idle (engine.Advance),
	// without racing the sink.
	OnTick func(now time.Time)

	// OnEvent, if set, hears about inputs as they go: opened, rotated,
	// truncated, removed, waiting, polling, error. It is called from the
	// pipeline's goroutines and must not block.
	OnEvent func(Event)
	// OnPanic, if set, hears about a recovered panic in a pipeline goroutine
	// (the run then ends with that error).
	OnPanic func(error)

	// ReuseBuffers promises that the sink keeps no string of a record once
	// it returns (it copies what it keeps, as rules.Engine and the
	// interface's ring do): the pipeline may then read into a slab again
	// once every record viewing it has been through the sink, instead of
	// leaving each 128 KiB slab to the collector. Batch reads only; followed
	// inputs never reuse their buffers.
	ReuseBuffers bool

	slabSize   int           // tests shrink it to exercise slab boundaries
	detectWait time.Duration // how long live input waits for lines to detect its format (1 s)
}

// Source is an input read through Open instead of from a path.
type Source struct {
	Name string // shown as the input's path and in Record.Input
	Size int64  // for progress; 0 if unknown
	Open func() (io.ReadCloser, error)
}

// EventKind says what happened to an input. Callers decide how to show an
// event from its kind, never from its text. The values are the words the
// status line prints.
type EventKind string

// The kinds of Event. Tail events (Rotated … PossibleGap) carry the name of
// their tail.EventKind.
const (
	EventOpened      EventKind = "opened"
	EventRotated     EventKind = "rotated"
	EventTruncated   EventKind = "truncated"
	EventRemoved     EventKind = "removed"
	EventWaiting     EventKind = "waiting"
	EventPolling     EventKind = "polling"
	EventPossibleGap EventKind = "possible_gap"
	EventError       EventKind = "error"
	EventSkipped     EventKind = "skipped"
)

// Failure reports whether the event says reading went wrong: an input
// that could not be read, vanished, or may have lost lines.
func (k EventKind) Failure() bool {
	switch k {
	case EventError, EventRemoved, EventPossibleGap:
		return true
	}
	return false
}

// Event tells the caller what happened to an input, for a status line.
type Event struct {
	Input string // the input's path ("-" for stdin); empty for all inputs
	Kind  EventKind
	Msg   string
	Err   error
	// Gap is the stretch an EventPossibleGap is about (Reason is Msg).
	Gap *parse.Gap
}

func (e Event) String() string {
	if e.Kind == EventSkipped {
		return e.Msg // already a sentence: "skipped 3 files that are not logs (...)"
	}
	s := string(e.Kind)
	if e.Input != "" {
		s = e.Input + ": " + s
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Result is the accounting of a run: every input, and the totals after the
// merge. Inputs are in the order their paths were expanded.
type Result struct {
	Inputs []parse.InputStats
	Totals parse.Totals
	// Skipped lists the files of directories left out as not logs (see
	// Options.AllFiles and SkippedNote).
	Skipped []string
}

// Failed reports whether some input could not be read (fully): the caller's
// exit code 2. Malformed lines are not failures.
func (r *Result) Failed() bool {
	for i := range r.Inputs {
		if r.Inputs[i].Err != nil {
			return true
		}
	}
	return false
}

// Progress is a live view of a run, safe to read while it goes.
type Progress struct {
	Inputs, InputsDone int
	// Bytes is how much of the inputs was read from disk (compressed bytes
	// for archives), of BytesTotal (their sizes; 0 when unknown, as for
	// stdin or followed files).
	Bytes, BytesTotal int64
	Lines             int64 // lines read so far
	LinesPerSec       float64
	Elapsed           time.Duration
	Done              bool
}

// Fraction is Bytes/BytesTotal in 0..1, or -1 when the total is unknown.
func (p Progress) Fraction() float64 {
	if p.BytesTotal <= 0 {
		return -1
	}
	return min(float64(p.Bytes)/float64(p.BytesTotal), 1)
}

// Pipeline is one run over a set of inputs. Use New, then Run once; read
// Progress from any goroutine meanwhile.
type Pipeline struct {
	opt         Options
	defaultFmt  string
	formatRules []formatRule
	since       int64
	until       int64

	started    atomic.Int64 // wall ns
	finished   atomic.Int64 // wall ns, 0 while running
	bytes      atomic.Int64
	bytesTotal atomic.Int64
	lines      atomic.Int64
	inputs     atomic.Int64
	inputsDone atomic.Int64
	openNow    atomic.Int64 // inputs open right now
	openMax    atomic.Int64 // the most open at once

	runOnce sync.Once

	slabs *slabPool // nil unless Options.ReuseBuffers

	// Live accounting for Inputs and Totals.
	liveMu sync.Mutex
	live   []*liveStats
	merged mergeStats
}

type formatRule struct{ glob, name string }

// New checks opts and fills in the defaults. An error here is a usage
// error: an unknown format name or a bad glob.
func New(opts Options) (*Pipeline, error) {
	o := opts
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	if o.ReorderWindow <= 0 {
		o.ReorderWindow = DefaultReorderWindow
	}
	if o.ReorderMax <= 0 {
		o.ReorderMax = DefaultReorderMax
	}
	if o.DedupeMax <= 0 {
		o.DedupeMax = DefaultDedupeMax
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxExamples <= 0 {
		o.MaxExamples = DefaultMaxExamples
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.FollowLatency <= 0 {
		o.FollowLatency = DefaultFollowLatency
	}
	if o.detectWait <= 0 {
		o.detectWait = time.Second
	}
	if o.slabSize <= 0 {
		o.slabSize = DefaultSlabSize
	}
	if o.NewParser == nil {
		o.NewParser = defaultNewParser
	}
	if o.Detect == nil {
		o.Detect = defaultDetect
	}
	p := &Pipeline{opt: o, since: timeNs(o.Since, 0), until: timeNs(o.Until, 0)}
	if o.ReuseBuffers && !o.Follow && !reuseOff {
		p.slabs = newSlabPool(o.slabSize)
	}
	for _, spec := range o.Formats {
		glob, name := splitFormatSpec(spec)
		if name == "" {
			return nil, fmt.Errorf("format %q: empty name", spec)
		}
		if _, err := o.NewParser(name); err != nil {
			return nil, fmt.Errorf("format %q: %w", name, err)
		}
		if glob == "" {
			if p.defaultFmt == "" {
				p.defaultFmt = name
			}
			continue
		}
		if _, err := filepath.Match(glob, ""); err != nil {
			return nil, fmt.Errorf("format %q: bad pattern %q: %w", spec, glob, err)
		}
		p.formatRules = append(p.formatRules, formatRule{glob, name})
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Until.After(o.Since) {
		return nil, errors.New("until must be after since")
	}
	return p, nil
}

func timeNs(t time.Time, zero int64) int64 {
	if t.IsZero() {
		return zero
	}
	return t.UnixNano()
}

// splitFormatSpec tells "GLOB=NAME" from "NAME". Format strings themselves
// may hold '=' (nginx:... "$http_x=..."), so a spec that starts with a
// format-string prefix, or whose left side looks like one, is a NAME.
func splitFormatSpec(spec string) (glob, name string) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "nginx:") || strings.HasPrefix(spec, "apache:") {
		return "", spec
	}
	i := strings.IndexByte(spec, '=')
	if i < 0 || strings.ContainsAny(spec[:i], "$%\"") {
		return "", spec
	}
	return strings.TrimSpace(spec[:i]), strings.TrimSpace(spec[i+1:])
}

// formatFor is the format name chosen for path by the options, or "" to
// detect it.
func (p *Pipeline) formatFor(path string) string {
	for _, r := range p.formatRules {
		if ok, _ := filepath.Match(r.glob, path); ok {
			return r.name
		}
		if ok, _ := filepath.Match(r.glob, filepath.Base(path)); ok {
			return r.name
		}
	}
	return p.defaultFmt
}

// Progress returns the live state of the run.
func (p *Pipeline) Progress() Progress {
	pr := Progress{
		Inputs:     int(p.inputs.Load()),
		InputsDone: int(p.inputsDone.Load()),
		Bytes:      p.bytes.Load(),
		BytesTotal: p.bytesTotal.Load(),
		Lines:      p.lines.Load(),
	}
	start := p.started.Load()
	if start == 0 {
		return pr
	}
	end := p.finished.Load()
	pr.Done = end != 0
	if end == 0 {
		end = time.Now().UnixNano()
	}
	pr.Elapsed = time.Duration(end - start)
	if pr.Elapsed > 0 {
		pr.LinesPerSec = float64(pr.Lines) / pr.Elapsed.Seconds()
	}
	return pr
}

func (p *Pipeline) event(ev Event) {
	if p.opt.OnEvent != nil {
		p.opt.OnEvent(ev)
	}
}

// Run reads every input and hands their records to sink in time order, in
// batches. sink is called from one goroutine; the batch slice is reused
// after sink returns, but the records' strings stay valid (they view slabs
// that are never reused, unless Options.ReuseBuffers), so copying a Record
// value keeps it. Run returns
// when all inputs are read (or, with Follow, when ctx ends); per-input
// failures are in Result.Inputs[i].Err, not in the error, which is only for
// a cancelled batch run or an internal failure (a recovered panic).
func Run(ctx context.Context, opts Options, sink func([]parse.Record)) (*Result, error) {
	p, err := New(opts)
	if err != nil {
		return nil, err
	}
	return p.Run(ctx, sink)
}

// Run runs the pipeline; see the package function Run. It may be called once.
func (p *Pipeline) Run(ctx context.Context, sink func([]parse.Record)) (*Result, error) {
	var res *Result
	var err error
	ran := false
	p.runOnce.Do(func() {
		ran = true
		p.started.Store(time.Now().UnixNano())
		defer func() { p.finished.Store(time.Now().UnixNano()) }()
		if p.opt.Follow {
			res, err = p.follow(ctx, sink)
		} else {
			res, err = p.batch(ctx, sink)
		}
	})
	if !ran {
		return nil, errors.New("input: Pipeline.Run called twice")
	}
	return res, err
}

// filter drops, in place, records outside since/until.
func (p *Pipeline) filter(recs []parse.Record) []parse.Record {
	if p.since == 0 && p.until == 0 {
		return recs
	}
	w := 0
	for i := range recs {
		t := recs[i].Time
		if (p.since != 0 && t < p.since) || (p.until != 0 && t >= p.until) {
			continue
		}
		if w != i {
			recs[w] = recs[i]
		}
		w++
	}
	return recs[:w]
}
