package rules

import (
	"fmt"
	"strings"
)

// FeaturesMarkdown renders the feature schema as FEATURES.md (go generate
// ./rules/ writes it; a test checks the file is current).
func FeaturesMarkdown() string {
	var b strings.Builder
	b.WriteString(docIntro)
	section := func(title, prose string, kinds []Kind, after string) {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", title, strings.TrimSpace(prose))
		b.WriteString("| feature | unit | meaning | computed by |\n|---|---|---|---|\n")
		for _, f := range schema {
			if !f.Context() && hasAnyKind(f, kinds) {
				fmt.Fprintf(&b, "| `%s` | %s | %s | `%s` |\n", f.Name, f.Unit, mdCell(f.Meaning), f.Func)
			}
		}
		b.WriteString("\nContext (template data):\n\n| entry | type | meaning | computed by |\n|---|---|---|---|\n")
		for _, f := range schema {
			if f.Context() && hasAnyKind(f, kinds) {
				opt := ""
				if f.Optional {
					opt = " (optional)"
				}
				fmt.Fprintf(&b, "| `%s` | %s%s | %s | `%s` |\n", f.Name, f.Unit, opt, mdCell(f.Meaning), f.Func)
			}
		}
		if after != "" {
			fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(after))
		}
	}
	section("burst_520 and burst_5xx", docBursts, burstKinds, docBurstSamples)
	section("steady_5xx", docSteady, steadyKinds, "")
	section("incomplete_202", doc202, kinds202, doc202Samples+"\n\n"+docNotes)
	return b.String()
}

func hasAnyKind(f Feature, kinds []Kind) bool {
	for _, k := range kinds {
		for _, fk := range f.Kinds {
			if fk == k {
				return true
			}
		}
	}
	return false
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

const docIntro = `# Finding features and context (rules engine → cause rules)

<!-- Generated from the schema in rules/features.go by go generate ./rules/; do not edit. -->

` + "`Finding.Features`" + ` holds numbers the cause rules test; ` + "`Finding.Context`" + ` holds
non-numeric evidence (template data). Unknown numbers are **-1**; shares are
0..1. Every feature is declared once in rules/features.go, with its unit,
finding kinds, meaning and the function computing it; a test checks that
every finding emits exactly the declared features.
`

const docBursts = `A 520 is *dense* when some closed window [t, t+W] holds it and at least N−1
other 520s of its origin. A burst is a maximal run of dense 520s in which each
comes within W of the previous one; start and end are its first and last
dense 520, its count every 520 of the origin from start to end. Storms of
502, 504 and 521–524 (` + "`burst_5xx`" + `, ` + "`Finding.Status`" + `) are a change, not a
count: a window of N within W is dense only when the origin's share of that
status in it is significantly above its own baseline (the 15 minutes before,
stormy minutes left out): one-sided binomial p ≤ 1e-6, at least twice the
baseline share and one point above it; a storm needs at least 10 errors, and
storms of one origin and status closer than 5 minutes are one. Without a
baseline the window is dense by N within W and the storm is judged again
against the origin's other requests; failing that it carries ` + "`no_baseline`" + `.
Severity follows impact: below a 20% share (5% for a long, large storm) a
burst is at most a warning.

The contrast compares the origin's failing requests with its healthy ones in
the span and in the 15 minutes before it, per dimension: ` + "`colo`" + ` (data centre),
` + "`upstream`" + `, ` + "`route`" + ` (path template), ` + "`segment`" + `, ` + "`method`" + `, ` + "`client_net`" + ` (/24, /48),
` + "`ua_family`" + `, ` + "`protocol`" + `, ` + "`cache`" + `, ` + "`connection`" + ` (new / reused), ` + "`header_wait`" + `
(<20ms, 20-500ms, 0.5-5s, >=5s) and ` + "`input`" + `. A 520 burst's failures are its
520s; a storm's are the origin's other 5xx. Counts are per minute, bounded
(256 values per dimension and minute, kept by smallest FNV hash, so record
by record and GROUP BY aggregates give the same counts; each closed minute
keeps its top 16 values by requests and by failures), for the first 256
origins.`

const docSteady = `One information finding per origin whose dense runs of a 5xx never rose
significantly above its own baseline: "busy.example.com: steady 0.4% 502
over 23.5 h" (` + "`Finding.Verdict`" + `). It is neither a warning nor a storm; cause
rules do not apply to it.`

const docBurstSamples = `Samples: the first ¾·MaxSamples errors, the latest ¼, then joined origin
records (` + "`" + `Role` + "`" + ` "origin").`

const doc202 = `Grouped by origin + endpoint (opening method + path template) + sub-type.
An operation is judged when event time passes J = first 202 + timeout (route
override or ` + "`--pending-timeout`" + `).`

const doc202Samples = `Samples: per operation (up to MaxSamples per group) the opening 202
(` + "`" + `Role` + "`" + ` "open"), its first poll and its last two (` + "`" + `Role` + "`" + ` "poll").`

const docNotes = `### Notes on the definitions
- A GET/HEAD 202 that is not a poll of an open operation opens one whose status
  resource is its own path; it counts as its first poll.
- A same-path DELETE completes on a poll answering 404, 410 or 204; a 200 there
  means the resource still exists (pending).
- Poll style ` + "`" + `body` + "`" + ` (per route): 200 does not complete; at J an operation whose
  last poll answered 200 before J − G is inferred complete (latency to that poll),
  one still polled at or after J − G is ` + "`" + `stuck_pending` + "`" + `.
- Routes match the opening method + template or ` + "`" + `GET` + "`" + ` + the status resource's
  template; ` + "`" + `{name}` + "`" + ` and ` + "`" + `:name` + "`" + ` segments equal ` + "`" + `{id}` + "`" + `; a trailing ` + "`" + `*` + "`" + ` matches any rest.
- Fire-and-forget is decided at each snapshot (≥ 20 operations, polled·20 < operations),
  so a ` + "`" + `never_polled` + "`" + ` group shown earlier disappears when its endpoint turns out
  fire-and-forget (and back if polling appears).
- Edge and origin logs together, per host: origin-log records of a host (the
  status-resource key: the record's host, or for hostless logs the input's
  origin name, so ` + "`" + `--origin` + "`" + ` naming a hostless log after the edge host counts)
  that an edge log carries take no part in the 202 lifecycle; they serve the
  join. Origin logs of other hosts, and hostless logs named by their path,
  keep their own operations and findings. When a host's first edge record
  arrives, its origin-log operations still open are dropped (not counted as
  evictions nor in flight) and origin-log endpoints only that host opened are
  withdrawn with their findings — whatever the order within the reorder window
  and even when the edge log starts later — so an operation is never reported
  from both logs.
  Per origin, an origin that has edge records counts only those for bursts and
  shares; its origin-log records serve the join.
- The findings list is capped (` + "`" + `Config.MaxFindings` + "`" + `, default 10,000 bursts and
  202 groups): past it the least recently changed finding is dropped,
  resolved ones first (a burst that can no longer grow or change through the
  join; a group to which no operation was judged for a pending timeout), and
  counted in ` + "`" + `Snapshot.DroppedFindings` + "`" + ` (` + "`" + `dropped_findings` + "`" + `).`
