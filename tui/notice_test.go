package tui

import (
	"strings"
	"testing"
)

// TestNoticeKinds: the status line styles a notice by its kind, not its
// words, and a failure is not hidden by a later tail event.
func TestNoticeKinds(t *testing.T) {
	for _, c := range []struct {
		name    string
		notices []Notice
		want    string
		isErr   bool
	}{
		// Words that once read as errors, in a notice that is not one.
		{"info that sounds bad", []Notice{{NoticeInfo, "logs/error.log: rotated (failover-cannot.log removed)"}}, "logs/error.log: rotated", false},
		// An error whose text has no alarming word.
		{"plain-worded error", []Notice{{NoticeError, "logs/a.log: gone"}}, "logs/a.log: gone", true},
		{"rule failure with id and feature", []Notice{{NoticeRuleFailure, "rules.yaml:12: rule slow_origin: type mismatch (feature header_wait_p50_ms)"}},
			"rule slow_origin: type mismatch (feature header_wait_p50_ms)", true},
		{"failure kept over a later tail event", []Notice{{NoticeRuleFailure, "rules.yaml:3: rule r1: boom (feature share)"}, {NoticeInfo, "logs/a.log: rotated"}},
			"rule r1: boom (feature share) (+1 more)", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := fixtureUpdate()
			u.Notices = c.notices
			m := newDriven(t, fixtureOptions(u), 120, 40)
			if !strings.Contains(m.View(), c.want) {
				t.Errorf("status line lacks %q:\n%s", c.want, m.View())
			}
			if m.statusErr != c.isErr {
				t.Errorf("shown as error %v, want %v (status %q)", m.statusErr, c.isErr, m.status)
			}
		})
	}
}
