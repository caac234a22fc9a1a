package input

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/accesslog"
)

// The test format "t": "<unix seconds> <status> [request id] [e|o]".
// '#' lines are the format's own comments (ignored). It keeps the pipeline
// tests about the pipeline, whatever the real parsers do.
type tParser struct{}

func (tParser) Format() string { return "t" }

func (tParser) Parse(line []byte, rec *parse.Record) error {
	rec.Reset()
	if len(line) > 0 && line[0] == '#' {
		return parse.ErrIgnored
	}
	f := bytes.Fields(line)
	if len(f) < 2 || len(f) > 4 {
		return parse.Malformed("want 2 to 4 fields")
	}
	sec, ok := parse.Atoi(f[0])
	if !ok {
		return parse.Malformed("bad time")
	}
	st, ok := parse.Status(f[1])
	if !ok {
		return parse.Malformed("bad status")
	}
	rec.Time = sec * int64(time.Second)
	rec.Status = st
	rec.Source = parse.SourceOrigin
	if len(f) > 2 {
		rec.RequestID = parse.View(f[2])
	}
	if len(f) > 3 && f[3][0] == 'e' {
		rec.Source = parse.SourceEdge
	}
	return nil
}

// testNewParser knows "t" and the NCSA names.
func testNewParser(name string) (parse.Parser, error) {
	if name == "t" {
		return tParser{}, nil
	}
	return accesslog.New(name)
}

// testDetect picks NCSA when every sampled line is NCSA, "t" when every
// line parses as t, and fails otherwise.
func testDetect(lines [][]byte) (parse.Parser, error) {
	ncsa, t := true, true
	var rec parse.Record
	for _, l := range lines {
		if accesslog.Variant(l) == "" {
			ncsa = false
		}
		if err := (tParser{}).Parse(l, &rec); err != nil && !errors.Is(err, parse.ErrIgnored) {
			t = false
		}
	}
	switch {
	case ncsa:
		return accesslog.New("combined")
	case t:
		return tParser{}, nil
	}
	return nil, errors.New("no known format fits")
}

func testOptions(paths ...string) Options {
	return Options{Paths: paths, NewParser: testNewParser, Detect: testDetect}
}

// collect runs the pipeline and returns every record passed on (copied).
func collect(t testing.TB, opt Options) ([]parse.Record, *Result) {
	t.Helper()
	var recs []parse.Record
	var calls int
	res, err := Run(context.Background(), opt, func(b []parse.Record) {
		calls++
		if len(b) == 0 {
			t.Error("empty batch")
		}
		recs = append(recs, b...)
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkBalanced(t, res)
	return recs, res
}

// checkBalanced asserts the accounting: per input and in total, and that
// the records passed on are those parsed minus what the merge dropped.
func checkBalanced(t testing.TB, res *Result) {
	t.Helper()
	var sum parse.Counts
	for _, in := range res.Inputs {
		if !in.Balanced() {
			t.Errorf("%s: unbalanced %+v", in.Path, in.Counts)
		}
		sum.Add(in.Counts)
	}
	if sum != res.Totals.Counts {
		t.Errorf("totals %+v != sum of inputs %+v", res.Totals.Counts, sum)
	}
	if !res.Totals.Balanced() {
		t.Errorf("totals unbalanced %+v", res.Totals.Counts)
	}
}

// tLines renders t-format lines for the given unix seconds.
func tLines(secs ...int64) []byte {
	var b bytes.Buffer
	for _, s := range secs {
		fmt.Fprintf(&b, "%d 200\n", s)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func xzBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := xz.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bzip2Bytes uses the bzip2 tool (Go has no bzip2 writer).
func bzip2Bytes(t testing.TB, data []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skip("bzip2 tool not installed")
	}
	cmd := exec.Command("bzip2", "-c")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// genCombined writes n deterministic nginx combined lines, one second
// apart from a fixed start (a day's traffic at about 12 lines/s for 1M).
func genCombined(n int, start time.Time) []byte {
	var b bytes.Buffer
	b.Grow(n * 190)
	paths := []string{"/", "/api/v1/orders", "/api/v1/orders/123/status", "/static/app.js", "/login", "/healthz"}
	statuses := []int{200, 200, 200, 200, 304, 404, 202, 520, 502, 200}
	agents := []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"curl/8.5.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
	}
	x := uint32(2463534242)
	step := 24 * time.Hour / time.Duration(max(n, 1))
	for i := range n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		ts := start.Add(time.Duration(i) * step)
		fmt.Fprintf(&b, "10.%d.%d.%d - - [%s] \"GET %s?id=%d HTTP/1.1\" %d %d \"https://example.com/\" \"%s\"\n",
			x%256, (x>>8)%256, (x>>16)%256, ts.Format("02/Jan/2006:15:04:05 -0700"),
			paths[x%uint32(len(paths))], x%1000, statuses[(x>>4)%uint32(len(statuses))], x%50000,
			agents[(x>>7)%uint32(len(agents))])
	}
	return b.Bytes()
}

// waitFor polls cond (for live tests) until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// syncSink collects records from a live run.
type syncSink struct {
	mu   sync.Mutex
	recs []parse.Record
}

func (s *syncSink) add(b []parse.Record) {
	s.mu.Lock()
	s.recs = append(s.recs, b...)
	s.mu.Unlock()
}

func (s *syncSink) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
