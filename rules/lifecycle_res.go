package rules

// The status-resource index of a host: the operations linked to a status
// resource, by a hash of its path, as a chained hash table over the
// operations themselves (like the wait lists): a bucket is the chain of
// the operations whose path hash falls in it, newest first, linked by
// op.next. Lookups compare the path itself. One opID a bucket and no entry
// per operation: a Go map from hash to chain cost a probe of a table twice
// the size at every link and every unlink, and its deletes left tombstones
// that had to be rebuilt away; on a flood of 202s with Location that was
// most of the engine's time. An operation keeps its path hash's low bits
// in op.wkey (free once it is linked: it no longer waits), so unlinking
// and resizing hash nothing.

// resTable is one host's status-resource index.
type resTable struct {
	head []opID // by bucket: path hash & mask
	n    int    // operations in it
}

func (t *resTable) bucket(k uint32) *opID { return &t.head[k&uint32(len(t.head)-1)] }

// resAdd puts op, linked to the status resource of hash k, at the head of
// its chain.
func (l *lifecycle) resAdd(t *resTable, op *op, k uint32) {
	// at most one operation in two buckets: the oldest, which leaves first,
	// is last in its chain, and every other one there is a cache miss to
	// step over
	if 2*t.n >= len(t.head) {
		l.resResize(t, max(16, 2*len(t.head)))
	}
	op.wkey = k
	b := t.bucket(k)
	op.next = *b
	*b = op.id
	t.n++
}

// resRemove takes op out of its chain.
func (l *lifecycle) resRemove(t *resTable, op *op) {
	b := t.bucket(op.wkey)
	if *b == op.id {
		*b = op.next
	} else {
		for id := *b; id != 0; {
			o := l.tab.at(id)
			if o.next == op.id {
				o.next = op.next
				break
			}
			id = o.next
		}
	}
	op.next = 0
	t.n--
	if len(t.head) > 64 && t.n < len(t.head)/16 { // memory follows the open operations
		l.resResize(t, len(t.head)/2)
	}
}

// resResize rehashes into n buckets (a power of two). Walking the old
// buckets in order and appending to the new chains keeps the operations of
// one path (one old chain) in their order, newest first.
func (l *lifecycle) resResize(t *resTable, n int) {
	old := t.head
	t.head = make([]opID, n)
	tail := make([]opID, n)
	for _, id := range old {
		for id != 0 {
			o := l.tab.at(id)
			id = o.next
			o.next = 0
			i := o.wkey & uint32(n-1)
			if tail[i] == 0 {
				t.head[i] = o.id
			} else {
				l.tab.at(tail[i]).next = o.id
			}
			tail[i] = o.id
		}
	}
}
