package tui

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/edgetriage/edgetriage/rules"
)

// detailHeaderRows are the fixed lines above the scrolling sections.
const detailHeaderRows = 2

// detail shows one finding: Causes, Fixes, its timeline, what it touched.
type detail struct {
	c        *common
	w, h     int
	id       string
	f        *rules.Finding // from the latest snapshot holding it
	gone     bool           // the latest snapshot no longer has it
	vp       viewport.Model
	sections []int // line offsets of the section headings, for Tab
	built    *rules.Finding
	builtW   int
	// The "What separates the failures" values: sel is the selected one
	// (-1: none), picks their lines in the content.
	sel       int
	picks     []contrastPick
	allCauses bool
	builtKey  [2]int // sel and allCauses the content was built with
	// series is the per-minute failing vs healthy chart, once counted.
	series    *seriesMsg
	seriesGen int
}

func newDetail(c *common, f *rules.Finding) *detail {
	d := &detail{c: c, id: f.ID, f: f, vp: viewport.New(0, 0), sel: -1}
	c.news.see(f)
	d.vp.KeyMap = viewport.KeyMap{} // keys are ours, from the KeyMap
	d.vp.MouseWheelEnabled = false
	return d
}

func (d *detail) title() string { return d.f.Title() }

// init counts the per-minute chart off the UI goroutine.
func (d *detail) init() tea.Cmd {
	d.seriesGen = d.c.nextGen()
	return seriesCmd(d.c.ctx(), d.seriesGen, d.c, d.f)
}
func (d *detail) capturing() bool         { return false }
func (d *detail) current() *rules.Finding { return d.f }

func (d *detail) setSize(w, h int) {
	d.w, d.h = w, h
	d.vp.Width, d.vp.Height = w, max(h-detailHeaderRows, 1)
	d.build()
}

func (d *detail) shortHelp() []key.Binding {
	k := d.c.keys
	b := []key.Binding{withHelp(k.Enter, "enter", "requests"), withHelp(k.Tab, "tab", "next section"), k.Back}
	if len(d.picks) > 0 {
		b = append(b, k.Value)
	}
	if len(d.f.Causes) > defaultCauses {
		b = append(b, d.causesBinding())
	}
	return append(b, withHelp(k.FullLog, "L", "in full log"), k.Copy, k.Mute, k.Export, k.Up, k.Down)
}

func (d *detail) causesBinding() key.Binding {
	if d.allCauses {
		return withHelp(d.c.keys.AllCauses, "c", "top causes")
	}
	return withHelp(d.c.keys.AllCauses, "c", "all causes")
}

// back clears a selected value first.
func (d *detail) back() bool {
	if d.sel >= 0 {
		d.sel = -1
		d.build()
		return true
	}
	return false
}

func (d *detail) fullHelp() [][]key.Binding {
	k := d.c.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{withHelp(k.Tab, "tab", "next section"), withHelp(k.Enter, "enter", "requests behind it (of the selected value)"), k.Left},
		{k.Value, k.ValuePrev, withHelp(k.AllCauses, "c", "all causes / top three"), withHelp(k.FullLog, "L", "its requests (of the value) in the full log")},
	}
}

