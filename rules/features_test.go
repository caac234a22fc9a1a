package rules_test

import (
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/edgetriage/edgetriage/rules"
)

// checkDeclared asserts that every finding emits exactly the declared
// features of its kind, and only declared context entries (all the
// required ones).
func checkDeclared(t *testing.T, where string, s *rules.Snapshot) {
	t.Helper()
	for _, f := range s.Findings {
		want := rules.FeatureNames(f.Kind)
		if len(want) == 0 {
			t.Errorf("%s: kind %s has no declared features", where, f.Kind)
			continue
		}
		var got []string
		for k := range f.Features {
			got = append(got, k)
		}
		sort.Strings(got)
		w := slices.Clone(want)
		sort.Strings(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s: %s %s emits %v\ndeclared %v\nextra %v missing %v", where, f.Kind, f.Origin, got, w, diff(got, w), diff(w, got))
		}
		declared := map[string]bool{}
		for _, d := range rules.Features() {
			if d.Context() && slices.Contains(d.Kinds, f.Kind) {
				declared[d.Name] = true
				if _, ok := f.Context[d.Name]; !ok && !d.Optional {
					t.Errorf("%s: %s %s lacks context %q", where, f.Kind, f.Origin, d.Name)
				}
			}
		}
		for k := range f.Context {
			if !declared[k] {
				t.Errorf("%s: %s %s has undeclared context %q", where, f.Kind, f.Origin, k)
			}
		}
	}
}

func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func TestEmittedFeaturesAreDeclared(t *testing.T) {
	checkDeclared(t, "demo", runSamples(loadSamples(t)))
}

func TestSchemaNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range rules.Features() {
		for _, k := range f.Kinds {
			key := string(k) + " " + f.Name
			if f.Context() {
				key += " (context)"
			}
			if seen[key] {
				t.Errorf("%s declared twice", key)
			}
			seen[key] = true
		}
		if f.Meaning == "" || f.Func == "" || f.Unit == "" {
			t.Errorf("%s: incomplete declaration %+v", f.Name, f)
		}
	}
	// the contrast features DIAGNOSIS.md names
	for _, d := range rules.DimensionNames() {
		for _, p := range []string{"sep_", "cov_", "in_rate_", "out_rate_", "set_size_", "distinct_", "score_"} {
			if !seen["burst_520 "+p+d] || !seen["burst_5xx "+p+d] {
				t.Errorf("%s%s not declared for bursts", p, d)
			}
		}
	}
}

func TestFeaturesDocIsCurrent(t *testing.T) {
	b, err := os.ReadFile("FEATURES.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != rules.FeaturesMarkdown() {
		t.Fatal("FEATURES.md is not the schema's: run go generate ./rules/")
	}
}
