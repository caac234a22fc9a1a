package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/parse/units"
)

// A relative --since/--until ("2h") counts back from the newest record of
// archived input: `report --since 2h old.log` means the last two hours of
// that log, not of today, which would be empty. Following, it counts back
// from now. The report says which.

// relative reports whether s is a relative time (a duration ago).
func relative(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return 0, false
	}
	d, err := time.ParseDuration(strings.TrimPrefix(s, "-"))
	return d, err == nil && d >= 0
}

// anchorWindow moves a relative --since/--until of a batch report to the
// newest record of the inputs (one extra read, only then), and returns the
// note the report shows about the window.
func anchorWindow(ctx context.Context, a *app) (note string, err error) {
	ds, relSince := relative(a.o.since)
	du, relUntil := relative(a.o.until)
	if !relSince && !relUntil {
		return "", nil
	}
	what := describeWindow(a.o.since, a.o.until)
	if a.input.Follow {
		return what + " counted back from now (following)", nil
	}
	if !rereadable(a.input) {
		return what + " counted back from now: standard input cannot be read twice to find its newest record", nil
	}
	newest, err := newestRecord(ctx, a.input)
	if err != nil {
		return "", err
	}
	if newest.IsZero() {
		return what + ": no record has a time", nil
	}
	if relSince {
		a.input.Since = newest.Add(-ds)
	}
	if relUntil {
		a.input.Until = newest.Add(-du)
	}
	if !a.input.Since.IsZero() && !a.input.Until.IsZero() && !a.input.Until.After(a.input.Since) {
		return "", usagef("--until %s is not after --since %s", a.o.until, a.o.since)
	}
	return fmt.Sprintf("%s counted back from the newest record (%s), as the input is archived", what, units.Time(newest)), nil
}

func describeWindow(since, until string) string {
	switch {
	case since != "" && until != "":
		return "--since " + since + " and --until " + until
	case since != "":
		return "--since " + since
	}
	return "--until " + until
}

// newestRecord reads the inputs once, with no window, for their newest
// record time.
func newestRecord(ctx context.Context, in input.Options) (time.Time, error) {
	in.Since, in.Until, in.OnEvent, in.OnTick = time.Time{}, time.Time{}, nil, nil
	p, err := input.New(in)
	if err != nil {
		return time.Time{}, err
	}
	var newest int64
	_, err = p.Run(ctx, func(batch []parse.Record) {
		for i := range batch {
			newest = max(newest, batch[i].Time)
		}
	})
	if err != nil || newest == 0 {
		return time.Time{}, err
	}
	return time.Unix(0, newest).UTC(), nil
}

// windowNotes are the lines at the top of a report about --since/--until:
// where relative times count from, and a warning when the window holds no
// record although the inputs had some.
func windowNotes(a *app, anchor string, res *input.Result) []string {
	var notes []string
	if anchor != "" {
		notes = append(notes, anchor+".")
	}
	if a.o.since == "" && a.o.until == "" {
		return notes
	}
	t := res.Totals
	if t.Parsed > 0 && t.Filtered >= t.Parsed {
		first, last := inputsSpan(res.Inputs)
		w := "warning: every one of the " + units.Count(t.Parsed) + " records is outside " + describeWindow(a.o.since, a.o.until)
		if !first.IsZero() {
			w += fmt.Sprintf(" (the logs run from %s to %s)", units.Time(first), units.Time(last))
		}
		notes = append(notes, w+"; nothing was analysed.")
	}
	return notes
}

func inputsSpan(ins []parse.InputStats) (first, last time.Time) {
	for _, in := range ins {
		if !in.First.IsZero() && (first.IsZero() || in.First.Before(first)) {
			first = in.First
		}
		if in.Last.After(last) {
			last = in.Last
		}
	}
	return first, last
}
