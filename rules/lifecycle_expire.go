package rules

// due judges the operations whose J has passed and closes those kept open
// for 24 h; it returns the next time something is due. Queue entries of
// operations that have left the table (stale handles) are skipped.
func (l *lifecycle) due(now int64) int64 {
	next := int64(1<<63 - 1)
	for _, to := range l.qList {
		q := l.queues[to]
		for q.hd < len(q.ops) {
			op := l.tab.live(q.ops[q.hd])
			if op != nil && op.open+to >= now {
				if t := op.open + to; t < next {
					next = t
				}
				break
			}
			q.ops[q.hd] = opHandle{}
			q.hd++
			if op != nil && op.state == opInflight {
				l.judge(op)
			}
		}
		l.compactQueue(q)
	}
	for l.allHd < len(l.all) {
		op := l.tab.live(l.all[l.allHd])
		if op != nil && op.state == opInflight {
			break
		}
		if op != nil && op.open+opRetention >= now { // judged, kept for late polls
			if t := op.open + opRetention; t < next {
				next = t
			}
			break
		}
		if op != nil {
			l.close(op)
		}
		l.all[l.allHd] = opHandle{}
		l.allHd++
	}
	l.compactAll()
	if len(l.evict.list) > 0 {
		next = min(next, l.dueEvicted(now))
	}
	return next
}

func (l *lifecycle) compactQueue(q *opQueue) {
	if q.hd > 1024 && q.hd > len(q.ops)/2 {
		n := copy(q.ops, q.ops[q.hd:])
		q.ops = q.ops[:n]
		q.hd = 0
	}
	// drop finished operations so that memory follows the open ones
	if len(q.ops)-q.hd > 2*l.inflight+4096 {
		k := 0
		for _, h := range q.ops[q.hd:] {
			if op := l.tab.live(h); op != nil && op.state == opInflight {
				q.ops[k] = h
				k++
			}
		}
		q.ops = q.ops[:k]
		q.hd = 0
	}
}

func (l *lifecycle) compactAll() {
	if l.allHd > 1024 && l.allHd > len(l.all)/2 {
		n := copy(l.all, l.all[l.allHd:])
		l.all = l.all[:n]
		l.allHd = 0
	}
	if len(l.all)-l.allHd > 2*l.live+4096 {
		k := 0
		for _, h := range l.all[l.allHd:] {
			if l.tab.live(h) != nil {
				l.all[k] = h
				k++
			}
		}
		l.all = l.all[:k]
		l.allHd = 0
	}
}

// close stops following an operation without completing it.
func (l *lifecycle) close(op *op) {
	if op.state == opInflight {
		l.inflight--
	}
	l.unlink(op)
	l.dequeue(op)
	op.state = opGone
	l.live--
	l.tab.release(op)
}

func (l *lifecycle) evictOldest() {
	for l.allHd < len(l.all) {
		op := l.tab.live(l.all[l.allHd])
		l.all[l.allHd] = opHandle{}
		l.allHd++
		if op != nil {
			if op.state == opInflight {
				l.fold(op) // judged by aggregate at its J (lifecycle_evict.go)
			}
			q := l.queues[l.qList[op.tmo]]
			l.close(op)
			l.popStale(q)
			l.evicted++
			if l.evicted%1024 == 0 {
				l.dropEvicted()
			}
			return
		}
	}
}

// popStale drops the operations at the head of q that have left the table:
// the oldest operation is its queue's head as a rule, so eviction keeps
// the queues as short as the table without a pass over them.
func (l *lifecycle) popStale(q *opQueue) {
	for q.hd < len(q.ops) && l.tab.live(q.ops[q.hd]) == nil {
		q.ops[q.hd] = opHandle{}
		q.hd++
	}
	if q.hd > 1024 && q.hd > len(q.ops)/2 {
		n := copy(q.ops, q.ops[q.hd:])
		q.ops = q.ops[:n]
		q.hd = 0
	}
}