func (d *detail) update(msg tea.Msg) (screen, tea.Cmd) {
	k := d.c.keys
	switch msg := msg.(type) {
	case seriesMsg:
		if msg.gen == d.seriesGen {
			d.series, d.built = &msg, nil
			d.build()
		}
	case dataMsg:
		if f := d.c.finding(d.id); f != nil {
			d.f, d.gone = f, false
			d.c.news.see(f) // on screen: its growth is seen
		} else {
			d.gone = true
		}
		d.build()
	case scrollMsg:
		scrollViewport(&d.vp, k, msg)
	case clickMsg:
		// A contrast value: select it, or list its requests if selected.
		line := d.vp.YOffset + msg.y - detailHeaderRows
		for i, p := range d.picks {
			if p.line == line {
				if d.sel == i {
					return newRequestsFiltered(d.c, d.f, p), nil
				}
				d.sel = i
				d.build()
			}
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Enter, k.Right):
			if d.sel >= 0 && d.sel < len(d.picks) {
				return newRequestsFiltered(d.c, d.f, d.picks[d.sel]), nil
			}
			return newRequestsSamples(d.c, d.f), nil
		case key.Matches(msg, k.FullLog):
			j := d.c.findingJump(d.f)
			if d.sel >= 0 && d.sel < len(d.picks) {
				j.query += " " + pickQuery(d.picks[d.sel])
			}
			return newLogView(d.c, &j), nil
		case key.Matches(msg, k.Value, k.ValuePrev):
			d.selectValue(key.Matches(msg, k.ValuePrev))
		case key.Matches(msg, k.AllCauses):
			d.allCauses = !d.allCauses
			d.build()
		case key.Matches(msg, k.Tab):
			d.nextSection(msg.String() == "shift+tab")
		default:
			scrollViewport(&d.vp, k, msg)
		}
	}
	return nil, nil
}

// selectValue moves the selection to the next (or previous) value of the
// contrast tables and scrolls it into view.
func (d *detail) selectValue(backwards bool) {
	if len(d.picks) == 0 {
		return
	}
	switch {
	case d.sel < 0 && backwards:
		d.sel = len(d.picks) - 1
	case backwards:
		d.sel = (d.sel - 1 + len(d.picks)) % len(d.picks)
	default:
		d.sel = (d.sel + 1) % len(d.picks)
	}
	d.build()
	line := d.picks[d.sel].line
	if line < d.vp.YOffset || line >= d.vp.YOffset+d.vp.Height {
		d.vp.SetYOffset(max(line-d.vp.Height/2, 0))
	}
}

func (d *detail) nextSection(backwards bool) {
	if len(d.sections) == 0 {
		return
	}
	y := d.vp.YOffset
	if backwards {
		for i := len(d.sections) - 1; i >= 0; i-- {
			if d.sections[i] < y {
				d.vp.SetYOffset(d.sections[i])
				return
			}
		}
		d.vp.GotoTop()
		return
	}
	for _, s := range d.sections {
		if s > y {
			if s <= d.vp.TotalLineCount()-d.vp.Height {
				d.vp.SetYOffset(s)
			} else {
				d.vp.GotoBottom()
			}
			return
		}
	}
	d.vp.GotoTop()
}

// build renders the sections into the viewport when the finding or the
// width changed (not on every frame).
func (d *detail) build() {
	key := [2]int{d.sel, map[bool]int{false: 0, true: 1}[d.allCauses]}
	if d.w <= 0 || (d.built == d.f && d.builtW == d.w && d.builtKey == key) {
		return
	}
	d.built, d.builtW, d.builtKey = d.f, d.w, key
	y := d.vp.YOffset
	content, sections := d.render(d.w - 2)
	d.sections = sections
	d.vp.SetContent(content)
	d.vp.SetYOffset(y)
}

func (d *detail) view() string {
	st := d.c.st
	f := d.f
	head := "  " + st.Severity(f.Severity).Render(sevIcon(f.Severity)+" "+f.Severity.String()) + "  " +
		st.Title.Render(clean(f.Title())) + "  " + st.Accent.Render(clean(f.Origin))
	if f.Endpoint != "" {
		head += st.Muted.Render("  " + clean(f.Endpoint))
	}
	sub := fmt.Sprintf("  %s (%s) · %s · id %s", span(f.Start, f.End), shortDur(f.End.Sub(f.Start)),
		plural(f.Count, unitOf(f)), clean(f.ID))
	if d.gone {
		sub += " · no longer in the latest snapshot"
	}
	return fitLine(head, d.w) + "\n" + fitLine(st.Muted.Render(sub), d.w) + "\n" + d.vp.View()
}

