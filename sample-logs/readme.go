package samplelogs

import (
	"fmt"
	"strings"
)

// readmeIntro is the hand-written part of sample-logs/README.md; the file
// table and the truth table are generated after it (see Set.Readme).
const readmeIntro = `# sample-logs

Small, realistic demo logs for every format edgetriage reads, written by a
deterministic generator (seeded PCG, fixed base time 2026-11-20T09:00:00Z, no
wall clock) and embedded in the binary (` + "`" + `samplelogs.FS` + "`" + `, manifest
` + "`" + `samplelogs.Files()` + "`" + `) for the no-argument run.

` + "`" + `` + "`" + `` + "`" + `
go run ./sample-logs/gen                                    # rewrite cloudflare/, origin/, formats/ here
go run ./sample-logs/gen -truth                             # what the demo should show (the table below)
go run ./sample-logs/gen -truth-json                        # the same as JSON
go run ./sample-logs/gen -combined 1000000 -o /tmp/big.log  # 1M nginx combined lines (~186 MB) for benchmarks
go run ./sample-logs/gen -combined 1000000 -o /tmp/big.log -truth  # ... and print the storms planted in it
` + "`" + `` + "`" + `` + "`" + `

A test fails when the committed files differ from a fresh generation, when
a file reaches 1 MiB, or when this README's truth table is out of date.

## The story

One incident morning, 09:00–09:50 UTC, on a Cloudflare zone with three hosts:

- **shop.example.com** (origins 192.0.2.10 ` + "`" + `shop-1` + "`" + ` and 192.0.2.11 ` + "`" + `shop-2` + "`" + `):
  a sale e-mail goes out at 09:15; shop-2's PHP workers return a few 5xx
  (502, 500, 502, 503) and then crash in a loop from 09:17 to 09:20. Every
  new connection to shop-2 is accepted and reset within milliseconds: **60
  fast 520s**, new connections, OriginResponseStatus 0, all PoPs and paths.
  shop-2's nginx logged only 4 of them (as 200 with 0 bytes); shop-1 stayed
  healthy. Two lone 520s on shop far from the burst.
- **api.example.com** (origin 198.51.100.20): async jobs.
  ` + "`" + `POST /v1/exports` + "`" + ` (absolute Location to ` + "`" + `/v1/jobs/{id}` + "`" + `, Retry-After 10,
  303 to the download when done): 20 complete, 3 **stuck_pending** (polled
  every 30 s past the 10-minute deadline), 3 **client_gave_up** (browser
  users stop after three polls), 2 still running at the end (in flight).
  ` + "`" + `POST /v1/imports` + "`" + ` (relative Location): 10 complete, 3 **status_lost**
  (poll answers 404), 3 **status_error** (503/500). ` + "`" + `POST /v1/reports` + "`" + `: 8
  complete, 4 **never_polled** (browser clients), 3 **poll_rejected** (401,
  429). ` + "`" + `POST /v1/events` + "`" + `: 36 beacons nobody polls (**fire_and_forget**).
  ` + "`" + `DELETE /v1/projects/{id}` + "`" + `: polled at the same path until 404, which
  completes a DELETE. Nine scattered 520s on reused connections, including a
  near-miss cluster of 4 within a minute and one relayed 520
  (OriginResponseStatus 520) that the origin logged.
- **static.example.com** (origin 198.51.100.30, an object store without a log
  here): mostly cache hits; from 09:31 to 09:33:30 a firewall change drops
  Cloudflare while a deploy's new asset URLs are cold: a **522 storm** (not a
  520 burst). Five 520s spread two minutes apart (never five in a minute).

The origins' nginx logs use a custom ` + "`" + `log_format` + "`" + ` (` + "`" + `samplelogs.OriginNginxFormat` + "`" + `)
with ` + "`" + `$http_cf_ray` + "`" + ` (` + "`" + `<RayID>-<colo>` + "`" + `), ` + "`" + `$http_cf_connecting_ip` + "`" + `, ` + "`" + `$host` + "`" + `,
` + "`" + `$upstream_status` + "`" + `, ` + "`" + `$request_time` + "`" + ` and ` + "`" + `$sent_http_location` + "`" + `, so every
origin line joins an edge record by RayID. shop origins log in +0100.

## Files

`

// Readme renders sample-logs/README.md for this set: the story, the
// manifest and the truth table. `go run ./sample-logs/gen` writes it and a
// test keeps the committed copy current.
func (s *Set) Readme() []byte {
	var sb strings.Builder
	sb.WriteString(readmeIntro)
	sb.WriteString("| file | format | what is in it |\n|---|---|---|\n")
	for _, f := range s.Files {
		format := f.Format
		if strings.HasPrefix(format, "nginx:") || strings.HasPrefix(format, "apache:") {
			format = strings.SplitN(format, ":", 2)[0] + ":<format>"
		}
		fmt.Fprintf(&sb, "| `%s` | `%s` | %s |\n", f.Name, format, f.Description)
	}
	fmt.Fprintf(&sb, "\nThe custom formats, as `--log-format` takes them:\n\n```\nnginx:%s\napache:%s\n```\n", OriginNginxFormat, ApacheCustomFormat)
	sb.WriteString("\n## Truth\n\nWhat the rules engine should find with all files read together and default settings\n" +
		"(`samplelogs.Truth`; origins without a host are the file's manifest name):\n\n```\n")
	sb.WriteString(s.Truth.Table())
	sb.WriteString("```\n")
	sb.WriteString(scenarioReadme())
	return []byte(sb.String())
}

// scenarioReadme is the README section on the generated scenarios.
func scenarioReadme() string {
	var sb strings.Builder
	sb.WriteString(`
## Scenarios

` + "`samplelogs.Scenarios()`" + ` are generated, not committed: each plants one documented
cause (the cause ids of ` + "`rules/causes/default.yaml`" + `) in realistic Logpush NDJSON
(eight data centres, several origin IPs, routes with ids, client networks,
user-agent families, cache statuses, reused and new connections, header
waits), with an origin nginx log joined by CF-Ray where the cause needs it.
` + "`Generate(seed)`" + ` returns the files and the truth (per expected finding: origin,
kind, status, cause id, separating dimension and values, span); the numbers
(which data centres or servers, rates, counts, times) move with the seed, so
only the signature stays. ` + "`rules/scenarios_test.go`" + ` runs each through the pipeline,
the engine and the default cause rules.

| scenario | cause id | signature | domain.md row |
|---|---|---|---|
`)
	for _, sc := range scenarioList {
		cause := sc.Cause
		if cause == "" {
			cause = "(none: quiet)"
		}
		fmt.Fprintf(&sb, "| `%s` | `%s` | %s | %s |\n", sc.Name, cause, sc.Signature, sc.Rows)
	}
	sb.WriteString(`
The 1M-line combined file (` + "`gen -combined`" + `) keeps a steady 0.4% of each of
500/502/503/504 and, from 100,000 lines on, plants three storms:
` + "`/search`" + ` 504 at 30% of the file (route-failing), a 502 on a third of every
route at 60% (origin-wide) and ` + "`/api/v1/orders/{id}`" + ` 502 at 85% (route-failing).
Its 202s are beacons to ` + "`POST /api/v1/events`" + ` nobody polls (fire and forget).
` + "`WriteCombinedTruth`" + ` returns what it planted; the warning findings must be those.
`)
	return sb.String()
}
