package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/rules"
)

// TestMuteConfig: m's mutes are appended to the config's mute: list, the
// rest of the file kept, and read back; --fail-on ignores muted findings.
func TestMuteConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edgetriage", "config.yaml")
	if err := appendMute(path, rules.Mute{Origin: "a.example.com", Kind: rules.KindBurst5xx, Status: 502}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, append([]byte("# mine\nburst_min: 7\n"), must(os.ReadFile(path))...), 0o644)
	if err := appendMute(path, rules.Mute{Kind: rules.KindIncomplete202, Route: "POST /v1/x"}); err != nil {
		t.Fatal(err)
	}
	text := string(must(os.ReadFile(path)))
	if !strings.Contains(text, "# mine") || !strings.Contains(text, "burst_min: 7") {
		t.Fatalf("the rest of the config was lost:\n%s", text)
	}
	fc, _, err := loadConfig(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Mute) != 2 || fc.Mute[0].Status != 502 || fc.Mute[1].Route != "POST /v1/x" || *fc.BurstMin != 7 {
		t.Fatalf("read back %+v\n%s", fc.Mute, text)
	}
	snap := &rules.Snapshot{Findings: []rules.Finding{
		{Kind: rules.KindBurst5xx, Status: 502, Origin: "a.example.com", Severity: rules.SeverityCritical},
		{Kind: rules.KindBurst5xx, Status: 504, Origin: "a.example.com", Severity: rules.SeverityWarning},
	}}
	if got := maxUnmuted(snap, fc.Mute); got != rules.SeverityWarning {
		t.Fatalf("max unmuted %v, want warning", got)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
