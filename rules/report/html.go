package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/rules"
)

// The HTML report is one self-contained file for an incident ticket: inline
// CSS and SVG, no script, no network (the Content-Security-Policy in the
// head forbids both, so even a bug here cannot make a browser fetch or run
// anything). html/template escapes every value by context, and every
// log-derived string is made inert (control characters shown) first.

//go:embed html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"n": svgNum}).Parse(htmlTemplateText))

// WriteHTML renders the document as one HTML page: a summary, the timeline,
// then per finding its definition, verdict, numbers, a chart of its
// failures against all requests, the contrast tables, the causes with their
// evidence and fixes, the samples, and at the end the inputs read.
func WriteHTML(w io.Writer, d *Document, opts Options) error {
	d = prepare(d, opts)
	v := newHTMLView(d, opts)
	bw := bufio.NewWriter(w)
	if err := htmlTemplate.Execute(bw, v); err != nil {
		return fmt.Errorf("writing HTML report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing HTML report: %w", err)
	}
	return nil
}

// htmlView is what the template shows, every string already inert and
// redacted; the template only lays it out.
type htmlView struct {
	Heading  string
	Range    string
	Summary  string
	Counts   []htmlBadge
	Notes    []string
	Timeline *svgChart
	Findings []htmlFinding
	Inputs   []htmlInput
	Total    htmlInput
	Extra    []string // late, duplicate, filtered
	Statuses []htmlKV
}

// htmlKV is a label and its value (exported fields for the template).
type htmlKV struct{ K, V string }

func htmlKVs(in []kv) []htmlKV {
	out := make([]htmlKV, len(in))
	for i, e := range in {
		out[i] = htmlKV{e.k, e.v}
	}
	return out
}

type htmlBadge struct{ Class, Text string }

type htmlFinding struct {
	Anchor, ID, Severity, Heading, Origin, Range, When, CountNoun, TopCause string
	Definition, Verdict                                                     string
	Numbers                                                                 []htmlKV
	Context                                                                 []htmlKV
	Chart                                                                   *svgChart
	Contrast                                                                *htmlContrast
	Causes                                                                  []htmlCause
	Fixes                                                                   []htmlFix // the finding's fixes none of its causes lists
	FixesHeading                                                            string
	Samples                                                                 []htmlSample
	MoreSamples                                                             int
	CausesHidden                                                            int
}

type htmlCause struct {
	Title, Confidence string
	Evidence          []string
	Fixes             []htmlFix
}

// htmlFix is a fix as prose with its commands (the `quoted` parts) as code.
type htmlFix []htmlSpan

type htmlSpan struct {
	Text string
	Code bool
}

// newHTMLFix splits an (inert) fix at its backticks: the text between a
// pair is a command, shown as code; an unpaired backtick stays text.
func newHTMLFix(s string) htmlFix {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an odd number of backticks: no commands
		return htmlFix{{Text: s}}
	}
	var fx htmlFix
	for i, p := range parts {
		if p != "" {
			fx = append(fx, htmlSpan{Text: p, Code: i%2 == 1})
		}
	}
	return fx
}

type htmlSample struct {
	Time, Where, Request, Status, Role, RequestID string
}

type htmlInput struct {
	Path, Format, Lines, Parsed, Ignored, Malformed, Overlong, Bytes, Error string
	Malformed2                                                              []string
}

type htmlContrast struct {
	Summary    string
	Shape      string
	Precursors []string
	Dimensions []htmlDimension // the ones that separate, strongest first
	Others     []htmlDimension // the rest, folded away (<details>)
	Missing    []string
}

type htmlDimension struct {
	Label, Name, Set, Coverage, Inside, Outside string
	Separates                                   bool
	Values                                      []htmlValue
}

type htmlValue struct {
	Value, Counts, Rate string
	InSet               bool
	Bar                 float64 // 0..100: the value's failing share
}

