package tui

import (
	"io"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// Progress is how far the pipeline has got, as the header shows it.
type Progress struct {
	BytesRead, BytesTotal int64 // BytesTotal 0 when unknown (stdin, tail)
	Lines                 int64
	LinesPerSec           float64
	Done                  bool      // every input read to its end (open) or the pipeline stopped
	Live                  bool      // tailing
	Following             bool      // tailing and not paused
	LastLine              time.Time // wall time of the last line read while tailing
}

// Update is one coalesced state of the pipeline. The sender keeps only the
// latest if the interface is slower than the pipeline, and sends a few per
// second at most: never one per line. Everything in it is owned by the
// interface once sent (the Snapshot is immutable, the slices are not reused).
type Update struct {
	Snapshot *rules.Snapshot
	Inputs   []parse.InputStats
	Totals   parse.Totals
	Progress Progress
	// Notices are errors, tail events (rotated, truncated, removed) and
	// cause rules that failed, since the previous update, shown in the
	// status line.
	Notices []Notice
}

// NoticeKind says what a notice is about. The interface styles a notice
// by its kind, never by what its text says.
type NoticeKind uint8

const (
	// NoticeInfo: a tail event or a note (rotated, waiting, a time anchor).
	NoticeInfo NoticeKind = iota
	// NoticeError: an input could not be read, vanished or may have lost lines.
	NoticeError
	// NoticeRuleFailure: a cause rule failed at run time (its first error,
	// with the rule's id and the feature involved); it does not fire.
	NoticeRuleFailure
)

// Notice is one line for the status line. Text may carry log-derived
// paths: the interface makes it printable (and redacts it) before drawing.
type Notice struct {
	Kind NoticeKind
	Text string
}

// failure reports whether the notice is drawn as an error.
func (n Notice) failure() bool { return n.Kind != NoticeInfo }

// Options wire the interface to the pipeline.
type Options struct {
	// Updates delivers pipeline states; closing it means the pipeline ended.
	Updates <-chan Update
	// Recent is the ring of recent records the Requests screen shows when
	// entered from the overview. May be nil.
	Recent *Ring
	// ReadRaw re-reads a raw line of a plain file by byte offset. nil, or an
	// error, means: use the retained copy or say "line not retained".
	ReadRaw func(input string, offset int64) (string, error)
	// Live is true for `tail`: enables the follow key.
	Live bool
	// SetFollow pauses (false) or resumes (true) following; called from a
	// command, never from Update.
	SetFollow func(on bool)
	// Redact is passed to exports.
	Redact bool
	// ExportDir is where `e` writes exports ("" = the current directory).
	ExportDir string
	// Now is the wall clock (tests inject a fixed one).
	Now func() time.Time
	// Clipboard copies text for `y`; nil means OSC 52 on the terminal.
	Clipboard func(text string) error
	// Location is the time zone times are shown in (--tz); nil is UTC.
	// Every time shown says its zone where it gives a date.
	Location *time.Location
	// Mutes are the config's `mute:` list: matching findings are hidden
	// (counted in the header). SaveMute adds one to the config file; nil
	// means `m` mutes for the session only. It runs in a command.
	Mutes    []rules.Mute
	SaveMute func(rules.Mute) error
	// Bell rings the terminal bell when a new warning or critical finding
	// appears (--bell).
	Bell bool
	// KeysFromTTY reads keys from the controlling terminal (/dev/tty)
	// instead of stdin: for `cat log | edgetriage`, where stdin is the log.
	KeysFromTTY bool

	// input and output replace the terminal in tests of Run.
	input  io.Reader
	output io.Writer

	// bell replaces the terminal bell in tests.
	bell func() error

	// stop ends the wait for the next update when the program has ended,
	// even if the sender never closes Updates (Run sets it).
	stop <-chan struct{}
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}
