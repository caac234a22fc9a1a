package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/edgetriage/edgetriage/rules"
)

// textWidth is where text output wraps its lists of numbers.
const textWidth = 100

// ANSI styles for text output; empty when colour is off.
type palette struct {
	bold, dim, red, yellow, cyan, green, reset string
}

func newPalette(color bool) palette {
	if !color {
		return palette{}
	}
	return palette{bold: "\x1b[1m", dim: "\x1b[2m", red: "\x1b[1;31m", yellow: "\x1b[33m",
		cyan: "\x1b[36m", green: "\x1b[32m", reset: "\x1b[0m"}
}

func (p palette) wrap(style, s string) string {
	if style == "" || s == "" {
		return s
	}
	return style + s + p.reset
}

func (p palette) severity(s rules.Severity) string {
	label := strings.ToUpper(s.String())
	padded := fmt.Sprintf("%-8s", label)
	switch s {
	case rules.SeverityCritical:
		return p.wrap(p.red, padded)
	case rules.SeverityWarning:
		return p.wrap(p.yellow, padded)
	}
	return p.wrap(p.cyan, padded)
}

// pad pads s (already inert) to width display columns.
func pad(s string, width int, right bool) string {
	w := ansi.StringWidth(s)
	if w >= width {
		return s
	}
	if right {
		return strings.Repeat(" ", width-w) + s
	}
	return s + strings.Repeat(" ", width-w)
}

