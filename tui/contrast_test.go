package tui

import (
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"

	"github.com/charmbracelet/x/exp/golden"

	tea "github.com/charmbracelet/bubbletea"
)

// TestContrastSection: the detail screen shows the verdict, the definition
// above the causes, a table per separating dimension with share bars, each
// cause's fixes under it, three causes until c, and fills 80x24.
func TestContrastSection(t *testing.T) {
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 80, 24)
	drive(t, m, keyEnter, keyEnter)
	d, ok := m.top().(*detail)
	if !ok {
		t.Fatalf("not on the detail screen: %s", titles(m))
	}
	content, _ := d.render(78)
	for _, want := range []string{
		"Only FRA and AMS fail",
		"the origin returned something Cloudflare could not read",
		"What separates the failures",
		"data centre · separates: 2 values of 8 hold 100% of the failures",
		"FRA ████████ 100% of 412",
		"LHR ▏ 0% of 405",
		"3 others ▏ 0% of 1,200",
		"origin IP · does not separate",
		"not in this log: header wait (add OriginResponseHeaderReceiveDurationMs (Logpush))",
		"Shape: a step at 10:02:00, from 0% failing to 100%.",
		"→ Raise the origin's keep-alive timeout above 900 s",
		"… 1 more cause — c shows all",
		"Also worth checking",
	} {
		if !strings.Contains(words(content), words(want)) {
			t.Errorf("detail lacks %q:\n%s", want, content)
		}
	}
	// Reading order: definition, contrast, then each cause and its fixes.
	order := []string{"the origin returned something", "What separates the failures", "1. ", "Raise the origin's", "2. ", "Also worth checking"}
	last := -1
	for _, s := range order {
		i := strings.Index(content, s)
		if i <= last {
			t.Fatalf("%q out of order in:\n%s", s, content)
		}
		last = i
	}
	if strings.Contains(content, "Origin TLS change") {
		t.Fatal("a fourth cause shows before c")
	}
	drive(t, m, runes("c"))
	if content, _ = d.render(78); !strings.Contains(content, "Origin TLS change") {
		t.Fatalf("c did not show every cause:\n%s", content)
	}
	checkFills(t, m.View(), 80, 24)

	// v selects the first value (FRA: the separating set comes first);
	// enter lists the requests with it.
	drive(t, m, runes("v"))
	if v := m.View(); !strings.Contains(v, "› FRA") {
		t.Fatalf("selected value not shown in view:\n%s", v)
	}
	checkFills(t, m.View(), 80, 24)
	drive(t, m, keyEnter)
	r, ok := m.top().(*requests)
	if !ok {
		t.Fatalf("enter on a value did not open requests: %s", titles(m))
	}
	if got := string(r.filter.value); got != "colo=FRA" {
		t.Fatalf("filter %q, want colo=FRA", got)
	}
	if v := m.View(); !strings.Contains(v, `6 match "colo=FRA"`) {
		t.Fatalf("requests view does not say its filter:\n%s", v)
	}
	drive(t, m, keyEsc, keyEsc) // clear the filter, then back
	drive(t, m, keyEsc)         // the selection goes first
	if _, ok := m.top().(*detail); !ok || d.sel != -1 {
		t.Fatalf("esc did not clear the selection: %s sel %d", titles(m), d.sel)
	}
}

func TestShareBar(t *testing.T) {
	for _, c := range []struct {
		rate float64
		want string
	}{{1, "████████"}, {0, "▏       "}, {0.5, "████    "}, {0.001, "▏       "}, {0.07, "▌       "}} {
		if got := shareBar(c.rate); got != c.want {
			t.Errorf("shareBar(%v) = %q, want %q", c.rate, got, c.want)
		}
	}
}

// words collapses runs of spaces so wrapped text compares as one line.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestContrastGolden: the detail screen of a finding with a contrast at
// 80x24, as the first screen shows it and with a value selected.
func TestContrastGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		keys []tea.KeyMsg
	}{{"top", nil}, {"selected", []tea.KeyMsg{runes("v"), runes("v"), runes("v")}}} {
		t.Run(c.name, func(t *testing.T) {
			m := newDriven(t, fixtureOptions(fixtureUpdate()), 80, 24)
			drive(t, m, keyEnter, keyEnter)
			for _, k := range c.keys {
				drive(t, m, k)
			}
			v := m.View()
			checkFills(t, v, 80, 24)
			golden.RequireEqual(t, []byte(v))
		})
	}
}

