package tail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

const (
	readBufSize = 64 << 10
	// readBudget bounds the bytes read from one file per turn, so one busy
	// file (or a big file read FromStart) does not starve the others.
	readBudget = 4 << 20
	// safetyEvery: in normal mode every file is checked by stat once per
	// this many poll intervals, in case a notification was missed.
	safetyEvery = 5
	// maxQueuedEvents bounds events nobody has read yet (oldest dropped).
	maxQueuedEvents = 256
	// maxCoalesce bounds the fsnotify events taken in one go before reading.
	maxCoalesce = 512
)

// tailedFile is one path given to Follow.
type tailedFile struct {
	path string // as given, for Line.Path and Event.Path
	abs  string // cleaned absolute path, as fsnotify names it
	dir  string // directory of abs: the watch that sees it created, written, moved

	cur     *generation   // nil while the path does not exist or cannot be opened
	retired []*generation // rotated-away files still read for late writes

	initial  bool // the first open at start: begins at the end unless FromStart
	seen     bool // a generation was open before (re-created, not new)
	waiting  bool // a Waiting or Removed event was sent for the current absence
	watched  bool // its directory is watched by fsnotify
	polling  bool // a Polling event was sent for the current unwatched spell
	lastErr  string
	dirty    bool
	split    splitter
	keys     map[string]bool // names under which fsnotify events wake it
	symlinks map[string]bool // resolved targets already indexed
}

type follower struct {
	opt    Options
	ctx    context.Context
	lines  chan<- []Line
	events chan<- Event

	files    []*tailedFile
	followed map[string]bool // absolute paths of files
	byName   map[string][]*tailedFile
	byDir    map[string][]*tailedFile

	watcher   *fsnotify.Watcher      // nil in polling mode
	watched   map[string]bool        // directories with a live watch
	remote    map[string]bool        // directories on network file systems: polled for good
	dirIDs    map[string]os.FileInfo // identity of each watched directory
	pollAll   bool                   // no fsnotify at all
	fastUntil time.Time              // after an overflow: poll everything until then

	queue   []Event
	dropped int
	batch   batcher
	buf     []byte
	tick    int
}

func newFollower(opt Options, paths []string, lines chan<- []Line, events chan<- Event) (*follower, error) {
	if opt.PollInterval <= 0 {
		opt.PollInterval = DefaultPollInterval
	}
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxLine
	}
	if opt.safetyEvery <= 0 {
		opt.safetyEvery = safetyEvery
	}
	if opt.drainWindow <= 0 {
		opt.drainWindow = max(10*opt.PollInterval, 2*time.Second)
	}
	f := &follower{
		opt:      opt,
		lines:    lines,
		events:   events,
		followed: map[string]bool{},
		byName:   map[string][]*tailedFile{},
		byDir:    map[string][]*tailedFile{},
		watched:  map[string]bool{},
		remote:   map[string]bool{},
		dirIDs:   map[string]os.FileInfo{},
		buf:      make([]byte, readBufSize),
	}
	for _, p := range paths {
		if _, err := f.addFile(p, true); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// addFile starts following path (unless its absolute path is followed
// already, which would deliver every line twice). initial: it is one of
// the paths Follow started with, read from its end unless FromStart.
func (f *follower) addFile(path string, initial bool) (*tailedFile, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("tail: %s: %w", path, err)
	}
	if f.followed[abs] {
		return nil, nil
	}
	f.followed[abs] = true
	tf := &tailedFile{path: path, abs: abs, dir: filepath.Dir(abs), initial: initial,
		keys: map[string]bool{}, symlinks: map[string]bool{}}
	tf.split = splitter{maxLine: f.opt.MaxLine, emit: f.emit, path: path}
	f.files = append(f.files, tf)
	f.index(tf, abs)
	f.byDir[tf.dir] = append(f.byDir[tf.dir], tf)
	return tf, nil
}

