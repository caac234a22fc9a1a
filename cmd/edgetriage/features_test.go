package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/rules"
)

// rules --features prints every declared feature; --json gives each one's
// name, kinds, unit and meaning, matching rules.Features().
func TestRulesFeatures(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	want := rules.Features()
	code, out, errOut := runCLI(t, nil, "rules", "--features")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range want {
		if !strings.Contains(out, f.Name) {
			t.Errorf("table lacks %s", f.Name)
		}
	}
	code, out, errOut = runCLI(t, nil, "rules", "--features", "--json")
	if code != exitOK {
		t.Fatalf("--json: exit %d: %s", code, errOut)
	}
	var got []featureDoc
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json: %v in %q", err, out)
	}
	if len(got) != len(want) {
		t.Fatalf("--json: %d features, schema has %d", len(got), len(want))
	}
	for i, f := range want {
		g := got[i]
		if g.Name != f.Name || g.Unit != string(f.Unit) || g.Meaning != f.Meaning || len(g.Kinds) != len(f.Kinds) || g.Meaning == "" || len(g.Kinds) == 0 {
			t.Errorf("feature %d: got %+v, schema %+v", i, g, f)
		}
	}
}
