package input

import (
	"math"
	"unsafe"

	"github.com/edgetriage/edgetriage/parse"
)

// segment is a run of records in time order handed to the merge: usually a
// sub-slice of a parse batch (no copy), or the records a sorter took out of
// order. late marks a record passed on after later ones (already counted).
type segment struct {
	recs  []parse.Record
	late  bool
	owner *recBatch // release(len(recs)) once they are passed on
	// owners, for records the sorter took out of order (copies of records
	// of several batches), is recs[i]'s batch: the copies view its slab, so
	// the batch is released only when they are passed on.
	owners []*recBatch
}

// release notes that recs[lo:hi] have been passed on (the sink returned)
// or dropped.
func (s *segment) release(lo, hi int) {
	if s.owners == nil {
		s.owner.release(hi - lo)
		return
	}
	for i, o := range s.owners[lo:hi] {
		o.release(1)
		s.owners[lo+i] = nil
	}
}

// sorter repairs bounded disorder in one stream of records: it holds
// records until the stream has moved window past them (or until more than
// maxHeld are held), then releases them in time order. Records in order,
// the common case, stay where they were parsed and are released as slices
// of their batch; only out-of-order records go through a heap. A record
// older than what was already released is late: passed on at once and
// counted.
type sorter struct {
	window  int64 // ns
	maxHeld int
	emit    func(segment) bool // false: stop (cancelled)

	run     []segment // in-order runs, oldest first; their records never decrease in time
	runLast int64     // time of the newest record in run (or lastOut)
	heap    recHeap   // out-of-order records
	held    int
	seq     uint64
	maxSeen int64
	lastOut int64 // newest time released
	started bool  // something was seen
	late    int64
	stopped bool

	// Follow mode: wall-clock arrival marks, so held records are released
	// after a bounded delay even while the stream keeps its pace.
	marks []arrival
}

type arrival struct {
	wall    int64 // time.Now().UnixNano() of the add
	maxSeen int64
}

func newSorter(window int64, maxHeld int, emit func(segment) bool) *sorter {
	return &sorter{window: window, maxHeld: maxHeld, emit: emit, lastOut: math.MinInt64, runLast: math.MinInt64}
}

// add takes a batch of records in input order (the sorter keeps views of
// it) and releases what is due.
func (s *sorter) add(batch []parse.Record, owner *recBatch) {
	lo := 0
	for i := range batch {
		t := batch[i].Time
		if !s.started || t > s.maxSeen {
			s.maxSeen, s.started = t, true
		}
		switch {
		case t < s.lastOut:
			s.closeRun(batch, lo, i, owner)
			lo = i + 1
			s.late++
			s.send(segment{recs: batch[i : i+1 : i+1], late: true, owner: owner})
		case t >= s.runLast:
			s.runLast = t
		default:
			s.closeRun(batch, lo, i, owner)
			lo = i + 1
			s.seq++
			s.heap.push(heapItem{t: t, seq: s.seq, r: &batch[i], owner: owner})
			s.held++
		}
	}
	s.closeRun(batch, lo, len(batch), owner)
	// Held records pin their lines' slabs: bound what they hold in bytes
	// as well as in records, from this batch's bytes a record (its lines'
	// offsets), or a busy stream of long lines (1,000 Logpush lines a
	// second) holds 100k records and 120 MB of slabs for the window, and
	// the report's soft memory limit makes the collector run without a
	// break (300k such lines: 247 MB -> 62 MB peak RSS, a third less CPU).
	limit := s.maxHeld
	if n := len(batch); n > 1 {
		if span := batch[n-1].Offset - batch[0].Offset; span > 0 {
			per := span/int64(n-1) + recordBytes
			limit = int(min(int64(limit), max(heldBytes/per, minHeld)))
		}
	}
	s.release(s.maxSeen-s.window, s.held-limit)
}

// heldBytes bounds the input the sorter holds (records and the lines they
// view): about 5k Logpush records, 15k combined ones (records beyond it
// that come out of order are late: passed on and counted). minHeld keeps some
// disorder repaired however long the lines.
const (
	heldBytes = 8 << 20
	minHeld   = 4096
	// recordBytes is what a held record costs besides its line: the size of
	// a Record when these bounds were set, kept fixed so that a field added
	// to Record does not move them (and with them which copy of a
	// duplicate from overlapping inputs is kept, and the report).
	recordBytes = 400
)

