package samplelogs

import (
	"bytes"
	"io"
	"regexp"
	"testing"
)

func TestWriteCombined(t *testing.T) {
	var a, b bytes.Buffer
	n, err := WriteCombined(&a, 20000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteCombined(&b, 20000, 1); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs with the same seed differ")
	}
	if n != int64(a.Len()) {
		t.Errorf("returned %d bytes, wrote %d", n, a.Len())
	}
	lines := bytes.Split(bytes.TrimSuffix(a.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != 20000 {
		t.Fatalf("%d lines, want 20000", len(lines))
	}
	re := lineShapes["combined"]
	statuses := map[string]int{}
	status := regexp.MustCompile(`" (\d{3}) `)
	for i, l := range lines {
		if !re.Match(l) {
			t.Fatalf("line %d is not combined: %s", i+1, l)
		}
		statuses[string(status.FindSubmatch(l)[1])]++
	}
	if avg := a.Len() / len(lines); avg < 150 || avg > 210 {
		t.Errorf("average line %d bytes, want about 180", avg)
	}
	if statuses["200"] < 15000 || statuses["202"] == 0 || statuses["502"] == 0 || statuses["404"] == 0 {
		t.Errorf("status mix %v is not realistic", statuses)
	}
}

func TestLineShapesRejectBrokenLines(t *testing.T) {
	f := File{Format: "combined"}
	for _, line := range []string{
		`203.0.113.9 - - [20/Nov/2026:09:00:00 +0000] "GET / HTTP/1.1" 200 12`,
		`203.0.113.9 - - 20/Nov/2026:09:00:00 "GET / HTTP/1.1" 200 12 "-" "-"`,
		`{"log":"x"}`,
	} {
		if checkLine(f, []byte(line)) == "" {
			t.Errorf("accepted %q", line)
		}
	}
}

func BenchmarkWriteCombined(b *testing.B) {
	const lines = 100000
	var n int64
	for b.Loop() {
		var err error
		if n, err = WriteCombined(io.Discard, lines, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(n)
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkGenerateDemo(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCombinedTruthPlantsStorms(t *testing.T) {
	_, small, err := WriteCombinedTruth(io.Discard, 20000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(small.Storms) != 0 {
		t.Errorf("a 20,000-line file got %d storms", len(small.Storms))
	}
	var a bytes.Buffer
	_, ct, err := WriteCombinedTruth(&a, 200000, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ct.Storms) != 3 || len(ct.Quiet) != 2 {
		t.Fatalf("truth %+v", ct)
	}
	for _, s := range ct.Storms {
		if s.Failures < 100 || s.Requests < s.Failures || !s.End.After(s.Start) || !s.Start.After(ct.Start) || s.End.After(ct.End) {
			t.Errorf("storm %+v", s)
		}
	}
	// The storms' lines carry the planted status on the planted route.
	first := ct.Storms[0]
	stamp := []byte(first.Start.Format("02/Jan/2006:15:04:05 -0700"))
	i := bytes.Index(a.Bytes(), stamp)
	if i < 0 {
		t.Fatalf("no line at %s", stamp)
	}
	window := a.Bytes()[i:min(len(a.Bytes()), i+200*180)]
	if n := bytes.Count(window, []byte(`"GET /search?`)); n == 0 || bytes.Count(window, []byte("HTTP/2.0\" 504 "))+bytes.Count(window, []byte("HTTP/1.1\" 504 ")) < n/2 {
		t.Errorf("the search storm's lines do not fail: %d searches", n)
	}
}
