//go:build !unix

package tui

import tea "github.com/charmbracelet/bubbletea"

// relaySuspend: no job control here.
func relaySuspend(*tea.Program, <-chan struct{}) {}

// suspendKey: no job control here.
func suspendKey() tea.Msg { return nil }
