package rules

// Wait lists: a POST with no Location waits for the next GET of a child
// P/{id} from the same client (linkChild). On a flood of such POSTs that
// nobody follows, every one is added and, at its eviction, removed, so the
// index is a chained hash table over the operations themselves: a bucket
// is the FIFO of the waiting operations whose linkHash falls in it, chained
// by op.qnext, so the first that matches a GET is the oldest of its key.
// Two opIDs a bucket and no entry per operation (a Go map of lists cost
// 100 bytes an operation, and a probe of it each eviction).
//
// The buckets are filled lazily: a new waiting POST only goes to the end of
// its host's fresh list (linkFresh), and the fresh list is hashed into the
// buckets, in order, when a GET of a child could link one. A bucket write is
// a cache miss into a table of a few MB, and its removal at eviction another;
// on a flood that no GET follows neither happens (the fresh list is written
// and read in order), and where GETs follow, each operation is hashed once,
// as before, and the buckets keep the order the operations came in.

// linkFresh: waiting like linkWaiting, not in the buckets yet (in the host's
// fresh list).
const linkFresh int8 = -3

// waitTable is one host's wait lists.
type waitTable struct {
	head, tail []opID // by bucket: linkHash & mask
	// fresh are the waiting operations not in the buckets yet, oldest first
	// from freshHd; entries whose operation left (stale handle, or no longer
	// linkFresh) are skipped.
	fresh   []opHandle
	freshHd int
	nFresh  int // live entries of fresh
}

func (t *waitTable) mask() uint32 { return uint32(len(t.head) - 1) }

// enqueue makes a POST wait for the next GET of a child P/{id} from the same
// client.
func (l *lifecycle) enqueue(op *op, h *hostState) {
	t := &h.waits
	op.linkedBy = linkFresh
	t.fresh = append(t.fresh, op.handle())
	t.nFresh++
	h.nUnlinked++
	if h.parents == nil {
		h.parents = new(parentFilter)
	}
	h.parents.add(l.tab.str(op.openPath))
	if len(t.fresh)-t.freshHd > 2*t.nFresh+1024 {
		l.compactFresh(t)
	}
}

// isFresh reports whether hd names an operation still in the fresh list.
func (l *lifecycle) isFresh(hd opHandle) *op {
	if o := l.tab.at(hd.id); o.gen == hd.gen && o.linkedBy == linkFresh {
		return o
	}
	return nil
}

// compactFresh drops the fresh entries of operations that left.
func (l *lifecycle) compactFresh(t *waitTable) {
	k := 0
	for _, hd := range t.fresh[t.freshHd:] {
		if l.isFresh(hd) != nil {
			t.fresh[k] = hd
			k++
		}
	}
	clear(t.fresh[k:])
	t.fresh, t.freshHd = t.fresh[:k], 0
}

// indexFresh hashes h's fresh operations into the buckets, oldest first
// (they are all younger than the operations already there).
func (l *lifecycle) indexFresh(h *hostState) {
	t := &h.waits
	if t.nFresh == 0 {
		if t.freshHd > 0 || len(t.fresh) > 0 {
			clear(t.fresh)
			t.fresh, t.freshHd = t.fresh[:0], 0
		}
		return
	}
	if h.nUnlinked >= len(t.head) {
		n := max(16, 2*len(t.head))
		for n <= h.nUnlinked {
			n *= 2
		}
		l.growWaits(t, n)
	}
	for _, hd := range t.fresh[t.freshHd:] {
		if op := l.isFresh(hd); op != nil {
			op.wkey = uint32(linkHash(l.tab.str(op.openPath), l.tab.str(op.ip), op.uaHash))
			l.appendWait(t, op)
			op.linkedBy = linkWaiting
		}
	}
	clear(t.fresh)
	t.fresh, t.freshHd, t.nFresh = t.fresh[:0], 0, 0
}

func (l *lifecycle) appendWait(t *waitTable, op *op) {
	b := op.wkey & t.mask()
	op.qnext = 0
	if t.head[b] == 0 {
		t.head[b] = op.id
	} else {
		l.tab.at(t.tail[b]).qnext = op.id
	}
	t.tail[b] = op.id
}

// growWaits makes n buckets (n a power of two, at most one waiting
// operation a bucket on average); old bucket b splits into b and b+len in
// order, so every bucket stays in the order its operations came.
func (l *lifecycle) growWaits(t *waitTable, n int) {
	old := t.head
	t.head, t.tail = make([]opID, n), make([]opID, n)
	for _, id := range old {
		for id != 0 {
			o := l.tab.at(id)
			id = o.qnext
			l.appendWait(t, o)
		}
	}
}

// dequeue removes op from its waiting list (usually its head: operations
// leave in the order they came).
func (l *lifecycle) dequeue(x *op) {
	switch x.linkedBy {
	case linkFresh:
		l.dequeueFresh(x)
		return
	case linkWaiting:
	default:
		return
	}
	x.linkedBy = linkNone
	h := l.hostAll[x.from]
	t := &h.waits
	b := x.wkey & t.mask()
	var prev *op
	id := t.head[b]
	for id != 0 && id != x.id {
		prev = l.tab.at(id)
		id = prev.qnext
	}
	if id == 0 {
		return // cannot happen: waiting means listed
	}
	if prev == nil {
		t.head[b] = x.qnext
	} else {
		prev.qnext = x.qnext
	}
	if t.tail[b] == x.id {
		t.tail[b] = 0
		if prev != nil {
			t.tail[b] = prev.id
		}
	}
	x.qnext = 0
	h.nUnlinked--
	h.parents.remove(l.tab.str(x.openPath))
}

// dequeueFresh takes op out of the fresh list: its entry goes stale, and
// the stale entries at the list's head (where leaving operations usually
// are) are dropped.
func (l *lifecycle) dequeueFresh(x *op) {
	x.linkedBy = linkNone
	h := l.hostAll[x.from]
	t := &h.waits
	t.nFresh--
	h.nUnlinked--
	h.parents.remove(l.tab.str(x.openPath))
	for t.freshHd < len(t.fresh) && l.isFresh(t.fresh[t.freshHd]) == nil {
		t.fresh[t.freshHd] = opHandle{}
		t.freshHd++
	}
	if t.freshHd == len(t.fresh) {
		t.fresh, t.freshHd = t.fresh[:0], 0
	} else if t.freshHd > 1024 && t.freshHd > len(t.fresh)/2 {
		n := copy(t.fresh, t.fresh[t.freshHd:])
		clear(t.fresh[n:])
		t.fresh, t.freshHd = t.fresh[:n], 0
	}
}

// parentFilter is a pathFilter of 1024 counters, for the few paths that
// POSTs waiting for a child GET have.
type parentFilter struct{ n [1024]uint16 }

func (f *parentFilter) add(p string) {
	if i := filterHash(p) & 1023; f.n[i] < 65535 {
		f.n[i]++
	}
}

func (f *parentFilter) remove(p string) {
	if i := filterHash(p) & 1023; f.n[i] > 0 && f.n[i] < 65535 {
		f.n[i]--
	}
}

func (f *parentFilter) maybe(p string) bool { return f.n[filterHash(p)&1023] != 0 }
