package tui

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap holds every binding. Screens list the ones that apply to them, and
// the help line and help screen are drawn from those same bindings.
type KeyMap struct {
	Up, Down, Left, Right key.Binding
	Top, Bottom           key.Binding
	PageUp, PageDown      key.Binding
	Enter, Back, Tab      key.Binding
	Filter, Sort, Kind    key.Binding
	Recent, ZoomIn        key.Binding
	ZoomOut               key.Binding
	Follow, Export, Copy  key.Binding
	Value, ValuePrev      key.Binding
	AllCauses             key.Binding
	FullLog, Search       key.Binding
	Next, Prev            key.Binding
	FilterLines           key.Binding
	Mute, ShowMuted       key.Binding
	Malformed             key.Binding
	Help, Quit            key.Binding
}

// DefaultKeyMap returns the standard bindings.
func DefaultKeyMap() *KeyMap {
	b := key.NewBinding
	k, h := key.WithKeys, key.WithHelp
	return &KeyMap{
		Up:          b(k("up", "k"), h("↑/k", "up")),
		Down:        b(k("down", "j"), h("↓/j", "down")),
		Left:        b(k("left", "h"), h("←/h", "back")),
		Right:       b(k("right", "l"), h("→/l", "open")),
		Top:         b(k("g", "home"), h("g", "top")),
		Bottom:      b(k("G", "end"), h("G", "bottom")),
		PageUp:      b(k("pgup", "ctrl+b"), h("pgup", "page up")),
		PageDown:    b(k("pgdown", "ctrl+f", " "), h("pgdn", "page down")),
		Enter:       b(k("enter"), h("enter", "open")),
		Back:        b(k("esc", "backspace"), h("esc", "back")),
		Tab:         b(k("tab", "shift+tab"), h("tab", "next pane")),
		Filter:      b(k("/"), h("/", "filter")),
		Sort:        b(k("s"), h("s", "sort")),
		Kind:        b(k("t"), h("t", "kind")),
		Recent:      b(k("r"), h("r", "recent requests")),
		ZoomIn:      b(k("z", "+"), h("z/+", "zoom in")),
		ZoomOut:     b(k("Z", "-"), h("Z/-", "zoom out")),
		Follow:      b(k("f"), h("f", "follow on/off")),
		Export:      b(k("e"), h("e", "export")),
		Copy:        b(k("y"), h("y", "copy as Markdown")),
		Value:       b(k("v"), h("v", "select value")),
		ValuePrev:   b(k("V"), h("V", "previous value")),
		AllCauses:   b(k("c"), h("c", "all causes")),
		FullLog:     b(k("L"), h("L", "full log")),
		Search:      b(k("/"), h("/", "search")),
		Next:        b(k("n"), h("n", "next match")),
		Prev:        b(k("N"), h("N", "previous match")),
		FilterLines: b(k("&"), h("&", "filter")),
		Mute:        b(k("m"), h("m", "mute")),
		ShowMuted:   b(k("u"), h("u", "show muted")),
		Malformed:   b(k("M"), h("M", "malformed lines")),
		Help:        b(k("?"), h("?", "help")),
		Quit:        b(k("q", "ctrl+c"), h("q", "quit")),
	}
}

// scrollViewport applies the mouse wheel and the scrolling keys (up, down,
// pages, top, bottom) to a screen's viewport; other messages are ignored.
func scrollViewport(vp *viewport.Model, k *KeyMap, msg tea.Msg) {
	switch msg := msg.(type) {
	case scrollMsg:
		if msg.delta < 0 {
			vp.ScrollUp(-msg.delta)
		} else {
			vp.ScrollDown(msg.delta)
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Up):
			vp.ScrollUp(1)
		case key.Matches(msg, k.Down):
			vp.ScrollDown(1)
		case key.Matches(msg, k.PageUp):
			vp.PageUp()
		case key.Matches(msg, k.PageDown):
			vp.PageDown()
		case key.Matches(msg, k.Top):
			vp.GotoTop()
		case key.Matches(msg, k.Bottom):
			vp.GotoBottom()
		}
	}
}
