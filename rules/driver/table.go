package driver

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/clickhouse"
	"github.com/edgetriage/edgetriage/parse/input"
)

// tableSource reads a clickhouse:// table through its pushdown, with the
// progress and live accounting of the file pipeline.
type tableSource struct {
	src     *clickhouse.Source
	started atomic.Int64 // wall ns
	lines   atomic.Int64
	done    atomic.Bool

	// follow polls the table as it fills (tail); advance moves the
	// engine's event time to the end of each window read.
	follow  *clickhouse.FollowOptions
	advance func(time.Time)
}

func (t *tableSource) Run(ctx context.Context, sink func([]parse.Record)) (*input.Result, error) {
	t.started.Store(time.Now().UnixNano())
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
	if st == nil || tot == nil {
		return nil, err
	}
	return &input.Result{Inputs: []parse.InputStats{*st}, Totals: *tot}, err
}

func (t *tableSource) Progress() input.Progress {
	pr := input.Progress{Inputs: 1, Lines: t.lines.Load(), Done: t.done.Load()}
	if pr.Done {
		pr.InputsDone = 1
	}
	if ns := t.started.Load(); ns != 0 {
		pr.Elapsed = time.Since(time.Unix(0, ns))
		if s := pr.Elapsed.Seconds(); s > 0 {
			pr.LinesPerSec = float64(pr.Lines) / s
		}
	}
	return pr
}

func (t *tableSource) Inputs() []parse.InputStats {
	n := t.lines.Load()
	return []parse.InputStats{{Path: t.src.Name(), Format: "clickhouse", Counts: parse.Counts{Lines: n, Parsed: n}}}
}

func (t *tableSource) Totals() parse.Totals {
	n := t.lines.Load()
	return parse.Totals{Counts: parse.Counts{Lines: n, Parsed: n}}
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
