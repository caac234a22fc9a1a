package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/parse/safe"
	"github.com/edgetriage/edgetriage/rules/driver"
	"github.com/edgetriage/edgetriage/tui"
)

// updateEvery is how often the interface gets a fresh snapshot: often
// enough to feel live, rare enough that a flood of lines costs nothing.
const updateEvery = 250 * time.Millisecond

// runInterface wires the driver (reading, engine, snapshots) to Bubble Tea
// through the relay.
func runInterface(ctx context.Context, a *app, stdin io.Reader, stdout, stderr io.Writer) int {
	url, isTable, err := clickhouseURL(a.o.paths)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	if !isTable {
		if err := a.prepareInputs(stdin); err != nil {
			fmt.Fprintf(stderr, "edgetriage: %v\n", err)
			return exitUsage
		}
	}
	if !someReadable(a, stderr) {
		return exitUsage
	}
	// A relative --since on archived logs counts back from their newest
	// record, as in report; the interface says so in its notices.
	anchor, err := anchorWindow(ctx, a)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	loc, err := interfaceZone(a.o.tz)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	o := driver.Options{Input: a.input, Rules: a.rules}
	if a.causes != nil {
		o.RuleWarnings = a.causes.Warnings
	}
	readRaw := readRawLine(a.input.MaxLine)
	if isTable {
		if o.Table, o.TableFollow, err = tableOptions(a, url, stderr); err != nil {
			fmt.Fprintf(stderr, "edgetriage: %v\n", err)
			return exitUsage
		}
		readRaw = nil // rows keep the line the server sent
	}
	var notes []tui.Notice
	if anchor != "" {
		notes = append(notes, tui.Notice{Kind: tui.NoticeInfo, Text: anchor + "."})
	}
	l, err := newLive(o, notes...)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	if !isTable && !a.input.Follow {
		// Files read once stay where they are: the ring reads the lines it
		// ends up holding again instead of copying every line that passes.
		l.ring.DeferText(lineRereadable(a.input.MaxLine))
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := safe.NewGroup(ctx, nil)
	l.start(g)

	err = tui.Run(gctx, tui.Options{
		Updates:     l.relay.Updates(),
		Recent:      l.ring,
		ReadRaw:     readRaw,
		Live:        a.input.Follow,
		SetFollow:   l.setFollow,
		Redact:      a.redact,
		KeysFromTTY: slices.Contains(a.input.Paths, input.StdinName), // a log on stdin cannot also be the keyboard
		Bell:        a.o.bell,
		Location:    loc,
		Mutes:       a.mutes,
		SaveMute:    muteSaver(a.config),
	})
	cancel()
	gerr := g.Wait()
	if err == nil && gerr != nil && !errors.Is(gerr, context.Canceled) {
		err = gerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	if l.failed.Load() {
		return exitUsage
	}
	return exitOK
}

// someReadable: unless following (a missing file may still appear), fail
// fast when not one input can be read, saying why, instead of an empty
// screen "detecting…".
func someReadable(a *app, stderr io.Writer) bool {
	if a.input.Follow || len(a.input.Sources) > 0 {
		return true
	}
	readable, problems := input.Probe(a.input.Paths, a.input.Recursive, a.input.AllFiles)
	if readable == 0 && len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "edgetriage: %s\n", parse.Printable(p.Error()))
		}
		return false
	}
	return true
}

// interfaceZone reads --tz: the interface shows local time unless told.
func interfaceZone(tz string) (*time.Location, error) {
	switch strings.ToLower(tz) {
	case "", "local":
		return time.Local, nil
	case "utc":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("--tz %q: want local, UTC or an Area/City zone such as Europe/Berlin", tz)
	}
	return loc, nil
}

// live is the interface's wiring: the driver, the ring of recent records
// the Requests screen shows, and the relay that turns the driver's events
// into the interface's updates.
type live struct {
	d      *driver.Driver
	ring   *tui.Ring
	relay  *tui.Relay
	failed atomic.Bool // an input could not be read (exit code 2)
}

// newLive builds the driver over o, snapshotting every updateEvery. The
// caller starts it with start and reads l.relay.Updates() until it is
// closed; notes are the first update's notices.
func newLive(o driver.Options, notes ...tui.Notice) (*live, error) {
	l := &live{ring: tui.NewRing(tui.DefaultRingSize), relay: tui.NewRelay(notes...)}
	o.Every = updateEvery
	o.Recent = l.ring.Add
	d, err := driver.New(o)
	if err != nil {
		return nil, err
	}
	l.d = d
	return l, nil
}

// start runs the driver in g. A failing input is shown and sets the exit
// code; only a panic ends the group (and so the program).
func (l *live) start(g *safe.Group) {
	g.Go("driver", func(ctx context.Context) error {
		defer l.relay.Close()
		res, err := l.d.Run(ctx, l.relay.Emit)
		if ctx.Err() == nil {
			l.ring.Fill() // before the feed closes: the interface looks again then
		}
		if err != nil && ctx.Err() == nil || res != nil && res.Read != nil && res.Read.Failed() {
			l.failed.Store(true)
		}
		if pe := (*safe.PanicError)(nil); errors.As(err, &pe) {
			return err
		}
		return nil
	})
}

// setFollow pauses (false) or resumes (true) the tail's snapshots.
func (l *live) setFollow(on bool) { l.d.SetPaused(!on) }

// lineRereadable says whether an input is a file whose lines can be read again
// by offset (not stdin, a pipe or a compressed file), by reading its first
// line so.
func lineRereadable(maxLine int) func(string) bool {
	return func(path string) bool {
		_, err := input.ReadLine(path, 0, maxLine)
		return err == nil
	}
}

// readRawLine re-reads a raw line of a plain file by its offset for the
// raw-line screen; the interface falls back to the retained copy for
// stdin and archives.
func readRawLine(maxLine int) func(string, int64) (string, error) {
	return func(path string, offset int64) (string, error) {
		return input.ReadLine(path, offset, maxLine)
	}
}
