package main

import (
	"strings"
	"testing"
)

// rules --check FILE: fails on an unknown name and on a rule that fails at
// run time, naming file:line and the rule; passes a sound file.
func TestRulesCheck(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	rule := func(when string) []byte {
		return []byte("rules:\n  - id: mine\n    kind: burst_520\n    when: " + when + "\n    title: t\n    confidence: 0.5\n    evidence: [e]\n")
	}
	cases := []struct {
		name, when string
		code       int
		want       string
	}{
		{"sound", "reused_conn_share > 0.5", exitOK, "ok: 1 rule"},
		{"unknown name", "reused_share > 0.5", exitUsage, "unknown name reused_share"},
		{"run-time error", `split(origin, ".")[7] == "x"`, exitUsage, "rule mine: expression failed"},
	}
	for _, tc := range cases {
		path := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml", rule(tc.when))
		code, out, errOut := runCLI(t, nil, "rules", "--check", path)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%s: exit %d, output %q %q; want exit %d and %q", tc.name, code, out, errOut, tc.code, tc.want)
		}
		if tc.code != exitOK && !strings.Contains(errOut, path+":4") {
			t.Errorf("%s: no file:line in %q", tc.name, errOut)
		}
	}
}
