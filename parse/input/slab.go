package input

import "sync/atomic"

// slab is one of the reader's read buffers. Records view its bytes, so it
// may be read into again only when nothing views it any more: refs counts
// the reader (while it reads into it) and every parse batch cut from it
// (recBatch.slab), and the last release puts it back in its pool.
//
// Lifetimes: a batch's records leave the pipeline when the merge has handed
// them to the sink and the sink has returned (merger.pass, merger.flush);
// copies the pipeline makes on the way (the sorter's out-of-order records,
// the merge's gathered batch) keep their batch's reference until then.
// Only a pipeline whose sink keeps no record text (Options.ReuseBuffers)
// has a pool; otherwise, and for slabs grown for a long line, pool is nil
// and the collector frees the slab as before.
type slab struct {
	buf  []byte
	refs atomic.Int64
	pool *slabPool // nil: never reused
}

// release drops one reference; the last one recycles the slab.
func (s *slab) release() {
	if s == nil {
		return
	}
	if n := s.refs.Add(-1); n == 0 {
		if s.pool != nil {
			s.pool.put(s)
		}
	} else if n < 0 {
		panic("input: slab released more often than held")
	}
}

// slabPool keeps the free standard-size slabs of one pipeline. A buffered
// channel, not a sync.Pool: it keeps its slabs across collections (fewer
// collections are the point) and bounds what it keeps.
type slabPool struct {
	size int
	free chan *slab
}

// maxFreeSlabs bounds the idle slabs kept (8 MiB of 128 KiB slabs): about
// what the sorter and the merge hold at once while reading at full speed.
const maxFreeSlabs = 64

func newSlabPool(size int) *slabPool {
	return &slabPool{size: size, free: make(chan *slab, maxFreeSlabs)}
}

// get returns a slab of the pool's size, held once (by the reader). A nil
// pool makes slabs that are never reused.
func (p *slabPool) get(size int) *slab {
	var s *slab
	if p != nil && size == p.size {
		select {
		case s = <-p.free:
			slabsReused.Add(1)
		default:
			s = &slab{buf: make([]byte, size), pool: p}
		}
	} else {
		s = &slab{buf: make([]byte, size)}
	}
	s.refs.Store(1)
	return s
}

func (p *slabPool) put(s *slab) {
	if poisonSlabs {
		poison(s.buf)
	}
	select {
	case p.free <- s:
	default: // enough idle ones: left to the collector
	}
}

// Test hooks (poison_test.go), set only while no pipeline runs.
var (
	// poisonSlabs overwrites every slab as it is recycled, so that a
	// string still viewing it reads junk at once instead of whatever a
	// later read happens to put there.
	poisonSlabs bool
	// reuseOff makes pipelines ignore Options.ReuseBuffers and
	// leaves record batches to the collector too: the reference run,
	// right whatever the release order.
	reuseOff bool
	// slabsReused counts the slabs taken from a pool (once per slab read
	// into again: no cost on the per-record path).
	slabsReused atomic.Int64
)

const poisonPattern = "\x00POISON\xff"

func poison(b []byte) {
	for i := range b {
		b[i] = poisonPattern[i%len(poisonPattern)]
	}
}
