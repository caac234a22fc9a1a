package rules

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The arena against a model: operations come and leave (mostly oldest
// first, some pinned for long, some strings longer than a block); every
// live operation's strings read back as put, and the arena stays within a
// constant factor of its live bytes.
func TestStrArenaModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tab opTable
	type live struct {
		o          *op
		h          opHandle
		path, addr string
	}
	var fifo []live
	pinned := map[opID]live{}
	check := func(step int) {
		t.Helper()
		for _, x := range append(fifo, mapValues(pinned)...) {
			if tab.live(x.h) == nil {
				t.Fatalf("step %d: operation %d gone", step, x.h.id)
			}
			if got := tab.str(x.o.openPath); got != x.path {
				t.Fatalf("step %d: path %q, want %q", step, got, x.path)
			}
			if got := tab.str(x.o.ip); got != x.addr {
				t.Fatalf("step %d: ip %q, want %q", step, got, x.addr)
			}
			if got := tab.str(x.o.resPath); got != x.path {
				t.Fatalf("step %d: resPath %q, want %q", step, got, x.path)
			}
		}
		a := &tab.arena
		if a.size > 3*a.nLive+20*arenaBlock {
			t.Fatalf("step %d: arena %d bytes for %d live", step, a.size, a.nLive)
		}
	}
	for step := 0; step < 60000; step++ {
		n := rng.IntN(40)
		if rng.IntN(2000) == 0 {
			n = arenaLong + rng.IntN(3*arenaBlock) // a block of its own
		}
		x := live{path: fmt.Sprintf("/v1/jobs/%d/", step) + strings.Repeat("x", n), addr: fmt.Sprintf("10.%d.%d.%d", step>>16&255, step>>8&255, step&255)}
		if rng.IntN(7) == 0 {
			x.addr = "" // no client address: no string
		}
		x.o = tab.alloc()
		x.o.openPath = tab.put(x.path)
		x.o.ip = tab.put(x.addr)
		x.o.resPath = x.o.openPath
		x.h = x.o.handle()
		if rng.IntN(50) == 0 {
			pinned[x.o.id] = x
		} else {
			fifo = append(fifo, x)
		}
		for len(fifo) > 3000 { // the cap: the oldest leaves
			tab.release(fifo[0].o)
			fifo = fifo[1:]
		}
		if rng.IntN(10) == 0 && len(fifo) > 0 { // one leaves out of order
			i := rng.IntN(len(fifo))
			tab.release(fifo[i].o)
			fifo = append(fifo[:i], fifo[i+1:]...)
		}
		if len(pinned) > 400 { // the pinned ones leave in a burst
			for id, x := range pinned {
				tab.release(x.o)
				delete(pinned, id)
				if len(pinned) < 100 {
					break
				}
			}
		}
		if step%997 == 0 {
			check(step)
		}
	}
	check(-1)
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// On endless traffic that leaves oldest first the same blocks go round:
// no block is added once the first are full.
func TestStrArenaReusesBlocks(t *testing.T) {
	var tab opTable
	var q []*op
	blocksAt := 0
	for i := 0; i < 200000; i++ {
		o := tab.alloc()
		o.openPath = tab.put(fmt.Sprintf("/api/v1/jobs/%d/run", i))
		o.ip = tab.put(fmt.Sprintf("198.51.%d.%d", i>>8&255, i&255))
		q = append(q, o)
		if len(q) > 10000 {
			tab.release(q[0])
			q = q[1:]
		}
		if i == 50000 {
			blocksAt = tab.arena.made
		}
	}
	if n := tab.arena.made; n != blocksAt {
		t.Errorf("%d blocks made after 200,000 operations, %d after 50,000: blocks are not reused", n, blocksAt)
	}
	if a := &tab.arena; a.size > 2*a.nLive+4*arenaBlock {
		t.Errorf("arena %d bytes for %d live", a.size, a.nLive)
	}
}

// A flood of POSTs that no GET follows never fills the wait buckets, and
// its fresh list follows the operations the cap keeps; the first child GET
// then links the oldest POST of its client still pending, as the buckets
// did when every POST went into them at once.
func TestWaitListsFilledLazily(t *testing.T) {
	cfg := testConfig()
	cfg.MaxPending = 1000
	e := NewEngine(cfg)
	const n = 20000
	var recs []parse.Record
	for i := 0; i < n; i++ {
		recs = append(recs, mk(time.Duration(i)*time.Millisecond, "POST", "/v1/exports", 202,
			client(fmt.Sprintf("192.0.2.%d", i%7)), ua("app/1")))
	}
	e.Add(recs)
	l := &e.life
	h := l.host("api.example.com", false)
	if h == nil {
		t.Fatal("no host state")
	}
	if len(h.waits.head) != 0 {
		t.Errorf("%d wait buckets before any GET", len(h.waits.head))
	}
	if h.nUnlinked != cfg.MaxPending || h.waits.nFresh != cfg.MaxPending {
		t.Errorf("unlinked %d, fresh %d, want %d", h.nUnlinked, h.waits.nFresh, cfg.MaxPending)
	}
	if k := len(h.waits.fresh) - h.waits.freshHd; k > 3*cfg.MaxPending+1024 {
		t.Errorf("fresh list %d entries for %d waiting", k, cfg.MaxPending)
	}
	// the oldest pending POST of client 192.0.2.3: the first of the last
	// 1000 (the cap evicted the others) whose index is 3 mod 7
	first := n - cfg.MaxPending
	for first%7 != 3 {
		first++
	}
	e.Add([]parse.Record{mk(n*time.Millisecond, "GET", "/v1/exports/77", 202, client("192.0.2.3"), ua("app/1"))})
	var linked []int64
	for id := opID(1); id < l.tab.n; id++ {
		if o := l.tab.at(id); (o.state == opInflight || o.state == opJudged) && o.linkedBy == linkChild {
			linked = append(linked, o.line)
		}
	}
	if want := recs[first].Line; len(linked) != 1 || linked[0] != want {
		t.Fatalf("linked lines %v, want [%d]", linked, want)
	}
	if h.waits.nFresh != 0 || h.nUnlinked != cfg.MaxPending-1 {
		t.Errorf("after the GET: fresh %d, unlinked %d", h.waits.nFresh, h.nUnlinked)
	}
	// the parent-path filter counts exactly the POSTs still waiting, through
	// evictions from the fresh list and the link from the buckets
	if got := h.parents.n[filterHash("/v1/exports")&1023]; int(got) != h.nUnlinked {
		t.Errorf("parent filter counts %d, %d waiting", got, h.nUnlinked)
	}
}
