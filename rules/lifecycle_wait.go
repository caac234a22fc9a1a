package rules

// Wait lists: a POST with no Location waits for the next GET of a child
// P/{id} from the same client (linkChild). On a flood of such POSTs that
// nobody follows, every one is added and, at its eviction, removed, so the
// index is a chained hash table over the operations themselves: a bucket
// is the FIFO of the waiting operations whose linkHash falls in it, chained
// by op.qnext, so the first that matches a GET is the oldest of its key.
// Two opIDs a bucket and no entry per operation (a Go map of lists cost
// 100 bytes an operation, and a probe of it each eviction).

// waitTable is one host's wait lists.
type waitTable struct {
	head, tail []opID // by bucket: linkHash & mask
}

func (t *waitTable) mask() uint32 { return uint32(len(t.head) - 1) }

// enqueue makes a POST wait for the next GET of a child P/{id} from the same
// client.
func (l *lifecycle) enqueue(op *op, h *hostState) {
	t := &h.waits
	if h.nUnlinked >= len(t.head) {
		l.growWaits(t)
	}
	op.wkey = uint32(linkHash(l.tab.str(op.openPath), l.tab.str(op.ip), op.uaHash))
	l.appendWait(t, op)
	op.linkedBy = linkWaiting
	h.nUnlinked++
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

// growWaits doubles the buckets (at most one waiting operation a bucket on
// average); old bucket b splits into b and b+len in order, so every
// bucket stays in the order its operations came.
func (l *lifecycle) growWaits(t *waitTable) {
	old := t.head
	n := max(16, 2*len(old))
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
	if x.linkedBy != linkWaiting {
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
}