func newHTMLView(d *Document, opts Options) *htmlView {
	v := &htmlView{Heading: "edgetriage report"}
	first, last := d.timeRange()
	if !first.IsZero() {
		v.Range = timeRangeText(first, last, "→")
	}
	v.Summary = fmt.Sprintf("%d input%s · %s lines · %s", len(d.Inputs), plural(len(d.Inputs)), count(d.Totals.Lines), byteSize(d.Totals.Bytes))
	crit, warn, info := d.severityCounts()
	for _, c := range []struct {
		n     int
		class string
	}{{crit, "critical"}, {warn, "warning"}, {info, "info"}} {
		if c.n > 0 {
			v.Counts = append(v.Counts, htmlBadge{c.class, fmt.Sprintf("%d %s", c.n, c.class)})
		}
	}
	for _, n := range d.Notes {
		v.Notes = append(v.Notes, inert(n))
	}
	if len(d.Findings) == 0 {
		v.Notes = append(v.Notes, "No findings: no 520 bursts, 5xx storms or unfinished 202 operations.")
	}
	if d.Inflight > 0 || d.Evicted > 0 {
		v.Notes = append(v.Notes, fmt.Sprintf("%s operation%s still in flight at the end (not judged); %s evicted by the pending cap",
			count(int64(d.Inflight)), plural(d.Inflight), count(d.Evicted)))
	}
	if d.DroppedFindings > 0 {
		v.Notes = append(v.Notes, fmt.Sprintf("%s older finding%s dropped by the findings cap", count(d.DroppedFindings), plural(int(d.DroppedFindings))))
	}
	v.Timeline = overviewChart(d)
	for i := range d.Findings {
		v.Findings = append(v.Findings, newHTMLFinding(d, i, opts))
	}
	v.inputs(d)
	return v
}

func newHTMLFinding(d *Document, i int, opts Options) htmlFinding {
	f := &d.Findings[i]
	hf := htmlFinding{
		Anchor: "f" + strconv.Itoa(i+1), ID: inert(f.ID), Severity: f.Severity.String(),
		Heading: inert(findingHeading(f)), Origin: inert(f.Origin), Range: timeRangeText(f.start, f.end, "→"),
		CountNoun: countNoun(f), Numbers: htmlKVs(headline(f)), When: shortRange(f.start, f.end, multiDay(d)),
	}
	if len(f.Causes) > 0 {
		hf.TopCause = inert(f.Causes[0].Title)
	}
	for _, k := range contextKeys(f) {
		if t := contextText(f.Context[k]); t != "" {
			hf.Context = append(hf.Context, htmlKV{contextLabel(k), inert(clip(t, 600))})
		}
	}
	inCause := map[string]bool{}
	for _, c := range f.Causes {
		hc := htmlCause{Title: inert(c.Title), Confidence: pct(c.Confidence)}
		for _, e := range c.Evidence {
			hc.Evidence = append(hc.Evidence, inert(e))
		}
		for _, fx := range c.Fixes {
			hc.Fixes = append(hc.Fixes, newHTMLFix(inert(fx)))
			inCause[fx] = true
		}
		hf.Causes = append(hf.Causes, hc)
	}
	hf.FixesHeading = "Fixes"
	if len(inCause) > 0 {
		hf.FixesHeading = "Other fixes"
	}
	for _, fx := range f.Fixes {
		if !inCause[fx] {
			hf.Fixes = append(hf.Fixes, newHTMLFix(inert(fx)))
		}
	}
	n := min(len(f.Samples), max(opts.maxSamples(), 20))
	hf.MoreSamples = len(f.Samples) - n
	for _, s := range f.Samples[:n] {
		hs := htmlSample{Time: sampleTime(s), Where: inert(s.Input) + ":" + strconv.FormatInt(s.Line, 10),
			Request: inert(sampleRequest(s)), Role: inert(s.Role), RequestID: inert(s.RequestID)}
		if s.Status != 0 {
			hs.Status = strconv.Itoa(s.Status)
		}
		hf.Samples = append(hf.Samples, hs)
	}
	// The document carries the diagnosis already redacted (prepare).
	hf.Definition, hf.Verdict = inert(f.Definition), inert(f.Verdict)
	if f.Contrast != nil {
		hf.Contrast = newHTMLContrast(f.Contrast)
	}
	hf.CausesHidden = f.CausesHidden
	hf.Chart = findingChart(d, f)
	return hf
}

// shortRange is a finding's range for the summary table: the times, with
// the date only when the report spans more than one day.
func shortRange(start, end time.Time, withDate bool) string {
	if start.IsZero() {
		return "unknown time"
	}
	layout := "15:04:05"
	if withDate {
		layout = "01-02 15:04:05"
	}
	return start.UTC().Format(layout) + " → " + end.UTC().Format(layout) + " (" + span(end.Sub(start)) + ")"
}

func multiDay(d *Document) bool {
	first, last := d.timeRange()
	return first.UTC().Format("20060102") != last.UTC().Format("20060102")
}