// addPaths follows paths handed to a running Follow: files that appeared
// after it started, so they are read from their first byte.
func (f *follower) addPaths(paths []string) {
	for _, p := range paths {
		tf, err := f.addFile(p, false)
		if err != nil {
			f.event(Event{Path: p, Kind: Error, Err: err})
			continue
		}
		if tf == nil {
			continue
		}
		tf.dirty = true
		switch {
		case f.watched[tf.dir]:
			tf.watched = true
		case f.watcher != nil && !f.remote[tf.dir]:
			f.watchDir(tf.dir) // or says the file is polled
		}
	}
}

func (f *follower) index(tf *tailedFile, name string) {
	if tf.keys[name] {
		return
	}
	tf.keys[name] = true
	f.byName[name] = append(f.byName[name], tf)
}

func (f *follower) close() {
	if f.watcher != nil {
		f.watcher.Close() // waits for fsnotify's reader goroutine to end
	}
	for _, tf := range f.files {
		if tf.cur != nil {
			tf.cur.close()
		}
		for _, g := range tf.retired {
			g.close()
		}
	}
}

func (f *follower) run(ctx context.Context, add <-chan []string) {
	f.ctx = ctx
	f.startWatching()
	for _, tf := range f.files {
		tf.dirty = true
	}
	ticker := time.NewTicker(f.opt.PollInterval)
	defer ticker.Stop()

	var wEvents chan fsnotify.Event
	var wErrors chan error
	if f.watcher != nil {
		wEvents, wErrors = f.watcher.Events, f.watcher.Errors
	}
	for {
		if f.readDirty() != nil {
			return // ctx ended during a send
		}
		var evCh chan<- Event
		var next Event
		if len(f.queue) > 0 {
			evCh, next = f.events, f.peekEvent()
		}
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-wEvents:
			if !ok {
				wEvents = nil
				continue
			}
			f.onNotify(ev)
			f.coalesce(wEvents)
		case err, ok := <-wErrors:
			if !ok {
				wErrors = nil
				continue
			}
			f.onWatchError(err)
		case ps, ok := <-add:
			if !ok {
				add = nil
				continue
			}
			f.addPaths(ps)
		case err := <-f.opt.watchErrors:
			f.onWatchError(err)
		case <-ticker.C:
			f.onTick()
		case evCh <- next:
			f.popEvent()
		}
	}
}

// coalesce takes the notifications already waiting, so a burst of writes
// costs one read of each file.
func (f *follower) coalesce(ch chan fsnotify.Event) {
	for range maxCoalesce {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			f.onNotify(ev)
		default:
			return
		}
	}
}

// startWatching creates the fsnotify watcher and watches the directory of
// every path (not the file: the directory sees it created, replaced,
// removed, and written).
func (f *follower) startWatching() {
	if f.opt.Poll {
		f.pollAll = true
		f.event(Event{Kind: Polling, Msg: fmt.Sprintf("checking every %s by stat (notifications off by option)", f.opt.PollInterval)})
		return
	}
	newWatcher := fsnotify.NewWatcher
	if f.opt.newWatcher != nil {
		newWatcher = f.opt.newWatcher
	}
	w, err := newWatcher()
	if err != nil {
		f.pollAll = true
		f.event(Event{Kind: Polling, Err: err, Msg: fmt.Sprintf("cannot use fsnotify; checking every %s by stat", f.opt.PollInterval)})
		return
	}
	f.watcher = w
	for _, tf := range f.files {
		if !f.watched[tf.dir] {
			f.watchDir(tf.dir)
		}
	}
}

// watchDir adds a watch on dir; files in it that cannot be watched are
// polled, and each says so once.
func (f *follower) watchDir(dir string) bool {
	err := f.watcher.Add(dir)
	if err == nil {
		err = remoteFS(dir)
		if err != nil {
			f.remote[dir] = true
			_ = f.watcher.Remove(dir)
		}
	}
	ok := err == nil
	if ok {
		f.watched[dir] = true
		if st, err := os.Stat(dir); err == nil {
			f.dirIDs[dir] = st
		}
	}
	for _, tf := range f.byDir[dir] {
		tf.watched = ok
		if ok {
			tf.polling = false
			continue
		}
		if tf.polling {
			continue
		}
		tf.polling = true
		msg := fmt.Sprintf("cannot watch %s; checking every %s by stat", dir, f.opt.PollInterval)
		if errors.Is(err, fs.ErrNotExist) {
			msg = fmt.Sprintf("directory %s does not exist; checking every %s by stat", dir, f.opt.PollInterval)
		}
		f.event(Event{Path: tf.path, Kind: Polling, Err: err, Msg: msg})
	}
	return ok
}