// unitOf names what a finding counts.
func unitOf(f *rules.Finding) string {
	if f.Kind == rules.KindIncomplete202 {
		return "operation"
	}
	return "request"
}

// render builds the scrolling part at width w and returns the line offsets
// of its section headings.
func (d *detail) render(w int) (string, []int) {
	st := d.c.st
	f := d.f
	var lines []string
	var sections []int
	section := func(name string) {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		sections = append(sections, len(lines))
		lines = append(lines, " "+st.Section.Render(name))
	}
	add := func(s string) { lines = append(lines, strings.Split(s, "\n")...) }

	if f.Verdict != "" || f.Definition != "" {
		section("Verdict")
		if f.Verdict != "" {
			add(indent(wrap(clean(f.Verdict), w-5), "   ", "   "))
		}
		if f.Definition != "" {
			add(st.Muted.Render(indent(wrap(clean(f.Definition), w-5), "   ", "   ")))
		}
	}
	d.picks = nil
	if f.Contrast != nil {
		section("What separates the failures")
		block, picks := d.contrastBlock(w - 2)
		for i := range picks {
			picks[i].line += len(lines)
		}
		d.picks = picks
		if d.sel >= len(picks) {
			d.sel = -1
		}
		add(strings.Join(block, "\n"))
	}

	section("Causes")
	add(strings.Join(d.causeLines(w-2, d.allCauses), "\n"))

	section("Timeline")
	add(d.timeline(w - 4))
	if lines := d.seriesLines(w - 2); len(lines) > 0 {
		add(strings.Join(lines, "\n"))
	}

	section("Affected")
	add(d.affected(w - 2))

	if j, ok := f.Context["join"]; ok && j != nil {
		section("Edge vs origin")
		add(indent(wrap(ctxText(j), w-4), "   ", "   "))
	}

	section("Numbers")
	add(d.numbers(w - 4))

	section("Requests")
	if len(f.Samples) == 0 {
		add(st.Muted.Render("   no requests retained for this finding"))
	} else {
		add(st.Muted.Render(fmt.Sprintf("   %s retained — enter lists them", plural(len(f.Samples), "request"))))
	}
	return strings.Join(lines, "\n"), sections
}

func (d *detail) timeline(w int) string {
	st := d.c.st
	f := d.f
	if len(f.Timeline) == 0 || f.TimelineStep <= 0 {
		return st.Muted.Render("   no timeline")
	}
	per := 1
	if len(f.Timeline) > w {
		per = (len(f.Timeline) + w - 1) / w
	}
	vals := rebucketPer(f.Timeline, per)
	top := maxOf(vals)
	step := f.TimelineStep * time.Duration(per)
	return "   " + st.Bar520.Render(sparkline(vals, top)) + "\n" +
		st.Muted.Render(fmt.Sprintf("   %s → per %s, peak %s", clock(f.Start), shortDur(step), num(top)))
}

// affectedKeys are the Context entries shown under Affected, in order.
var affectedKeys = []struct{ key, label string }{
	{"paths", "Paths"}, {"methods", "Methods"}, {"pops", "POPs"},
	{"upstreams_failed", "Origin IPs failing"}, {"upstreams_healthy", "Origin IPs healthy"},
	{"statuses_before", "Statuses before"}, {"relayed", "Relayed from origin"},
	{"endpoint", "Endpoint"}, {"last_polls", "Last polls"}, {"clients", "Clients"},
}

