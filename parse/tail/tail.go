// Package tail follows growing log files the way `tail -F` does: it starts
// at the end (or the start), follows appends, survives rename-and-create and
// copytruncate rotation, deletion and re-creation, and files that do not
// exist yet. fsnotify events are used only as wake-ups; every wake-up reads
// the file to its end, and a slow safety poll catches anything a
// notification missed. Where fsnotify cannot watch (no inotify, a watch
// limit, a queue overflow, a network file system) it falls back to stat
// polling and says so with a Polling event.
//
// Rotation in detail: when the path names a new file, the old one is read
// to its end first, then the new one from its start; the old file stays
// open and is read again for a while (10 poll intervals, at least 2 s,
// after its last growth) for writers that have not reopened yet, and its
// unfinished last line is delivered (Unterminated) when it is closed.
// Truncation is noticed on every wake-up, before reading, by the size
// falling below the offset read, by the file's first bytes (its
// fingerprint, up to 1 KiB) having changed, or by the last bytes read
// having changed: a copytruncate whose file grew back past the offset
// before Follow looked shows in one of them unless the new content repeats
// the old byte for byte. Every read also re-reads the last bytes read
// (128) before the new ones and keeps what it got only if they are
// unchanged, so a truncation between two reads of one wake-up is not read
// as the middle of the new content. The rest of the old content is then
// read from the copy beside the file (the sibling with the old first
// bytes); if there is none, a Gap event gives the offsets that may have
// been lost, from the first byte of a line delivered cut short. Like
// tail -F, a file that is rotated away before Follow ever opened it cannot
// be read; likewise a copytruncate of a file of which Follow has not read
// a byte yet looks just like growth, and what the file held is only in
// the copy.
//
// One goroutine does all the work (plus fsnotify's own reader); lines and
// events are sent from it, so a slow receiver slows reading (nothing is
// dropped), while unread events are dropped rather than block it.
package tail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/edgetriage/edgetriage/parse/safe"
	"github.com/fsnotify/fsnotify"
)

// Defaults for the zero Options.
const (
	DefaultPollInterval = time.Second
	DefaultMaxLine      = 1 << 20
)

// Options tune Follow. The zero value starts at the end of existing files,
// polls every second where it must and skips lines over 1 MiB.
type Options struct {
	// FromStart reads files that exist when Follow starts from their first
	// byte instead of their end. Files that appear later (created, rotated
	// in, re-created) are always read from their first byte.
	FromStart bool
	// PollInterval is how often files are checked by stat where fsnotify
	// cannot watch them; in normal mode every file is also checked every 5
	// intervals in case a notification was missed. Default 1 s.
	PollInterval time.Duration
	// MaxLine is the longest line, in bytes without its line ending, that is
	// delivered with its text; longer lines are reported as Overlong without
	// ever being held in memory whole. Default 1 MiB.
	MaxLine int
	// Poll makes Follow stat every PollInterval instead of using fsnotify,
	// for file systems where notifications do not arrive (NFS, SMB, FUSE).
	Poll bool

	// Test hooks (unexported): a source of fake watcher errors, the time an
	// old file is still read after it was rotated away, the safety poll's
	// period in poll intervals, and the watcher constructor.
	watchErrors <-chan error
	drainWindow time.Duration
	safetyEvery int
	newWatcher  func() (*fsnotify.Watcher, error)
}

// Line is one line of a followed file.
type Line struct {
	Path string // the path as given to Follow
	// Text is the line without its "\n" or "\r\n". It is never modified or
	// reused after it was sent, so it may be kept (and parsed in place).
	// Nil for an Overlong line.
	Text []byte
	// Offset is the byte offset of the line's first byte in its file
	// generation (a new generation starts at 0 after rotation, re-creation
	// or truncation).
	Offset int64
	// Number is the 1-based line number within the generation, counted from
	// where reading started: when Follow starts at the end of an existing
	// file, the first new line is number 1 (Offset is always exact).
	Number int64
	// Size is the length of the line in bytes without its "\n" (so a CRLF
	// line's Size counts the "\r"). Set for Overlong lines too.
	Size int64
	// Overlong marks a line longer than MaxLine: counted, not read.
	Overlong bool
	// Unterminated marks a last line without its newline, delivered because
	// its file was rotated away, removed or truncated.
	Unterminated bool
}

