package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// filterInput is a one-line text filter. It is deliberately simpler than
// bubbles/textinput: no blinking cursor, so frames stay deterministic and
// nothing redraws while the user is not typing.
type filterInput struct {
	value  []rune
	active bool
	fields bool     // tab completes query field names
	cands  []string // the completion candidates last offered
}

// handle applies a key while the filter is active and reports whether the
// value changed.
func (f *filterInput) handle(msg tea.KeyMsg) (changed bool) {
	if msg.Type != tea.KeyTab {
		f.cands = nil
	}
	switch msg.Type {
	case tea.KeyTab:
		if f.fields {
			done, cands := completeField(string(f.value))
			changed = done != string(f.value)
			f.value, f.cands = []rune(done), cands
		}
	case tea.KeyEnter:
		f.active = false
	case tea.KeyEsc:
		f.active = false
		changed = len(f.value) > 0
		f.value = nil
	case tea.KeyBackspace:
		if len(f.value) > 0 {
			f.value = f.value[:len(f.value)-1]
			changed = true
		}
	case tea.KeyCtrlU:
		changed = len(f.value) > 0
		f.value = nil
	case tea.KeyRunes, tea.KeySpace:
		for _, r := range msg.Runes {
			if r >= 0x20 && r != 0x7f {
				f.value = append(f.value, r)
				changed = true
			}
		}
	}
	return changed
}

// text is the filter in lower case, for matching precomputed lower-case keys.
func (f *filterInput) text() string { return strings.ToLower(strings.TrimSpace(string(f.value))) }

// clear empties an inactive filter; reports whether there was one.
func (f *filterInput) clear() bool {
	if len(f.value) == 0 {
		return false
	}
	f.value = nil
	return true
}

// view is the input line while typing.
func (f *filterInput) view(st *Styles) string {
	return f.viewPrompt(st, "/ ")
}

// viewPrompt is the input line behind prompt; with field completion it
// offers the candidates, or says that tab completes.
func (f *filterInput) viewPrompt(st *Styles, prompt string) string {
	hint := "  enter keeps · esc clears"
	if f.fields {
		hint = "  tab completes a field · enter keeps · esc clears"
		if len(f.cands) > 1 {
			hint = "  " + strings.Join(f.cands, " ")
		}
	}
	return st.FilterPrompt.Render(prompt) + clean(string(f.value)) + st.Cursor.Render("█") + st.Muted.Render(hint)
}
