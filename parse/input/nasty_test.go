package input

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// copyDir copies the regular files of src into a new temp dir.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dst, e.Name()), data)
	}
	return dst
}

// The nasty directory, with real format detection: nothing panics, every
// line is accounted for, the broken archive is an error naming the file,
// and the good lines around the damage still parse.
func TestNastyInputs(t *testing.T) {
	dir := copyDir(t, "testdata/nasty")
	good := genCombined(3, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	var huge bytes.Buffer
	huge.Write(good)
	huge.WriteString(`198.51.100.1 - - [20/Nov/2026:00:00:05 +0000] "GET /` + strings.Repeat("a", 5<<20) + ` HTTP/1.1" 200 1 "-" "x"` + "\n")
	huge.Write(good)
	writeFile(t, filepath.Join(dir, "huge-line.log"), huge.Bytes())

	_, res := collect(t, Options{Paths: []string{dir}}) // the real registry
	byName := map[string]int{}
	for i, in := range res.Inputs {
		byName[filepath.Base(in.Path)] = i
		t.Logf("%-16s format=%-9q %+v err=%v", filepath.Base(in.Path), in.Format, in.Counts, in.Err)
	}
	if len(res.Inputs) != 6 {
		t.Fatalf("%d inputs, want 6 (README and binary.bin skipped)", len(res.Inputs))
	}
	if len(res.Skipped) != 2 {
		t.Errorf("skipped %v, want README.md and binary.bin", res.Skipped)
	}
	get := func(name string) int {
		i, ok := byName[name]
		if !ok {
			t.Fatalf("%s not read", name)
		}
		return i
	}
	in := res.Inputs[get("nul.log")]
	if in.Err != nil || in.Format != "combined" || in.Lines != 20 || in.Parsed < 10 || in.Malformed < 5 {
		t.Errorf("nul: %+v %v", in.Counts, in.Err)
	}
	in = res.Inputs[get("crlf.log")]
	if in.Err != nil || in.Parsed != 10 || in.Ignored != 1 || in.Malformed != 0 {
		t.Errorf("crlf: %+v %v", in.Counts, in.Err)
	}
	in = res.Inputs[get("empty.log")]
	if in.Err != nil || in.Lines != 0 {
		t.Errorf("empty: %+v %v", in.Counts, in.Err)
	}
	in = res.Inputs[get("invalid-utf8.log")]
	if in.Err != nil || in.Lines != 11 || in.Parsed != 10 || in.Malformed != 1 {
		t.Errorf("invalid utf-8: %+v %v", in.Counts, in.Err)
	}
	in = res.Inputs[get("cut.log.gz")]
	if in.Err == nil || !strings.Contains(in.Err.Error(), "cut.log.gz") || !strings.Contains(in.Err.Error(), "line") || in.Parsed < 100 {
		t.Errorf("cut gzip: %+v %v", in.Counts, in.Err)
	}
	in = res.Inputs[get("huge-line.log")]
	if in.Err != nil || in.Overlong != 1 || in.Parsed != 6 || in.Lines != 7 || in.Bytes != int64(huge.Len()) {
		t.Errorf("huge line: %+v %v", in.Counts, in.Err)
	}
	if !res.Failed() {
		t.Error("Failed() = false")
	}
}

// Real samples through the whole pipeline with format detection.
func TestRealSamplesDetected(t *testing.T) {
	dir := copyDir(t, "testdata/realdata")
	recs, res := collect(t, Options{Paths: []string{dir}})
	want := map[string]string{
		"nginx_combined_elastic_test-access.log":                               "combined",
		"cloudflare_logpush_http_requests_elastic_tf_test-http-request.ndjson": "cloudflare",
		"aws_cloudfront_standard_elastic_test-cloudfront.log":                  "cloudfront",
	}
	if len(res.Inputs) != len(want) {
		t.Fatalf("%d inputs", len(res.Inputs))
	}
	for _, in := range res.Inputs {
		t.Logf("%s: %s %+v %v", filepath.Base(in.Path), in.Format, in.Counts, in.Err)
		if f := want[filepath.Base(in.Path)]; in.Format != f || in.Err != nil || in.Parsed == 0 {
			t.Errorf("%s: format %q (want %q), err %v", in.Path, in.Format, f, in.Err)
		}
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Time < recs[i-1].Time && res.Totals.Late == 0 {
			t.Fatalf("out of order at %d without a late count", i)
		}
	}
}
