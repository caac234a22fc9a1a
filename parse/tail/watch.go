package tail

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

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
