package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"text/tabwriter"
	"time"
)

// CombinedTruth is what the big combined file holds: its steady 5xx rates
// (which must raise no storm) and the storms planted in it (which must be
// the only warning findings). The file has no host: its origin is the
// input's name, so Origin is "" in Storms and Quiet.
type CombinedTruth struct {
	Lines      int
	Seed       uint64
	Start, End time.Time
	Storms     []ExpectedFinding
	Quiet      []QuietOrigin
}

// combinedStorm is one planted storm of the combined file.
type combinedStorm struct {
	frac   float64 // where it starts, as a share of the lines
	dur    time.Duration
	status int
	route  int // template index that fails, -1 every route
	share  float64
	cause  string
	tmpl   string // the route's template ("" for every route)

	startLine int
	from, to  time.Time // set when its first line is reached
	started   bool
	failures  int
	requests  int
	first     time.Time
	last      time.Time
}

// combinedStorms are the storms of one file, in time order.
type combinedStorms []*combinedStorm

// combinedStormMinLines is the smallest file that gets planted storms: a
// storm is a few thousand lines and must stand out of hours of traffic.
const combinedStormMinLines = 100_000

func plantCombinedStorms(n int) combinedStorms {
	if n < combinedStormMinLines {
		return nil
	}
	ss := combinedStorms{
		// The search backend times out: most searches get 504 for 5 minutes.
		{frac: 0.3, dur: 5 * time.Minute, status: 504, route: combinedSearch, share: 0.9, cause: "route-failing", tmpl: "/search"},
		// The app's upstream pool is half down: a third of everything is 502.
		{frac: 0.6, dur: 3 * time.Minute, status: 502, route: -1, share: 0.35, cause: "origin-wide"},
		// A bad release of the orders API: its reads get 502 for 4 minutes.
		{frac: 0.85, dur: 4 * time.Minute, status: 502, route: combinedOrders, share: 0.95, cause: "route-failing", tmpl: "/api/v1/orders/{id}"},
	}
	for _, s := range ss {
		s.startLine = int(s.frac * float64(n))
	}
	return ss
}

// at returns the storm active at line i and time t, or nil. A storm
// starts at its first line and lasts dur of log time.
func (ss combinedStorms) at(i int, t time.Time) *combinedStorm {
	for _, s := range ss {
		if !s.started {
			if i < s.startLine {
				return nil
			}
			s.started, s.from, s.to = true, t, t.Add(s.dur)
		}
		if t.Before(s.to) {
			return s
		}
	}
	return nil
}

// hit applies the storm to one line of the given route, returning its status.
func (s *combinedStorm) hit(r *rand.Rand, route int, t time.Time, status int) int {
	if s.route >= 0 && route != s.route {
		return status
	}
	s.requests++
	if r.Float64() >= s.share {
		return status
	}
	sec := t.Truncate(time.Second)
	if s.failures == 0 {
		s.first = sec
	}
	s.last = sec
	s.failures++
	return s.status
}

func (ss combinedStorms) truth(n int, seed uint64, start, end time.Time) CombinedTruth {
	ct := CombinedTruth{Lines: n, Seed: seed, Start: start, End: end.Truncate(time.Second),
		Quiet: []QuietOrigin{
			{Status: 502, Note: "steady 0.4% 502 outside the planted storms"},
			{Status: 504, Note: "steady 0.4% 504 outside the planted storms"},
		}}
	for _, s := range ss {
		if s.failures == 0 {
			continue
		}
		e := ExpectedFinding{Kind: "burst_5xx", Status: s.status, Cause: s.cause, Start: s.first, End: s.last,
			Failures: s.failures, Requests: s.requests}
		if s.tmpl != "" {
			e.Dimension, e.Values = "route", []string{s.tmpl}
			e.Note = fmt.Sprintf("%.0f%% of %s fails for %v; other routes keep their steady rate", s.share*100, s.tmpl, s.dur)
		} else {
			e.Note = fmt.Sprintf("%.0f%% of every route fails for %v", s.share*100, s.dur)
		}
		ct.Storms = append(ct.Storms, e)
	}
	return ct
}

// Table renders the truth for people.
func (ct CombinedTruth) Table() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "combined: %d lines, seed %d, %s .. %s (UTC)\n\n", ct.Lines, ct.Seed,
		ct.Start.Format(time.RFC3339), ct.End.Format(time.RFC3339))
	w := tabwriter.NewWriter(&sb, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tSTATUS\tSTART\tEND\tFAILED\tOF\tCAUSE\tSEPARATES")
	for _, e := range ct.Storms {
		sep := "-"
		if e.Dimension != "" {
			sep = e.Dimension + " = " + strings.Join(e.Values, ", ")
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%d\t%d\t%s\t%s\n", e.Kind, e.Status, e.Start.Format(time.DateTime), e.End.Format(time.DateTime),
			e.Failures, e.Requests, e.Cause, sep)
	}
	w.Flush()
	for _, q := range ct.Quiet {
		fmt.Fprintf(&sb, "quiet: %d (%s)\n", q.Status, q.Note)
	}
	return sb.String()
}
