package input

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// rescanner finds the files that appear, while following, in the
// directories and globs the user gave: a new dated file, a new virtual
// host's log. A rotation must not make a file look new (the tailer already
// reads a rotated file to its end through its old name), so a new name is
// left out when it is a followed file moved away (same identity as a
// followed file at the previous scan) or a dated copy of a followed
// family's live file (access.log-20261121 beside access.log, as
// copytruncate leaves it). Numbered and compressed rotations are never
// followed (see liveFile).
type rescanner struct {
	patterns  []string
	recursive bool
	known     map[string]bool        // cleaned paths followed or left out for good
	ids       map[string]os.FileInfo // followed files: identity at the last scan (nil if missing)
}

// newRescanner keeps the directories and globs among paths; it has nothing
// to do (patterns is empty) when every path names a file.
func newRescanner(paths []string, recursive bool) *rescanner {
	r := &rescanner{recursive: recursive, known: map[string]bool{}, ids: map[string]os.FileInfo{}}
	for _, p := range paths {
		if p == StdinName {
			continue
		}
		if st, err := os.Stat(p); (err == nil && st.IsDir()) || (err != nil && hasMeta(p)) {
			r.patterns = append(r.patterns, p)
		}
	}
	return r
}

// follows records a path followed from the start.
func (r *rescanner) follows(path string) {
	k := filepath.Clean(path)
	r.known[k] = true
	r.ids[k] = statOrNil(k)
}

// scan returns the live files that appeared since the last scan.
func (r *rescanner) scan() []string {
	var fresh []string
	for _, s := range expandFollow(r.patterns, r.recursive) {
		if s.err != nil || s.stdin {
			continue
		}
		k := filepath.Clean(s.path)
		if r.known[k] {
			continue
		}
		r.known[k] = true
		if r.rotatedAway(k) {
			continue
		}
		fresh = append(fresh, s.path)
	}
	for k := range r.ids {
		r.ids[k] = statOrNil(k)
	}
	for _, p := range fresh {
		r.ids[filepath.Clean(p)] = statOrNil(p)
	}
	return fresh
}

// rotatedAway reports whether the new file at path is a followed file
// under a rotation's name.
func (r *rescanner) rotatedAway(path string) bool {
	dir, name := filepath.Split(path)
	if family, kind, _ := rotation(name); kind == 0 {
		if _, ok := r.ids[filepath.Join(dir, family)]; ok {
			return true
		}
	}
	st := statOrNil(path)
	if st == nil {
		return false
	}
	for _, id := range r.ids {
		if id != nil && os.SameFile(id, st) {
			return true
		}
	}
	return false
}

func statOrNil(path string) os.FileInfo {
	st, err := os.Stat(path)
	if err != nil {
		return nil
	}
	return st
}

// run scans every interval until ctx ends and hands each set of new files
// to found. A scan of a big tree is spaced out to cost at most about 5% of
// a core.
func (r *rescanner) run(ctx context.Context, interval time.Duration, found func(context.Context, []string) bool) {
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		start := time.Now()
		if fresh := r.scan(); len(fresh) > 0 && !found(ctx, fresh) {
			return
		}
		timer.Reset(max(interval, 20*time.Since(start)))
	}
}
