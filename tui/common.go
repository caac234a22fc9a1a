package tui

import (
	"context"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/formats"
	"github.com/edgetriage/edgetriage/rules"
)

// muted reports whether f is muted.
func (c *common) muted(f *rules.Finding) bool { return rules.Muted(c.mutes, f) }

// mutedCount is how many findings of the latest snapshot are muted.
func (c *common) mutedCount() int {
	n := 0
	for i := range c.snap.Findings {
		if c.muted(&c.snap.Findings[i]) {
			n++
		}
	}
	return n
}

// ctx is cancelled when the program ends (Run closes opts.stop), so the
// background work of a screen ends with it.
func (c *common) ctx() context.Context {
	if c.ctxv == nil {
		stop := c.opts.stop
		if stop == nil {
			c.ctxv = context.Background() // tests: nothing ends the program
			return c.ctxv
		}
		ctx, cancel := context.WithCancel(context.Background())
		c.ctxv = ctx
		go func() {
			<-stop
			cancel()
		}()
	}
	return c.ctxv
}

func (c *common) nextGen() int {
	c.gen++
	return c.gen
}

// finding returns the finding with id in the latest snapshot.
func (c *common) finding(id string) *rules.Finding {
	if i, ok := c.byID[id]; ok {
		return &c.snap.Findings[i]
	}
	return nil
}

// sampleRecord parses a sample's retained line again with its input's
// format, for filters that test fields; nil when that is not possible.
// Parsers keep state, so they are used from Update only.
func (c *common) sampleRecord(s *rules.Sample) *parse.Record {
	if s.Raw == "" {
		return nil
	}
	format := ""
	for i := range c.inputs {
		if c.inputs[i].Path == s.Input {
			format = c.inputs[i].Format
			break
		}
	}
	if format == "" {
		return nil
	}
	p, ok := c.parsers[format]
	if !ok {
		p, _ = formats.New(format) // nil: a format that cannot be rebuilt
		if c.parsers == nil {
			c.parsers = map[string]parse.Parser{}
		}
		c.parsers[format] = p
	}
	if p == nil {
		return nil
	}
	rec := &parse.Record{}
	if p.Parse([]byte(s.Raw), rec) != nil {
		return nil
	}
	rec.Input, rec.Line, rec.Offset, rec.Raw = s.Input, s.Line, s.Offset, s.Raw
	return rec
}
