package tui

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/rules"
)

// TestNews: after the first state, new findings say NEW, grown ones +N,
// the header counts them, the marks clear when seen, and --bell rings on
// a new warning or critical only.
func TestNews(t *testing.T) {
	var rings atomic.Int32
	opts := Options{Live: true, Bell: true, Now: func() time.Time { return fixedNow },
		bell: func() error { rings.Add(1); return nil }}
	m := newModel(opts)
	drive(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	u := fixtureUpdate()
	u.Progress = Progress{Live: true, Following: true}
	first := *u.Snapshot
	first.Findings = u.Snapshot.Findings[1:] // all but the 520 burst
	u.Snapshot = &first
	drive(t, m, updateMsg{u})
	if v := m.View(); strings.Contains(v, "NEW") || strings.Contains(v, "new since") || rings.Load() != 0 {
		t.Fatalf("the first state is the baseline, not news:\n%s", v)
	}
	// The 520 burst appears and a 202 group grows by 37.
	u2 := fixtureUpdate()
	u2.Progress = u.Progress
	grown := u2.Snapshot.Findings[1].ID
	u2.Snapshot.Findings[1].Count += 37
	drive(t, m, updateMsg{u2})
	if rings.Load() != 1 {
		t.Fatalf("bell rang %d times, want 1", rings.Load())
	}
	if v := m.View(); !strings.Contains(v, "2 new since you looked") {
		t.Fatalf("header lacks the count:\n%s", v)
	}
	drive(t, m, keyEnter)
	v := m.View()
	if !strings.Contains(v, "520 burst NEW") || !strings.Contains(v, "+37") {
		t.Fatalf("marks not shown:\n%s", v)
	}
	// Opening the burst sees it; moving onto the grown one sees it too.
	fs := m.top().(*findings)
	fs.setCursor(rowOf(fs, u2.Snapshot.Findings[0].ID), 1)
	drive(t, m, keyEnter, keyEsc)
	if v := m.View(); strings.Contains(v, "520 burst NEW") || !strings.Contains(v, "1 new since you looked") {
		t.Fatalf("opened finding still marked:\n%s", v)
	}
	row := rowOf(fs, grown)
	for fs.cursor != row {
		if fs.cursor < row {
			drive(t, m, runes("j"))
		} else {
			drive(t, m, runes("k"))
		}
	}
	if v := m.View(); strings.Contains(v, "+37") || strings.Contains(v, "new since") {
		t.Fatalf("selected finding still marked:\n%s", v)
	}
	// An info finding appearing rings no bell.
	u3 := fixtureUpdate()
	u3.Progress = u.Progress
	u3.Snapshot.Findings[1].Count += 37
	u3.Snapshot.Findings = append(u3.Snapshot.Findings, rules.Finding{ID: "info/1", Kind: rules.KindBurst5xx, Status: 502,
		Severity: rules.SeverityInfo, Origin: "quiet.example.com", Count: 3})
	drive(t, m, updateMsg{u3})
	if rings.Load() != 1 {
		t.Fatalf("bell rang for an info finding")
	}
}

func TestRateWindow(t *testing.T) {
	var r rateWindow
	t0 := time.Unix(1000, 0)
	steps := []struct {
		sec   int
		lines int64
		want  float64
	}{{0, 0, 0}, {5, 5000, 1000}, {10, 10000, 1000}, {15, 10000, 500}, {20, 10000, 0}, {21, 10000, 0}}
	for _, s := range steps {
		if got := r.add(t0.Add(time.Duration(s.sec)*time.Second), s.lines); got != s.want {
			t.Errorf("at %ds: %v, want %v", s.sec, got, s.want)
		}
	}
}

// TestTimeZone: --tz shows every time in the zone, and names it.
func TestTimeZone(t *testing.T) {
	defer setZone(nil)
	opts := fixtureOptions(fixtureUpdate())
	opts.Location = time.FixedZone("CET", 3600)
	m := newDriven(t, opts, 100, 30)
	if v := m.View(); !strings.Contains(v, "2026-11-20 11:00:00–11:59:59 CET") {
		t.Fatalf("overview span not in CET:\n%s", v)
	}
	drive(t, m, keyEnter, keyEnter)
	if v := m.View(); !strings.Contains(v, "2026-11-20 11:02:00–11:09:30 CET") {
		t.Fatalf("detail not in CET:\n%s", v)
	}
}

// TestMute: m mutes a finding's kind of trouble for the session (hidden,
// counted in the header, u shows it) or also in the config; the config's
// mutes apply from the start.
func TestMute(t *testing.T) {
	var saved []rules.Mute
	opts := fixtureOptions(fixtureUpdate())
	opts.SaveMute = func(m rules.Mute) error { saved = append(saved, m); return nil }
	m := newDriven(t, opts, 120, 40)
	drive(t, m, keyEnter)
	fs := m.top().(*findings)
	before := fs.shown
	id := m.top().current().ID
	drive(t, m, runes("m"))
	if v := m.View(); !strings.Contains(v, "mute origin=api.example.com kind=burst_520: s this session · c also in the config") {
		t.Fatalf("mute prompt:\n%s", v)
	}
	drive(t, m, runes("s"))
	if fs.shown != before-1 || rowOf(fs, id) >= 0 {
		t.Fatalf("muted finding still listed (%d of %d)", fs.shown, before)
	}
	if v := m.View(); !strings.Contains(v, "1 muted · ") || !strings.Contains(v, "1 muted (u shows)") {
		t.Fatalf("muted count not shown:\n%s", v)
	}
	if len(saved) != 0 {
		t.Fatal("a session mute was written to the config")
	}
	drive(t, m, runes("u"))
	if rowOf(fs, id) < 0 || !strings.Contains(m.View(), "520 burst muted") {
		t.Fatalf("u does not show the muted finding:\n%s", m.View())
	}
	drive(t, m, runes("u"))
	// c writes it to the config.
	drive(t, m, runes("m"), runes("c"))
	if len(saved) != 1 || saved[0].Origin == "" || saved[0].Kind == "" {
		t.Fatalf("config mute %v", saved)
	}
	if v := m.View(); !strings.Contains(v, "(written to the config)") {
		t.Fatalf("status after c:\n%s", v)
	}

	// Mutes from the config apply from the start.
	opts = fixtureOptions(fixtureUpdate())
	opts.Mutes = []rules.Mute{{Kind: rules.KindIncomplete202}}
	m = newDriven(t, opts, 120, 40)
	drive(t, m, keyEnter)
	if got := m.top().(*findings).muted; got != 7 {
		t.Fatalf("config mutes hid %d findings, want the 7 202 groups", got)
	}
}
