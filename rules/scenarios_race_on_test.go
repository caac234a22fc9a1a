//go:build race

package rules_test

// raceEnabled: under the race detector the scenario table runs one
// scenario only (the pipeline's races are covered by parse/input's tests;
// the rest is the same single-goroutine engine, ten times slower).
const raceEnabled = true
