package driver

import (
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
)

// EventKind says what an Event reports. Consumers decide what to do with
// an event from its kind and fields, never from its text.
type EventKind uint8

const (
	// EventProgress: reading went on and the engine has nothing new since
	// the previous snapshot (Progress).
	EventProgress EventKind = iota + 1
	// EventSnapshot: a fresh snapshot while reading goes on (Snapshot,
	// Progress), at most once per Options.Every.
	EventSnapshot
	// EventNote: an input changed state without losing anything: rotated,
	// truncated, waiting for a writer, polling, files skipped as not logs
	// (Input, Change, Text).
	EventNote
	// EventInputError: an input could not be read or vanished (Input,
	// Change, Err, Text).
	EventInputError
	// EventPossibleGap: a followed input may have lost lines (Input, Text).
	EventPossibleGap
	// EventRuleWarning: a cause rule failed at run time; each rule once,
	// with its first error (Rule, Text).
	EventRuleWarning
	// EventDone: reading ended, to the end of every input or because the
	// context ended (Snapshot: the final one, nil when stopped unless
	// Options.FinishStopped; Progress, Result, Err, Stopped). It is always
	// the last event.
	EventDone
)

func (k EventKind) String() string {
	switch k {
	case EventProgress:
		return "progress"
	case EventSnapshot:
		return "snapshot"
	case EventNote:
		return "note"
	case EventInputError:
		return "input_error"
	case EventPossibleGap:
		return "possible_gap"
	case EventRuleWarning:
		return "rule_warning"
	case EventDone:
		return "done"
	}
	return "unknown"
}

// Event is one thing the driver tells its consumer. Which fields are set
// depends on Kind (see the constants). Everything in it is the consumer's:
// the snapshot is immutable and the slices are not reused.
type Event struct {
	Kind     EventKind
	Snapshot *rules.Snapshot
	Progress Progress

	// Input is the input an event is about ("" for all of them) and Change
	// the pipeline's word for what happened to it (input.EventRotated…).
	Input  string
	Change input.EventKind
	// Rule is the id of the cause rule of an EventRuleWarning.
	Rule string
	// Text says what happened in one line, made printable (log-derived
	// paths may carry escapes); consumers may still redact it.
	Text string
	Err  error
	// Gap is where an EventPossibleGap's input may have lost lines.
	Gap *parse.Gap

	// Stopped: reading ended because the context did (EventDone).
	Stopped bool

	// Result is the accounting of the whole run (EventDone); nil when
	// reading failed before anything was counted.
	Result *input.Result
}

// Progress is how far reading has got.
type Progress struct {
	// Bytes read of BytesTotal (0 when unknown: stdin, followed files,
	// tables), lines read and their rate: the average since the start, or
	// while following, the rate of the last seconds.
	Bytes, BytesTotal int64
	Lines             int64
	LinesPerSec       float64
	// Inputs and Totals are the accounting so far (final in EventDone).
	Inputs []parse.InputStats
	Totals parse.Totals
	// Done: every input was read to its end, or reading stopped.
	Done bool
	// Follow: the inputs are followed as they grow; Paused: the consumer
	// asked for no snapshots meanwhile (SetPaused).
	Follow, Paused bool
	// LastLine is the wall time the line count last grew.
	LastLine time.Time
}
