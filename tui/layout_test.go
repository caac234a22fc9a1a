package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestSourceLabel(t *testing.T) {
	tests := []struct {
		input string
		line  int64
		w     int
		want  string
	}{
		{"logs/cloudflare/http_requests-2.log", 336, 0, "http_requests-2.log:336"},
		{"logs/cloudflare/http_requests-2.log", 336, 60, "logs/cloudflare/http_requests-2.log:336"},
		{"logs/cloudflare/http_requests-2.log", 336, 34, "cloudflare/http_requests-2.log:336"},
		{"logs/cloudflare/http_requests-2.log", 336, 30, "http_requests-2.log:336"},
		{"logs/cloudflare/http_requests-2.log", 336, 16, "" /* checked below */},
		{"-", 7, 10, "-:7"},
		{"x/\x1b[2Jevil.log", 1, 0, `\x1b[2Jevil.log:1`},
	}
	for _, tt := range tests {
		got := sourceLabel(tt.input, tt.line, tt.w)
		if tt.w == 16 {
			// Cut from the left: the line number and the end of the name stay.
			if ansi.StringWidth(got) != 16 || got[len(got)-len("-2.log:336"):] != "-2.log:336" || got[:len("…")] != "…" {
				t.Errorf("sourceLabel(%q, %d, %d) = %q, want 16 columns ending in -2.log:336 after an ellipsis", tt.input, tt.line, tt.w, got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("sourceLabel(%q, %d, %d) = %q, want %q", tt.input, tt.line, tt.w, got, tt.want)
		}
		if tt.w > 0 && ansi.StringWidth(got) > tt.w {
			t.Errorf("sourceLabel(%q, %d, %d) = %q is wider than %d", tt.input, tt.line, tt.w, got, tt.w)
		}
	}
}

// TestNarrowRows: at the sizes most users have, the rows that used to be
// cut keep what matters: a 202's endpoint in the findings list at 80
// columns, the lines and status rows of the overview at 60.
func TestNarrowRows(t *testing.T) {
	m := newDriven(t, sampleOptions(t), 80, 24)
	drive(t, m, keyEnter)
	fs := m.top().(*findings)
	seen := 0
	for i, r := range fs.rows[:min(len(fs.rows), fs.listRows())] {
		fd := &fs.c.snap.Findings[r.idx]
		if r.header || fd.Endpoint == "" {
			continue
		}
		seen++
		if row := ansi.Strip(fs.rowView(i)); !strings.Contains(row, fd.Title()+" · "+fd.Endpoint) {
			t.Errorf("80 columns: row %q lost the endpoint %q", row, fd.Endpoint)
		}
	}
	if seen == 0 {
		t.Fatal("no 202 finding on the first page of the samples")
	}

	m = newDriven(t, sampleOptions(t), 60, 20)
	v := ansi.Strip(m.View())
	for _, head := range []string{"  Lines  ", "  Status "} {
		found := false
		for _, l := range strings.Split(v, "\n") {
			if strings.HasPrefix(l, head) {
				found = true
				if strings.HasSuffix(strings.TrimRight(l, " "), "…") {
					t.Errorf("60 columns: %q row cut: %q", head, l)
				}
			}
		}
		if !found {
			t.Errorf("60 columns: no %q row in\n%s", head, v)
		}
	}
}
