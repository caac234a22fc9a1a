package samplelogs

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Table renders the truth for people: what the demo should show.
func (t Truth) Table() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "seed %d, records %s .. %s (UTC)\n\n", t.Seed, t.Oldest.Format(time.RFC3339), t.Newest.Format(time.RFC3339))
	w := tabwriter.NewWriter(&sb, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tORIGIN\tSTATUS\tCOUNT\tSTART\tEND\tPEAK60\tSHARE\tFAILED / HEALTHY\tBEFORE\tORIGIN LOG")
	for _, b := range t.Bursts {
		join := "-"
		if b.OriginLogged >= 0 {
			join = fmt.Sprintf("logged %d (200/0B %d), missing %d", b.OriginLogged, b.OriginEmpty200, b.OriginMissing)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\t%d\t%.2f\t%s / %s\t%d %v\t%s\n", b.Kind, b.Origin, b.Status, b.Count,
			clock(b.Start), clock(b.End), b.Peak60s, b.Share, strings.Join(b.UpstreamsFailed, ","),
			strings.Join(b.UpstreamsHealthy, ","), b.ErrorsBefore, statusMap(b.StatusesBefore), join)
	}
	w.Flush()
	sb.WriteString("\n")
	w = tabwriter.NewWriter(&sb, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tORIGIN\tSTATUS\tPLANTED CAUSE\tSEPARATES")
	for _, b := range t.Bursts {
		sep := "-"
		switch {
		case b.Dimension != "":
			sep = b.Dimension + " = " + strings.Join(b.Values, ", ")
		case !b.StepAt.IsZero():
			sep = "step at " + clock(b.StepAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", b.Kind, b.Origin, b.Status, b.Cause, sep)
	}
	w.Flush()
	sb.WriteString("\n")
	w = tabwriter.NewWriter(&sb, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SUBTYPE\tORIGIN\tENDPOINT\tCOUNT\tFIRST OPEN\tLAST OPEN\tLINKED BY")
	for _, g := range t.Async {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", g.Subtype, g.Origin, g.Endpoint, g.Count, clock(g.Start), clock(g.End),
			[]string{"header", "same path", "POST->GET"}[g.LinkedBy])
	}
	w.Flush()
	fmt.Fprintf(&sb, "\ninflight at the end: %d (of which fire-and-forget %d)\n\n", t.Inflight, t.InflightFireAndForget)
	w = tabwriter.NewWriter(&sb, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ENDPOINT\tORIGIN\tOPS\tCOMPLETED\tPOLLED\tINFLIGHT")
	for _, e := range t.Endpoints {
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\n", e.Endpoint, e.Origin, e.Ops, e.Completed, e.Polled, e.Inflight)
	}
	w.Flush()
	sb.WriteString("\nnear misses (5xx never 5 within 60 s):\n")
	for _, e := range t.Errors {
		if e.Max60s < TruthBurstMin && slices.Contains(stormStatuses, e.Status) {
			fmt.Fprintf(&sb, "  %s %d: %d in all, at most %d within 60 s\n", e.Origin, e.Status, e.Count, e.Max60s)
		}
	}
	return sb.String()
}

func clock(t time.Time) string { return t.UTC().Format("15:04:05.000") }

func statusMap(m map[int]int) string {
	var keys []int
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d:%d", k, m[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}
