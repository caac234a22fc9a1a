package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestMalformedScreen: M on the overview lists each input's kept malformed
// lines with line number, reason and the line made printable; under
// --redact the client addresses and query strings in them are masked.
func TestMalformedScreen(t *testing.T) {
	defer redactor.Store(nil)
	m := newDriven(t, fixtureOptions(fixtureUpdate()), 80, 24)
	drive(t, m, runes("M"))
	if _, ok := m.top().(*malformedLines); !ok {
		t.Fatalf("M opened %T, want the malformed lines screen", m.top())
	}
	v := m.View()
	checkFills(t, v, 80, 24)
	for _, want := range []string{
		"› Malformed lines", "64 in 2 inputs",
		"logs/nginx-access.log", "54 malformed of 62,400 lines · first 3 shown", "10 malformed of 120,012 lines · none kept",
		"line 17 col 48", "no closing quote (field request)",
		"line 2,031", "not a status code (field status)", `\x1b]0;pwned\x07`,
		"line 5,003", "(empty line)",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.ContainsRune(v, '\x1b') || strings.ContainsRune(v, '\x07') {
		t.Errorf("raw control bytes reach the screen: %q", v)
	}
	golden.RequireEqual(t, []byte(v))

	drive(t, m, keyEsc)
	if _, ok := m.top().(*overview); !ok {
		t.Fatalf("esc went to %T, want the overview", m.top())
	}

	opts := fixtureOptions(fixtureUpdate())
	opts.Redact = true
	m = newDriven(t, opts, 120, 40)
	drive(t, m, runes("M"))
	v = m.View()
	if !strings.Contains(v, "no closing quote") {
		t.Fatalf("redacted view lost the examples:\n%s", v)
	}
	if clientAddr.MatchString(v) || strings.Contains(v, secret) {
		t.Errorf("under --redact the malformed lines leak a client or query:\n%s", v)
	}
}

// TestMalformedScreenEmpty: with no malformed line the screen says so.
func TestMalformedScreenEmpty(t *testing.T) {
	u := fixtureUpdate()
	for i := range u.Inputs {
		u.Inputs[i].Malformed, u.Inputs[i].MalformedExamples = 0, nil
	}
	m := newDriven(t, fixtureOptions(u), 80, 24)
	drive(t, m, runes("M"))
	v := m.View()
	checkFills(t, v, 80, 24)
	if !strings.Contains(v, "No malformed lines.") {
		t.Errorf("empty screen does not say so:\n%s", v)
	}
}
