package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/report"
)

// writeRequests is `report --requests ID --output csv`: every request of
// the finding when the inputs can be read again (files, archives included),
// otherwise the samples the engine retained, with the total in a comment.
func writeRequests(ctx context.Context, a *app, doc *report.Document, stdout io.Writer, opts report.Options) error {
	f := doc.FindingByID(a.o.requests)
	if f == nil {
		return usagef("no finding %q (report --output csv lists the ids)", a.o.requests)
	}
	if !rereadable(a.input) {
		rows := report.SampleRows(f)
		w, err := report.NewRequestsCSV(stdout, []string{fmt.Sprintf(
			"%d of %d requests of %s: the retained samples (standard input cannot be read again)", len(rows), f.Count, f.ID)}, opts)
		if err != nil {
			return err
		}
		for i := range rows {
			if err := w.Write(&rows[i]); err != nil {
				return err
			}
		}
		return w.Flush()
	}
	start, end := f.Span()
	what := requestsOf(f, a.rules)
	w, err := report.NewRequestsCSV(stdout, []string{fmt.Sprintf("requests of %s: %s, %s to %s, re-read from the inputs",
		f.ID, what.describe(), start.UTC().Format(time.RFC3339Nano), end.UTC().Format(time.RFC3339Nano))}, opts)
	if err != nil {
		return err
	}
	in := a.input
	in.Since, in.Until, in.OnEvent, in.OnTick = start, end.Add(time.Nanosecond), nil, nil
	p, err := input.New(in)
	if err != nil {
		return err
	}
	var werr error
	var row report.RequestRow
	_, err = p.Run(ctx, func(batch []parse.Record) {
		for i := range batch {
			r := &batch[i]
			if werr != nil || !what.match(r) {
				continue
			}
			row = report.RequestRow{Input: r.Input, Line: r.Line, Time: r.TimeUTC(), Origin: f.Origin, Method: r.Method,
				Path: r.Path, Query: r.Query, Status: r.Status, OriginStatus: r.OriginStatus, POP: r.POP,
				Upstream: r.Upstream, ClientIP: r.ClientIP, RequestID: r.RequestID, Duration: r.Duration}
			werr = w.Write(&row)
		}
	})
	if err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	return w.Flush()
}

// rereadable: every input is a file or directory on disk (not stdin, not
// the bundled samples).
func rereadable(in input.Options) bool {
	if len(in.Sources) > 0 || len(in.Paths) == 0 {
		return false
	}
	for _, p := range in.Paths {
		if p == input.StdinName {
			return false
		}
	}
	return true
}

// requestSelector picks a finding's requests out of re-read records the way
// the engine grouped them: the same origin key, the status that stormed,
// or for a 202 finding the 202 responses of its endpoint.
type requestSelector struct {
	origin   string
	status   int
	endpoint string // "POST /v1/exports/{id}" for incomplete_202
	groupBy  string
	resolve  func(input string) string
}

func requestsOf(f *report.Finding, rc rules.Config) requestSelector {
	s := requestSelector{origin: f.Origin, groupBy: rc.GroupBy, resolve: rc.Origin}
	switch f.Kind {
	case rules.KindBurst520:
		s.status = 520
	case rules.KindBurst5xx:
		s.status = f.Status
	case rules.KindIncomplete202:
		s.status, s.endpoint = 202, f.Endpoint
	}
	return s
}

func (s requestSelector) describe() string {
	if s.endpoint != "" {
		return fmt.Sprintf("the 202 responses of %s on %s (the finding's operations are among them)", s.endpoint, s.origin)
	}
	return fmt.Sprintf("status %d on %s", s.status, s.origin)
}

func (s requestSelector) match(r *parse.Record) bool {
	if r.Status != s.status || s.originOf(r) != s.origin {
		return false
	}
	return s.endpoint == "" || r.Method+" "+rules.PathTemplate(r.Path) == s.endpoint
}

// originOf mirrors the engine's origin key: the host, or with --group-by
// origin-ip/upstream the upstream when logged, else the input's origin.
func (s requestSelector) originOf(r *parse.Record) string {
	key := r.Host
	if s.groupBy != "host" && r.Upstream != "" {
		key = r.Upstream
	}
	if key != "" {
		return key
	}
	if s.resolve != nil {
		if name := s.resolve(r.Input); name != "" {
			return name
		}
	}
	return rules.DefaultOrigin(r.Input)
}
