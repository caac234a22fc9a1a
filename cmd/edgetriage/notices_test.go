package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/parse/safe"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/causes"
	"github.com/edgetriage/edgetriage/rules/driver"
	"github.com/edgetriage/edgetriage/tui"
)

// TestInterfaceShowsRuleFailure: a cause rule whose expression fails at
// run time reaches the interface once, as a rule-failure notice naming the
// rule and the feature (issue 9 item 5).
func TestInterfaceShowsRuleFailure(t *testing.T) {
	dir := t.TempDir()
	rulesPath := filepath.Join(dir, "mine.yaml")
	rule := "rules:\n  - id: broken_origin\n    kind: burst_520\n    title: t\n    confidence: 0.99\n    fixes: [f]\n    evidence: [e]\n    when: int(origin) > 3\n"
	logPath := filepath.Join(dir, "cf.log")
	var log []byte
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	ray := 0
	for i := range 120 {
		status := 200
		if i >= 40 && i < 100 {
			status = 520
		}
		ray++
		log = append(log, cfLine("shop.example.com", start.Add(time.Duration(i)*time.Second), status, ray)...)
	}
	for p, b := range map[string][]byte{rulesPath: []byte(rule), logPath: log} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := causes.Load(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	rc := rules.DefaultConfig()
	rc.Explain, rc.Routes = set.Explain, set.Routes()
	l, err := newLive(driver.Options{Rules: rc, RuleWarnings: set.Warnings,
		Input: input.Options{Paths: []string{logPath}, Formats: []string{"cloudflare"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	g, _ := safe.NewGroup(ctx, nil)
	l.start(g)
	var got []tui.Notice
	findings := 0
	for u := range l.relay.Updates() {
		got = append(got, u.Notices...)
		if u.Snapshot != nil {
			findings = len(u.Snapshot.Findings)
		}
	}
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if findings == 0 {
		t.Fatal("no finding: the rule was never evaluated (test checks nothing)")
	}
	var failures []tui.Notice
	for _, n := range got {
		if n.Kind == tui.NoticeRuleFailure {
			failures = append(failures, n)
		}
	}
	if len(failures) != 1 {
		t.Fatalf("rule-failure notices %+v (all notices %+v), want exactly one", failures, got)
	}
	if txt := failures[0].Text; !strings.Contains(txt, "rule broken_origin") || !strings.Contains(txt, "(feature origin)") ||
		!strings.Contains(txt, rulesPath+":8") {
		t.Errorf("notice %q lacks the rule id, the feature or file:line", txt)
	}
}
