package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse/formats"
	"github.com/edgetriage/edgetriage/rules/causes"
)

// Exit codes: the highest that applies wins.
const (
	exitOK       = 0
	exitFindings = 1 // a finding at or above --fail-on
	exitUsage    = 2 // usage error or an input that could not be read
)

// usageError marks errors that are the user's to fix (exit 2, with a hint).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// options are the parsed command line of any subcommand.
type options struct {
	command string // open, tail, report, rules
	paths   []string

	recursive  bool
	allFiles   bool
	logFormats stringList
	origins    stringList
	since      string
	until      string
	maxLine    string

	burstWindow    time.Duration
	burstMin       int
	pendingTimeout time.Duration
	groupBy        string
	maxPending     int

	configPath string
	rules      stringList
	redact     bool
	check      string // rules --check FILE
	features   bool   // rules --features

	// report
	output    string
	json      bool
	requests  string // finding id: write its requests (with --output csv)
	failOn    string
	follow    bool
	fromStart bool
	noColor   bool
	allCauses bool

	ch clickhouseFlags // clickhouse:// tables and ch-load
	// the interface (open, tail)
	bell bool
	tz   string

	set map[string]bool // flags given explicitly (they win over the config file)
}

const usageTop = `edgetriage finds 520 bursts and 202 Accepted requests that never completed
in web-server and CDN access logs, groups them by origin and suggests fixes.

Usage:
  edgetriage                      open the bundled sample logs (a demo)
  edgetriage [open] PATH...       explore archived logs in the terminal interface
  edgetriage tail PATH...         follow live logs like tail -F
  edgetriage report PATH...       print a report (text, --json, --output md|html|csv)
  edgetriage rules                list the active cause rules
  edgetriage rules --check FILE   validate a rule file
  edgetriage rules --features     the features rules may use (--json)
  edgetriage report clickhouse://HOST:8123/DB.TABLE
                                  the same report from a ClickHouse table of Logpush data
  edgetriage ch-load clickhouse://HOST:8123/DB.TABLE FILE...
                                  load NDJSON Logpush files into such a table
  edgetriage --version

PATH is a file, a glob, a directory (rotated families read oldest first),
or - for standard input; compressed files (gzip, zstd, bzip2, xz) are
detected by their content. Run 'edgetriage COMMAND --help' for the flags.
`

