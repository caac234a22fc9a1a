package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/formats"
	"github.com/edgetriage/edgetriage/rules"
)

// maxSeriesBuckets bounds the detail's per-minute chart.
const maxSeriesBuckets = 60

// seriesMsg is the per-minute failing and healthy requests of a finding,
// counted off the UI goroutine from its inputs.
type seriesMsg struct {
	gen              int
	start            time.Time
	step             time.Duration
	failing, healthy []int
	err              error
}

// failingStatus is the status a finding's failing requests have (0: the
// finding is not about failing requests, as a 202 group is not).
func failingStatus(f *rules.Finding) int {
	switch f.Kind {
	case rules.KindBurst520:
		return 520
	case rules.KindBurst5xx:
		return f.Status
	}
	return 0
}

// seriesCmd counts, per minute of the finding's span, its origin's failing
// and healthy requests: the records of the inputs its samples come from
// (with its host, when the lines carry one). Plain and compressed files
// are read again; what cannot be re-read comes from the ring.
func seriesCmd(ctx context.Context, gen int, c *common, f *rules.Finding) tea.Cmd {
	status := failingStatus(f)
	if status == 0 || f.End.Before(f.Start) {
		return nil
	}
	var inputs []parse.InputStats
	seen := map[string]bool{}
	for _, s := range f.Samples {
		if seen[s.Input] {
			continue
		}
		seen[s.Input] = true
		for _, in := range c.inputs {
			if in.Path == s.Input {
				inputs = append(inputs, in)
			}
		}
	}
	if len(inputs) == 0 {
		return nil
	}
	start := f.Start.Truncate(time.Minute)
	step := time.Minute
	for f.End.Sub(start)/step >= maxSeriesBuckets {
		step *= 2
	}
	n := int(f.End.Sub(start)/step) + 1
	ring, origin := c.opts.Recent, f.Origin
	return func() tea.Msg {
		msg := seriesMsg{gen: gen, start: start, step: step, failing: make([]int, n), healthy: make([]int, n)}
		srcs := sourcesFor(inputs, ring, map[string]bool{}, func(p string) error { _, err := os.Stat(p); return err })
		for i, src := range srcs {
			p, err := formats.New(inputs[i].Format)
			if err != nil {
				msg.err = fmt.Errorf("per-minute chart: %w", err)
				continue
			}
			cnt := seriesCounter{msg: &msg, parser: p, origin: origin, status: status, until: f.End.Add(5 * time.Minute).UnixNano()}
			if err := src.scan(ctx, 0, cnt.chunk); err != nil {
				msg.err = err
			}
		}
		return msg
	}
}

// seriesCounter counts one input's records into a seriesMsg.
type seriesCounter struct {
	msg    *seriesMsg
	parser parse.Parser
	rec    parse.Record
	origin string
	status int
	until  int64 // stop well after the span: inputs are about in time order
	late   int
}

func (s *seriesCounter) chunk(_ int64, data []byte) bool {
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n') + pos
		line := bytes.TrimSuffix(data[pos:end], []byte{'\r'})
		pos = end + 1
		if s.parser.Parse(line, &s.rec) != nil {
			continue
		}
		if s.rec.Host != "" && !strings.EqualFold(s.rec.Host, s.origin) {
			continue
		}
		if s.rec.Time > s.until {
			if s.late++; s.late > 1000 {
				return false
			}
			continue
		}
		d := time.Unix(0, s.rec.Time).Sub(s.msg.start)
		i := int(d / s.msg.step)
		if d < 0 || i >= len(s.msg.failing) {
			continue
		}
		if s.rec.Status == s.status {
			s.msg.failing[i] += int(s.rec.N())
		} else {
			s.msg.healthy[i] += int(s.rec.N())
		}
	}
	return true
}

// seriesLines draws the chart: a lane of failing and one of healthy
// requests per minute, each on its own scale, and the axis.
func (d *detail) seriesLines(w int) []string {
	st := d.c.st
	s := d.series
	if s == nil {
		if failingStatus(d.f) == 0 {
			return nil
		}
		return []string{st.Muted.Render("   per-minute failing vs healthy: counting…")}
	}
	cols := max(w-14, 10)
	per := 1
	if len(s.failing) > cols {
		per = (len(s.failing) + cols - 1) / cols
	}
	fail, ok := rebucketPer(s.failing, per), rebucketPer(s.healthy, per)
	pf, ph := maxOf(fail), maxOf(ok)
	out := []string{
		"   " + st.Label.Render(pad("failing", 9)) + st.Bar520.Render(sparkline(fail, pf)) + st.Muted.Render(" peak "+num(pf)),
		"   " + st.Label.Render(pad("healthy", 9)) + st.Good.Render(sparkline(ok, ph)) + st.Muted.Render(" peak "+num(ph)),
		st.Muted.Render(fmt.Sprintf("   %s from %s, per %s (its inputs read again)", strings.Repeat(" ", 6), clock(s.start), shortDur(s.step*time.Duration(per)))),
	}
	if s.err != nil {
		out = append(out, st.Muted.Render(indent(wrap(clean(s.err.Error()), max(w-3, 10)), "   ", "   ")))
	}
	return out
}
