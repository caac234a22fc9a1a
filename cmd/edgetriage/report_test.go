package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// reportJSON mirrors the parts of the report schema the tests check.
type reportJSON struct {
	Schema string `json:"schema"`
	Inputs []struct {
		Path      string `json:"path"`
		Format    string `json:"format"`
		Lines     int64  `json:"lines"`
		Parsed    int64  `json:"parsed"`
		Ignored   int64  `json:"ignored"`
		Malformed int64  `json:"malformed"`
		Overlong  int64  `json:"overlong"`
		Error     string `json:"error"`
	} `json:"inputs"`
	Totals struct {
		Lines, Parsed, Ignored, Malformed, Overlong, Late, Duplicate int64
		Status                                                       map[string]int64
	} `json:"totals"`
	Findings []struct {
		ID       string    `json:"id"`
		Kind     string    `json:"kind"`
		Severity string    `json:"severity"`
		Origin   string    `json:"origin"`
		Endpoint string    `json:"endpoint"`
		Subtype  string    `json:"subtype"`
		Status   int       `json:"status"`
		Start    time.Time `json:"start"`
		End      time.Time `json:"end"`
		Count    int       `json:"count"`
		Causes   []struct {
			Rule string `json:"rule"`
		} `json:"causes"`
		Fixes   []string `json:"fixes"`
		Samples []struct {
			Input string `json:"input"`
			Line  int64  `json:"line"`
		} `json:"samples"`
		CompletedLate *int `json:"completed_late"`
	} `json:"findings"`
	Inflight *int   `json:"inflight"`
	Evicted  *int64 `json:"evicted"`
}

// runCLI runs the program in-process with its own config directory, so a
// developer's config file never leaks into a test.
func runCLI(t *testing.T, stdin *bytes.Reader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var out, errb bytes.Buffer
	var in = stdin
	if in == nil {
		in = bytes.NewReader(nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = run(ctx, args, in, &out, &errb)
	return code, out.String(), errb.String()
}

func decodeReport(t *testing.T, s string) *reportJSON {
	t.Helper()
	var r reportJSON
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, s)
	}
	if r.Schema != "edgetriage.report/v2" {
		t.Fatalf("schema = %q", r.Schema)
	}
	return &r
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func combinedLine(ts time.Time, host, method, path string, status int) string {
	return fmt.Sprintf("%s %s - - [%s] \"%s %s HTTP/1.1\" %d 512 \"-\" \"curl/8.5.0\"\n",
		host, "203.0.113.7", ts.Format("02/Jan/2006:15:04:05 -0700"), method, path, status)
}

// TestReportNastyInputs runs binary junk, NUL bytes, CRLF, a 5 MB line,
// invalid UTF-8, an empty file and a gzip cut in half through the whole
// program: nothing crashes, every line is accounted for, the broken archive
// is named with the line reached, the other inputs are read, exit code 2.
func TestReportNastyInputs(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var good strings.Builder
	for i := 0; i < 3000; i++ {
		good.WriteString(combinedLine(base.Add(time.Duration(i)*time.Second), "web", "GET", fmt.Sprintf("/page/%d", i%40), 200))
	}
	writeFile(t, dir, "good.log", []byte(good.String()))
	junk := make([]byte, 64<<10)
	for i := range junk {
		junk[i] = byte(i*7919 + i>>3)
	}
	writeFile(t, dir, "binary.bin", junk)
	writeFile(t, dir, "nul.log", []byte(strings.ReplaceAll(good.String()[:4000], "GET", "G\x00T")))
	writeFile(t, dir, "crlf.log", []byte(strings.ReplaceAll(good.String()[:8000], "\n", "\r\n")))
	writeFile(t, dir, "utf8.log", []byte(strings.ReplaceAll(good.String()[:8000], "curl", "c\xff\xfe\xc3")))
	writeFile(t, dir, "empty.log", nil)
	huge := combinedLine(base, "web", "GET", "/"+strings.Repeat("a", 5<<20), 200)
	writeFile(t, dir, "huge.log", []byte(good.String()[:2000]+huge+good.String()[:2000]))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(good.String()))
	zw.Close()
	writeFile(t, dir, "cut.log.gz", gz.Bytes()[:gz.Len()/2])

	var paths []string
	for _, n := range []string{"good.log", "binary.bin", "nul.log", "crlf.log", "utf8.log", "empty.log", "huge.log", "cut.log.gz"} {
		paths = append(paths, filepath.Join(dir, n))
	}
	args := append([]string{"report", "--json", "--log-format", "combined"}, paths...)
	code, out, errOut := runCLI(t, nil, args...)
	if code != exitUsage {
		t.Errorf("exit code = %d, want %d (an input could not be read)", code, exitUsage)
	}
	r := decodeReport(t, out)
	if len(r.Inputs) != len(paths) {
		t.Fatalf("%d inputs reported, want %d", len(r.Inputs), len(paths))
	}
	var sum struct{ lines, parsed, ignored, malformed, overlong int64 }
	for _, in := range r.Inputs {
		if in.Parsed+in.Ignored+in.Malformed+in.Overlong != in.Lines {
			t.Errorf("%s: %d parsed + %d ignored + %d malformed + %d overlong != %d lines",
				in.Path, in.Parsed, in.Ignored, in.Malformed, in.Overlong, in.Lines)
		}
		sum.lines += in.Lines
		sum.parsed += in.Parsed
		sum.overlong += in.Overlong
		switch filepath.Base(in.Path) {
		case "good.log":
			if in.Parsed != 3000 || in.Error != "" {
				t.Errorf("good.log: parsed %d, error %q", in.Parsed, in.Error)
			}
		case "huge.log":
			if in.Overlong != 1 {
				t.Errorf("huge.log: overlong = %d, want 1", in.Overlong)
			}
		case "crlf.log":
			if in.Malformed != 0 || in.Parsed == 0 {
				t.Errorf("crlf.log: parsed %d malformed %d", in.Parsed, in.Malformed)
			}
		case "cut.log.gz":
			if !strings.Contains(in.Error, "cut.log.gz") || !strings.Contains(in.Error, "line") {
				t.Errorf("cut.log.gz error %q does not name the file and the line reached", in.Error)
			}
			if in.Parsed == 0 {
				t.Errorf("cut.log.gz: the lines before the cut were not read")
			}
		case "binary.bin":
			if in.Parsed != 0 {
				t.Errorf("binary junk parsed into %d records", in.Parsed)
			}
		}
	}
	if r.Totals.Lines != sum.lines || r.Totals.Parsed+r.Totals.Ignored+r.Totals.Malformed+r.Totals.Overlong != r.Totals.Lines {
		t.Errorf("totals do not add up: %+v (inputs sum %d lines)", r.Totals, sum.lines)
	}
	if !strings.Contains(errOut, "cut.log.gz") {
		t.Errorf("stderr does not name the broken archive: %q", errOut)
	}
}

