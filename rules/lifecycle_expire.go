package rules

// due judges the operations whose J has passed and closes those kept open
// for 24 h; it returns the next time something is due.
func (l *lifecycle) due(now int64) int64 {
	next := int64(1<<63 - 1)
	for _, to := range l.qList {
		q := l.queues[to]
		for q.hd < len(q.ops) && q.ops[q.hd].open+to < now {
			op := q.ops[q.hd]
			q.ops[q.hd] = nil
			q.hd++
			if op.state == opInflight {
				l.judge(op)
			}
		}
		l.compactQueue(q)
		if q.hd < len(q.ops) && q.ops[q.hd].open+to < next {
			next = q.ops[q.hd].open + to
		}
	}
	for l.allHd < len(l.all) {
		op := l.all[l.allHd]
		if op.state == opInflight {
			break
		}
		if op.state == opJudged && op.open+opRetention >= now {
			if t := op.open + opRetention; t < next {
				next = t
			}
			break
		}
		if op.state == opJudged {
			l.close(op)
		}
		l.all[l.allHd] = nil
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
		clear(q.ops[n:])
		q.ops = q.ops[:n]
		q.hd = 0
	}
	// drop finished operations so that memory follows the open ones
	if len(q.ops)-q.hd > 2*l.inflight+4096 {
		k := 0
		for _, op := range q.ops[q.hd:] {
			if op.state == opInflight {
				q.ops[k] = op
				k++
			}
		}
		clear(q.ops[k:])
		q.ops = q.ops[:k]
		q.hd = 0
	}
}

func (l *lifecycle) compactAll() {
	if l.allHd > 1024 && l.allHd > len(l.all)/2 {
		n := copy(l.all, l.all[l.allHd:])
		clear(l.all[n:])
		l.all = l.all[:n]
		l.allHd = 0
	}
	if len(l.all)-l.allHd > 2*l.live+4096 {
		k := 0
		for _, op := range l.all[l.allHd:] {
			if op.state == opInflight || op.state == opJudged {
				l.all[k] = op
				k++
			}
		}
		clear(l.all[k:])
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
}

func (l *lifecycle) evictOldest() {
	for l.allHd < len(l.all) {
		op := l.all[l.allHd]
		l.all[l.allHd] = nil
		l.allHd++
		if op.state == opInflight || op.state == opJudged {
			if op.state == opInflight {
				l.fold(op) // judged by aggregate at its J (lifecycle_evict.go)
			}
			l.close(op)
			l.evicted++
			if l.evicted%1024 == 0 {
				l.dropEvicted()
			}
			return
		}
	}
}
