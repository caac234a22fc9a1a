package input

import (
	"sync"
	"sync/atomic"

	"github.com/edgetriage/edgetriage/parse"
)

// recBatch is the backing array of the records parsed from one chunk. It
// goes back to a pool once every record in it has been passed on (or
// dropped): refs counts those still in the pipeline. Recycling keeps the
// garbage collector out of the hot path (a Record is 320 bytes, with
// pointers). The batch holds a reference to the slab its records view,
// dropped when it is recycled (slab.go).
type recBatch struct {
	recs []parse.Record // full capacity
	used int            // records of recs that parsing wrote to (cleared before reuse)
	refs atomic.Int64
	slab *slab // the chunk's slab; nil: none (or not reused)
}

var batchPool sync.Pool

// getBatch returns a batch with room for n records.
func getBatch(n int) *recBatch {
	if b, ok := batchPool.Get().(*recBatch); ok {
		if cap(b.recs) >= n {
			return b
		}
	}
	return &recBatch{recs: make([]parse.Record, 0, n+n/4)}
}

// release notes that n records of b have left the pipeline; b is reused
// when none is left. A nil b (records not from a pooled batch) is fine.
func (b *recBatch) release(n int) {
	if b == nil || n == 0 {
		return
	}
	if b.refs.Add(-int64(n)) == 0 {
		b.recycle()
	}
}

// recycle clears the records parsing wrote and pools b. A pooled batch
// whose stale records still viewed their slabs would keep those slabs
// (128 KiB each, one or more per batch) reachable: with the pool, the
// merge's batch and the ones in flight, that was 14 MB of the 28 MB live
// heap on Logpush lines, and the collector runs more often the closer the
// live heap comes to the soft memory limit.
func (b *recBatch) recycle() {
	if reuseOff { // the poison test's reference: nothing is reused
		b.slab = nil
		return
	}
	clear(b.recs[:b.used])
	b.used = 0
	s := b.slab
	b.slab = nil
	batchPool.Put(b)
	s.release() // after the clear: nothing of b views it any more
}

// hold sets how many records of b are in the pipeline, or recycles b at
// once if none.
func (b *recBatch) hold(n int) {
	if n == 0 {
		b.recycle()
		return
	}
	b.refs.Store(int64(n))
}
