package rules

import "time"

// history is a per-origin ring of status counts in buckets of W/16 covering
// 4W, so a burst can report what its origin returned in the W before it.
type history struct {
	width   int64
	buckets [histBuckets]histBucket
	cur     *histBucket
	curLo   int64
	curHi   int64
}

const histBuckets = 64

type histBucket struct {
	idx      int64
	total    int32
	errs5xx  int32
	statuses []statusCount
}

type statusCount struct {
	status int32
	n      int32
}

func (h *history) init(w int64) {
	h.width = w / 16
	if h.width < int64(time.Second) {
		h.width = int64(time.Second)
	}
	for i := range h.buckets {
		h.buckets[i].idx = -1
	}
}

func (h *history) add(t int64, status int, o *origin) {
	if h.cur == nil || t < h.curLo || t >= h.curHi {
		idx := floorDiv(t, h.width)
		b := &h.buckets[mod(idx, histBuckets)]
		if b.idx != idx {
			if b.idx > idx { // older than the ring: drop
				return
			}
			b.idx = idx
			b.total, b.errs5xx = 0, 0
			b.statuses = b.statuses[:0]
		}
		h.cur, h.curLo, h.curHi = b, idx*h.width, (idx+1)*h.width
	}
	b := h.cur
	b.total++
	if status >= 500 && status <= 599 {
		b.errs5xx++
	}
	for i := range b.statuses {
		if b.statuses[i].status == int32(status) {
			b.statuses[i].n++
			return
		}
	}
	if len(b.statuses) < 32 {
		b.statuses = append(b.statuses, statusCount{int32(status), 1})
	}
}

// before sums the buckets wholly in [start-W, start) at bucket granularity
// (the bucket holding start is left out: it may hold the burst itself).
func (h *history) before(start, w int64) (total, errs int, statuses map[string]int) {
	statuses = map[string]int{}
	hi := floorDiv(start, h.width)
	lo := hi - w/h.width
	for i := range h.buckets {
		b := &h.buckets[i]
		if b.idx < lo || b.idx >= hi {
			continue
		}
		total += int(b.total)
		errs += int(b.errs5xx)
		for _, s := range b.statuses {
			statuses[statusKey(int(s.status))] += int(s.n)
		}
	}
	return total, errs, statuses
}
