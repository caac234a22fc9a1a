package causes

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/rules"
)

// A rule template or expression past its budget fails fast, with its id
// and file:line, and the other rules still explain the finding.
func TestRunawayRulesFailWithinBudget(t *testing.T) {
	cases := []struct {
		name, rule string
		line       int
		want       string
		feature    string
	}{
		{"nested ranges", `evidence: ["{{range 10000}}{{range 10000}}{{end}}{{end}}x"]`, 7, "over budget", ""},
		{"output flood", `evidence: ["{{range 9000}}0123456789{{end}}"]`, 7, "more than 8192 bytes of output", ""},
		{"slow body", `evidence: ["{{range 10000}}{{range 2}}{{printf \"%0500d\" 1}}{{end}}{{end}}"]`, 7, "over budget", ""},
		{"string index", "evidence: [e]\n    when: split(origin, \".\")[7] == \"x\"", 8, "expression failed", "origin"},
		{"bad conversion", "evidence: [e]\n    when: int(origin) > 3", 8, "expression failed", "origin"},
		{"huge range", "evidence: [e]\n    when: len(1..100000000) > share", 8, "memory budget exceeded", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			when := "\n    when: 'true'"
			if strings.Contains(tc.rule, "when:") {
				when = ""
			}
			text := "rules:\n  - id: runaway\n    kind: burst_520\n    title: t\n    confidence: 0.99\n    fixes: [f]\n    " + tc.rule + when + "\n"
			path := filepath.Join(t.TempDir(), "mine.yaml")
			writeFile(t, path, text)
			s := mustLoad(t, path)
			if tc.want != "over budget" {
				// the budget under test must trip first, not the clock
				// (a loaded machine can stall 800 iterations past 100 ms)
				defer func(d time.Duration) { templateTime = d }(templateTime)
				templateTime = time.Minute
			}
			f := contrastBurst(rules.KindBurst520, 520, rules.TimeShape{}, nil, dimOf("upstream", val{"10.0.0.7", 90, 90}, val{"10.0.0.8", 0, 90}))
			start := time.Now()
			s.Explain(f)
			s.Explain(f)
			if d := time.Since(start); d > hangLimit {
				t.Errorf("Explain took %v", d)
			}
			if ids := causeIDs(f); len(ids) == 0 || ids[0] == "runaway" {
				t.Errorf("causes %v: the failing rule is shown or hides the others", ids)
			}
			ws := s.Warnings()
			if len(ws) != 1 {
				t.Fatalf("warnings %v, want one for the rule", ws)
			}
			w := ws[0]
			src := path + ":" + strconv.Itoa(tc.line)
			if w.Rule != "runaway" || w.Source != src || !strings.Contains(w.Message, tc.want) || w.Feature != tc.feature {
				t.Errorf("warning %+v, want rule runaway at %s with %q, feature %q", w, src, tc.want, tc.feature)
			}
			if !strings.Contains(w.String(), src+": rule runaway: ") {
				t.Errorf("warning text %q", w.String())
			}
		})
	}
}

// What the budget cannot hold is refused when the file is loaded, with
// its line.
func TestUnboundedRulesRefusedAtLoad(t *testing.T) {
	cases := []struct{ name, field, want string }{
		{"range literal", `evidence: ["{{range 1000000000}}x{{end}}"]`, "past the budget"},
		{"define", `evidence: ["{{define \"a\"}}{{template \"a\"}}{{end}}x"]`, "not allowed"},
		{"template call", `evidence: ["{{template \"x\"}}"]`, "not allowed"},
		{"nested closure", "evidence: [e]\n    when: all(1..10, {any(1..10, {# > share})})", "closure inside a closure"},
		{"repeat", "evidence: [e]\n    when: len(repeat(origin, 1000000000)) > 0", "repeat"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			when := "\n    when: 'true'"
			if strings.Contains(tc.field, "when:") {
				when = ""
			}
			path := filepath.Join(t.TempDir(), "mine.yaml")
			writeFile(t, path, "rules:\n  - id: x\n    kind: burst_520\n    title: t\n    confidence: 0.5\n    "+tc.field+when+"\n")
			start := time.Now()
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path+":") {
				t.Errorf("error %v, want %q at %s:LINE", err, tc.want, path)
			}
			if d := time.Since(start); d > hangLimit {
				t.Errorf("Load took %v", d)
			}
		})
	}
}

// A rule that fails is reported once, however many findings it fails on,
// and Warnings is safe to call while findings are explained.
func TestWarningReportedOncePerRule(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.yaml")
	writeFile(t, path, "rules:\n  - {id: a, kind: burst_520, title: t, confidence: 0.5, evidence: [e], when: 'split(origin, \".\")[9] == \"x\"'}\n  - {id: b, kind: burst_520, title: t, confidence: 0.5, evidence: [e], when: 'int(origin) > 1'}\n")
	s := mustLoad(t, path)
	done := make(chan bool)
	for range 4 {
		go func() {
			for range 50 {
				s.Explain(burst(rules.KindBurst520, 520, nil))
				_ = s.Warnings()
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
	var ws []Warning
	for _, w := range s.Warnings() {
		// the default rules may be reported slow on a loaded machine
		if strings.HasPrefix(w.Source, path+":") {
			ws = append(ws, w)
		}
	}
	if len(ws) != 2 || ws[0].Rule != "a" || ws[1].Rule != "b" {
		t.Errorf("warnings %v, want one for a and one for b", ws)
	}
}

// Check tries every rule on trial findings, contrast included, and reports
// the ones that fail at run time; the defaults pass.
func TestCheckTriesEveryRule(t *testing.T) {
	if ws := mustLoad(t).Check(); len(ws) != 0 {
		t.Errorf("default rules fail on trial findings: %v", ws)
	}
	path := filepath.Join(t.TempDir(), "mine.yaml")
	writeFile(t, path, "version: 2\nrules:\n  - id: mine\n    kind: burst_520\n    dimension: colo\n    when: separates(\"colo\")\n    title: t\n    evidence: [\"{{index .set_colo_list 5}}\"]\n")
	ws := mustLoad(t, path).Check()
	if len(ws) != 1 || ws[0].Rule != "mine" || ws[0].Source != path+":8" || !strings.Contains(ws[0].Message, "index out of range") {
		t.Errorf("warnings %v", ws)
	}
}
