package tui

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/units"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/report"
)

// clean makes log-derived text safe to render: escapes become visible
// (\x1b) and cannot reach the terminal; under --redact, client addresses
// and query strings are masked. Every piece of log text drawn goes
// through it, so redaction reaches every view.
func clean(s string) string {
	if r := redactor.Load(); r != nil {
		s = r.Text(s)
	}
	return parse.Printable(s)
}

// redactor is set under --redact (process-wide, like zone: clean is
// called from every small helper).
var redactor atomic.Pointer[report.TextRedactor]

// setRedactor keeps the snapshot's origins and upstreams: they name
// servers, not clients.
func setRedactor(snap *rules.Snapshot) {
	var keep []string
	for i := range snap.Findings {
		f := &snap.Findings[i]
		keep = append(keep, f.Origin)
		for _, k := range []string{"upstreams_failed", "upstreams_healthy"} {
			if list, ok := f.Context[k].([]string); ok {
				keep = append(keep, list...)
			}
		}
		if f.Contrast != nil {
			for _, d := range f.Contrast.Dimensions {
				if d.Name == "upstream" {
					for _, v := range d.Values {
						keep = append(keep, v.Value)
					}
				}
			}
		}
	}
	redactor.Store(report.NewTextRedactor(keep...))
}

// fit returns s cut or padded to exactly w columns on each of exactly h
// lines, so every view fills its area and the layout never jumps.
func fit(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	var b strings.Builder
	b.Grow((w + 1) * h)
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString(fitLine(line, w))
	}
	return b.String()
}

// fitLine cuts or pads one line to exactly w columns.
func fitLine(line string, w int) string {
	lw := ansi.StringWidth(line)
	if lw > w {
		line = ansi.Truncate(line, w, "…")
		lw = ansi.StringWidth(line)
	}
	if lw < w {
		line += strings.Repeat(" ", w-lw)
	}
	return line
}

// trunc cuts plain text to w columns with an ellipsis.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad cuts or pads plain text to exactly w columns (left aligned).
func pad(s string, w int) string { return fitLine(s, w) }

// padLeft right-aligns s in w columns.
func padLeft(s string, w int) string {
	s = trunc(s, w)
	if n := w - ansi.StringWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// The interface's number formats are the shared ones (parse/units): a value
// reads the same here as in the report and on the command line.

// num formats an integer with thousands separators.
func num[T ~int | ~int64](v T) string { return units.Count(v) }

// bytesHuman formats a byte count in IEC units (1.2 MiB).
func bytesHuman(n int64) string { return units.Bytes(n) }

// rate formats a per-second rate compactly (12.3k).
func rate(v float64) string { return units.Rate(v) }

// shortDur formats a duration for humans: 45s, 7m30s, 2h5m, 3d4h.
func shortDur(d time.Duration) string { return units.Duration(d) }

// zone is the time zone every screen shows times in (--tz; UTC unless
// set). It is process-wide because times are formatted in many small
// helpers; an atomic keeps a program started by a test race-free.
var zone atomic.Pointer[time.Location]

// setZone sets the display zone (nil: UTC).
func setZone(loc *time.Location) {
	if loc == nil {
		loc = time.UTC
	}
	zone.Store(loc)
}

func inZone(t time.Time) time.Time {
	if z := zone.Load(); z != nil {
		return t.In(z)
	}
	return t.UTC()
}

// zoneName names the display zone as a time in it shows it (UTC, CET, -03).
func zoneName(t time.Time) string { return inZone(t).Format("MST") }

// clock formats a time as HH:MM:SS in the display zone.
func clock(t time.Time) string {
	if t.IsZero() {
		return "--:--:--"
	}
	return inZone(t).Format("15:04:05")
}

// span formats a time range compactly: the date once, then the times, and
// the zone.
func span(a, b time.Time) string {
	if a.IsZero() {
		return "no records"
	}
	a, b = inZone(a), inZone(b)
	if a.YearDay() == b.YearDay() && a.Year() == b.Year() {
		return a.Format("2006-01-02 15:04:05") + "–" + b.Format("15:04:05") + " " + zoneName(b)
	}
	return a.Format("2006-01-02 15:04") + " – " + b.Format("2006-01-02 15:04") + " " + zoneName(b)
}

// shortSpan is the compact time range of a table row.
func shortSpan(a, b time.Time) string {
	a, b = inZone(a), inZone(b)
	if a.YearDay() == b.YearDay() && a.Year() == b.Year() {
		return a.Format("15:04") + "–" + b.Format("15:04")
	}
	return a.Format("01-02 15:04") + "–"
}

// pct formats a share 0..1 as a percentage ("?" when unknown).
func pct(v float64) string { return units.Share(v) }

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws values scaled to max as one line of block characters;
// zero shows as a space so quiet minutes stay quiet.
func sparkline(values []int, max int) string {
	var b strings.Builder
	for _, v := range values {
		switch {
		case v <= 0 || max <= 0:
			b.WriteByte(' ')
		default:
			i := v * (len(sparkRunes) - 1) / max
			if i >= len(sparkRunes) {
				i = len(sparkRunes) - 1
			}
			b.WriteRune(sparkRunes[i])
		}
	}
	return b.String()
}

func maxOf(vs ...[]int) int {
	m := 0
	for _, s := range vs {
		for _, v := range s {
			if v > m {
				m = v
			}
		}
	}
	return m
}

// wrap wraps plain text to w columns, breaking long words.
func wrap(s string, w int) string {
	if w <= 0 {
		return s
	}
	return ansi.Wrap(s, w, "")
}

// indent prefixes every line of s after the first with prefix, and the first with first.
func indent(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// truncLeft keeps the end of s (a file name and line number matter more
// than the directory) within w columns.
func truncLeft(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw <= w || w <= 1 {
		return s
	}
	return "…" + ansi.TruncateLeft(s, sw-w+1, "")
}

// sideBySide lays two blocks of lines next to each other, the left one
// padded (or cut) to lw columns, two spaces between them.
func sideBySide(left string, lw int, right string) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	out := make([]string, max(len(l), len(r)))
	for i := range out {
		var a, b string
		if i < len(l) {
			a = l[i]
		}
		if i < len(r) {
			b = r[i]
		}
		out[i] = fitLine(a, lw) + "  " + b
	}
	return strings.Join(out, "\n")
}
