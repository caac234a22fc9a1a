package tui

import (
	"errors"
	"fmt"
	"os"

	osc52 "github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/formats"
	"github.com/edgetriage/edgetriage/rules"
)

// waitForUpdate reads the next pipeline state; Update re-arms it after
// each one, so at most one read is outstanding and none per line. It
// gives up when stop closes (the program ended).
func waitForUpdate(ch <-chan Update, stop <-chan struct{}) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case u, ok := <-ch:
			if !ok {
				return feedClosedMsg{}
			}
			return updateMsg{u}
		case <-stop:
			return nil
		}
	}
}

// maxRawShown caps how much of a re-read line is kept for display.
const maxRawShown = 64 << 10

var errNotRetained = errors.New("line not retained")

// loadRaw re-reads a raw line off the UI goroutine: from the file by
// offset when it can, else the retained copy; it also looks the record up
// in the ring for its parsed fields when the caller has none.
func loadRaw(gen int, opts *Options, input string, line, offset int64, retained string, needRecord bool) tea.Cmd {
	readRaw, ring := opts.ReadRaw, opts.Recent
	return func() tea.Msg {
		msg := rawLoadedMsg{gen: gen}
		if needRecord {
			if rec, ok := ring.Find(input, line); ok {
				msg.rec = &rec
				if retained == "" {
					retained = rec.Raw
				}
			}
		}
		if readRaw != nil && offset >= 0 {
			text, err := readRaw(input, offset)
			if err == nil {
				if len(text) > maxRawShown {
					text = text[:maxRawShown]
				}
				msg.text, msg.origin = text, "re-read from "+clean(input)+" at byte "+num(offset)
				return msg
			}
			msg.err = err
		}
		if retained != "" {
			msg.text, msg.origin = retained, "retained copy"
			return msg
		}
		if msg.err == nil {
			msg.err = errNotRetained
		}
		return msg
	}
}

// setFollow calls the pipeline's SetFollow off the UI goroutine.
func setFollow(fn func(bool), on bool) tea.Cmd {
	return func() tea.Msg {
		if fn != nil {
			fn(on)
		}
		return followSetMsg{on}
	}
}

// copyText puts text on the clipboard (OSC 52 unless the caller set one).
func copyText(gen int, clip func(string) error, text string) tea.Cmd {
	return func() tea.Msg {
		if clip == nil {
			clip = osc52Copy
		}
		if err := clip(text); err != nil {
			return copyDoneMsg{gen: gen, err: err}
		}
		return copyDoneMsg{gen: gen, bytes: len(text)}
	}
}

// osc52Copy writes an OSC 52 clipboard sequence to the terminal in one
// write (so it cannot interleave with a frame), wrapped for tmux/screen.
func osc52Copy(text string) error {
	if os.Getenv("TERM") == "dumb" {
		return errors.New("terminal does not support clipboard (TERM=dumb)")
	}
	seq := osc52.New(text)
	switch {
	case os.Getenv("TMUX") != "":
		seq = seq.Tmux()
	case os.Getenv("STY") != "":
		seq = seq.Screen()
	}
	if _, err := os.Stdout.WriteString(seq.String()); err != nil {
		return fmt.Errorf("clipboard: %w", err)
	}
	return nil
}

// sampleRecordsMsg carries the full records of a finding's samples.
type sampleRecordsMsg struct {
	gen  int
	recs []*parse.Record
}

// loadSampleRecords finds each sample's record: in the ring (one pass),
// else by reading its line again and parsing it with its input's format.
func loadSampleRecords(gen int, c *common, f *rules.Finding) tea.Cmd {
	samples := append([]rules.Sample(nil), f.Samples...)
	formatOf := map[string]string{}
	for _, in := range c.inputs {
		formatOf[in.Path] = in.Format
	}
	ring, readRaw := c.opts.Recent, c.opts.ReadRaw
	return func() tea.Msg {
		type at struct {
			input string
			line  int64
		}
		want := make(map[at]int, len(samples))
		for i, s := range samples {
			want[at{s.Input, s.Line}] = i
		}
		recs := make([]*parse.Record, len(samples))
		first, _ := ring.Bounds()
		ring.Scan(first, func(_ int64, rec *parse.Record) bool {
			if i, ok := want[at{rec.Input, rec.Line}]; ok {
				r := rec.Clone()
				recs[i] = &r
			}
			return true
		})
		parsers := map[string]parse.Parser{}
		for i, s := range samples {
			if recs[i] != nil || readRaw == nil || s.Offset < 0 || formatOf[s.Input] == "" {
				continue
			}
			text, err := readRaw(s.Input, s.Offset)
			if err != nil {
				continue
			}
			p, ok := parsers[formatOf[s.Input]]
			if !ok {
				p, _ = formats.New(formatOf[s.Input])
				parsers[formatOf[s.Input]] = p
			}
			rec := &parse.Record{}
			if p != nil && p.Parse([]byte(text), rec) == nil {
				rec.Input, rec.Line, rec.Offset, rec.Raw = s.Input, s.Line, s.Offset, text
				recs[i] = rec
			}
		}
		return sampleRecordsMsg{gen: gen, recs: recs}
	}
}
