package main

import (
	"strings"
	"testing"
	"time"
)

// TestRelativeSinceOnArchivedInput: --since 1h on a log from last year
// means its last hour (the burst in it is found), and the report says so;
// a window with no record is a warning at the top, not a quiet "no
// findings".
func TestRelativeSinceOnArchivedInput(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	var log strings.Builder
	for i := 0; i < 3*3600; i += 10 {
		log.WriteString(combinedLine(base.Add(time.Duration(i)*time.Second), "web", "GET", "/", 200))
	}
	// a burst at 08:10 (outside the last hour) and one at 10:40 (inside)
	for _, at := range []time.Duration{10 * time.Minute, 160 * time.Minute} {
		for i := 0; i < 20; i++ {
			log.WriteString(combinedLine(base.Add(at+time.Duration(i)*time.Second), "web", "GET", "/cart", 520))
		}
	}
	path := writeFile(t, dir, "old.log", []byte(log.String()))

	code, out, errOut := runCLI(t, nil, "report", "--json", "--since", "1h", path)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r := decodeReport(t, out)
	if len(r.Findings) != 1 || r.Findings[0].Start.UTC().Format("15:04") != "10:40" {
		t.Errorf("--since 1h of an archived log: findings %+v, want only the 10:40 burst", r.Findings)
	}
	if !strings.Contains(out, "counted back from the newest record (2025-03-01 10:59:50 UTC)") {
		t.Errorf("the report does not say where --since counts from:\n%.600s", out)
	}

	code, out, errOut = runCLI(t, nil, "report", "--since", "2026-01-01T00:00:00Z", path)
	if code != exitOK {
		t.Errorf("empty window: exit %d", code)
	}
	lines := strings.SplitN(out, "\n", 3)
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "warning: every one of the") || !strings.Contains(errOut, "warning: every one") {
		t.Errorf("an empty window is not a warning at the top:\n%.400s\nstderr %s", out, errOut)
	}

	if d, ok := relative("2h"); !ok || d != 2*time.Hour {
		t.Errorf("relative(2h) = %v %v", d, ok)
	}
	if _, ok := relative("2026-01-01T00:00:00Z"); ok {
		t.Errorf("an RFC 3339 time taken as relative")
	}
}
