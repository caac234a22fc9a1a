package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestReportRequestsCSV: from a file every request of the finding is
// re-read (not only the retained samples); from stdin the samples come
// with the total in a comment line; the finding's CSV row has its id.
func TestReportRequestsCSV(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var log strings.Builder
	for i := 0; i < 200; i++ {
		log.WriteString(combinedLine(base.Add(time.Duration(i)*time.Second), "web", "GET", fmt.Sprintf("/p/%d", i%9), 200))
		if i >= 50 && i < 110 {
			log.WriteString(combinedLine(base.Add(time.Duration(i)*time.Second+time.Millisecond), "web", "GET", "/cart", 520))
		}
		if i%10 == 0 {
			log.WriteString(combinedLine(base.Add(time.Duration(i)*time.Second+2*time.Millisecond), "other", "GET", "/cart", 520))
		}
	}
	path := writeFile(t, dir, "access.log", []byte(log.String()))

	code, out, errOut := runCLI(t, nil, "report", "--output", "csv", path)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("findings CSV: %v\n%s", err, out)
	}
	id := ""
	for _, r := range rows[1:] {
		if r[2] == "burst_520" && r[3] == "web" {
			id = r[0]
		}
	}
	if id == "" {
		t.Fatalf("no 520 burst on web in:\n%s", out)
	}

	code, out, errOut = runCLI(t, nil, "report", "--requests", id, "--output", "csv", path)
	if code != exitFindings {
		t.Fatalf("--requests exit %d: %s", code, errOut)
	}
	r := csv.NewReader(strings.NewReader(out))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+60 {
		t.Errorf("re-read %d requests, want all 60 of the burst (not other's 520s, not the samples):\n%s", len(recs)-1, out)
	}
	for _, rec := range recs[1:] {
		if rec[3] != "web" || rec[7] != "520" {
			t.Errorf("row of another origin or status: %v", rec)
		}
	}

	code, out, _ = runCLI(t, bytes.NewReader([]byte(log.String())), "report", "--requests", id[:12], "--output", "csv", "-")
	if code != exitFindings || !strings.HasPrefix(out, "# ") || !strings.Contains(out, "of 60 requests") {
		t.Errorf("stdin --requests: exit %d, want the samples with the total in a comment:\n%s", code, out)
	}

	code, _, errOut = runCLI(t, nil, "report", "--requests", "nope", "--output", "csv", path)
	if code != exitUsage || !strings.Contains(errOut, "no finding") {
		t.Errorf("unknown id: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCLI(t, nil, "report", "--requests", id, path)
	if code != exitUsage || !strings.Contains(errOut, "--output csv") {
		t.Errorf("--requests without csv: exit %d, %q", code, errOut)
	}
}
