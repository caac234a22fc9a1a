package rules_test

import (
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/rules"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// scenarioSeeds are the generations every scenario is checked on: the
// default and one more (only the default with -short), so a rule tuned to
// one set of numbers (which data centres, how many requests, when) fails.
// EDGETRIAGE_SCENARIO_SEEDS ("1,2,3") checks others.
func scenarioSeeds(t *testing.T) []uint64 {
	env := os.Getenv("EDGETRIAGE_SCENARIO_SEEDS")
	switch {
	case env == "" && testing.Short():
		return []uint64{samplelogs.DefaultSeed}
	case env == "":
		return []uint64{samplelogs.DefaultSeed, 7}
	}
	var seeds []uint64
	for _, s := range strings.Split(env, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			t.Fatalf("EDGETRIAGE_SCENARIO_SEEDS: %v", err)
		}
		seeds = append(seeds, n)
	}
	return seeds
}

// TestScenarios runs every generated scenario through the input pipeline,
// the engine and the default cause rules: each planted burst or storm is
// found, its top cause is the planted one, the contrast separates the
// planted values and the verdict and evidence name them; steady error
// rates and background noise raise nothing of warning or above.
//
// Heavy scenarios (the four-hour, 60 requests/s steady host) run with
// EDGETRIAGE_HEAVY_SCENARIOS=1.
func TestScenarios(t *testing.T) {
	heavy := os.Getenv("EDGETRIAGE_HEAVY_SCENARIOS") == "1"
	for _, sc := range samplelogs.Scenarios() {
		for _, seed := range scenarioSeeds(t) {
			t.Run(sc.Name+"/"+strconv.FormatUint(seed, 10), func(t *testing.T) {
				if sc.Heavy && !heavy {
					t.Skip("heavy: set EDGETRIAGE_HEAVY_SCENARIOS=1")
				}
				if testing.Short() && strings.HasPrefix(sc.Name, "storm-steady") {
					t.Skip("-short: the steady host streams 100,000+ lines")
				}
				set := sc.Generate(seed)
				snap := runScenario(t, set)
				for _, e := range set.Truth.Expected {
					checkExpected(t, snap, e)
				}
				for _, q := range set.Truth.Quiet {
					checkQuiet(t, snap, q, set.Truth.Expected)
				}
				if t.Failed() {
					t.Logf("scenario %s: %s\nfindings: %s", sc.Name, sc.Description, allFindings(snap))
				}
			})
		}
	}
}

// TestCombinedWarningsArePlanted reads a generated combined log of many
// hours (steady 0.4% 502 and 504 at 12 requests/s, plus three planted
// storms): the warning findings are the planted storms and nothing else,
// each with its planted cause.
func TestCombinedWarningsArePlanted(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: streams 300,000 lines")
	}
	const lines, name = 300_000, "big-combined.log"
	_, truth, err := samplelogs.WriteCombinedTruth(io.Discard, lines, 11)
	if err != nil {
		t.Fatal(err)
	}
	if len(truth.Storms) != 3 {
		t.Fatalf("planted %d storms, want 3", len(truth.Storms))
	}
	var set samplelogs.ScenarioSet
	set.Name = "combined"
	set.Files = []samplelogs.ScenarioFile{samplelogs.StreamedFile(name, "combined", func(w io.Writer) error {
		_, err := samplelogs.WriteCombined(w, lines, 11)
		return err
	})}
	snap := runScenario(t, &set)
	for _, e := range truth.Storms {
		e.Origin = name
		checkExpected(t, snap, e)
	}
	warnings := 0
	var unplanted []string
	for i := range snap.Findings {
		f := &snap.Findings[i]
		if f.Severity < rules.SeverityWarning {
			continue
		}
		warnings++
		planted := false
		for _, e := range truth.Storms {
			if string(f.Kind) == e.Kind && f.Status == e.Status && overlaps(f, e.Start, e.End) {
				planted = true
			}
		}
		if !planted {
			unplanted = append(unplanted, describe(f))
		}
	}
	if len(unplanted) > 0 {
		t.Errorf("%d warning findings that were not planted, the first: %s", len(unplanted),
			strings.Join(unplanted[:min(5, len(unplanted))], "\n  "))
	}
	t.Logf("%d warning findings, %d planted storms", warnings, len(truth.Storms))
}
