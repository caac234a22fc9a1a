package rules_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// scenarioSeeds are the generations every scenario is checked on: the
// default and one more, so a rule tuned to one set of numbers (which data
// centres, how many requests, when) fails. EDGETRIAGE_SCENARIO_SEEDS
// ("1,2,3") checks others.
func scenarioSeeds(t *testing.T) []uint64 {
	env := os.Getenv("EDGETRIAGE_SCENARIO_SEEDS")
	if env == "" {
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