// A Record much larger than recordBytes would make heldBytes an
// underestimate: this fails to compile if it grows past 512 bytes.
var _ = [512 - unsafe.Sizeof(parse.Record{})]struct{}{}

func (s *sorter) closeRun(batch []parse.Record, lo, hi int, owner *recBatch) {
	if hi > lo {
		s.run = append(s.run, segment{recs: batch[lo:hi:hi], owner: owner})
		s.held += hi - lo
	}
}

// mark notes the wall-clock arrival of what was added so far (follow mode).
func (s *sorter) mark(wall int64) {
	if s.started && (len(s.marks) == 0 || s.marks[len(s.marks)-1].maxSeen < s.maxSeen) {
		s.marks = append(s.marks, arrival{wall: wall, maxSeen: s.maxSeen})
	}
}

// due releases, in follow mode, everything up to the newest time that had
// arrived latency ago: disorder that shows up within that delay is still
// repaired, and a live view is never more than latency behind.
func (s *sorter) due(wall, latency int64) {
	wm := int64(math.MinInt64)
	i := 0
	for ; i < len(s.marks) && wall-s.marks[i].wall >= latency; i++ {
		wm = s.marks[i].maxSeen
	}
	s.marks = s.marks[:copy(s.marks, s.marks[i:])]
	s.release(max(wm, s.maxSeen-s.window), s.held-s.maxHeld)
}

// flush releases everything held (end of input).
func (s *sorter) flush() { s.release(math.MaxInt64, 0); s.marks = s.marks[:0] }

// release emits held records in time order: all those at or before wm, and
// at least force more (the oldest) to get back under the cap.
func (s *sorter) release(wm int64, force int) {
	for s.held > 0 && !s.stopped {
		runT, heapT := int64(math.MaxInt64), int64(math.MaxInt64)
		if len(s.run) > 0 {
			runT = s.run[0].recs[0].Time
		}
		if len(s.heap) > 0 {
			heapT = s.heap[0].t
		}
		limit := wm
		if force > 0 {
			limit = math.MaxInt64 // the oldest goes regardless of the watermark
		}
		if min(runT, heapT) > limit {
			return
		}
		var out segment
		if runT <= heapT {
			recs := s.run[0].recs
			bound := min(limit, heapT)
			k := 1
			for k < len(recs) && recs[k].Time <= bound && (force <= 0 || k < force || recs[k].Time <= wm) {
				k++
			}
			out.recs, out.owner = recs[:k:k], s.run[0].owner
			if k == len(recs) {
				s.run[0] = segment{}
				s.run = s.run[1:]
			} else {
				s.run[0].recs = recs[k:]
			}
		} else {
			// Equal times: the run's record came first in the input (a record
			// only joins the heap when it is older than the run's newest).
			for len(s.heap) > 0 && s.heap[0].t <= limit && s.heap[0].t < runT &&
				(force <= 0 || len(out.recs) < force || s.heap[0].t <= wm) {
				it := s.heap.pop()
				// A copy, which keeps viewing the batch's slab: the batch
				// is released when the copy has been passed on.
				out.recs = append(out.recs, *it.r)
				out.owners = append(out.owners, it.owner)
			}
		}
		n := len(out.recs)
		s.held -= n
		force -= n
		s.lastOut = max(s.lastOut, out.recs[n-1].Time)
		if s.runLast < s.lastOut {
			s.runLast = s.lastOut
		}
		s.send(out)
	}
}

func (s *sorter) send(seg segment) {
	if !s.stopped && !s.emit(seg) {
		s.stopped = true
	}
}

// heapItem points into a batch; seq keeps equal times in input order.
type heapItem struct {
	t     int64
	seq   uint64
	r     *parse.Record
	owner *recBatch
}

type recHeap []heapItem

func (h recHeap) less(i, j int) bool {
	return h[i].t < h[j].t || (h[i].t == h[j].t && h[i].seq < h[j].seq)
}

func (h *recHeap) push(it heapItem) {
	*h = append(*h, it)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if !a.less(i, p) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *recHeap) pop() heapItem {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a[n] = heapItem{}
	a = a[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && a.less(l, m) {
			m = l
		}
		if r < n && a.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}