func (f *follower) onNotify(ev fsnotify.Event) {
	name := filepath.Clean(ev.Name)
	for _, tf := range f.byName[name] {
		tf.dirty = true
	}
	// A rotated-away file has a new name we do not index: any activity in
	// its directory is a reason to look at it again.
	for _, tf := range f.byDir[filepath.Dir(name)] {
		if len(tf.retired) > 0 {
			tf.dirty = true
		}
	}
	if f.watched[name] && ev.Has(fsnotify.Remove|fsnotify.Rename) {
		f.dirGone(name, "was removed or moved")
	}
}

// dirGone drops the watch of a directory that was removed or replaced; its
// files are polled until it can be watched again.
func (f *follower) dirGone(dir, why string) {
	if !f.watched[dir] {
		return
	}
	delete(f.watched, dir)
	delete(f.dirIDs, dir)
	_ = f.watcher.Remove(dir)
	for _, tf := range f.byDir[dir] {
		tf.watched, tf.dirty = false, true
		if !tf.polling {
			tf.polling = true
			f.event(Event{Path: tf.path, Kind: Polling,
				Msg: fmt.Sprintf("directory %s %s; checking every %s by stat until it is back", dir, why, f.opt.PollInterval)})
		}
	}
}

// checkDir notices a watched directory that is gone or was replaced by a
// new one (whose events the old watch never sees). It is called when a
// file vanished: the cheap moment to ask, as the directory's own delete
// event may come only once every file in it is closed.
func (f *follower) checkDir(dir string) {
	id, ok := f.dirIDs[dir]
	if !ok {
		return
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.dirGone(dir, "was removed")
	case err == nil && !os.SameFile(id, st):
		f.dirGone(dir, "was replaced")
	}
}

func (f *follower) onWatchError(err error) {
	for _, tf := range f.files {
		tf.dirty = true
	}
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		// Notifications were lost: nothing tells us which files changed,
		// so check them all now and poll them for a while.
		f.fastUntil = time.Now().Add(max(time.Minute, 30*f.opt.PollInterval))
		f.event(Event{Kind: Polling, Err: err,
			Msg: fmt.Sprintf("fsnotify lost events; checking every file every %s for a while", f.opt.PollInterval)})
		return
	}
	f.event(Event{Kind: Error, Err: err, Msg: "fsnotify"})
}

func (f *follower) onTick() {
	f.tick++
	fast := f.pollAll || time.Now().Before(f.fastUntil)
	safety := f.tick%f.opt.safetyEvery == 0
	if f.watcher != nil {
		for _, tf := range f.files {
			if tf.cur == nil && tf.watched {
				// Missing file: its directory may be gone or replaced, which
				// the old watch does not tell while a file in it is open.
				f.checkDir(tf.dir)
			}
			if !tf.watched && !f.watched[tf.dir] && !f.remote[tf.dir] {
				if f.watchDir(tf.dir) {
					for _, other := range f.byDir[tf.dir] {
						other.dirty = true // it may have appeared before the watch
					}
				}
			}
		}
	}
	for _, tf := range f.files {
		if fast || safety || !tf.watched || len(tf.retired) > 0 {
			tf.dirty = true
		}
	}
}

// readDirty checks every file marked dirty, turn by turn, until none has
// more to read, and sends what was read. It fails only when ctx ends.
func (f *follower) readDirty() error {
	for {
		more := false
		for _, tf := range f.files {
			if !tf.dirty {
				continue
			}
			tf.dirty = false
			again, err := f.check(tf)
			if err != nil {
				return err
			}
			if again {
				tf.dirty, more = true, true
			}
		}
		if err := f.sendBatch(); err != nil {
			return err
		}
		if !more {
			return nil
		}
		if err := f.ctx.Err(); err != nil {
			return err
		}
	}
}

