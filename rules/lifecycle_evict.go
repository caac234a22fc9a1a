package rules

import "time"

// Eviction. The pending table is capped (Config.MaxPending): past the cap
// the oldest open operation leaves it. An operation still in flight is not
// just dropped: it is folded into a counted aggregate per host, endpoint
// (the route template), minute of its first 202 and what was known of it
// (never polled, or how its polls stood), which is judged at that minute's
// J into the same finding as the operations followed to the end. The
// finding's "aggregated" feature says how many of its operations were
// judged this way (their later polls, if any, were not followed).

// evictMinute is the width of an aggregate's time bucket.
const evictMinute = int64(time.Minute)

// maxEvictBuckets bounds the aggregates waiting for their J; past it an
// evicted operation is only counted (Snapshot.Evicted).
const maxEvictBuckets = 1 << 16

type evictKey struct {
	ep     *endpoint
	host   *hostState
	minute int64 // start of the minute of the first 202
	sub    string
}

// evictBucket is a count of evicted operations waiting for their J.
type evictBucket struct {
	key        evictKey
	n          int
	start, end int64 // first 202s (and last polls) seen
	polls      int64
	due        int64 // when the minute's operations reach their J
}

// evictions holds the aggregates in the order they were created, which is
// nearly the order they fall due (evictions go oldest first).
type evictions struct {
	byKey map[evictKey]*evictBucket
	list  []*evictBucket
	hd    int
	last  *evictBucket // evictions come in runs of one bucket
}

// fold counts op, which is leaving the pending table while in flight,
// into its aggregate; it reports false when the aggregates are full.
func (l *lifecycle) fold(op *op) bool {
	ev := &l.evict
	if ev.byKey == nil {
		ev.byKey = make(map[evictKey]*evictBucket)
	}
	j := l.deadline(op)
	sub := l.classifyAt(op, j)
	if sub == "" {
		sub = SubClientGaveUp // poll style body, polling seen to stop after a 200
	}
	minute := op.open - op.open%evictMinute
	k := evictKey{ep: l.epOf(op), host: l.hostAll[op.from], minute: minute, sub: sub}
	b := ev.last
	if b == nil || b.key != k {
		b = ev.byKey[k]
	}
	if b == nil {
		if len(ev.byKey) >= maxEvictBuckets {
			return false
		}
		b = &evictBucket{key: k, start: op.open, end: op.open, due: minute + evictMinute + l.qList[op.tmo]}
		ev.byKey[k] = b
		ev.list = append(ev.list, b)
		l.e.wantDue(b.due)
	}
	ev.last = b
	b.n++
	b.start = min(b.start, op.open)
	b.end = max(b.end, op.open)
	if pi := l.tab.pollsOf(op); pi != nil && pi.n > 0 {
		b.polls += int64(pi.n)
		b.end = max(b.end, pi.lastT)
	}
	return true
}

// dueEvicted judges the aggregates whose J has passed into their findings
// and returns when the next one falls due.
func (l *lifecycle) dueEvicted(now int64) int64 {
	ev := &l.evict
	next := int64(1<<63 - 1)
	kept := ev.list[:ev.hd]
	for _, b := range ev.list[ev.hd:] {
		if b.due >= now {
			kept = append(kept, b)
			next = min(next, b.due)
			continue
		}
		delete(ev.byKey, b.key)
		if ev.last == b {
			ev.last = nil
		}
		l.judgeEvicted(b)
	}
	clear(ev.list[len(kept):])
	ev.list = kept
	return next
}

// judgeEvicted adds an aggregate to the finding of its endpoint and state.
func (l *lifecycle) judgeEvicted(b *evictBucket) {
	k := groupKey{b.key.ep, b.key.sub}
	g := l.groups[k]
	if g == nil {
		g = l.newGroup(k)
	}
	g.touched = l.e.now
	g.version++
	g.count += b.n
	g.total += b.n
	g.aggregated += b.n
	g.unlinked += b.n
	g.pollsSum += b.polls
	if g.start == 0 || b.start < g.start {
		g.start = b.start
	}
	g.end = max(g.end, b.end)
	l.e.tl.addTo(g.tl, b.key.minute, b.n)
}

// dropEvicted removes operations that left the pending table from the
// deadline queues once they are a good part of them, so that memory
// follows the open operations (the queues are otherwise only trimmed when
// deadlines pass, ten minutes of traffic later).
func (l *lifecycle) dropEvicted() {
	queued := 0
	for _, q := range l.queues {
		queued += len(q.ops) - q.hd
	}
	if queued <= l.inflight+l.inflight/16+1024 {
		return
	}
	for _, q := range l.queues {
		k := 0
		for _, h := range q.ops[q.hd:] {
			if op := l.tab.live(h); op != nil && op.state == opInflight {
				q.ops[k] = h
				k++
			}
		}
		clear(q.ops[k:])
		q.ops = q.ops[:k]
		q.hd = 0
	}
}

// PendingOps is how many 202 operations the engine follows now (at most
// Config.MaxPending): what the pending table holds in memory.
func (e *Engine) PendingOps() int { return e.life.live }