// newFlagSet declares the flags of one command into o.
func newFlagSet(cmd string, o *options, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("edgetriage "+cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	if cmd != "rules" {
		fs.BoolVar(&o.recursive, "r", false, "read directories recursively (short for --recursive)")
		fs.BoolVar(&o.recursive, "recursive", false, "read directories recursively (a Logpush bucket synced to disk)")
		fs.BoolVar(&o.allFiles, "all-files", false, "in directories, read every file, also those that are clearly not logs (certificates, patches, binaries)")
		fs.Var(&o.logFormats, "log-format", "log format `NAME` for all inputs, or GLOB=NAME for matching ones (repeatable;\nwithout it each input's format is detected):\n"+strings.TrimRight(formats.Help(), "\n"))
		fs.Var(&o.origins, "origin", "origin `NAME` for logs without a host, or GLOB=NAME per input (repeatable)")
		fs.StringVar(&o.since, "since", "", "keep records at or after `TIME` (RFC 3339, or relative such as 2h)")
		fs.StringVar(&o.until, "until", "", "keep records before `TIME` (RFC 3339, or relative such as 30m)")
		fs.StringVar(&o.maxLine, "max-line", "1MiB", "lines longer than `SIZE` are counted as over-long and skipped")
		fs.DurationVar(&o.burstWindow, "burst-window", 60*time.Second, "window W of the burst definition")
		fs.IntVar(&o.burstMin, "burst-min", 5, "errors N within W that make a burst")
		fs.DurationVar(&o.pendingTimeout, "pending-timeout", 10*time.Minute, "a 202 not completed this long after it was accepted is judged")
		fs.StringVar(&o.groupBy, "group-by", "host", "group findings by `KEY`: host, origin-ip or upstream")
		fs.IntVar(&o.maxPending, "max-pending", 250000, "cap on pending 202 operations held in memory (evictions are counted)")
		fs.BoolVar(&o.redact, "redact", false, "mask client IPs and query strings in every output")
	}
	if cmd != "rules" {
		addClickHouseFlags(fs, &o.ch)
	}
	fs.StringVar(&o.configPath, "config", "", "config `FILE` (default $XDG_CONFIG_HOME/edgetriage/config.yaml)")
	fs.Var(&o.rules, "rules", "cause rule `FILE` that adds or overrides rules (repeatable)")
	switch cmd {
	case "report":
		fs.StringVar(&o.output, "output", "text", "output `FORMAT`: text, json, md, html (one self-contained page) or csv (one row per finding)")
		fs.BoolVar(&o.json, "json", false, "short for --output json")
		fs.StringVar(&o.requests, "requests", "", "with --output csv: write every request of finding `ID` (re-read from the files; the retained samples for stdin)")
		fs.StringVar(&o.failOn, "fail-on", "warning", "exit 1 when a finding at or above `SEVERITY` exists (info, warning, critical)")
		fs.BoolVar(&o.follow, "follow", false, "follow the files and print each finding as a JSON line when judged or changed")
		fs.BoolVar(&o.fromStart, "from-start", false, "with --follow: read the files from the start, not the end")
		fs.BoolVar(&o.noColor, "no-color", false, "no colours in text output (also NO_COLOR)")
		fs.BoolVar(&o.allCauses, "all-causes", false, "show every cause of a finding, not only the three most likely")
	case "rules":
		fs.StringVar(&o.check, "check", "", "validate rule `FILE` against every declared feature and try each rule; exit 2 on any problem")
		fs.BoolVar(&o.features, "features", false, "print the feature schema rules may use (name, kinds, unit, meaning)")
		fs.BoolVar(&o.json, "json", false, "with --features: print it as JSON")
	case "tail":
		fs.BoolVar(&o.fromStart, "from-start", false, "read the files from the start, not the end")
	}
	if cmd == "open" || cmd == "tail" {
		fs.BoolVar(&o.bell, "bell", false, "ring the terminal bell when a new warning or critical finding appears")
		fs.StringVar(&o.tz, "tz", "local", "show times in `ZONE`: local, UTC or Area/City (e.g. Europe/Berlin)")
	}
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: edgetriage %s [flags] %s\n\nFlags:\n", cmd, map[bool]string{true: "", false: "PATH..."}[cmd == "rules"])
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs splits the command and parses its flags, which may come before,
// between or after the paths ("report access.log --json" works).
func parseArgs(args []string, out io.Writer) (*options, error) {
	// Defaults for commands that do not declare every flag ("rules").
	o := &options{command: "open", set: map[string]bool{}, groupBy: "host", maxLine: "1MiB",
		burstWindow: 60 * time.Second, burstMin: 5, pendingTimeout: 10 * time.Minute,
		maxPending: 250000, output: "text", failOn: "warning"}
	if len(args) > 0 {
		switch args[0] {
		case "open", "tail", "report", "rules", "ch-load":
			o.command, args = args[0], args[1:]
		case "help":
			return nil, flag.ErrHelp
		default:
			if err := unknownCommand(args[0]); err != nil {
				return nil, err
			}
		}
	}
	fs := newFlagSet(o.command, o, out)
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			o.paths = append(o.paths, rest[1:]...)
			break
		}
		o.paths = append(o.paths, rest[0])
		args = rest[1:]
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if o.json {
		o.output = "json"
	}
	switch o.output {
	case "", "text", "json", "md", "markdown", "html", "csv":
	default:
		return nil, usagef("unknown --output %q (want text, json, md, html or csv)", o.output)
	}
	if o.requests != "" && o.output != "csv" {
		return nil, usagef("--requests writes CSV: add --output csv")
	}
	switch o.groupBy {
	case "host", "origin-ip", "upstream":
	default:
		return nil, usagef("unknown --group-by %q (want host, origin-ip or upstream)", o.groupBy)
	}
	if o.command == "rules" && len(o.paths) > 0 {
		return nil, usagef("rules takes no paths")
	}
	if o.command == "tail" && len(o.paths) == 0 {
		return nil, usagef("tail needs at least one PATH to follow")
	}
	if o.follow && o.command == "report" && len(o.paths) == 0 {
		return nil, usagef("report --follow needs at least one PATH to follow")
	}
	return o, nil
}

// parseTime reads an RFC 3339 time or a duration relative to now ("2h" = two
// hours ago).
func parseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(s, "-")); err == nil && d >= 0 {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, usagef("bad time %q: want RFC 3339 (2026-11-20T10:00:00Z) or a duration ago (2h, 30m)", s)
}

// commands are the subcommands, for "did you mean".
var commands = []string{"open", "tail", "report", "rules", "help"}

// unknownCommand is the usage error for a first word that is neither a
// command nor a path: "edgetriage frobnicate" is a typo, not a log. A word
// that exists, or could be a path or glob (a dot, a slash, a wildcard), is
// left to be read as one.
func unknownCommand(word string) error {
	if word == "" || word[0] == '-' || strings.ContainsAny(word, "/.*?[\\~:") {
		return nil
	}
	if _, err := os.Lstat(word); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	best, bestD := "", 1<<30
	for _, c := range commands {
		if d := causes.EditDistance(strings.ToLower(word), c); d < bestD {
			best, bestD = c, d
		}
	}
	return usagef("unknown command %q: did you mean %q? (commands: open, tail, report, rules; a PATH must exist)", word, best)
}

var errHelp = flag.ErrHelp

func isHelp(err error) bool { return errors.Is(err, errHelp) }
