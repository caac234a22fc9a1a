package rules

import (
	"slices"
	"time"
)

// timeline is the whole input's bounded histogram. Series (bursts, 202
// groups) keep counts aligned with it so that doubling its step re-buckets
// them all alike.
type timeline struct {
	start   int64
	step    int64
	started bool
	req     []int
	s520    []int
	curIdx  int
	curLo   int64
	curHi   int64
	series  []*series
}

const (
	timelineBuckets = 512
	timelineStep0   = int64(time.Second)
)

func (tl *timeline) init() { tl.step = timelineStep0 }

// index returns the bucket of t, doubling the step while t would not fit.
func (tl *timeline) index(t int64) int {
	if !tl.started {
		tl.started = true
		tl.start = t
	}
	if t < tl.start {
		return 0
	}
	i := (t - tl.start) / tl.step
	for i >= timelineBuckets {
		tl.double()
		i = (t - tl.start) / tl.step
	}
	return int(i)
}

func (tl *timeline) addRequest(t, n int64) {
	if tl.started && t >= tl.curLo && t < tl.curHi {
		tl.req[tl.curIdx] += int(n)
		return
	}
	i := tl.index(t)
	for len(tl.req) <= i {
		tl.req = append(tl.req, 0)
		tl.s520 = append(tl.s520, 0)
	}
	tl.req[i] += int(n)
	if t >= tl.start {
		tl.curIdx, tl.curLo, tl.curHi = i, tl.start+int64(i)*tl.step, tl.start+int64(i+1)*tl.step
	}
}

func (tl *timeline) add520(t int64) {
	i := tl.index(t)
	for len(tl.s520) <= i {
		tl.req = append(tl.req, 0)
		tl.s520 = append(tl.s520, 0)
	}
	tl.s520[i]++
}

func (tl *timeline) double() {
	tl.step *= 2
	tl.req = halve(tl.req)
	tl.s520 = halve(tl.s520)
	for _, s := range tl.series {
		s.halve()
	}
	tl.curHi = tl.curLo // invalidate the fast path
}

func halve(v []int) []int {
	n := (len(v) + 1) / 2
	for i := 0; i < n; i++ {
		s := v[2*i]
		if 2*i+1 < len(v) {
			s += v[2*i+1]
		}
		v[i] = s
	}
	return v[:n]
}

// series is a finding's own counts per timeline bucket, from bucket off.
type series struct {
	off    int
	counts []int
}

func (tl *timeline) newSeries() *series {
	s := &series{off: -1}
	tl.series = append(tl.series, s)
	return s
}

func (tl *timeline) addTo(s *series, t int64, n int) {
	i := tl.index(t)
	if s.off < 0 {
		s.off = i
	}
	if i < s.off {
		grow := s.off - i
		s.counts = append(make([]int, grow), s.counts...)
		s.off = i
	}
	for len(s.counts) <= i-s.off {
		s.counts = append(s.counts, 0)
	}
	s.counts[i-s.off] += n
}

func (s *series) halve() {
	if s.off < 0 {
		return
	}
	if s.off%2 == 1 {
		s.counts = append([]int{0}, s.counts...)
		s.off--
	}
	s.counts = halve(s.counts)
	s.off /= 2
}

// window returns a copy of the series' counts (the finding's Timeline).
func (s *series) window() []int {
	out := make([]int, len(s.counts))
	copy(out, s.counts)
	return out
}

// dropSeries stops keeping a dropped finding's counts aligned.
func (tl *timeline) dropSeries(s *series) {
	for i, x := range tl.series {
		if x == s {
			tl.series = slices.Delete(tl.series, i, i+1)
			return
		}
	}
}
