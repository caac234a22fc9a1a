package tui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Run runs the interface on the terminal (alternate screen, mouse wheel)
// until the user quits or ctx ends. Bubble Tea restores the terminal when
// it returns, also after a panic in Update or View; a panic in a pipeline
// goroutine reaches here as ctx's cancellation cause (parse/safe), and Run
// returns it after the terminal is restored.
func Run(ctx context.Context, opts Options) (err error) {
	if termenv.EnvNoColor() {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	popts := []tea.ProgramOption{
		tea.WithAltScreen(),
		tea.WithMouseCellMotion(),
		tea.WithContext(ctx),
		tea.WithFPS(30),
	}
	if opts.KeysFromTTY {
		popts = append(popts, tea.WithInputTTY())
	}
	if opts.input != nil {
		popts = append(popts, tea.WithInput(opts.input))
	}
	if opts.output != nil {
		popts = append(popts, tea.WithOutput(opts.output))
	}
	// The wait for pipeline updates ends with the program.
	stop := make(chan struct{})
	defer close(stop)
	opts.stop = stop
	p := tea.NewProgram(New(opts), popts...)
	defer func() {
		// Last resort: a panic outside Bubble Tea's own recovery still
		// leaves a usable terminal.
		if v := recover(); v != nil {
			p.Kill()
			_ = p.ReleaseTerminal()
			err = fmt.Errorf("interface: internal error: %v", v)
		}
	}()
	_, err = p.Run()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil:
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			return cause
		}
		return nil
	}
	return fmt.Errorf("interface: %w", err)
}
