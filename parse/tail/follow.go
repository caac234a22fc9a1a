package tail

import (
	"context"
	"fmt"
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
	gens     int // generations opened so far (see generation.index)
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
		buf:      make([]byte, seenLen+readBufSize), // room for the overlap read before the offset
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
