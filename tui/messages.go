package tui

import (
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

type (
	// updateMsg carries one coalesced pipeline state.
	updateMsg struct{ u Update }
	// feedClosedMsg says the pipeline closed its channel: nothing more will come.
	feedClosedMsg struct{}
	// dataMsg tells every screen on the stack that the shared data changed.
	dataMsg struct{}
	// scrollMsg is a mouse-wheel step (negative: up).
	scrollMsg struct{ delta int }
	// clickMsg is a left click at x, y of the screen's body: it selects
	// the row there, and opens a row already selected.
	clickMsg struct{ x, y int }
	// rawLoadedMsg is the result of re-reading a raw line.
	rawLoadedMsg struct {
		gen    int
		text   string
		origin string // where the text came from: "re-read from file", "retained copy", ""
		err    error  // why the file could not be re-read (shown beside the retained copy)
		rec    *parse.Record
	}
	// exportDoneMsg is the result of an export.
	exportDoneMsg struct {
		gen  int
		path string
		err  error
	}
	// copyDoneMsg is the result of `y`.
	copyDoneMsg struct {
		gen   int
		bytes int
		err   error
	}
	// muteSavedMsg is the result of writing a mute to the config.
	muteSavedMsg struct {
		gen  int
		mute rules.Mute
		err  error
	}
	// followSetMsg confirms that SetFollow ran.
	followSetMsg struct{ on bool }
)

// exportScope says what `e` exports.
type exportScope int

const (
	exportFinding exportScope = iota
	exportReport
)

// exportRequest is what the export prompt decided.
type exportRequest struct {
	scope    exportScope
	markdown bool
	finding  *rules.Finding
}
