package input

import (
	"slices"
	"sync"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// liveStats is one input's accounting. The goroutine that reads the input
// writes it; Pipeline.Inputs copies it from any other. The lock is taken
// once per chunk or batch of lines, never per line.
type liveStats struct {
	mu       sync.Mutex
	stats    parse.InputStats
	late     int64 // passed on late by the input's own reorder buffer
	filtered int64 // outside since/until
}

func newLiveStats(path string, err error) *liveStats {
	return &liveStats{stats: parse.InputStats{Path: path, Err: err}}
}

// add accounts for a parsed run of lines of the input; filtered of its
// records were dropped by since/until.
func (l *liveStats) add(res *chunkResult, maxExamples int, filtered int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &l.stats
	if res.counts.Parsed > 0 {
		if s.Parsed == 0 || res.first < s.First.UnixNano() {
			s.First = time.Unix(0, res.first).UTC()
		}
		if s.Parsed == 0 || res.last > s.Last.UnixNano() {
			s.Last = time.Unix(0, res.last).UTC()
		}
	}
	s.Counts.Add(res.counts)
	for _, ex := range res.examples {
		if len(s.MalformedExamples) < maxExamples {
			s.MalformedExamples = append(s.MalformedExamples, ex)
		}
	}
	l.filtered += filtered
}

// addGap records a stretch of the input that may not have been read.
func (l *liveStats) addGap(g parse.Gap) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.stats.PossibleGaps) >= parse.MaxGaps {
		l.stats.GapsDropped++
		return
	}
	l.stats.PossibleGaps = append(l.stats.PossibleGaps, g)
}

// setLate records the input's reorder buffer's late count so far.
func (l *liveStats) setLate(n int64) {
	l.mu.Lock()
	l.late = n
	l.mu.Unlock()
}

func (l *liveStats) setErr(err error) {
	l.mu.Lock()
	l.stats.Err = err
	l.mu.Unlock()
}

func (l *liveStats) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats.Err
}

func (l *liveStats) setFormat(name string) {
	l.mu.Lock()
	l.stats.Format = name
	l.mu.Unlock()
}

func (l *liveStats) setCompression(name string) {
	l.mu.Lock()
	l.stats.Compression = name
	l.mu.Unlock()
}

// snapshot copies the stats; the examples slice is the copy's own.
func (l *liveStats) snapshot() (s parse.InputStats, late, filtered int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s = l.stats
	s.MalformedExamples = slices.Clone(l.stats.MalformedExamples)
	s.PossibleGaps = slices.Clone(l.stats.PossibleGaps)
	return s, l.late, l.filtered
}

// mergeStats is what the merge has counted so far, published once per batch
// handed to the sink so that Totals can read it without touching the
// merge's per-record counters.
type mergeStats struct {
	mu          sync.Mutex
	late, dup   int64
	status      [600]int64
	statusOther map[int]int64
	extraLate   int64 // follow mode: the shared reorder buffer's late count
}

// register adds an input to those Inputs reports, in expansion order.
func (p *Pipeline) register(l *liveStats) {
	p.liveMu.Lock()
	p.live = append(p.live, l)
	p.liveMu.Unlock()
}

// Inputs returns a copy of every input's accounting so far: path, format
// as detected, counts, time range, malformed examples and error. It is safe
// to call from any goroutine while Run goes (cheap enough for a few times a
// second), and after it. Inputs appear once Run has expanded the paths.
func (p *Pipeline) Inputs() []parse.InputStats {
	p.liveMu.Lock()
	live := slices.Clone(p.live)
	p.liveMu.Unlock()
	out := make([]parse.InputStats, len(live))
	for i, l := range live {
		out[i], _, _ = l.snapshot()
	}
	return out
}

// Totals returns the accounting across all inputs so far: their counts
// summed, and late, duplicate, filtered and the status mix of the records
// passed on. Like Inputs, it is safe to call from any goroutine while Run
// goes; the merge's part is as of the last batch handed to the sink.
func (p *Pipeline) Totals() parse.Totals {
	p.liveMu.Lock()
	live := slices.Clone(p.live)
	p.liveMu.Unlock()
	var t parse.Totals
	for _, l := range live {
		s, late, filtered := l.snapshot()
		t.Counts.Add(s.Counts)
		t.Late += late
		t.Filtered += filtered
	}
	p.merged.totals(&t)
	return t
}

// totals adds what the merge counted to t.
func (m *mergeStats) totals(t *parse.Totals) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t.Late += m.late + m.extraLate
	t.Duplicate += m.dup
	t.Status = make(map[int]int64)
	for s, n := range m.status {
		if n > 0 {
			t.Status[s] = n
		}
	}
	for s, n := range m.statusOther {
		t.Status[s] += n
	}
}
