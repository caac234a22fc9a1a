package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/clickhouse"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/driver"
	"github.com/edgetriage/edgetriage/rules/report"
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
	d, err := driver.New(driver.Options{Table: src, Rules: a.rules})
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	res, err := d.Run(ctx, func(driver.Event) {})
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %s\n", parse.Printable(err.Error()))
		return exitUsage
	}
	doc := report.Build(res.Read.Inputs, res.Read.Totals, res.Snapshot)
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

// tableOptions builds the source of a clickhouse:// table for the
// interface, and with --follow (tail) how to poll it as it fills.
func tableOptions(a *app, url string, stderr io.Writer) (*clickhouse.Source, *clickhouse.FollowOptions, error) {
	src, err := clickhouseSource(a, url, stderr)
	if err != nil || !a.input.Follow {
		return src, nil, err
	}
	fo := &clickhouse.FollowOptions{Lag: a.o.ch.lag, From: a.input.Since}
	if !a.o.fromStart && fo.From.IsZero() {
		fo.From = time.Now().Add(-a.o.ch.lag - time.Minute) // the last minute
	}
	return src, fo, nil
}
