package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func TestCSVGolden(t *testing.T) {
	for _, o := range []struct {
		name string
		opts Options
	}{{"csv", Options{}}, {"csv_redacted", Options{Redact: true}}} {
		var b bytes.Buffer
		if err := WriteCSV(&b, Build(diagnosedFixture()), o.opts); err != nil {
			t.Fatal(err)
		}
		golden(t, o.name, b.Bytes())
		rows, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
		if err != nil {
			t.Fatalf("%s is not RFC 4180: %v", o.name, err)
		}
		if len(rows) != 1+4 || len(rows[0]) != len(findingColumns) {
			t.Errorf("%s: %d rows of %d columns, want 5 of %d", o.name, len(rows), len(rows[0]), len(findingColumns))
		}
	}
}

func TestRequestsCSVGolden(t *testing.T) {
	d := Build(diagnosedFixture())
	f := d.FindingByID("burst_520:api")
	if f == nil {
		t.Fatal("FindingByID does not find the burst by a unique prefix")
	}
	for _, o := range []struct {
		name string
		opts Options
	}{{"requests_csv", Options{}}, {"requests_csv_redacted", Options{Redact: true}}} {
		var b bytes.Buffer
		w, err := NewRequestsCSV(&b, []string{"3 of 60 requests: the retained samples"}, o.opts)
		if err != nil {
			t.Fatal(err)
		}
		rows := SampleRows(f)
		rows = append(rows, RequestRow{Input: "logs/cf-edge.log.gz", Line: 900, Time: t0.Add(3 * time.Second), Origin: f.Origin,
			Method: "GET", Path: "/v1/cart", Query: secretQS, Status: 520, OriginStatus: 0, POP: "FRA", Upstream: originIP,
			ClientIP: clientIP, RequestID: "=cmd|' /C calc'!A0", Duration: 1500 * time.Microsecond})
		for i := range rows {
			if err := w.Write(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		golden(t, o.name, b.Bytes())
		body := b.String()
		if !strings.HasPrefix(body, "# 3 of 60 requests") {
			t.Errorf("no comment line with the count:\n%s", body)
		}
		r := csv.NewReader(strings.NewReader(body))
		r.Comment = '#'
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 1+len(rows) {
			t.Fatalf("%s: %d records, %v", o.name, len(recs), err)
		}
		if o.opts.Redact && (strings.Contains(body, clientIP) || strings.Contains(body, secretQS)) {
			t.Errorf("redacted requests CSV leaks a client IP or query")
		}
	}
	if d.FindingByID("incomplete_202") != nil {
		t.Errorf("an ambiguous prefix must not pick a finding")
	}
}

// TestCSVFormulaGuard: cells a spreadsheet would evaluate start with an
// apostrophe; other text and numbers are left alone.
func TestCSVFormulaGuard(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"},
		{"+1+1", "'+1+1"}, {"-2+3", "'-2+3"}, {"@SUM(A1)", "'@SUM(A1)"}, {"\tx", "\\tx"}, // Printable shows the tab, so it cannot lead
		{"-", "-"}, {"api.example.com", "api.example.com"}, {"", ""}, {"a=b", "a=b"},
	} {
		if got := cell(tt.in); got != tt.want {
			t.Errorf("cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	inputs, totals, snap := diagnosedFixture()
	snap.Findings[0].Origin = "=1+2"
	var b bytes.Buffer
	if err := WriteCSV(&b, Build(inputs, totals, snap), Options{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[1][3] != "'=1+2" {
		t.Errorf("origin cell %q is not guarded", recs[1][3])
	}
}

func TestCSVEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, Build(nil, parse.Totals{}, nil), Options{}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != strings.Join(findingColumns, ",")+"\n" {
		t.Errorf("empty CSV = %q, want the header only", got)
	}
}
