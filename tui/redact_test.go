package tui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// clientAddr is what the fixtures' client addresses look like; the query
// string below is planted in a sample.
var (
	clientAddr = regexp.MustCompile(`203\.0\.113\.\d+`)
	secret     = "token=s3cr3t"
)

// TestRedactEverywhere: under --redact no client address or query string
// reaches any view (raw line and parsed fields included), the clipboard,
// an export or the full log; without it they show.
func TestRedactEverywhere(t *testing.T) {
	defer redactor.Store(nil)
	for _, redact := range []bool{false, true} {
		var copied []string
		dir := t.TempDir()
		newOpts := func() Options {
			u := fixtureUpdate()
			f := &u.Snapshot.Findings[0]
			f.Samples[0].Raw = strings.Replace(f.Samples[0].Raw, "/v1/orders", "/v1/orders?"+secret, 1)
			f.Context["clients"] = []string{"203.0.113.7 (40)", "203.0.113.9 (2)"}
			f.Causes[0].Evidence = append(f.Causes[0].Evidence, "most from 203.0.113.7, e.g. /v1/orders?"+secret)
			opts := fixtureOptions(u)
			opts.Clipboard = func(s string) error { copied = append(copied, s); return nil }
			opts.ExportDir, opts.Redact = dir, redact
			return opts
		}
		var outputs []string
		for _, sc := range screens {
			m := newDriven(t, newOpts(), 120, 40)
			for _, k := range sc.keys {
				drive(t, m, k)
			}
			outputs = append(outputs, sc.name+": "+m.View())
			// Every line of the detail, not only the first screen.
			if d, ok := m.top().(*detail); ok {
				content, _ := d.render(118)
				outputs = append(outputs, "detail content: "+content)
			}
			drive(t, m, runes("y"), runes("e"), runes("M"), runes("e"), runes("J"))
			if m.top().current() != nil {
				drive(t, m, runes("e"), runes("m"), runes("e"), runes("j"))
			}
		}
		// The raw line of the planted sample (retained copy, parsed fields).
		m := newDriven(t, newOpts(), 120, 40)
		drive(t, m, keyEnter, keyEnter, keyEnter)
		r := m.top().(*requests)
		for i, idx := range r.sIdx {
			if idx == 0 {
				r.cursor = i
			}
		}
		drive(t, m, keyEnter)
		outputs = append(outputs, "raw: "+m.View())
		// The full log of a file with client addresses.
		lo, _ := logOptions(t, 100)
		lo.Redact = redact
		m = newDriven(t, lo, 120, 40)
		drive(t, m, runes("L"))
		waitIdle(t, m, m.top().(*logView))
		outputs = append(outputs, "full log: "+m.View())
		drive(t, m, keyEnter)
		outputs = append(outputs, "full log raw: "+m.View())

		outputs = append(outputs, copied...)
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		if len(files) == 0 {
			t.Fatal("no exports written")
		}
		for _, p := range files {
			b, _ := os.ReadFile(p)
			outputs = append(outputs, p+": "+string(b))
		}
		all := strings.Join(outputs, "\n")
		leaks := clientAddr.FindAllString(all, 3)
		hasSecret := strings.Contains(all, secret)
		if redact && (len(leaks) > 0 || hasSecret) {
			for _, o := range outputs {
				if clientAddr.MatchString(o) || strings.Contains(o, secret) {
					t.Fatalf("redacted output leaks %v (secret %v):\n%s", leaks, hasSecret, o)
				}
			}
		}
		if !redact && (len(leaks) == 0 || !hasSecret) {
			t.Fatalf("without --redact the values should show (test checks nothing otherwise): leaks %v secret %v", leaks, hasSecret)
		}
	}
}

var _ tea.Msg = nil