func newHTMLContrast(c *rules.Contrast) *htmlContrast {
	hc := &htmlContrast{
		Summary: fmt.Sprintf("%s of %s origin requests failed in the span (%s); %s of %s in the baseline before it (%s).",
			count(c.Failing), count(c.Total), pct(share64(c.Failing, c.Total)),
			count(c.BaselineFailing), count(c.BaselineTotal), pct(share64(c.BaselineFailing, c.BaselineTotal))),
	}
	switch {
	case c.Unit == rules.ContrastOperations:
		hc.Summary = fmt.Sprintf("%s of %s operations did not complete (%s); the rest are the origin's completed operations.",
			count(c.Failing), count(c.Total), pct(share64(c.Failing, c.Total)))
	case c.NoBaseline:
		hc.Summary = fmt.Sprintf("%s of %s origin requests failed in the span (%s); no healthy period before it to compare with.",
			count(c.Failing), count(c.Total), pct(share64(c.Failing, c.Total)))
	}
	hc.Shape = shapeText(c.Shape)
	for _, p := range c.Shape.Precursors {
		hc.Precursors = append(hc.Precursors, inert(p))
	}
	for _, dim := range c.Dimensions {
		hd := htmlDimension{
			Label: inert(dim.Label), Name: inert(dim.Name), Separates: dim.Separates,
			Coverage: pct(dim.Coverage),
			Inside:   fmt.Sprintf("%s of %s", pct(dim.InsideRate), count(dim.InsideTotal)),
			Outside:  fmt.Sprintf("%s of %s", pct(dim.OutsideRate), count(dim.OutsideTotal)),
		}
		set := make([]string, len(dim.Set))
		for i, s := range dim.Set {
			set[i] = inert(s)
		}
		hd.Set = strings.Join(set, ", ")
		for _, dv := range dim.Values {
			if dv.Total > 0 || dv.InSet {
				hd.Values = append(hd.Values, newHTMLValue(inert(dv.Value), dv))
			}
		}
		if dim.Other != nil && dim.Other.Total > 0 {
			hd.Values = append(hd.Values, newHTMLValue("(other values)", *dim.Other))
		}
		if dim.Separates {
			hc.Dimensions = append(hc.Dimensions, hd)
		} else {
			hc.Others = append(hc.Others, hd)
		}
	}
	for _, m := range c.Missing {
		hc.Missing = append(hc.Missing, inert(m.Label)+": add "+inert(m.Field))
	}
	return hc
}

func newHTMLValue(label string, dv rules.DimensionValue) htmlValue {
	r := dv.Rate()
	return htmlValue{Value: label, Counts: count(dv.Failing) + " / " + count(dv.Total), Rate: pct(r),
		InSet: dv.InSet, Bar: roundTo(r*100, 1)}
}

func shapeText(s rules.TimeShape) string {
	switch s.Kind {
	case rules.ShapeStep:
		at := ""
		if !s.At.IsZero() {
			at = " at " + s.At.UTC().Format("15:04:05") + " UTC"
		}
		return fmt.Sprintf("step%s: %s failing before, %s after", at, pct(s.Before), pct(s.After))
	case rules.ShapeRamp:
		return fmt.Sprintf("ramp: from %s to %s failing over the span", pct(s.Before), pct(s.After))
	case rules.ShapeTrickle:
		return "trickle: a low, steady failing share on every value"
	case rules.ShapeSpike:
		return "spike: a short, dense run"
	case "", rules.ShapeUnknown:
		return ""
	}
	return inert(s.Kind)
}

func share64(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (v *htmlView) inputs(d *Document) {
	row := func(in Input) htmlInput {
		return htmlInput{Path: inert(in.Path), Format: inert(in.Format), Lines: count(in.Lines), Parsed: count(in.Parsed),
			Ignored: count(in.Ignored), Malformed: count(in.Malformed), Overlong: count(in.Overlong), Bytes: byteSize(in.Bytes)}
	}
	for _, in := range d.Inputs {
		r := row(in)
		if in.Error != "" {
			msg := in.Error
			if !strings.Contains(msg, in.Path) {
				msg = in.Path + ": " + msg
			}
			r.Error = inert(msg)
		}
		for _, m := range in.MalformedExamples {
			r.Malformed2 = append(r.Malformed2, fmt.Sprintf("%s: %s: %s", inert(m.lineText()), inert(m.Reason), inert(clip(m.Text, 300))))
		}
		v.Inputs = append(v.Inputs, r)
	}
	t := d.Totals
	v.Total = row(Input{Path: "total", Lines: t.Lines, Parsed: t.Parsed, Ignored: t.Ignored, Malformed: t.Malformed,
		Overlong: t.Overlong, Bytes: t.Bytes})
	if t.Late > 0 {
		v.Extra = append(v.Extra, count(t.Late)+" late")
	}
	if t.Duplicate > 0 {
		v.Extra = append(v.Extra, count(t.Duplicate)+" duplicate")
	}
	if t.Filtered > 0 {
		v.Extra = append(v.Extra, count(t.Filtered)+" outside --since/--until")
	}
	for _, k := range sortedStatuses(t.Status) {
		v.Statuses = append(v.Statuses, htmlKV{k, count(t.Status[k])})
	}
}
