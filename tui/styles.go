package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/edgetriage/edgetriage/rules"
)

// Theme holds every colour of the interface; each reads on light and dark
// terminals. No colour literal appears outside this file.
type Theme struct {
	Text, Muted, Accent, Border   lipgloss.AdaptiveColor
	Critical, Warning, Info, Good lipgloss.AdaptiveColor
	SelectedFg, SelectedBg        lipgloss.AdaptiveColor
	Bar520, Bar202, Bar5xx        lipgloss.AdaptiveColor
}

// DefaultTheme is the built-in theme.
func DefaultTheme() Theme {
	return Theme{
		Text:       lipgloss.AdaptiveColor{Light: "#1F2328", Dark: "#E6EDF3"},
		Muted:      lipgloss.AdaptiveColor{Light: "#59636E", Dark: "#9198A1"},
		Accent:     lipgloss.AdaptiveColor{Light: "#0550AE", Dark: "#79C0FF"},
		Border:     lipgloss.AdaptiveColor{Light: "#D1D9E0", Dark: "#3D444D"},
		Critical:   lipgloss.AdaptiveColor{Light: "#CF222E", Dark: "#FF7B72"},
		Warning:    lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#E3B341"},
		Info:       lipgloss.AdaptiveColor{Light: "#0969DA", Dark: "#58A6FF"},
		Good:       lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#3FB950"},
		SelectedFg: lipgloss.AdaptiveColor{Light: "#1F2328", Dark: "#FFFFFF"},
		SelectedBg: lipgloss.AdaptiveColor{Light: "#DDF4FF", Dark: "#264F78"},
		Bar520:     lipgloss.AdaptiveColor{Light: "#CF222E", Dark: "#FF7B72"},
		Bar202:     lipgloss.AdaptiveColor{Light: "#8250DF", Dark: "#D2A8FF"},
		Bar5xx:     lipgloss.AdaptiveColor{Light: "#BC4C00", Dark: "#FFA657"},
	}
}

// Styles are built once from a Theme and shared by every screen.
type Styles struct {
	Header, Crumb, CrumbCurrent lipgloss.Style
	Title, Section, Label       lipgloss.Style
	Text, Muted, Accent         lipgloss.Style
	Selected, Cursor            lipgloss.Style
	Critical, Warning, Info     lipgloss.Style
	Good                        lipgloss.Style
	Bar520, Bar202, Bar5xx      lipgloss.Style
	Status, StatusError         lipgloss.Style
	Live, Paused                lipgloss.Style
	FilterPrompt                lipgloss.Style
	TableHeader                 lipgloss.Style
	Help                        help.Styles
}

// NewStyles builds the styles of a theme.
func NewStyles(t Theme) *Styles {
	s := lipgloss.NewStyle
	st := &Styles{
		Header:       s().Foreground(t.Text).Bold(true),
		Crumb:        s().Foreground(t.Muted),
		CrumbCurrent: s().Foreground(t.Accent).Bold(true),
		Title:        s().Foreground(t.Text).Bold(true),
		Section:      s().Foreground(t.Accent).Bold(true),
		Label:        s().Foreground(t.Muted),
		Text:         s().Foreground(t.Text),
		Muted:        s().Foreground(t.Muted),
		Accent:       s().Foreground(t.Accent),
		Selected:     s().Foreground(t.SelectedFg).Background(t.SelectedBg).Bold(true),
		Cursor:       s().Foreground(t.Accent).Bold(true),
		Critical:     s().Foreground(t.Critical).Bold(true),
		Warning:      s().Foreground(t.Warning).Bold(true),
		Info:         s().Foreground(t.Info),
		Good:         s().Foreground(t.Good),
		Bar520:       s().Foreground(t.Bar520),
		Bar202:       s().Foreground(t.Bar202),
		Bar5xx:       s().Foreground(t.Bar5xx),
		Status:       s().Foreground(t.Muted),
		StatusError:  s().Foreground(t.Critical).Bold(true),
		Live:         s().Foreground(t.Good).Bold(true),
		Paused:       s().Foreground(t.Warning).Bold(true),
		FilterPrompt: s().Foreground(t.Accent).Bold(true),
		TableHeader:  s().Foreground(t.Muted).Bold(true),
	}
	st.Help = help.Styles{
		ShortKey:       s().Foreground(t.Accent),
		ShortDesc:      s().Foreground(t.Muted),
		ShortSeparator: s().Foreground(t.Border),
		Ellipsis:       s().Foreground(t.Border),
		FullKey:        s().Foreground(t.Accent),
		FullDesc:       s().Foreground(t.Muted),
		FullSeparator:  s().Foreground(t.Border),
	}
	return st
}

// Severity styles a severity label.
func (s *Styles) Severity(sev rules.Severity) lipgloss.Style {
	switch sev {
	case rules.SeverityCritical:
		return s.Critical
	case rules.SeverityWarning:
		return s.Warning
	}
	return s.Info
}