// check brings one path up to date: it reads rotated-away files, notices
// truncation, reads the current file to its end (or its budget), then
// notices rotation and removal. again reports an unfinished read; err is
// set only when ctx ended.
func (f *follower) check(tf *tailedFile) (again bool, err error) {
	now := time.Now()
	retiredMore, err := f.drainRetired(tf, now)
	if err != nil {
		return false, err
	}
	if tf.cur == nil {
		if !f.open(tf) {
			return retiredMore, nil
		}
	}
	g := tf.cur
	if st, err := g.f.Stat(); err != nil {
		f.fail(tf, fmt.Errorf("stat open file: %w", err))
	} else if reason := truncated(g, st.Size()); reason != "" {
		// copytruncate: the file was emptied (and maybe rewritten) under us.
		if err := tf.split.flush(g); err != nil {
			return false, err
		}
		g.offset, g.lineStart, g.number, g.seenLen = 0, 0, 0, 0
		f.event(Event{Path: tf.path, Kind: Truncated, Msg: reason + "; reading again from the start"})
	}
	more, _, err := f.read(tf, g, readBudget)
	if err != nil || more {
		return more, err
	}
	again = retiredMore

	st, err := os.Stat(tf.abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.retire(tf, now)
		tf.waiting = true
		f.event(Event{Path: tf.path, Kind: Removed, Msg: "deleted or moved away; waiting for it to reappear"})
		f.checkDir(tf.dir)
		return again, nil
	case err != nil:
		f.fail(tf, fmt.Errorf("stat: %w", err))
		return again, nil
	case os.SameFile(g.id, st):
		return again, nil
	}
	// Rotated: the old file has been read to its end above; the new one
	// is read from its start.
	ng, err := openGeneration(tf.abs, false, f.opt.MaxLine)
	if err != nil {
		// Replaced and gone again, or unreadable: retry on the next wake-up
		// with the old file kept current so nothing written to it is lost.
		if !errors.Is(err, fs.ErrNotExist) {
			f.fail(tf, fmt.Errorf("open rotated file: %w", err))
		}
		return again, nil
	}
	f.retire(tf, now)
	tf.cur = ng
	f.resolve(tf)
	f.event(Event{Path: tf.path, Kind: Rotated, Msg: "replaced by a new file; old file read to its end, new one read from the start"})
	return true, nil
}

// truncated says why g's file was truncated under us, or "" if it was not.
func truncated(g *generation, size int64) string {
	if size < g.offset {
		return fmt.Sprintf("size %d < offset %d", size, g.offset)
	}
	if changed, err := g.rewritten(); err == nil && changed {
		return fmt.Sprintf("bytes before offset %d changed", g.offset)
	}
	return ""
}

// open tries to open the path; it reports success and sends the matching
// event (Opened, or Waiting/Error once per spell).
func (f *follower) open(tf *tailedFile) bool {
	atEnd := tf.initial && !f.opt.FromStart
	tf.initial = false
	g, err := openGeneration(tf.abs, atEnd, f.opt.MaxLine)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if !tf.waiting {
				tf.waiting = true
				f.event(Event{Path: tf.path, Kind: Waiting, Msg: "does not exist yet; will read it from the start once created"})
			}
			return false
		}
		f.fail(tf, fmt.Errorf("open: %w", err))
		return false
	}
	tf.cur = g
	tf.lastErr = ""
	tf.waiting = false
	msg := "reading from the start"
	switch {
	case atEnd:
		msg = fmt.Sprintf("following from the end (offset %d)", g.offset)
	case tf.seen:
		msg = "re-created; reading from the start"
	}
	tf.seen = true
	f.resolve(tf)
	f.event(Event{Path: tf.path, Kind: Opened, Msg: msg})
	return true
}

// resolve indexes the target of a symlinked path, so writes to the target
// (which fsnotify names by the target's path) wake the path.
func (f *follower) resolve(tf *tailedFile) {
	target, err := filepath.EvalSymlinks(tf.abs)
	if err != nil || target == tf.abs || tf.symlinks[target] {
		return
	}
	tf.symlinks[target] = true
	f.index(tf, target)
	if dir := filepath.Dir(target); f.watcher != nil && !f.watched[dir] {
		if f.watcher.Add(dir) == nil {
			f.watched[dir] = true
		}
	}
}

