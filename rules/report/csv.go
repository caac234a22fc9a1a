package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

// CSV output is for spreadsheets: RFC 4180 (encoding/csv), one header row,
// times in RFC 3339 UTC, numbers without separators. A cell that a
// spreadsheet would run as a formula (starting with = + - @, a tab or a
// carriage return) gets a leading apostrophe, so a log value can never
// become =HYPERLINK(...) on the desk of the person who opens the file.

// findingColumns is the header of WriteCSV.
var findingColumns = []string{"id", "severity", "kind", "origin", "endpoint", "subtype", "status",
	"start", "end", "duration_s", "count", "top_cause", "confidence", "verdict", "definition", "fixes"}

// WriteCSV writes one row per finding.
func WriteCSV(w io.Writer, d *Document, opts Options) error {
	d = prepare(d, opts)
	cw := csv.NewWriter(w)
	rows := [][]string{findingColumns}
	for i := range d.Findings {
		rows = append(rows, findingRow(&d.Findings[i]))
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("writing CSV report: %w", err)
	}
	return nil
}

func findingRow(f *Finding) []string {
	status := ""
	switch {
	case f.Status != 0:
		status = strconv.Itoa(f.Status)
	case f.Kind == rules.KindBurst520:
		status = "520"
	case f.Kind == rules.KindIncomplete202:
		status = "202"
	}
	dur := ""
	if !f.start.IsZero() && !f.end.IsZero() {
		dur = strconv.FormatFloat(f.end.Sub(f.start).Seconds(), 'f', -1, 64)
	}
	cause, conf := "", ""
	if len(f.Causes) > 0 {
		cause, conf = f.Causes[0].Title, strconv.FormatFloat(roundTo(f.Causes[0].Confidence, 3), 'f', -1, 64)
	}
	verdict, definition := f.Verdict, f.Definition // redacted by prepare
	fixes := make([]string, len(f.Fixes))
	for i, fx := range f.Fixes {
		fixes[i] = inert(fx)
	}
	return []string{cell(f.ID), f.Severity.String(), string(f.Kind), cell(f.Origin), cell(f.Endpoint), f.Subtype, status,
		f.Start, f.End, dur, strconv.Itoa(f.Count), cell(cause), conf, cell(verdict), cell(definition),
		guard(strings.Join(fixes, "\n"))}
}

// cell makes text safe for a spreadsheet cell: control characters shown
// (parse.Printable), and no formula.
func cell(s string) string { return guard(inert(s)) }

// guard prefixes a cell a spreadsheet would treat as a formula.
func guard(s string) string {
	if s == "" || s == "-" { // a lone "-" (stdin) is no formula
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// RequestRow is one request of a finding for WriteRequestsCSV: a re-read
// record or a retained sample.
type RequestRow struct {
	Input        string
	Line         int64
	Time         time.Time
	Origin       string
	Method       string
	Path         string
	Query        string
	Status       int
	OriginStatus int // parse.Unknown when not logged
	POP          string
	Upstream     string
	ClientIP     string
	RequestID    string
	Duration     time.Duration // parse.Unknown when not logged
	Role         string
}

// requestColumns is the header of the requests CSV.
var requestColumns = []string{"input", "line", "time", "origin", "method", "path", "query", "status", "origin_status",
	"pop", "upstream", "client_ip", "request_id", "duration_ms", "role"}

// RequestsCSV writes a finding's requests row by row, for a stream of
// re-read records that must not be held in memory.
type RequestsCSV struct {
	cw  *csv.Writer
	red *redactor
	row []string
}

// NewRequestsCSV starts a requests CSV on w: the comment lines (each
// starting with '#', e.g. the count of requests when only samples follow),
// then the header. Redaction masks client IPs and query strings.
func NewRequestsCSV(w io.Writer, comments []string, opts Options) (*RequestsCSV, error) {
	for _, c := range comments {
		if _, err := io.WriteString(w, "# "+strings.ReplaceAll(inert(c), "\n", " ")+"\n"); err != nil {
			return nil, fmt.Errorf("writing requests CSV: %w", err)
		}
	}
	rc := &RequestsCSV{cw: csv.NewWriter(w), row: make([]string, len(requestColumns))}
	if opts.Redact {
		rc.red = &redactor{keep: map[string]bool{}}
	}
	if err := rc.cw.Write(requestColumns); err != nil {
		return nil, fmt.Errorf("writing requests CSV: %w", err)
	}
	return rc, nil
}

// Write adds one request.
func (rc *RequestsCSV) Write(r *RequestRow) error {
	clientIP, query, path := r.ClientIP, r.Query, r.Path
	if rc.red != nil {
		if clientIP != "" {
			clientIP = maskedIPv4
			if strings.Contains(r.ClientIP, ":") {
				clientIP = maskedIPv6
			}
		}
		if query != "" {
			query = strings.TrimPrefix(maskedQuery, "?")
		}
		path = rc.red.text(path)
	}
	row := rc.row
	row[0], row[1], row[2] = cell(r.Input), strconv.FormatInt(r.Line, 10), rfc3339(r.Time)
	row[3], row[4], row[5], row[6] = cell(r.Origin), cell(r.Method), cell(path), cell(query)
	row[7], row[8] = optInt(r.Status, 0), optInt(r.OriginStatus, parse.Unknown)
	row[9], row[10], row[11], row[12] = cell(r.POP), cell(r.Upstream), cell(clientIP), cell(r.RequestID)
	row[13] = ""
	if r.Duration >= 0 {
		row[13] = strconv.FormatFloat(float64(r.Duration)/float64(time.Millisecond), 'f', -1, 64)
	}
	row[14] = cell(r.Role)
	if err := rc.cw.Write(row); err != nil {
		return fmt.Errorf("writing requests CSV: %w", err)
	}
	return nil
}

// Flush writes what is buffered and reports the first error.
func (rc *RequestsCSV) Flush() error {
	rc.cw.Flush()
	if err := rc.cw.Error(); err != nil {
		return fmt.Errorf("writing requests CSV: %w", err)
	}
	return nil
}

func optInt(v, none int) string {
	if v == none {
		return ""
	}
	return strconv.Itoa(v)
}

// SampleRows turns a finding's retained samples into request rows, for
// input that cannot be read again (standard input).
func SampleRows(f *Finding) []RequestRow {
	rows := make([]RequestRow, 0, len(f.Samples))
	for _, s := range f.Samples {
		t, _ := time.Parse(time.RFC3339Nano, s.Time)
		path, query, _ := strings.Cut(s.Path, "?")
		rows = append(rows, RequestRow{Input: s.Input, Line: s.Line, Time: t, Origin: f.Origin, Method: s.Method,
			Path: path, Query: query, Status: s.Status, OriginStatus: parse.Unknown, RequestID: s.RequestID,
			Duration: parse.Unknown, Role: s.Role})
	}
	return rows
}

// FindingByID returns the finding with that id, or, when no id is equal,
// the only one that starts with it (nil when none or several do).
func (d *Document) FindingByID(id string) *Finding {
	var prefix *Finding
	n := 0
	for i := range d.Findings {
		f := &d.Findings[i]
		if f.ID == id {
			return f
		}
		if id != "" && strings.HasPrefix(f.ID, id) {
			prefix, n = f, n+1
		}
	}
	if n == 1 {
		return prefix
	}
	return nil
}

// Span returns the finding's first and last failing times.
func (f *Finding) Span() (start, end time.Time) { return f.start, f.end }
