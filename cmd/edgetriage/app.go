package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/causes"
)

// app is a command line resolved against the config file: everything a
// command needs to build its pipeline.
type app struct {
	o      *options
	input  input.Options
	rules  rules.Config
	causes *causes.Set
	failOn rules.Severity
	redact bool
	// chColumns: the config file's clickhouse_columns, then --ch-column
	chColumns []string
	// warnings are printed to stderr before the command runs.
	warnings []string
	mutes    []rules.Mute // the config's mute: list
	config   string       // the config file's path, where m writes mutes
}

// buildConfig merges the config file under the flags (flags win) and
// compiles the cause rules.
func buildConfig(o *options) (*app, error) {
	path, explicit := o.configPath, o.configPath != ""
	if !explicit {
		path = defaultConfigPath()
	}
	fc, warning, err := loadConfig(path, explicit)
	if err != nil {
		return nil, err
	}
	a := &app{o: o, redact: o.redact, mutes: fc.Mute, config: path}
	a.chColumns = append(append([]string(nil), fc.ClickHouseColumns...), o.ch.columns...)
	if warning != "" {
		a.warnings = append(a.warnings, warning)
	}

	// Thresholds: flag if given, else the config file, else the flag default.
	rc := rules.DefaultConfig()
	rc.BurstWindow, rc.BurstMin, rc.PendingTimeout = o.burstWindow, o.burstMin, o.pendingTimeout
	rc.GroupBy, rc.MaxPending = o.groupBy, o.maxPending
	if fc.BurstWindow != nil && !o.set["burst-window"] {
		rc.BurstWindow = time.Duration(*fc.BurstWindow)
	}
	if fc.BurstMin != nil && !o.set["burst-min"] {
		rc.BurstMin = *fc.BurstMin
	}
	if fc.PendingTimeout != nil && !o.set["pending-timeout"] {
		rc.PendingTimeout = time.Duration(*fc.PendingTimeout)
	}
	if fc.GroupBy != nil && !o.set["group-by"] {
		rc.GroupBy = *fc.GroupBy
	}
	if fc.MaxPending != nil && !o.set["max-pending"] {
		rc.MaxPending = *fc.MaxPending
	}
	if fc.Redact != nil && !o.set["redact"] {
		a.redact = *fc.Redact
	}
	if !rules.ValidGroupBy(rc.GroupBy) {
		return nil, usagef("unknown group-by %q (want host, origin-ip or upstream)", rc.GroupBy)
	}
	if rc.BurstWindow <= 0 || rc.BurstMin < 1 || rc.PendingTimeout <= 0 || rc.MaxPending < 1 {
		return nil, usagef("burst-window, burst-min, pending-timeout and max-pending must be positive")
	}

	failOn := o.failOn
	if fc.FailOn != nil && !o.set["fail-on"] {
		failOn = *fc.FailOn
	}
	if failOn == "" {
		failOn = "warning"
	}
	if a.failOn, err = rules.ParseSeverity(failOn); err != nil {
		return nil, usagef("--fail-on: %v", err)
	}

	ruleFiles := append(append([]string(nil), fc.Rules...), o.rules...)
	if o.check != "" {
		ruleFiles = append(ruleFiles, o.check)
	}
	if a.causes, err = causes.Load(ruleFiles...); err != nil {
		return nil, err
	}
	rc.Routes = a.causes.Routes()
	rc.Explain = a.causes.Explain
	origins := append(append([]string(nil), fc.Origins...), o.origins...)
	rc.Origin = originResolver(origins)
	a.rules = rc

	maxLine := o.maxLine
	if fc.MaxLine != nil && !o.set["max-line"] {
		maxLine = fmt.Sprint(int64(*fc.MaxLine))
	}
	ml, err := parseByteSize(maxLine)
	if err != nil {
		return nil, usagef("--max-line: %v", err)
	}
	now := time.Now()
	since, err := parseTime(o.since, now)
	if err != nil {
		return nil, err
	}
	until, err := parseTime(o.until, now)
	if err != nil {
		return nil, err
	}
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return nil, usagef("--until %s is not after --since %s", o.until, o.since)
	}
	a.input = input.Options{
		Recursive: o.recursive,
		AllFiles:  o.allFiles,
		Formats:   append(append([]string(nil), fc.LogFormats...), o.logFormats...),
		Since:     since,
		Until:     until,
		MaxLine:   int(ml),
		Follow:    o.command == "tail" || o.follow,
		FromStart: o.fromStart,
	}
	return a, nil
}

// originResolver names the origin of records without a host: the first
// GLOB=NAME whose glob matches the input's path or base name, else a plain
// NAME, else the input's path without rotation and compression suffixes.
func originResolver(specs []string) func(string) string {
	type rule struct{ glob, name string }
	var globs []rule
	plain := ""
	for _, s := range specs {
		if i := strings.IndexByte(s, '='); i > 0 {
			globs = append(globs, rule{s[:i], s[i+1:]})
		} else if s != "" {
			plain = s
		}
	}
	return func(in string) string {
		for _, r := range globs {
			if globMatch(r.glob, in) {
				return r.name
			}
		}
		if plain != "" {
			return plain
		}
		return rules.DefaultOrigin(in)
	}
}

func globMatch(glob, path string) bool {
	if ok, _ := filepath.Match(glob, path); ok {
		return true
	}
	ok, _ := filepath.Match(glob, filepath.Base(path))
	return ok
}

// isTerminal reports whether stdout (or stdin) is a terminal, asked of the
// terminal driver: /dev/null is a character device but no terminal, and
// output to it is not for a person (no colour, no indentation).
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// stdinHasLogs reports whether stdin carries a log to read when no PATH is
// given: a pipe, a socket or a redirected file. A terminal, /dev/null or no
// stdin at all mean "show the bundled samples".
func stdinHasLogs(stdin io.Reader) bool {
	if stdin == nil {
		return false
	}
	f, ok := stdin.(*os.File)
	if !ok {
		return true // an in-process reader (tests, embedding)
	}
	if term.IsTerminal(f.Fd()) {
		return false
	}
	st, err := f.Stat()
	if err != nil {
		return false
	}
	m := st.Mode()
	return m&os.ModeNamedPipe != 0 || m&os.ModeSocket != 0 || m.IsRegular()
}