// WriteText renders the document for a person at a terminal: a summary, the
// findings grouped by origin (most severe first) with their evidence, causes,
// fixes and samples, then the inputs read.
func WriteText(w io.Writer, d *Document, opts Options) error {
	d = prepare(d, opts)
	p := newPalette(opts.Color)
	bw := bufio.NewWriter(w)
	tw := &textWriter{w: bw, p: p, opts: opts}

	crit, warn, info := d.severityCounts()
	first, last := d.timeRange()
	head := fmt.Sprintf("edgetriage report · %d input%s · %s lines", len(d.Inputs), plural(len(d.Inputs)), count(d.Totals.Lines))
	if !first.IsZero() {
		head += " · " + timeRangeText(first, last, "→")
	}
	tw.line(p.wrap(p.bold, head))
	for _, n := range d.Notes {
		tw.line(p.wrap(p.yellow, inert(n)))
	}
	summary := fmt.Sprintf("%d finding%s", len(d.Findings), plural(len(d.Findings)))
	if len(d.Findings) > 0 {
		var parts []string
		if crit > 0 {
			parts = append(parts, p.wrap(p.red, fmt.Sprintf("%d critical", crit)))
		}
		if warn > 0 {
			parts = append(parts, p.wrap(p.yellow, fmt.Sprintf("%d warning", warn)))
		}
		if info > 0 {
			parts = append(parts, p.wrap(p.cyan, fmt.Sprintf("%d info", info)))
		}
		summary += ": " + strings.Join(parts, ", ")
	} else {
		summary = p.wrap(p.green, "No findings: no 520 bursts, 5xx storms or unfinished 202 operations.")
	}
	tw.line(summary)
	if d.Inflight > 0 || d.Evicted > 0 {
		tw.line(p.wrap(p.dim, fmt.Sprintf("%s operation%s still in flight at the end (not judged); %s evicted by the pending cap",
			count(int64(d.Inflight)), plural(d.Inflight), count(d.Evicted))))
	}
	if d.DroppedFindings > 0 {
		tw.line(p.wrap(p.dim, fmt.Sprintf("%s older finding%s dropped by the findings cap", count(d.DroppedFindings), plural(int(d.DroppedFindings)))))
	}

	origins, groups := byOrigin(d.Findings)
	for _, o := range origins {
		tw.line("")
		tw.line(p.wrap(p.bold, inert(o)))
		for i := range groups[o] {
			tw.finding(&groups[o][i])
		}
	}

	tw.line("")
	tw.inputs(d)
	if len(d.Warnings) > 0 {
		tw.line("")
		tw.line(p.wrap(p.yellow, "Rule warnings"))
		for _, w := range d.Warnings {
			tw.line("  " + inert(w))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing text report: %w", err)
	}
	return tw.err
}

type textWriter struct {
	w    *bufio.Writer
	p    palette
	opts Options
	err  error
}

func (t *textWriter) line(s string) {
	if t.err != nil {
		return
	}
	_, t.err = t.w.WriteString(s + "\n")
}

func (t *textWriter) finding(f *Finding) {
	p := t.p
	t.line("")
	t.line(fmt.Sprintf("  %s %s  %s  %s", p.severity(f.Severity), p.wrap(p.bold, inert(findingHeading(f))),
		timeRangeText(f.start, f.end, "→"), countNoun(f)))
	t.line(p.wrap(p.dim, "  "+strings.Repeat(" ", 9)+"id "+inert(f.ID)))

	const indent = "           "
	// the headline numbers, wrapped at about 100 columns
	line, width := "", len(indent)
	for _, e := range headline(f) {
		part := p.wrap(p.dim, e.k+" ") + e.v
		w := ansi.StringWidth(e.k + " " + e.v)
		if line != "" && width+3+w > textWidth {
			t.line(indent + line)
			line, width = "", len(indent)
		}
		if line != "" {
			line += p.wrap(p.dim, " · ")
			width += 3
		}
		line += part
		width += w
	}
	if line != "" {
		t.line(indent + line)
	}
	keys := contextKeys(f)
	labelWidth := 0
	for _, k := range keys {
		labelWidth = max(labelWidth, len(contextLabel(k)))
	}
	for _, k := range keys {
		v := contextText(f.Context[k])
		if v == "" {
			continue
		}
		t.line(indent + p.wrap(p.dim, pad(contextLabel(k), labelWidth, false)) + "  " + inert(v))
	}

	t.causes(f, indent)
	if len(f.Samples) > 0 {
		n := min(len(f.Samples), t.opts.maxSamples())
		t.line(indent + p.wrap(p.bold, fmt.Sprintf("Samples (%d of %d)", n, len(f.Samples))))
		for _, s := range f.Samples[:n] {
			line := fmt.Sprintf("%s  %s:%d", sampleTime(s), inert(s.Input), s.Line)
			if r := sampleRequest(s); r != "" {
				line += "  " + inert(r)
			}
			if s.Status != 0 {
				line += "  " + strconv.Itoa(s.Status)
			}
			if s.Role != "" {
				line += "  " + p.wrap(p.dim, inert(s.Role))
			}
			if s.RequestID != "" {
				line += "  " + p.wrap(p.dim, "id "+inert(s.RequestID))
			}
			t.line(indent + "  " + line)
		}
	}
}

func (t *textWriter) inputs(d *Document) {
	p := t.p
	t.line(p.wrap(p.bold, "Inputs"))
	header := []string{"PATH", "FORMAT", "LINES", "PARSED", "IGNORED", "MALFORMED", "OVERLONG", "BYTES"}
	rows := [][]string{header}
	for _, in := range d.Inputs {
		rows = append(rows, []string{inert(in.Path), inert(in.Format), count(in.Lines), count(in.Parsed), count(in.Ignored),
			count(in.Malformed), count(in.Overlong), byteSize(in.Bytes)})
	}
	tot := d.Totals
	rows = append(rows, []string{"total", "", count(tot.Lines), count(tot.Parsed), count(tot.Ignored),
		count(tot.Malformed), count(tot.Overlong), byteSize(tot.Bytes)})
	widths := make([]int, len(header))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	for ri, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = pad(c, widths[i], i >= 2)
		}
		s := "  " + strings.Join(cells, "  ")
		if ri == 0 || ri == len(rows)-1 {
			s = p.wrap(p.dim, s)
		}
		t.line(strings.TrimRight(s, " "))
	}
	var extra []string
	if tot.Late > 0 {
		extra = append(extra, count(tot.Late)+" late")
	}
	if tot.Duplicate > 0 {
		extra = append(extra, count(tot.Duplicate)+" duplicate")
	}
	if tot.Filtered > 0 {
		extra = append(extra, count(tot.Filtered)+" outside --since/--until")
	}
	if len(extra) > 0 {
		t.line("  " + p.wrap(p.dim, "records: ") + strings.Join(extra, ", "))
	}
	if len(tot.Status) > 0 {
		var parts []string
		for _, k := range sortedStatuses(tot.Status) {
			s := k + ": " + count(tot.Status[k])
			if k == "520" || (len(k) == 3 && k[0] == '5') {
				s = p.wrap(p.red, s)
			}
			parts = append(parts, s)
		}
		t.line("  " + p.wrap(p.dim, "status: ") + strings.Join(parts, "  "))
	}
	for _, in := range d.Inputs {
		if in.Error != "" {
			msg := in.Error
			if !strings.Contains(msg, in.Path) {
				msg = in.Path + ": " + msg
			}
			t.line("  " + p.wrap(p.red, "error: ") + inert(msg))
		}
		for _, m := range in.MalformedExamples {
			t.line("  " + p.wrap(p.yellow, "malformed: ") + fmt.Sprintf("%s: %s: %s", inert(m.where(in.Path)), inert(m.Reason), inert(clip(m.Text, 200))))
		}
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// clip shortens s to about n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xc0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// causes writes the definition, the verdict, what the log lacks, then each
// cause with its evidence and its own fixes under it (one reading order:
// cause, then its fixes), then the fixes that belong to no cause.
func (t *textWriter) causes(f *Finding, indent string) {
	p := t.p
	if f.Definition != "" {
		t.line(indent + p.wrap(p.dim, inert(f.Definition)))
	}
	if f.Verdict != "" {
		t.line(indent + p.wrap(p.bold, "Verdict: ") + inert(f.Verdict))
	}
	if m := missingText(f); m != "" {
		t.line(indent + p.wrap(p.dim, "Not in this log: "+inert(m)))
	}
	if len(f.Causes) > 0 {
		t.line(indent + p.wrap(p.bold, "Likely causes"))
		for _, c := range f.Causes {
			conf := pad(pct(c.Confidence), 4, true)
			t.line(indent + "  " + p.wrap(p.dim, conf) + "  " + inert(c.Title))
			for _, e := range c.Evidence {
				t.line(indent + "          · " + inert(e))
			}
			for _, fx := range c.Fixes {
				t.line(indent + "          " + p.wrap(p.green, "fix") + " " + inert(fx))
			}
		}
		if f.CausesHidden > 0 {
			t.line(indent + p.wrap(p.dim, fmt.Sprintf("  %d more cause%s (less likely): --all-causes shows them", f.CausesHidden, plural(f.CausesHidden))))
		}
	} else {
		t.line(indent + p.wrap(p.dim, "No cause rule matched; the numbers above are the evidence."))
	}
	if len(f.GeneralFixes) > 0 {
		title := "Fixes"
		if len(f.Causes) > 0 {
			title = "Also check"
		}
		t.line(indent + p.wrap(p.bold, title))
		nw := len(strconv.Itoa(len(f.GeneralFixes)))
		for i, fx := range f.GeneralFixes {
			t.line(indent + "  " + pad(strconv.Itoa(i+1)+".", nw+1, true) + " " + inert(fx))
		}
	}
}

// missingText names the fields the log lacks that would tell more, from
// the contrast: "EdgeColoCode (Logpush) for the data centre, ...".
func missingText(f *Finding) string {
	if f.Contrast == nil {
		return ""
	}
	var parts []string
	for _, m := range f.Contrast.Missing {
		if m.Field == "" {
			continue
		}
		parts = append(parts, m.Field+" would give the "+m.Label)
	}
	return strings.Join(parts, "; ")
}