// retire moves the current generation to the retired list: it stays open
// for drainWindow after its last growth, for writers that still hold it.
func (f *follower) retire(tf *tailedFile, now time.Time) {
	g := tf.cur
	tf.cur = nil
	g.lastGrowth = now
	tf.retired = append(tf.retired, g)
}

// drainRetired reads rotated-away files and closes those idle for the drain
// window, delivering their last partial line. more: one of them has more
// to read than one turn's budget.
func (f *follower) drainRetired(tf *tailedFile, now time.Time) (more bool, err error) {
	kept := tf.retired[:0]
	for _, g := range tf.retired {
		unread, grew, err := f.read(tf, g, readBudget)
		if err != nil {
			return false, err
		}
		more = more || unread
		if grew {
			g.lastGrowth = now
		}
		if unread || now.Sub(g.lastGrowth) < f.opt.drainWindow {
			kept = append(kept, g)
			continue
		}
		if err := tf.split.flush(g); err != nil {
			return false, err
		}
		g.close()
	}
	clear(tf.retired[len(kept):])
	tf.retired = kept
	return more, nil
}

// read reads g from its offset until EOF or budget bytes. more: the budget
// ran out first; grew: bytes arrived. err is set only when ctx ended; read
// errors become events.
func (f *follower) read(tf *tailedFile, g *generation, budget int) (more, grew bool, err error) {
	for budget > 0 {
		n, rerr := g.f.ReadAt(f.buf, g.offset)
		if n > 0 {
			grew = true
			base := g.offset
			g.offset += int64(n)
			g.remember(f.buf[:n])
			budget -= n
			if err := tf.split.consume(g, f.buf[:n], base); err != nil {
				return false, grew, err
			}
		}
		if rerr != nil {
			if !errors.Is(rerr, io.EOF) {
				f.fail(tf, fmt.Errorf("read: %w", rerr))
			}
			return false, grew, nil
		}
	}
	return true, grew, nil
}

// fail reports an error once per distinct message, so a file that stays
// unreadable does not flood the events.
func (f *follower) fail(tf *tailedFile, err error) {
	if msg := err.Error(); msg != tf.lastErr {
		tf.lastErr = msg
		f.event(Event{Path: tf.path, Kind: Error, Err: err})
	}
}

// emit adds a line to the batch, sending the batch when it is full.
func (f *follower) emit(l Line) error {
	if f.batch.add(l) {
		return f.sendBatch()
	}
	return nil
}

// sendBatch sends the pending lines, delivering queued events while the
// receiver is busy; it fails only when ctx ends.
func (f *follower) sendBatch() error {
	if len(f.batch.lines) == 0 {
		return nil
	}
	var out []Line
	for {
		var evCh chan<- Event
		var next Event
		if len(f.queue) > 0 {
			evCh, next = f.events, f.peekEvent()
		}
		if out == nil {
			out = f.batch.take()
		}
		select {
		case f.lines <- out:
			return nil
		case evCh <- next:
			f.popEvent()
		case <-f.ctx.Done():
			return f.ctx.Err()
		}
	}
}

// event queues ev for delivery without ever blocking the reader.
func (f *follower) event(ev Event) {
	if f.events == nil {
		return
	}
	if len(f.queue) >= maxQueuedEvents {
		copy(f.queue, f.queue[1:])
		f.queue = f.queue[:len(f.queue)-1]
		f.dropped++
	}
	f.queue = append(f.queue, ev)
}

func (f *follower) peekEvent() Event {
	ev := f.queue[0]
	if f.dropped > 0 {
		note := fmt.Sprintf("(%d earlier events dropped: nobody read them)", f.dropped)
		if ev.Msg != "" {
			note = " " + note
		}
		ev.Msg += note
	}
	return ev
}

func (f *follower) popEvent() {
	f.dropped = 0
	copy(f.queue, f.queue[1:])
	f.queue[len(f.queue)-1] = Event{}
	f.queue = f.queue[:len(f.queue)-1]
}
