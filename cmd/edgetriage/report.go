package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/driver"
	"github.com/edgetriage/edgetriage/rules/report"
)

// prepareInputs decides what to read when no PATH was given: a pipe on
// stdin is read, a terminal means the bundled samples.
func (a *app) prepareInputs(stdin io.Reader) error {
	a.input.Stdin = stdin
	a.input.Paths = a.o.paths
	if len(a.o.paths) > 0 {
		return nil
	}
	if stdinHasLogs(stdin) {
		a.input.Paths = []string{input.StdinName}
		return nil
	}
	return a.useBundledSamples()
}

func runReport(ctx context.Context, a *app, stdin io.Reader, stdout, stderr io.Writer) int {
	if url, ok, err := clickhouseURL(a.o.paths); err != nil || ok {
		if err != nil {
			fmt.Fprintf(stderr, "edgetriage: %v\n", err)
			return exitUsage
		}
		opts := report.Options{Redact: a.redact, Color: colorWanted(a.o.noColor, stdout), Compact: !isTerminal(stdout)}
		return reportClickHouse(ctx, a, url, stdout, stderr, opts)
	}
	if err := a.prepareInputs(stdin); err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	opts := report.Options{Redact: a.redact, Color: colorWanted(a.o.noColor, stdout), Compact: !isTerminal(stdout), AllCauses: a.o.allCauses}
	if a.o.follow {
		return followReport(ctx, a, stdout, stderr, opts)
	}
	anchor, err := anchorWindow(ctx, a)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	// A batch report's live state is small (bounded windows and caps), but
	// slabs that are read and dropped make the heap look bigger than it is;
	// a soft limit makes the collector keep resident memory flat. GOMEMLIMIT
	// in the environment still wins.
	var limit memoryLimit
	if os.Getenv("GOMEMLIMIT") == "" {
		limit.on = true
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(reportMemoryLimit))
		// Since slabs are reused (input.Options.ReuseBuffers) little garbage
		// is left, and GOGC hardly matters: re-measured on the 1M-line
		// combined log and 300k Logpush lines, GOGC 100/200/400/800 ran
		// 13/5/2/1 and 13/7/5/4 collections for the same CPU within noise;
		// RSS was flat up to 400 (~30 and ~52 MB) and rose at 800 (49 and
		// 57 MB). 400 is the fewest collections at that flat RSS.
		if os.Getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(400))
		}
	}
	d, err := driver.New(driver.Options{Input: a.input, Rules: a.rules, OnPending: limit.follow})
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	run, err := d.Run(ctx, func(ev driver.Event) {
		if ev.Kind == driver.EventNote && ev.Change == input.EventWaiting { // a named pipe without a writer yet
			fmt.Fprintf(stderr, "edgetriage: %s\n", ev.Text)
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	snap, res := run.Snapshot, run.Read
	if note := input.SkippedNote(res.Skipped); note != "" {
		fmt.Fprintf(stderr, "edgetriage: %s\n", parse.Printable(note))
	}
	doc := report.Build(res.Inputs, res.Totals, snap)
	for _, w := range a.causes.Warnings() {
		doc.Warnings = append(doc.Warnings, w.String())
	}
	doc.Notes = windowNotes(a, anchor, res)
	for _, n := range doc.Notes {
		if strings.HasPrefix(n, "warning:") {
			fmt.Fprintf(stderr, "edgetriage: %s\n", n)
		}
	}
	if err := writeBatchReport(ctx, a, doc, stdout, opts); err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	code := exitOK
	if sev := maxUnmuted(snap, a.mutes); sev != 0 && sev >= a.failOn {
		code = exitFindings
	}
	for _, in := range res.Inputs {
		if in.Err != nil {
			fmt.Fprintf(stderr, "edgetriage: %s\n", parse.Printable(in.Err.Error()))
			code = exitUsage
		}
	}
	return code
}

// writeBatchReport renders a batch report's document in the chosen output
// (--requests lists the sample requests instead).
func writeBatchReport(ctx context.Context, a *app, doc *report.Document, w io.Writer, opts report.Options) error {
	switch {
	case a.o.requests != "":
		return writeRequests(ctx, a, doc, w, opts)
	case a.o.output == "csv":
		return report.WriteCSV(w, doc, opts)
	case a.o.output == "json":
		return report.WriteJSON(w, doc, opts)
	case a.o.output == "md" || a.o.output == "markdown":
		return report.WriteMarkdown(w, doc, opts)
	case a.o.output == "html":
		return report.WriteHTML(w, doc, opts)
	default:
		return report.WriteText(w, doc, opts)
	}
}

// reportMemoryLimit is the soft memory limit of a batch report, plus
// pendingOpBytes for each pending 202 operation. The live heap of a busy
// input (the sorter's hold, slabs in flight, the engine) is about 30-37 MB:
// at 40 MiB the collector ran back to back; 48 MiB costs 31% less CPU on
// 100k Logpush lines, peak RSS 56 MB. A limit below what the pending table
// legitimately holds (a flood of 202s nobody polls fills it) would make the
// collector run without pause.
const (
	reportMemoryLimit = 48 << 20
	pendingOpBytes    = 256
)

// memoryLimit raises the soft limit as the pending table fills, in steps.
type memoryLimit struct {
	on  bool
	set int64 // pending operations the limit was last set for
}

func (m *memoryLimit) follow(pending int) {
	if !m.on || int64(pending) < m.set+16384 && int64(pending) > m.set-16384 {
		return
	}
	m.set = int64(pending)
	debug.SetMemoryLimit(reportMemoryLimit + m.set*pendingOpBytes)
}

// followReport tails the inputs and prints each finding as one JSON line
// the moment it is judged, and again whenever it changes, for alert
// pipelines; a stretch of an input that may have been lost (a rotation it
// could not follow) is a line of kind "possible_gap" in the same stream.
// It runs until the context ends.
func followReport(ctx context.Context, a *app, stdout, stderr io.Writer, opts report.Options) int {
	d, err := driver.New(driver.Options{Input: a.input, Rules: a.rules, Every: time.Second, FinishStopped: true})
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	printed := map[string]string{} // finding id -> what was last printed of it
	emit := func(snap *rules.Snapshot) {
		for i := range snap.Findings {
			f := &snap.Findings[i]
			state := fmt.Sprintf("%s|%s|%d|%d|%s", f.Severity, f.Subtype, f.Count, f.End.UnixNano(), f.TopCause())
			if printed[f.ID] == state {
				continue
			}
			printed[f.ID] = state
			if err := report.WriteFindingJSON(stdout, f, opts); err != nil {
				fmt.Fprintf(stderr, "edgetriage: %v\n", err)
			}
		}
	}
	// The driver calls this on one goroutine: stdout and stderr need no lock.
	run, err := d.Run(ctx, func(ev driver.Event) {
		switch ev.Kind {
		case driver.EventPossibleGap:
			fmt.Fprintf(stderr, "edgetriage: %s\n", ev.Text)
			if ev.Gap != nil {
				if err := report.WriteGapJSON(stdout, ev.Input, *ev.Gap); err != nil {
					fmt.Fprintf(stderr, "edgetriage: %v\n", err)
				}
			}
		case driver.EventInputError:
			fmt.Fprintf(stderr, "edgetriage: %s\n", ev.Text)
		case driver.EventNote:
			if ev.Change == input.EventPolling {
				fmt.Fprintf(stderr, "edgetriage: %s\n", ev.Text)
			}
		case driver.EventSnapshot, driver.EventDone:
			emit(ev.Snapshot)
		}
	})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	if run.Read != nil && run.Read.Failed() {
		return exitUsage
	}
	return exitOK
}

func runRules(a *app, stdout, stderr io.Writer) int {
	if a.o.check != "" {
		return checkRules(a, stdout, stderr)
	}
	if a.o.features {
		return printFeatures(a.o.output == "json", stdout, stderr)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tKINDS\tCONFIDENCE\tSEVERITY\tTITLE\tSOURCE")
	for _, r := range a.causes.Rules() {
		kinds := strings.Join(r.Kinds, ",")
		if len(r.Subtypes) > 0 {
			kinds += ":" + strings.Join(r.Subtypes, ",")
		}
		if len(r.Statuses) > 0 {
			kinds += fmt.Sprint(r.Statuses)
		}
		src := r.Source
		if r.Overrides {
			src += " (overrides default)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Type, kinds, r.Confidence, r.Severity, r.Title, src)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// colorWanted: colours only on a terminal, never with NO_COLOR or --no-color.
func colorWanted(noColor bool, w io.Writer) bool {
	if noColor || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

// checkRules reports on a rule file that loaded (every name it uses is a
// declared feature, its syntax is sound): each rule is tried on trial
// findings, and a rule that fails at run time fails the check.
func checkRules(a *app, stdout, stderr io.Writer) int {
	n, over := 0, 0
	for _, r := range a.causes.Rules() {
		if src, _, _ := strings.Cut(r.Source, ":"); src == a.o.check || strings.HasPrefix(r.Source, a.o.check+":") {
			n++
			if r.Overrides {
				over++
			}
		}
	}
	if ws := a.causes.Check(); len(ws) > 0 {
		for _, w := range ws {
			fmt.Fprintf(stderr, "edgetriage: %s\n", w)
		}
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s: ok: %d rule%s (%d overriding a default), every name a declared feature, every rule tried\n",
		a.o.check, n, map[bool]string{true: "", false: "s"}[n == 1], over)
	return exitOK
}
