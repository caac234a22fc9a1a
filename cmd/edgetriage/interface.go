package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/parse/safe"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/tui"
)

// updateEvery is how often the interface gets a fresh snapshot: often
// enough to feel live, rare enough that a flood of lines costs nothing.
const updateEvery = 250 * time.Millisecond

// runInterface wires pipeline -> engine -> snapshots -> Bubble Tea.
func runInterface(ctx context.Context, a *app, stdin io.Reader, stdout, stderr io.Writer) int {
	if err := a.prepareInputs(stdin); err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	for _, p := range a.input.Paths {
		if p == input.StdinName {
			// The terminal interface needs the keyboard; a pipe on stdin
			// cannot be both the log and the keys.
			fmt.Fprintln(stderr, "edgetriage: the interface cannot read logs from stdin; use 'edgetriage report -' or a file")
			return exitUsage
		}
	}
	l := newLive(a)
	p, err := input.New(a.input)
	if err != nil {
		fmt.Fprintf(stderr, "edgetriage: %v\n", err)
		return exitUsage
	}
	l.pipeline = p

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := safe.NewGroup(ctx, nil)
	g.Go("pipeline", l.read)
	g.Go("snapshots", l.publish)

	err = tui.Run(gctx, tui.Options{
		Updates:   l.updates,
		Recent:    l.ring,
		ReadRaw:   readRawLine(a.input.MaxLine),
		Live:      a.input.Follow,
		SetFollow: func(on bool) { l.following.Store(on) },
		Redact:    a.redact,
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

// live is the state shared by the pipeline goroutine and the publisher.
type live struct {
	a        *app
	pipeline *input.Pipeline
	ring     *tui.Ring
	updates  chan tui.Update

	mu       sync.Mutex // guards eng, lastLine, notices, result
	eng      *rules.Engine
	lastLine time.Time
	notices  []string
	result   *input.Result

	following atomic.Bool
	finished  chan struct{}
	failed    atomic.Bool
}

func newLive(a *app) *live {
	l := &live{
		a:        a,
		ring:     tui.NewRing(100_000),
		updates:  make(chan tui.Update, 1),
		eng:      rules.NewEngine(a.rules),
		finished: make(chan struct{}),
	}
	l.following.Store(true)
	a.input.OnEvent = func(ev input.Event) {
		if ev.Kind == "opened" {
			return
		}
		l.mu.Lock()
		if len(l.notices) < 50 {
			l.notices = append(l.notices, parse.Printable(ev.String()))
		}
		l.mu.Unlock()
	}
	return l
}

// read runs the pipeline to its end (or, tailing, until ctx ends).
func (l *live) read(ctx context.Context) error {
	defer close(l.finished)
	res, err := l.pipeline.Run(ctx, func(batch []parse.Record) {
		l.ring.Add(batch)
		l.mu.Lock()
		l.eng.Add(batch)
		l.lastLine = time.Now()
		l.mu.Unlock()
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil && ctx.Err() == nil {
		l.notices = append(l.notices, parse.Printable(err.Error()))
		l.failed.Store(true)
	}
	if res != nil {
		l.result = res
		for _, in := range res.Inputs {
			if in.Err != nil {
				l.failed.Store(true)
				l.notices = append(l.notices, parse.Printable(in.Err.Error()))
			}
		}
	}
	return nil
}

// publish sends a coalesced update a few times a second, and a final one
// when the pipeline ends; the interface never sees one message per line.
func (l *live) publish(ctx context.Context) error {
	defer close(l.updates)
	tick := time.NewTicker(updateEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.finished:
			l.mu.Lock()
			snap := l.eng.Finish()
			l.mu.Unlock()
			l.send(ctx, l.update(snap, true))
			return nil
		case <-tick.C:
			if l.a.input.Follow && !l.following.Load() {
				continue // paused: keep reading, stop redrawing
			}
			l.mu.Lock()
			if l.a.input.Follow {
				if now := l.eng.Now(); !now.IsZero() && !l.lastLine.IsZero() {
					l.eng.Advance(now.Add(time.Since(l.lastLine)))
				}
			}
			snap := l.eng.Snapshot()
			l.mu.Unlock()
			l.send(ctx, l.update(snap, false))
		}
	}
}

func (l *live) update(snap *rules.Snapshot, done bool) tui.Update {
	pr := l.pipeline.Progress()
	l.mu.Lock()
	defer l.mu.Unlock()
	u := tui.Update{
		Snapshot: snap,
		Notices:  l.notices,
		Progress: tui.Progress{
			BytesRead: pr.Bytes, BytesTotal: pr.BytesTotal, Lines: pr.Lines,
			LinesPerSec: pr.LinesPerSec, Done: done || pr.Done,
			Live: l.a.input.Follow, Following: l.following.Load(), LastLine: l.lastLine,
		},
	}
	l.notices = nil
	if l.result != nil {
		u.Inputs, u.Totals = l.result.Inputs, l.result.Totals
	}
	return u
}

// send replaces an update the interface has not taken yet: latest wins.
func (l *live) send(ctx context.Context, u tui.Update) {
	for {
		select {
		case l.updates <- u:
			return
		case <-ctx.Done():
			return
		default:
		}
		select {
		case old := <-l.updates:
			// Keep the notices of the dropped update.
			u.Notices = append(old.Notices, u.Notices...)
		default:
		}
	}
}

// readRawLine re-reads one line of a plain file at a byte offset, for the
// raw-line screen. Compressed files and stdin cannot be re-read: the
// interface then shows the retained copy.
func readRawLine(maxLine int) func(string, int64) (string, error) {
	if maxLine <= 0 {
		maxLine = 1 << 20
	}
	return func(path string, offset int64) (string, error) {
		if path == input.StdinName {
			return "", errors.New("standard input cannot be re-read")
		}
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		var magic [6]byte
		n, _ := f.ReadAt(magic[:], 0)
		if compressed(magic[:n]) {
			return "", errors.New("compressed input cannot be re-read by offset")
		}
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return "", err
		}
		br := bufio.NewReaderSize(f, 64<<10)
		var line []byte
		for len(line) < maxLine {
			chunk, err := br.ReadSlice('\n')
			line = append(line, chunk...)
			if err == nil || !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if len(line) > maxLine {
			line = line[:maxLine]
		}
		return string(bytes.TrimRight(line, "\r\n")), nil
	}
}

func compressed(b []byte) bool {
	for _, m := range [][]byte{{0x1f, 0x8b}, {0x28, 0xb5, 0x2f, 0xfd}, []byte("BZh"), {0xfd, '7', 'z', 'X', 'Z', 0}} {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return false
}
