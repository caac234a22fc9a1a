package rules

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The status-resource index against a model: operations link to a few
// paths and leave in any order, across growing and shrinking; a lookup
// finds the newest operation of a path, and its chain then holds every
// operation of that path, newest first (the order polls are applied in).
func TestResTableModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	e := NewEngine(testConfig())
	l := &e.life
	h := l.host("api.example.com", true)
	paths := make([]string, 300)
	for i := range paths {
		paths[i] = fmt.Sprintf("/v1/jobs/%d", i)
	}
	byPath := map[string][]*op{} // oldest first
	var all []*op
	check := func(step int) {
		t.Helper()
		for _, p := range paths {
			want := byPath[p]
			head := l.lookup(h, p)
			if len(want) == 0 {
				if head != nil {
					t.Fatalf("step %d: %s found with nothing linked", step, p)
				}
				continue
			}
			var got []*op
			for o := head; o != nil; o = l.tab.next(o.next) {
				if l.tab.str(o.resPath) == p {
					got = append(got, o)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("step %d: %s: %d in its chain, want %d", step, p, len(got), len(want))
			}
			for i, o := range got {
				if o != want[len(want)-1-i] {
					t.Fatalf("step %d: %s: chain out of order at %d", step, p, i)
				}
			}
		}
		if h.res.n != len(all) {
			t.Fatalf("step %d: %d indexed, want %d", step, h.res.n, len(all))
		}
	}
	maxBuckets := 0
	for step := 0; step < 40000; step++ {
		grow := step%20000 < 12000 // fill, then drain
		if grow && rng.IntN(3) != 0 || len(all) == 0 {
			p := paths[rng.IntN(len(paths))]
			o := l.tab.alloc()
			o.openPath = l.tab.put(p)
			l.link(o, h, p, linkHeader)
			byPath[p] = append(byPath[p], o)
			all = append(all, o)
		} else {
			i := rng.IntN(len(all))
			o := all[i]
			all = append(all[:i], all[i+1:]...)
			p := l.tab.str(o.resPath)
			ops := byPath[p]
			for k := range ops {
				if ops[k] == o {
					byPath[p] = append(ops[:k], ops[k+1:]...)
					break
				}
			}
			l.unlink(o)
			o.state = opGone
			l.tab.release(o)
		}
		maxBuckets = max(maxBuckets, len(h.res.head))
		if step%499 == 0 {
			check(step)
		}
	}
	check(-1)
	if maxBuckets < 4096 || len(h.res.head) > 4*max(h.res.n, 64) {
		t.Errorf("buckets: at most %d, now %d for %d operations", maxBuckets, len(h.res.head), h.res.n)
	}
}

// Operations linked to one status resource share one copy of its path
// (link): every live operation reads its path back, through out-of-order
// leaving and the arena's compaction, and once all have left no byte of the
// arena is counted live.
func TestSharedStatusPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	e := NewEngine(testConfig())
	l := &e.life
	h := l.host("api.example.com", true)
	paths := make([]string, 50)
	for i := range paths {
		paths[i] = fmt.Sprintf("/v1/imports/%d/status", i)
	}
	type linked struct {
		o    *op
		h    opHandle
		path string
	}
	var all []linked
	check := func(step int) {
		t.Helper()
		refs := map[strRef]bool{}
		for _, x := range all {
			if l.tab.live(x.h) == nil {
				t.Fatalf("step %d: operation %d gone", step, x.h.id)
			}
			if got := l.tab.str(x.o.resPath); got != x.path {
				t.Fatalf("step %d: resPath %q, want %q", step, got, x.path)
			}
			if got := l.tab.str(x.o.openPath); got != "/v1/imports" {
				t.Fatalf("step %d: openPath %q", step, got)
			}
			refs[x.o.resPath] = true
		}
		if len(all) > 1000 && len(refs) > 4*len(paths) {
			t.Fatalf("step %d: %d copies of %d paths for %d operations", step, len(refs), len(paths), len(all))
		}
	}
	for step := 0; step < 30000; step++ {
		if step%10000 < 7000 && rng.IntN(3) != 0 || len(all) == 0 {
			x := linked{o: l.tab.alloc(), path: paths[rng.IntN(len(paths))]}
			x.o.state = opInflight
			x.o.openPath = l.tab.put("/v1/imports")
			l.link(x.o, h, x.path, linkHeader)
			x.h = x.o.handle()
			all = append(all, x)
		} else {
			i := rng.IntN(len(all))
			x := all[i]
			all = append(all[:i], all[i+1:]...)
			l.unlink(x.o)
			x.o.state = opGone
			l.tab.release(x.o)
		}
		if step%5000 == 0 {
			l.tab.compact() // the live strings move; sharing may end, reading may not
		}
		if step%499 == 0 {
			check(step)
		}
	}
	check(-1)
	for _, x := range all {
		l.unlink(x.o)
		x.o.state = opGone
		l.tab.release(x.o)
	}
	if a := &l.tab.arena; a.nLive != 0 {
		t.Errorf("%d bytes still live with no operation", a.nLive)
	}
}
