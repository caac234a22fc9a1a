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
