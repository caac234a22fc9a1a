package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/clickhouse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/report"
	"github.com/edgetriage/edgetriage/tui"
)

// clickhouseFlags are the options of a clickhouse:// source and ch-load.
type clickhouseFlags struct {
	columns    stringList
	timeout    time.Duration
	insecure   bool
	maxRecords int64
	lag        time.Duration
}

func addClickHouseFlags(fs *flag.FlagSet, c *clickhouseFlags) {
	fs.Var(&c.columns, "ch-column", "for clickhouse:// tables: `FIELD=COLUMN[,...]` maps a Logpush field to the table's column (repeatable)")
	fs.DurationVar(&c.timeout, "ch-timeout", clickhouse.DefaultTimeout, "for clickhouse:// tables: bound on each query")
	fs.BoolVar(&c.insecure, "ch-insecure", false, "for clickhouse+https:// tables: skip the certificate check")
	fs.Int64Var(&c.maxRecords, "ch-max-records", 0, "for clickhouse:// tables: stop when the result passes `N` records (0: no limit)")
	fs.DurationVar(&c.lag, "ch-lag", 30*time.Second, "tail of a clickhouse:// table: read up to this long before now (rows that arrive later are missed)")
}

// clickhouseURL returns the one clickhouse:// path, if the paths name one;
// a table cannot be mixed with files.
func clickhouseURL(paths []string) (string, bool, error) {
	url := ""
	for _, p := range paths {
		if clickhouse.IsURL(p) {
			if url != "" {
				return "", false, usagef("one clickhouse:// table at a time")
			}
			url = p
		}
	}
	if url != "" && len(paths) > 1 {
		return "", false, usagef("a clickhouse:// table cannot be read together with files")
	}
	return url, url != "", nil
}

// clickhouseSource builds the source for a report or the interface.
func clickhouseSource(a *app, url string, stderr io.Writer) (*clickhouse.Source, error) {
	t, err := clickhouse.ParseURL(url)
	if err != nil {
		return nil, usagef("%v", err)
	}
	cols, err := clickhouse.ParseColumnMap(a.chColumns)
	if err != nil {
		return nil, usagef("%v", err)
	}
	// --since/--until already count back from now (parseTime): for a table,
	// which may still be filling, that is what relative times mean.
	return clickhouse.New(t, rules.Pushdown(a.rules), clickhouse.Options{
		Columns:    cols,
		Window:     clickhouse.Window{From: a.input.Since, To: a.input.Until},
		Timeout:    a.o.ch.timeout,
		MaxLine:    a.input.MaxLine,
		MaxRecords: a.o.ch.maxRecords,
		Insecure:   a.o.ch.insecure,
		LogQueries: os.Getenv("EDGETRIAGE_CH_LOG_QUERIES") == "1",
		QueryIDPrefix: func() string {
			if id := os.Getenv("EDGETRIAGE_CH_QUERY_ID"); id != "" {
				return id
			}
			return ""
		}(),
		OnNote: func(msg string) { fmt.Fprintf(stderr, "edgetriage: note: %s\n", parse.Printable(msg)) },
	}), nil
}

// reportClickHouse is `report clickhouse://...`: the same engine and
// renderers as for files, fed by the pushdown source.
func reportClickHouse(ctx context.Context, a *app, url string, stdout, stderr io.Writer, opts report.Options) int {
	if a.o.follow {
		fmt.Fprintln(stderr, "edgetriage: report --follow does not read clickhouse:// tables yet")
		return exitUsage
	}
	src, err := clickhouseSource(a, url, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	eng := rules.NewEngine(a.rules)
	st, tot, err := src.Run(ctx, eng.Add)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %s\n", parse.Printable(err.Error()))
		return exitUsage
	}
	snap := eng.Finish()
	doc := report.Build([]parse.InputStats{*st}, *tot, snap)
	return writeReport(doc, a, stdout, stderr, opts)
}

