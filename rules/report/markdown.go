package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/edgetriage/edgetriage/rules"
)

// mdEscape makes log-derived text inert and literal in Markdown prose and
// table cells: control characters become visible escapes, and characters
// Markdown or HTML would interpret are backslash-escaped.
func mdEscape(s string) string {
	s = inert(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '~', '!':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// mdCode renders s as an inline code span that cannot be broken out of: a
// fence longer than any backtick run inside, and pipes escaped for tables.
func mdCode(s string) string {
	s = inert(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + strings.ReplaceAll(s, "|", `\|`) + pad + fence
}

type mdWriter struct {
	w    *bufio.Writer
	opts Options
	err  error
}

func (m *mdWriter) line(s string) {
	if m.err != nil {
		return
	}
	_, m.err = m.w.WriteString(s + "\n")
}

// WriteMarkdown renders the document for an incident ticket: a summary,
// one section per origin with each finding's evidence, causes and fixes,
// and the inputs read.
func WriteMarkdown(w io.Writer, d *Document, opts Options) error {
	d = prepare(d, opts)
	bw := bufio.NewWriter(w)
	m := &mdWriter{w: bw, opts: opts}

	m.line("# edgetriage report")
	m.line("")
	for _, n := range d.Notes {
		m.line("> " + mdEscape(n))
		m.line("")
	}
	crit, warn, info := d.severityCounts()
	var parts []string
	if len(d.Findings) == 0 {
		parts = append(parts, "**No findings**")
	} else {
		parts = append(parts, fmt.Sprintf("**%d finding%s** (%d critical, %d warning, %d info)", len(d.Findings), plural(len(d.Findings)), crit, warn, info))
	}
	parts = append(parts, fmt.Sprintf("%d input%s", len(d.Inputs), plural(len(d.Inputs))), count(d.Totals.Lines)+" lines")
	if first, last := d.timeRange(); !first.IsZero() {
		parts = append(parts, timeRangeText(first, last, "to"))
	}
	if d.Inflight > 0 {
		parts = append(parts, fmt.Sprintf("%s operation%s still in flight", count(int64(d.Inflight)), plural(d.Inflight)))
	}
	if d.Evicted > 0 {
		parts = append(parts, count(d.Evicted)+" evicted by the pending cap")
	}
	if d.DroppedFindings > 0 {
		parts = append(parts, count(d.DroppedFindings)+" older findings dropped by the findings cap")
	}
	m.line(strings.Join(parts, " · "))

	origins, groups := byOrigin(d.Findings)
	for _, o := range origins {
		m.line("")
		m.line("## " + mdEscape(o))
		for i := range groups[o] {
			m.line("")
			m.finding(&groups[o][i], "###")
		}
	}

	m.line("")
	m.inputs(d)
	if len(d.Warnings) > 0 {
		m.line("")
		m.line("**Rule warnings**")
		m.line("")
		for _, w := range d.Warnings {
			m.line("- " + mdEscape(w))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing Markdown report: %w", err)
	}
	return m.err
}

// WriteFindingMarkdown renders one finding for the interface's export: the
// same section as in WriteMarkdown, with every feature and the raw lines of
// its samples.
func WriteFindingMarkdown(w io.Writer, f *rules.Finding, opts Options) error {
	out := prepareFinding(f, opts)
	bw := bufio.NewWriter(w)
	m := &mdWriter{w: bw, opts: opts}
	m.line("## " + mdEscape(out.Origin))
	m.line("")
	m.finding(&out, "###")
	m.line("")
	m.line("**All features**")
	m.line("")
	m.line("| Feature | Value |")
	m.line("|---|---|")
	for _, k := range sortedKeys(out.Features) {
		v := out.Features[k]
		val := strconv.FormatFloat(v, 'f', -1, 64)
		if v == -1 {
			val = "unknown"
		}
		m.line("| " + mdCode(k) + " | " + val + " |")
	}
	var raws []Sample
	for _, s := range out.Samples {
		if s.Raw != "" {
			raws = append(raws, s)
		}
	}
	if len(raws) > 0 {
		m.line("")
		m.line("**Raw lines**")
		m.line("")
		var body []string
		for _, s := range raws {
			body = append(body, fmt.Sprintf("%s:%d: %s", inert(s.Input), s.Line, inert(s.Raw)))
		}
		text := strings.Join(body, "\n")
		fence := "```"
		for strings.Contains(text, fence) {
			fence += "`"
		}
		m.line(fence)
		m.line(text)
		m.line(fence)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing finding Markdown: %w", err)
	}
	return m.err
}

func (m *mdWriter) finding(f *Finding, h string) {
	m.line(fmt.Sprintf("%s %s: %s", h, strings.ToUpper(f.Severity.String()), mdEscape(findingHeading(f))))
	m.line("")
	m.line("| | |")
	m.line("|---|---|")
	m.line("| Time | " + mdEscape(timeRangeText(f.start, f.end, "to")) + " |")
	m.line("| Count | " + mdEscape(countNoun(f)) + " |")
	if f.Endpoint != "" {
		m.line("| Endpoint | " + mdCode(f.Endpoint) + " |")
	}
	for _, e := range headline(f) {
		m.line("| " + mdEscape(upperFirst(e.k)) + " | " + mdEscape(e.v) + " |")
	}
	for _, k := range contextKeys(f) {
		v := contextText(f.Context[k])
		if v == "" {
			continue
		}
		m.line("| " + mdEscape(upperFirst(contextLabel(k))) + " | " + mdEscape(v) + " |")
	}
	m.line("| ID | " + mdCode(f.ID) + " |")

	m.line("")
	if f.Definition != "" {
		m.line("_" + mdEscape(f.Definition) + "_")
		m.line("")
	}
	if f.Verdict != "" {
		m.line("**Verdict:** " + mdEscape(f.Verdict))
		m.line("")
	}
	if s := missingText(f); s != "" {
		m.line("Not in this log: " + mdEscape(s))
		m.line("")
	}
	if len(f.Causes) > 0 {
		m.line("**Likely causes**")
		m.line("")
		for i, c := range f.Causes {
			m.line(fmt.Sprintf("%d. **%s** (confidence %s, rule %s)", i+1, mdEscape(c.Title), pct(c.Confidence), mdCode(c.Rule)))
			for _, e := range c.Evidence {
				m.line("   - " + mdEscape(e))
			}
			for _, fx := range c.Fixes {
				m.line("   - [ ] " + mdFix(fx))
			}
		}
		if f.CausesHidden > 0 {
			m.line("")
			m.line(fmt.Sprintf("_%d more cause%s (less likely): `--all-causes` shows them._", f.CausesHidden, plural(f.CausesHidden)))
		}
	} else {
		m.line("_No cause rule matched; the numbers above are the evidence._")
	}
	if len(f.GeneralFixes) > 0 {
		m.line("")
		if len(f.Causes) > 0 {
			m.line("**Also check**")
		} else {
			m.line("**Fixes**")
		}
		m.line("")
		for _, fx := range f.GeneralFixes {
			m.line("- [ ] " + mdFix(fx))
		}
	}
	if len(f.Samples) > 0 {
		n := min(len(f.Samples), m.opts.maxSamples())
		m.line("")
		m.line(fmt.Sprintf("**Samples** (%d of %d)", n, len(f.Samples)))
		m.line("")
		m.line("| Time (UTC) | Input | Request | Status | Request ID |")
		m.line("|---|---|---|---|---|")
		for _, s := range f.Samples[:n] {
			status := ""
			if s.Status != 0 {
				status = strconv.Itoa(s.Status)
			}
			m.line(fmt.Sprintf("| %s | %s | %s | %s | %s |", sampleTime(s),
				mdEscape(fmt.Sprintf("%s:%d", s.Input, s.Line)), mdCode(sampleRequest(s)), status, mdCode(s.RequestID)))
		}
	}
}

func (m *mdWriter) inputs(d *Document) {
	m.line("## Inputs")
	m.line("")
	m.line("| Input | Format | Lines | Parsed | Ignored | Malformed | Over-long | Bytes | First | Last |")
	m.line("|---|---|--:|--:|--:|--:|--:|--:|---|---|")
	for _, in := range d.Inputs {
		m.line(fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", mdEscape(in.Path), mdEscape(in.Format),
			count(in.Lines), count(in.Parsed), count(in.Ignored), count(in.Malformed), count(in.Overlong), byteSize(in.Bytes),
			in.First, in.Last))
	}
	t := d.Totals
	m.line(fmt.Sprintf("| **total** | | %s | %s | %s | %s | %s | %s | | |", count(t.Lines), count(t.Parsed), count(t.Ignored),
		count(t.Malformed), count(t.Overlong), byteSize(t.Bytes)))
	var extra []string
	if t.Late > 0 {
		extra = append(extra, count(t.Late)+" late")
	}
	if t.Duplicate > 0 {
		extra = append(extra, count(t.Duplicate)+" duplicate")
	}
	if t.Filtered > 0 {
		extra = append(extra, count(t.Filtered)+" outside the time range")
	}
	if len(t.Status) > 0 {
		var parts []string
		for _, k := range sortedStatuses(t.Status) {
			parts = append(parts, k+": "+count(t.Status[k]))
		}
		extra = append(extra, "status "+strings.Join(parts, ", "))
	}
	if len(extra) > 0 {
		m.line("")
		m.line("Records: " + strings.Join(extra, "; "))
	}
	for _, in := range d.Inputs {
		if in.Error != "" {
			m.line("")
			m.line("**Error** in " + mdCode(in.Path) + ": " + mdEscape(in.Error))
		}
		if len(in.MalformedExamples) > 0 {
			m.line("")
			m.line("Malformed lines in " + mdCode(in.Path) + ":")
			m.line("")
			for _, ex := range in.MalformedExamples {
				m.line(fmt.Sprintf("- %s, %s: %s", mdEscape(ex.lineText()), mdEscape(ex.Reason), mdCode(clip(ex.Text, 200))))
			}
		}
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// mdFix renders a fix: its `backquoted` commands as code spans (so they
// copy as written), the prose escaped.
func mdFix(s string) string {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // unbalanced: no code spans
		return mdEscape(s)
	}
	var b strings.Builder
	for i, part := range parts {
		if i%2 == 1 && part != "" {
			b.WriteString(mdCode(part))
			continue
		}
		b.WriteString(mdEscape(part))
	}
	return b.String()
}