// TestReportBundledSamples: with no PATH and no pipe, report reads the
// bundled samples and finds what the generator put there.
func TestReportBundledSamples(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"report", "--json"}, nil, &out, &errb)
	if code != exitFindings {
		t.Fatalf("exit code %d, want %d; stderr: %s", code, exitFindings, errb.String())
	}
	r := decodeReport(t, out.String())
	if len(r.Inputs) != len(samplelogs.Files()) {
		t.Errorf("read %d inputs, want the %d bundled files", len(r.Inputs), len(samplelogs.Files()))
	}
	for _, in := range r.Inputs {
		if in.Malformed != 0 || in.Error != "" || in.Parsed == 0 {
			t.Errorf("%s (%s): parsed %d malformed %d error %q", in.Path, in.Format, in.Parsed, in.Malformed, in.Error)
		}
	}
	demo, err := samplelogs.Demo()
	if err != nil {
		t.Fatal(err)
	}
	truth := demo.Truth
	for _, b := range truth.Bursts {
		if b.Kind == "burst_5xx" && b.Count < 10 {
			continue // not a storm: a storm needs at least 10 errors (issue 8)
		}
		found := false
		for _, f := range r.Findings {
			if f.Kind == b.Kind && f.Origin == b.Origin && (b.Kind == "burst_520" || f.Status == b.Status) {
				found = true
				if f.Count != b.Count || !f.Start.Equal(b.Start) || !f.End.Equal(b.End) {
					t.Errorf("%s %s: count %d %v..%v, want %d %v..%v", b.Kind, b.Origin, f.Count, f.Start, f.End, b.Count, b.Start, b.End)
				}
				if len(f.Causes) == 0 || len(f.Fixes) == 0 {
					t.Errorf("%s %s has no causes or fixes", b.Kind, b.Origin)
				}
			}
		}
		if !found {
			t.Errorf("missing %s on %s (status %d)", b.Kind, b.Origin, b.Status)
		}
	}
	for _, g := range truth.Async {
		found := false
		for _, f := range r.Findings {
			if f.Kind == "incomplete_202" && f.Origin == g.Origin && f.Endpoint == g.Endpoint && f.Subtype == g.Subtype {
				found = true
				if f.Count != g.Count {
					t.Errorf("%s %s %s: count %d, want %d", g.Origin, g.Endpoint, g.Subtype, f.Count, g.Count)
				}
				if f.CompletedLate == nil {
					t.Errorf("%s %s %s: completed_late missing", g.Origin, g.Endpoint, g.Subtype)
				}
			}
		}
		if !found {
			t.Errorf("missing 202 finding %s %s %s", g.Origin, g.Endpoint, g.Subtype)
		}
	}
	if r.Inflight == nil || r.Evicted == nil {
		t.Error("inflight or evicted missing from the report")
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var clean, burst strings.Builder
	for i := 0; i < 100; i++ {
		clean.WriteString(combinedLine(base.Add(time.Duration(i)*time.Second), "web", "GET", "/", 200))
	}
	for i := 0; i < 20; i++ {
		burst.WriteString(combinedLine(base.Add(time.Duration(i)*time.Second), "web", "GET", "/cart", 520))
	}
	cleanPath := writeFile(t, dir, "clean.log", []byte(clean.String()))
	burstPath := writeFile(t, dir, "burst.log", []byte(burst.String()))
	badRules := writeFile(t, dir, "rules.yaml", []byte("version: 1\nrules:\n  - id: x\n    kind: burst_520\n    title: t\n    confidence: 0.5\n    evidence: [\"e\"]\n    when: no_such_feature > 1\n"))
	tests := []struct {
		name string
		args []string
		want int
		err  string
	}{
		{"clean", []string{"report", cleanPath}, exitOK, ""},
		{"findings", []string{"report", burstPath}, exitFindings, ""},
		{"fail-on critical", []string{"report", "--fail-on", "critical", "--burst-min", "25", burstPath}, exitOK, ""},
		{"flags after paths", []string{"report", burstPath, "--json"}, exitFindings, ""},
		{"missing file", []string{"report", cleanPath, filepath.Join(dir, "nope.log")}, exitUsage, "nope.log"},
		{"unknown flag", []string{"report", "--bogus", cleanPath}, exitUsage, "bogus"},
		{"bad output", []string{"report", "--output", "xml", cleanPath}, exitUsage, "xml"},
		{"bad format", []string{"report", "--log-format", "nonsense", cleanPath}, exitUsage, "nonsense"},
		{"bad severity", []string{"report", "--fail-on", "loud", cleanPath}, exitUsage, "loud"},
		{"bad since", []string{"report", "--since", "yesterday", cleanPath}, exitUsage, "yesterday"},
		{"bad rules file", []string{"report", "--rules", badRules, cleanPath}, exitUsage, "rules.yaml:8"},
		{"tail without path", []string{"tail"}, exitUsage, "PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, tt.args...)
			if code != tt.want {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tt.want, errOut)
			}
			if tt.err != "" && !strings.Contains(errOut, tt.err) {
				t.Errorf("stderr %q does not mention %q", errOut, tt.err)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := runCLI(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "edgetriage ") {
		t.Errorf("--version: %d %q", code, out)
	}
	code, out, _ = runCLI(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "edgetriage report PATH") {
		t.Errorf("--help: %d %q", code, out)
	}
	// requested help goes to stdout (report --help | less), exit 0
	code, out, errOut := runCLI(t, nil, "report", "--help")
	for _, flag := range []string{"-log-format", "-since", "-burst-window", "-fail-on", "-redact", "-follow", "-group-by", "-pending-timeout", "-all-files", "-requests"} {
		if !strings.Contains(out, flag) {
			t.Errorf("report --help does not document %s on stdout", flag)
		}
	}
	if code != 0 || errOut != "" {
		t.Errorf("report --help exit %d, stderr %q", code, errOut)
	}
	// a usage error goes to stderr, exit 2, nothing on stdout
	code, out, errOut = runCLI(t, nil, "report", "--bogus")
	if code != exitUsage || out != "" || !strings.Contains(errOut, "-bogus") || !strings.Contains(errOut, "Usage:") {
		t.Errorf("report --bogus: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestReportStdinAndFormats(t *testing.T) {
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var in strings.Builder
	for i := 0; i < 10; i++ {
		in.WriteString(combinedLine(base.Add(time.Duration(i)*time.Second), "web", "GET", "/?token=secret", 520))
	}
	for _, output := range []string{"json", "md", "text", "html"} {
		t.Run(output, func(t *testing.T) {
			code, out, errOut := runCLI(t, bytes.NewReader([]byte(in.String())), "report", "--output", output, "--redact", "-")
			if code != exitFindings {
				t.Fatalf("exit %d, stderr %s", code, errOut)
			}
			if strings.Contains(out, "203.0.113.7") || strings.Contains(out, "secret") {
				t.Errorf("--redact left a client IP or query string in the %s output", output)
			}
			if output == "json" {
				r := decodeReport(t, out)
				if r.Totals.Parsed != 10 || len(r.Findings) != 1 || r.Findings[0].Kind != "burst_520" {
					t.Errorf("stdin report: parsed %d, findings %+v", r.Totals.Parsed, r.Findings)
				}
			}
			if output == "html" && (!strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "520 burst")) {
				t.Errorf("html output is not the page:\n%.400s", out)
			}
			if output == "md" && !strings.Contains(out, "# ") {
				t.Errorf("markdown output has no heading:\n%s", out)
			}
		})
	}
}

func TestConfigFileAndFlagsWin(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var log strings.Builder
	for i := 0; i < 3; i++ { // three 520s: a burst only with burst_min <= 3
		log.WriteString(combinedLine(base.Add(time.Duration(i)*time.Second), "web", "GET", "/", 520))
	}
	path := writeFile(t, dir, "three.log", []byte(log.String()))
	cfg := writeFile(t, dir, "config.yaml", []byte("burst_min: 3\nfail_on: warning\n"))
	if code, _, errOut := runCLI(t, nil, "report", "--config", cfg, path); code != exitFindings {
		t.Errorf("config burst_min 3: exit %d, want 1 (%s)", code, errOut)
	}
	if code, _, _ := runCLI(t, nil, "report", "--config", cfg, "--burst-min", "5", path); code != exitOK {
		t.Errorf("--burst-min 5 over config: exit %d, want 0", code)
	}
	bad := writeFile(t, dir, "bad.yaml", []byte("burst_mn: 3\n"))
	if code, _, errOut := runCLI(t, nil, "report", "--config", bad, path); code != exitUsage || !strings.Contains(errOut, "burst_mn") {
		t.Errorf("unknown config key: exit %d, stderr %q", code, errOut)
	}
}

func TestRulesCommand(t *testing.T) {
	code, out, _ := runCLI(t, nil, "rules")
	if code != 0 {
		t.Fatalf("rules exit %d", code)
	}
	for _, id := range []string{"colo-blocked", "zone-change", "keepalive-race"} {
		if !strings.Contains(out, id) {
			t.Errorf("rules output lacks %s", id)
		}
	}
}

// TestReportFollow appends a 520 burst to a followed file and expects the
// finding as a JSON line, without waiting for the input to end.
func TestReportFollow(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	path := writeFile(t, dir, "live.log", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"report", "--follow", "--log-format", "combined", path}, nil, out, &lockedBuffer{})
	}()
	base := time.Now().UTC().Add(-time.Minute)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Lines keep coming until the finding is out, as from a live server:
	// on a loaded machine (the race run) the tail may start after the
	// first ones were written.
	deadline := time.Now().Add(25 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		fmt.Fprint(f, combinedLine(base.Add(time.Duration(i)*time.Second), "live", "GET", "/", 520))
		if strings.Contains(out.String(), `"kind":"burst_520"`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("follow exit code %d", code)
	}
	line := strings.SplitN(out.String(), "\n", 2)[0]
	var f1 map[string]any
	if err := json.Unmarshal([]byte(line), &f1); err != nil || f1["kind"] != "burst_520" {
		t.Fatalf("first line is not the burst finding as JSON: %q (%v)", line, err)
	}
}

// A copytruncate whose copy went elsewhere may have lost lines: report
// --follow says so in its JSON stream, with the input and the offsets.
func TestReportFollowPossibleGap(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir, away := t.TempDir(), t.TempDir()
	base := time.Now().UTC().Add(-time.Minute)
	first := combinedLine(base, "live", "GET", "/", 200) + combinedLine(base.Add(time.Second), "live", "GET", "/", 200)
	path := writeFile(t, dir, "live.log", []byte(first))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"report", "--follow", "--log-format", "combined", path}, nil, out, &lockedBuffer{})
	}()
	time.Sleep(time.Second) // the follower has read the first lines
	writeFile(t, away, "live.log.1", []byte(first))
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var gap map[string]any
	for deadline := time.Now().Add(20 * time.Second); gap == nil && time.Now().Before(deadline); {
		fmt.Fprint(f, combinedLine(base.Add(2*time.Second), "live", "GET", "/", 200))
		time.Sleep(200 * time.Millisecond)
		for _, line := range strings.Split(out.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["kind"] == "possible_gap" {
				gap = m
			}
		}
	}
	cancel()
	<-done
	if gap == nil {
		t.Fatalf("no possible_gap line in the stream:\n%s", out.String())
	}
	if gap["input"] != path || gap["from"] != float64(len(first)) || gap["to"] != float64(-1) || gap["reason"] == "" {
		t.Errorf("gap %v, want input %s from %d to -1 with a reason", gap, path, len(first))
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