// TestNumbersReadable: times as times, shares as percentages, durations
// with units, labels whole.
func TestNumbersReadable(t *testing.T) {
	u := fixtureUpdate()
	f := &u.Snapshot.Findings[0]
	f.Features = map[string]float64{"stall_start_unix": float64(at0(2, 0).Unix()), "relative_location_share": 0.25,
		"header_wait_p50_ms": 4, "duration_s": 450, "count": 1234, "header_wait_p95_ms": -1}
	m := newDriven(t, fixtureOptions(u), 80, 24)
	drive(t, m, keyEnter, keyEnter)
	d := m.top().(*detail)
	content, _ := d.render(78)
	for _, want := range []string{"stall start 10:02:00 UTC", "relative location share 25.0%", "header wait p50 4ms", "duration 7m30s", "count 1,234", "header wait p95 ?"} {
		if !strings.Contains(words(content), want) {
			t.Errorf("numbers lack %q:\n%s", want, content)
		}
	}
	if strings.Contains(content, "e+") || strings.Contains(content, "…") && strings.Contains(content, "relative_location") {
		t.Errorf("raw floats or cut keys:\n%s", content)
	}
}

func TestPickQuery(t *testing.T) {
	for _, c := range []struct{ dim, value, want string }{
		{"colo", "FRA", "colo=FRA"}, {"route", "/account/{id}", "path~/account/"}, {"route", "/login", "path=/login"},
		{"header_wait", "<20ms", "header_wait<20ms"}, {"header_wait", "20-500ms", "header_wait>=20ms header_wait<500ms"},
		{"header_wait", "0.5-5s", "header_wait>=0.5s header_wait<5s"}, {"header_wait", ">=5s", "header_wait>=5s"},
		{"connection", "reused", "connect=0s"}, {"connection", "new", "connect>0s"},
		{"client_net", "203.0.113.0/24", "client~203.0.113."}, {"client_net", "2001:db8:a6c9::/48", "client~2001:db8:a6c9:"},
		{"ua_family", "Chrome", "ua~chrome"}, {"ua_family", "other", ""}, {"worker", "yes", ""},
		{"endpoint", "POST /v1/exports", "method=POST path=/v1/exports"},
		{"endpoint", "DELETE /v1/projects/{id}", "method=DELETE path~/v1/projects/"},
		{"first_poll", "404", ""}, {"retry_after", "none", ""},
	} {
		q := pickQuery(contrastPick{dim: c.dim, value: c.value})
		if q != c.want {
			t.Errorf("%s=%s: %q, want %q", c.dim, c.value, q, c.want)
		}
		if q != "" {
			if _, err := parseQuery(q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	}
}

// TestSampleRecordsLoaded: a value of a field the samples themselves do
// not carry (the origin IP) filters them by their full records, loaded
// off the UI goroutine from the ring.
func TestSampleRecordsLoaded(t *testing.T) {
	u := fixtureUpdate()
	f := &u.Snapshot.Findings[0]
	ring := NewRing(100)
	var batch []parse.Record
	for i, s := range f.Samples {
		rec := parse.Record{Input: s.Input, Line: s.Line, Status: 520, Upstream: []string{"198.51.100.10", "198.51.100.11"}[i%2], Raw: s.Raw}
		batch = append(batch, rec)
	}
	ring.Add(batch)
	opts := fixtureOptions(u)
	opts.Recent = ring
	m := newDriven(t, opts, 100, 30)
	drive(t, m, keyEnter, keyEnter)
	d := m.top().(*detail)
	for i, p := range d.picks {
		if p.dim == "upstream" && p.value == "198.51.100.10" {
			d.sel = i
		}
	}
	drive(t, m, keyEnter)
	r := m.top().(*requests)
	if got, want := r.rows(), (len(f.Samples)+1)/2; got != want {
		t.Fatalf("upstream filter kept %d samples, want %d:\n%s", got, want, m.View())
	}
}