// writeReport renders doc and returns the exit code its findings call for.
func writeReport(doc *report.Document, a *app, stdout, stderr io.Writer, opts report.Options) int {
	var err error
	switch a.o.output {
	case "json":
		err = report.WriteJSON(stdout, doc, opts)
	case "md", "markdown":
		err = report.WriteMarkdown(stdout, doc, opts)
	default:
		err = report.WriteText(stdout, doc, opts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	if sev := doc.MaxSeverity(); sev != 0 && sev >= a.failOn {
		return exitFindings
	}
	return exitOK
}

// runLoad is `ch-load clickhouse://HOST/DB.TABLE FILES...`.
func runLoad(ctx context.Context, a *app, stdout, stderr io.Writer) int {
	if len(a.o.paths) < 2 || !clickhouse.IsURL(a.o.paths[0]) {
		fmt.Fprintln(stderr, "edgetriage: usage: edgetriage ch-load clickhouse://HOST:8123/DB.TABLE FILE...")
		return exitUsage
	}
	t, err := clickhouse.ParseURL(a.o.paths[0])
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	in := a.input
	in.Paths, in.Follow = a.o.paths[1:], false
	res, err := clickhouse.Load(ctx, t, a.o.ch.timeout, in)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %s\n", parse.Printable(err.Error()))
		return exitUsage
	}
	code := exitOK
	var skipped int64
	for _, s := range res.Read.Inputs {
		skipped += s.Malformed + s.Overlong
		if s.Err != nil {
			fmt.Fprintf(stderr, "edgetriage: %s\n", parse.Printable(s.Err.Error()))
			code = exitUsage
		}
	}
	fmt.Fprintf(stdout, "loaded %d records into %s (%d lines not Cloudflare records, %d duplicates dropped)\n",
		res.Inserted, t.Name(), skipped, res.Read.Totals.Duplicate)
	return code
}

// recordSource is what the interface reads: the file pipeline, or a table
// through the pushdown (tableSource).
type recordSource interface {
	Run(ctx context.Context, sink func([]parse.Record)) (*input.Result, error)
	Progress() input.Progress
	Inputs() []parse.InputStats
	Totals() parse.Totals
}

// tableSource adapts a clickhouse.Source to the interface's live reader.
type tableSource struct {
	src     *clickhouse.Source
	started time.Time
	lines   atomic.Int64
	done    atomic.Bool

	// follow polls the table as it fills (tail); advance moves the
	// engine's event time to the end of each window read.
	follow  *clickhouse.FollowOptions
	advance func(time.Time)
}

func (t *tableSource) Run(ctx context.Context, sink func([]parse.Record)) (*input.Result, error) {
	t.started = time.Now()
	defer t.done.Store(true)
	count := func(b []parse.Record) {
		var n int64
		for i := range b {
			n += b[i].N()
		}
		t.lines.Add(n)
		sink(b)
	}
	var st *parse.InputStats
	var tot *parse.Totals
	var err error
	if t.follow != nil {
		fo := *t.follow
		fo.OnWindow = t.advance
		st, tot, err = t.src.Follow(ctx, count, fo)
	} else {
		st, tot, err = t.src.Run(ctx, count)
	}
	res := &input.Result{Inputs: []parse.InputStats{*st}, Totals: *tot}
	return res, err
}

func (t *tableSource) Progress() input.Progress {
	pr := input.Progress{Inputs: 1, Lines: t.lines.Load(), Done: t.done.Load()}
	if t.done.Load() {
		pr.InputsDone = 1
	}
	if !t.started.IsZero() {
		pr.Elapsed = time.Since(t.started)
		if s := pr.Elapsed.Seconds(); s > 0 {
			pr.LinesPerSec = float64(pr.Lines) / s
		}
	}
	return pr
}

func (t *tableSource) Inputs() []parse.InputStats {
	return []parse.InputStats{{Path: t.src.Name(), Format: "clickhouse", Counts: parse.Counts{Lines: t.lines.Load(), Parsed: t.lines.Load()}}}
}

func (t *tableSource) Totals() parse.Totals {
	return parse.Totals{Counts: parse.Counts{Lines: t.lines.Load(), Parsed: t.lines.Load()}}
}

// newTableLive is the interface's live state over a clickhouse:// table.
func newTableLive(a *app, url string, stderr io.Writer) (*live, error) {
	src, err := clickhouseSource(a, url, stderr)
	if err != nil {
		return nil, err
	}
	l := &live{
		ring:     tui.NewRing(tui.DefaultRingSize),
		updates:  make(chan tui.Update, 1),
		eng:      rules.NewEngine(a.rules),
		finished: make(chan struct{}),
	}
	ts := &tableSource{src: src}
	if a.input.Follow {
		l.follow = true
		fo := &clickhouse.FollowOptions{Lag: a.o.ch.lag, From: a.input.Since}
		if !a.o.fromStart && fo.From.IsZero() {
			fo.From = time.Now().Add(-a.o.ch.lag - time.Minute) // the last minute
		}
		ts.follow = fo
		ts.advance = func(t time.Time) {
			l.mu.Lock()
			l.eng.Advance(t)
			l.lastBatch = time.Now()
			l.mu.Unlock()
		}
	}
	l.pipeline = ts
	l.cloneRows = true
	l.following.Store(true)
	return l, nil
}

// rowsOnly leaves out aggregate records (Count > 1): the recent-requests
// screen lists requests, and an aggregate is not one. Batches without
// aggregates (every file's) come back as they are.
func rowsOnly(batch []parse.Record) []parse.Record {
	for i := range batch {
		if batch[i].Count > 1 {
			out := make([]parse.Record, 0, len(batch))
			for j := range batch {
				if batch[j].Count <= 1 {
					out = append(out, batch[j])
				}
			}
			return out
		}
	}
	return batch
}

// cloned copies rows with their text, for a source whose buffers are reused.
func cloned(rows []parse.Record) []parse.Record {
	out := make([]parse.Record, len(rows))
	for i := range rows {
		out[i] = rows[i].Clone()
	}
	return out
}
