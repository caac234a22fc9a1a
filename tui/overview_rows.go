package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// The overview's lower rows: inputs and their accounting, the span and the
// status mix.

func (o *overview) inputRow(i int) string {
	st := o.c.st
	in := &o.c.inputs[i]
	format := shortFormat(in.Format)
	if in.Compression != "" {
		format += "+" + in.Compression
	}
	nameW := max(o.w/3, 16)
	row := "    " + pad(truncLeft(clean(in.Path), nameW), nameW) + " " + st.Accent.Render(pad(clean(format), 16)) + " " +
		st.Muted.Render(fmt.Sprintf("%s lines", num(in.Lines)))
	if in.Err != nil {
		row += " " + st.StatusError.Render("error: "+clean(in.Err.Error()))
	} else if in.Malformed > 0 {
		row += st.Muted.Render(fmt.Sprintf(" · %s malformed", num(in.Malformed)))
	}
	return row
}

// moreInputs is the last input row when they do not all fit: how many
// more, by format.
func (o *overview) moreInputs(from int) string {
	rest := o.c.inputs[from:]
	counts := map[string]int{}
	var order []string
	for i := range rest {
		f := shortFormat(rest[i].Format)
		if counts[f] == 0 {
			order = append(order, f)
		}
		counts[f]++
	}
	sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
	parts := make([]string, len(order))
	for i, f := range order {
		parts[i] = fmt.Sprintf("%s ×%d", clean(f), counts[f])
	}
	return fmt.Sprintf("    … and %d more: %s", len(rest), strings.Join(parts, ", "))
}

// shortFormat names a format briefly: custom nginx and Apache formats by
// their family, not their whole format string.
func shortFormat(f string) string {
	switch {
	case f == "":
		return "detecting…"
	case strings.HasPrefix(f, "nginx:"):
		return "nginx (custom)"
	case strings.HasPrefix(f, "apache:"):
		return "apache (custom)"
	}
	return f
}

func (o *overview) linesRow() string {
	st := o.c.st
	t := o.c.totals
	parts := []string{num(t.Lines) + " read", num(t.Parsed) + " parsed"}
	// Zero counts say "all clean" on a wide screen; a narrow one leaves
	// them out rather than cutting the row.
	var zero []bool
	for _, x := range []struct {
		n      int64
		name   string
		always bool
	}{{t.Malformed, "malformed", true}, {t.Overlong, "over-long", true}, {t.Ignored, "ignored", true},
		{t.Late, "late", false}, {t.Duplicate, "duplicate", false}, {t.Filtered, "outside --since/--until", false}} {
		if x.n > 0 || x.always {
			parts = append(parts, num(x.n)+" "+x.name)
			zero = append(zero, x.n == 0)
		}
	}
	return st.Label.Render("  Lines  ") + fitParts(st, parts, o.w-9, func(i int) bool { return i >= 2 && zero[i-2] })
}

// fitParts joins parts with dots within w columns, leaving out the parts
// that may go (last first) while the row is too wide.
func fitParts(st *Styles, parts []string, w int, mayGo func(i int) bool) string {
	width := 0
	for _, p := range parts {
		width += ansi.StringWidth(p) + 3
	}
	width -= 3
	kept := make([]string, 0, len(parts))
	drop := make([]bool, len(parts))
	for i := len(parts) - 1; i >= 0 && width > w; i-- {
		if mayGo(i) {
			drop[i] = true
			width -= ansi.StringWidth(parts[i]) + 3
		}
	}
	for i, p := range parts {
		if !drop[i] {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, st.Muted.Render(" · "))
}

func (o *overview) spanRow() string {
	var first, last time.Time
	for i := range o.c.inputs {
		in := &o.c.inputs[i]
		if !in.First.IsZero() && (first.IsZero() || in.First.Before(first)) {
			first = in.First
		}
		if in.Last.After(last) {
			last = in.Last
		}
	}
	text := span(first, last)
	if !first.IsZero() {
		text += " (" + shortDur(last.Sub(first)) + ")"
	}
	return o.c.st.Label.Render("  Span   ") + text
}

func (o *overview) statusRow() string {
	st := o.c.st
	mix := o.c.totals.Status
	var total int64
	classes := make([]int64, 6)
	for code, n := range mix {
		total += n
		if c := code / 100; c >= 1 && c <= 5 {
			classes[c] += n
		}
	}
	if total == 0 {
		return st.Label.Render("  Status ") + st.Muted.Render("no records")
	}
	var parts []string
	for c := 1; c <= 5; c++ {
		if classes[c] > 0 {
			parts = append(parts, fmt.Sprintf("%dxx %.1f%%", c, 100*float64(classes[c])/float64(total)))
		}
	}
	// The most frequent error statuses, by count.
	type sc struct {
		code int
		n    int64
	}
	var errs []sc
	for code, n := range mix {
		if code >= 500 || code == 202 {
			errs = append(errs, sc{code, n})
		}
	}
	sort.Slice(errs, func(i, j int) bool {
		if errs[i].n != errs[j].n {
			return errs[i].n > errs[j].n
		}
		return errs[i].code < errs[j].code
	})
	classParts := len(parts)
	for i := 0; i < len(errs) && i < 3; i++ {
		parts = append(parts, fmt.Sprintf("%d ×%s", errs[i].code, num(errs[i].n)))
	}
	// On a narrow screen the least frequent error statuses give way, then
	// the classes other than 2xx and 5xx.
	return st.Label.Render("  Status ") + fitParts(st, parts, o.w-9, func(i int) bool {
		return i > classParts || (i < classParts && !strings.HasPrefix(parts[i], "2") && !strings.HasPrefix(parts[i], "5"))
	})
}