// EventKind says what happened to a followed path.
type EventKind uint8

const (
	// Opened: the path was opened (Msg says where reading starts).
	Opened EventKind = iota + 1
	// Rotated: the path now names a new file; the old one was read to its
	// end and the new one is read from its start.
	Rotated
	// Truncated: the file shrank below what was read (copytruncate); it is
	// read again from offset 0.
	Truncated
	// Removed: the path vanished (deleted or moved away); Follow waits for
	// it to come back.
	Removed
	// Waiting: the path does not exist yet; it is read from its start once
	// created.
	Waiting
	// Polling: fsnotify cannot watch this path (or any path, when Path is
	// empty); it is checked by stat every PollInterval instead.
	Polling
	// Error: a file could not be opened, checked or read; Follow retries.
	Error
	// PossibleGap: lines may have been lost; Event.Gap says where. Sent when a
	// copytruncate emptied the file and no copy of the old content was
	// found to read its unread rest from.
	PossibleGap
)

func (k EventKind) String() string {
	switch k {
	case Opened:
		return "opened"
	case Rotated:
		return "rotated"
	case Truncated:
		return "truncated"
	case Removed:
		return "removed"
	case Waiting:
		return "waiting"
	case Polling:
		return "polling"
	case Error:
		return "error"
	case PossibleGap:
		return "possible_gap"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event reports a change in how a path is followed. Events are advisory:
// if nobody reads them they are dropped (oldest first) rather than block
// the reader, and the next delivered event says how many were lost.
type Event struct {
	Path string // as given to Follow; empty for an event about all paths
	Kind EventKind
	Err  error // set for Error (and for Polling when a watch failed)
	Msg  string
	Gap  Gap // set for PossibleGap
}

// Gap is a stretch of a file that may not have been read: bytes From to To
// (To is -1 when the end is unknown) of the path's generation Generation
// (0 for the first file opened at the path, then one more for each
// rotation, re-creation or truncation).
type Gap struct {
	Generation int
	From, To   int64
}

func (e Event) String() string {
	s := e.Kind.String()
	if e.Path != "" {
		s = e.Path + ": " + s
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Follow follows paths until ctx ends, sending batches of complete lines on
// lines (each slice is the receiver's to keep) and changes on events (which
// may be nil). It blocks until ctx ends and then returns nil, having closed
// every file and watch; a send blocked on a slow receiver also ends with
// ctx. Follow never closes lines or events. Problems with single files are
// events, not errors: the error result is only for bad arguments and for an
// internal panic, which is recovered.
func Follow(ctx context.Context, paths []string, opt Options, lines chan<- []Line, events chan<- Event) error {
	return FollowAdding(ctx, paths, nil, opt, lines, events)
}

// FollowAdding is Follow with paths added while it runs: each slice received
// on add is followed too (a path already followed is skipped), from its
// first byte, as it appeared after Follow started; each sends Opened (or
// Waiting) like the first paths. paths may be empty when add is not nil.
// A closed add channel just adds nothing more.
func FollowAdding(ctx context.Context, paths []string, add <-chan []string, opt Options, lines chan<- []Line, events chan<- Event) error {
	if lines == nil {
		return errors.New("tail: nil lines channel")
	}
	if len(paths) == 0 && add == nil {
		return errors.New("tail: no paths to follow")
	}
	return safe.Run("tail.Follow", func() error {
		f, err := newFollower(opt, paths, lines, events)
		if err != nil {
			return err
		}
		defer f.close()
		f.run(ctx, add)
		return nil
	})
}
