package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// TestSeriesChart: the detail of a storm counts, per minute of its span,
// its failing and healthy requests from its input read again.
func TestSeriesChart(t *testing.T) {
	var b strings.Builder
	// Minute m has 10 requests, m of them 504 (minutes 0..4).
	for m := 0; m < 5; m++ {
		for i := 0; i < 10; i++ {
			st := 200
			if i < m {
				st = 504
			}
			fmt.Fprintf(&b, "203.0.113.9 - - [20/Nov/2026:10:%02d:%02d +0000] \"GET /x HTTP/1.1\" %d 5 \"-\" \"curl/8\"\n", m, i*5, st)
		}
	}
	path := filepath.Join(t.TempDir(), "access.log")
	os.WriteFile(path, []byte(b.String()), 0o644)
	u := fixtureUpdate()
	u.Inputs = append(u.Inputs, parse.InputStats{Path: path, Format: "combined"})
	storm := rules.Finding{ID: "burst_5xx/s/504", Kind: rules.KindBurst5xx, Status: 504, Severity: rules.SeverityWarning,
		Origin: "access.log", Start: time.Date(2026, 11, 20, 10, 1, 0, 0, time.UTC), End: time.Date(2026, 11, 20, 10, 4, 45, 0, time.UTC),
		Count: 10, Samples: []rules.Sample{{Input: path, Line: 11, Status: 504}}}
	d := newDetail(&common{opts: &Options{}, st: NewStyles(DefaultTheme()), keys: DefaultKeyMap(), inputs: u.Inputs, snap: u.Snapshot}, &storm)
	msg, ok := d.init()().(seriesMsg)
	if !ok {
		t.Fatal("no series message")
	}
	if fmt.Sprint(msg.failing) != "[1 2 3 4]" || fmt.Sprint(msg.healthy) != "[9 8 7 6]" {
		t.Fatalf("failing %v healthy %v, want [1 2 3 4] [9 8 7 6]", msg.failing, msg.healthy)
	}
	d.update(msg)
	d.setSize(80, 22)
	content, _ := d.render(78)
	for _, want := range []string{"failing  ▂▄▆█ peak 4", "healthy  █▇▆▅ peak 9", "from 10:01:00, per 1m"} {
		if !strings.Contains(content, want) {
			t.Errorf("chart lacks %q:\n%s", want, content)
		}
	}
}