func (d *detail) affected(w int) string {
	st := d.c.st
	f := d.f
	var out []string
	known := map[string]bool{"join": true}
	const labelW = 20
	for _, a := range affectedKeys {
		known[a.key] = true
		v, ok := f.Context[a.key]
		if !ok || v == nil {
			continue
		}
		out = append(out, indent(wrap(clean(ctxText(v)), max(w-labelW-3, 10)), "   "+st.Label.Render(pad(a.label, labelW)), strings.Repeat(" ", labelW+3)))
	}
	// Anything else the engine added, so nothing is hidden.
	var extra []string
	for k := range f.Context {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		out = append(out, indent(wrap(clean(ctxText(f.Context[k])), max(w-labelW-3, 10)), "   "+st.Label.Render(pad(clean(k), labelW)), strings.Repeat(" ", labelW+3)))
	}
	if len(out) == 0 {
		return st.Muted.Render("   nothing recorded")
	}
	return strings.Join(out, "\n")
}

func (d *detail) numbers(w int) string {
	st := d.c.st
	f := d.f
	if len(f.Features) == 0 {
		return st.Muted.Render("   none")
	}
	names := make([]string, 0, len(f.Features))
	labelW := 0
	for k := range f.Features {
		names = append(names, k)
		labelW = max(labelW, len(featureLabel(k)))
	}
	sort.Strings(names)
	// Cells as wide as the longest label needs (never cut): as many a line
	// as fit, one a line on a narrow screen, where a long label wraps.
	const valueW = 12
	labelW = min(labelW, max(w-valueW-4, 10))
	cell := labelW + 1 + valueW + 2
	perLine := max(w/cell, 1)
	var out []string
	var line strings.Builder
	for i, k := range names {
		label := wrap(clean(featureLabel(k)), labelW)
		parts := strings.Split(label, "\n")
		for _, p := range parts[:len(parts)-1] {
			out = append(out, "   "+st.Label.Render(p)) // a long label's first lines
		}
		line.WriteString(pad(st.Label.Render(pad(parts[len(parts)-1], labelW))+" "+featureValue(k, f.Features[k]), cell))
		if (i+1)%perLine == 0 || i == len(names)-1 {
			out = append(out, "   "+strings.TrimRight(line.String(), " "))
			line.Reset()
		}
	}
	return strings.Join(out, "\n")
}

// featureLabel makes a feature name readable: words, not underscores.
func featureLabel(k string) string {
	for _, suf := range []string{"_unix", "_ms", "_s"} {
		k = strings.TrimSuffix(k, suf)
	}
	return strings.ReplaceAll(k, "_", " ")
}

// featureValue shows a feature as what it is: times as times, shares as
// percentages, durations with units, counts with separators.
func featureValue(k string, v float64) string {
	switch {
	case v == -1:
		return "?"
	case strings.HasSuffix(k, "_unix"):
		t := time.Unix(int64(v), 0)
		return clock(t) + " " + zoneName(t)
	case strings.HasSuffix(k, "_share") || strings.HasSuffix(k, "_rate") || k == "share":
		return fmt.Sprintf("%.1f%%", v*100)
	case strings.HasSuffix(k, "_ms"):
		return shortDur(time.Duration(v * float64(time.Millisecond)))
	case strings.HasSuffix(k, "_s"):
		return shortDur(time.Duration(v * float64(time.Second)))
	case v == float64(int64(v)) && v < 1e15 && v > -1e15:
		return num(int64(v))
	}
	return fmt.Sprintf("%.3g", v)
}

// ctxText renders a Context value (any JSON-like shape) as one line.
func ctxText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []string:
		return strings.Join(x, ", ")
	case fmt.Stringer:
		return x.String()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = ctxText(rv.Index(i).Interface())
		}
		return strings.Join(parts, ", ")
	case reflect.Map:
		keys := rv.MapKeys()
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			val := rv.MapIndex(k).Interface()
			s := ctxText(val)
			if reflect.ValueOf(val).Kind() == reflect.Map {
				s = "{" + s + "}"
			}
			parts = append(parts, fmt.Sprint(k.Interface())+": "+s)
		}
		sort.Strings(parts)
		return strings.Join(parts, " · ")
	case reflect.Float32, reflect.Float64:
		return fmt.Sprintf("%g", rv.Float())
	}
	return fmt.Sprint(v)
}
