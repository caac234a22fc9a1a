package input

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func TestRotationFamilyOrder(t *testing.T) {
	dir := t.TempDir()
	// Oldest to newest; the names alone must give this order.
	files := []struct{ name string }{
		{"access.log-20261119.gz"}, {"access.log-20261120.gz"}, {"access.log.3.gz"},
		{"access.log.2.gz"}, {"access.log.1"}, {"access.log"},
	}
	for _, f := range files {
		writeFile(t, filepath.Join(dir, f.name), tLines(1))
	}
	writeFile(t, filepath.Join(dir, "error.log"), []byte("2026/11/20 10:00:00 [error] 1#1: boom\n"))
	writeFile(t, filepath.Join(dir, "README.md"), []byte("# notes\n"))
	writeFile(t, filepath.Join(dir, ".hidden.log"), tLines(1))
	writeFile(t, filepath.Join(dir, "sub", "other.log"), tLines(1))
	srcs := expand([]string{dir}, false)
	var got []string
	for _, s := range srcs {
		if s.err != nil {
			t.Fatal(s.err)
		}
		got = append(got, filepath.Base(s.path))
	}
	want := []string{}
	for _, f := range files {
		want = append(want, f.name)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("order\n got %v\nwant %v", got, want)
	}
}

// Each rotated file holds one hour; read as a directory they come out as
// one ordered stream, oldest file first.
func TestRotatedDirectoryMerged(t *testing.T) {
	dir := t.TempDir()
	names := []string{"access.log.2.gz", "access.log.1", "access.log"}
	for i, n := range names {
		data := tLines(seq(int64(i)*3600, 100)...)
		if strings.HasSuffix(n, ".gz") {
			data = gzipBytes(t, data)
		}
		writeFile(t, filepath.Join(dir, n), data)
	}
	recs, res := collect(t, testOptions(dir))
	if len(res.Inputs) != 3 || len(recs) != 300 {
		t.Fatalf("%d inputs, %d records", len(res.Inputs), len(recs))
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Time < recs[i-1].Time {
			t.Fatalf("out of order at %d", i)
		}
	}
	if filepath.Base(recs[0].Input) != "access.log.2.gz" || filepath.Base(recs[299].Input) != "access.log" {
		t.Fatalf("first from %s, last from %s", recs[0].Input, recs[299].Input)
	}
}

// A Logpush bucket: dated folders of 5-minute .log.gz objects. Read with
// Recursive, merged in time order, and only the files that overlap in time
// are open at once.
func TestRecursiveTreeOpensOnlyOverlapping(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC).Unix()
	const files = 60
	for i := range files {
		t0 := start + int64(i)*300
		day := time.Unix(t0, 0).UTC().Format("20060102")
		name := fmt.Sprintf("%s_%s_abc.log.gz", time.Unix(t0, 0).UTC().Format("20060102T150405Z"),
			time.Unix(t0+300, 0).UTC().Format("20060102T150405Z"))
		writeFile(t, filepath.Join(dir, day, name), gzipBytes(t, tLines(seq(t0, 300)...)))
	}
	writeFile(t, filepath.Join(dir, "README.md"), []byte("bucket\n"))
	opt := testOptions(dir)
	opt.Recursive = true
	p, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	var recs []parse.Record
	res, err := p.Run(context.Background(), func(b []parse.Record) { recs = append(recs, b...) })
	if err != nil {
		t.Fatal(err)
	}
	checkBalanced(t, res)
	if len(res.Inputs) != files || len(recs) != files*300 || res.Failed() {
		t.Fatalf("%d inputs, %d records, failed %v", len(res.Inputs), len(recs), res.Failed())
	}
	for i := range recs {
		if recs[i].Time != (start+int64(i))*int64(time.Second) {
			t.Fatalf("record %d at %d", i, recs[i].Time)
		}
	}
	// Each file starts 5 minutes after the previous one: with a 2-minute
	// reorder window no more than two can need to be open together (plus
	// one being started).
	if m := p.openMax.Load(); m > 3 {
		t.Fatalf("%d files open at once", m)
	}
	if res.Totals.Late != 0 || res.Totals.Duplicate != 0 {
		t.Fatalf("totals %+v", res.Totals)
	}
	pr := p.Progress()
	if !pr.Done || pr.Lines != files*300 || pr.Bytes != pr.BytesTotal || pr.Inputs != files || pr.InputsDone != files {
		t.Fatalf("progress %+v", pr)
	}
}

func TestGlobAndMissing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "b.log"), tLines(2))
	writeFile(t, filepath.Join(dir, "a.log"), tLines(1))
	writeFile(t, filepath.Join(dir, "c.txt"), tLines(3))
	_, res := collect(t, testOptions(filepath.Join(dir, "*.log"), filepath.Join(dir, "nope.log"), filepath.Join(dir, "*.none")))
	if len(res.Inputs) != 4 {
		t.Fatalf("inputs %+v", res.Inputs)
	}
	if filepath.Base(res.Inputs[0].Path) != "a.log" || filepath.Base(res.Inputs[1].Path) != "b.log" {
		t.Fatalf("glob order %s %s", res.Inputs[0].Path, res.Inputs[1].Path)
	}
	for _, in := range res.Inputs[2:] {
		if in.Err == nil || !strings.Contains(in.Err.Error(), in.Path) {
			t.Errorf("%s: error %v should name the path", in.Path, in.Err)
		}
	}
	if res.Totals.Parsed != 2 || !res.Failed() {
		t.Fatalf("totals %+v", res.Totals)
	}
}

func TestStdin(t *testing.T) {
	gz := gzipBytes(t, tLines(seq(10, 1000)...))
	opt := testOptions("-")
	opt.Stdin = bytes.NewReader(gz)
	recs, res := collect(t, opt)
	if len(recs) != 1000 || res.Inputs[0].Path != "-" || res.Inputs[0].Compression != "gzip" || recs[0].Input != "-" {
		t.Fatalf("%d records, %+v", len(recs), res.Inputs[0])
	}
	opt = testOptions("-")
	_, res = collect(t, opt)
	if res.Inputs[0].Err == nil {
		t.Fatal("no stdin: want an input error")
	}
}

func TestFormatOverrides(t *testing.T) {
	dir := t.TempDir()
	combined := genCombined(5, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	tfile := writeFile(t, filepath.Join(dir, "app.t"), tLines(1, 2))
	web := writeFile(t, filepath.Join(dir, "web.log"), combined)
	junk := writeFile(t, filepath.Join(dir, "junk.log"), []byte("hello\nworld\n"))
	cases := []struct {
		name    string
		formats []string
		want    map[string]string // base name -> format ("" = error)
	}{
		{"detected", nil, map[string]string{"app.t": "t", "web.log": "combined", "junk.log": ""}},
		{"glob wins", []string{"*.log=t", "combined"}, map[string]string{"app.t": "combined", "web.log": "t", "junk.log": "t"}},
		{"first match", []string{"web.*=common", "*.log=t"}, map[string]string{"app.t": "t", "web.log": "common", "junk.log": "t"}},
		{"full path glob", []string{filepath.Join(dir, "a*") + "=t"}, map[string]string{"app.t": "t", "web.log": "combined", "junk.log": ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opt := testOptions(tfile, web, junk)
			opt.Formats = tc.formats
			_, res := collect(t, opt)
			for _, in := range res.Inputs {
				want := tc.want[filepath.Base(in.Path)]
				if want == "" {
					if in.Err == nil || in.Malformed != 2 {
						t.Errorf("%s: want a detection error, got %+v", in.Path, in)
					}
					continue
				}
				if in.Format != want || in.Err != nil {
					t.Errorf("%s: format %q err %v, want %q", in.Path, in.Format, in.Err, want)
				}
			}
		})
	}
	if _, err := New(testOptions()); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"nosuch"}, {"*.log=nosuch"}, {"[=t"}} {
		opt := testOptions()
		opt.Formats = bad
		if _, err := New(opt); err == nil {
			t.Errorf("New(%q) should fail", bad)
		}
	}
}

func TestSplitFormatSpec(t *testing.T) {
	cases := []struct{ in, glob, name string }{
		{"combined", "", "combined"},
		{"*.json=cloudflare", "*.json", "cloudflare"},
		{"logs/cf-*.gz = cloudflare", "logs/cf-*.gz", "cloudflare"},
		{`nginx:$remote_addr "$http_x=$y"`, "", `nginx:$remote_addr "$http_x=$y"`},
		{`*.log=nginx:$remote_addr x=$y`, "*.log", `nginx:$remote_addr x=$y`},
		{`apache:%h %{X=}i`, "", `apache:%h %{X=}i`},
	}
	for _, c := range cases {
		g, n := splitFormatSpec(c.in)
		if g != c.glob || n != c.name {
			t.Errorf("%q -> %q, %q", c.in, g, n)
		}
	}
}

// Two inputs interleaved in time, each with disorder: within the window it
// is repaired, beyond it the record is passed on and counted late.
func TestMergeOrderAndLate(t *testing.T) {
	dir := t.TempDir()
	// a: even seconds, with record 1100 arriving 100 s late (repaired).
	var a []int64
	for s := int64(1000); s < 2000; s += 2 {
		if s == 1100 {
			continue
		}
		a = append(a, s)
		if s == 1200 {
			a = append(a, 1100)
		}
	}
	// b: odd seconds, with 1101 arriving 300 s late (beyond 2 minutes).
	var b []int64
	for s := int64(1001); s < 2000; s += 2 {
		if s == 1101 {
			continue
		}
		b = append(b, s)
		if s == 1401 {
			b = append(b, 1101)
		}
	}
	pa := writeFile(t, filepath.Join(dir, "a.log"), tLines(a...))
	pb := writeFile(t, filepath.Join(dir, "b.log"), tLines(b...))
	for _, workers := range []int{1, 2} {
		opt := testOptions(pa, pb)
		opt.Workers = workers
		opt.slabSize = 512 // many chunks
		opt.BatchSize = 100
		recs, res := collect(t, opt)
		if len(recs) != 1000 || res.Totals.Late != 1 {
			t.Fatalf("%d records, late %d", len(recs), res.Totals.Late)
		}
		inversions := 0
		for i := 1; i < len(recs); i++ {
			if recs[i].Time < recs[i-1].Time {
				inversions++
				if recs[i].Time != 1101*int64(time.Second) {
					t.Fatalf("unexpected disorder at %d: %d after %d", i, recs[i].Time, recs[i-1].Time)
				}
			}
		}
		if inversions != 1 {
			t.Fatalf("%d inversions", inversions)
		}
	}
}

func TestDuplicateRequestIDs(t *testing.T) {
	dir := t.TempDir()
	// Two overlapping pulls of the same edge log, and the origin's log of
	// the same requests (same ids, other source): only the pull overlap is
	// dropped.
	var pull1, pull2, origin strings.Builder
	for s := 1000; s < 1100; s++ {
		fmt.Fprintf(&pull1, "%d 200 ray%d e\n", s, s)
		fmt.Fprintf(&origin, "%d 200 ray%d o\n", s, s)
	}
	for s := 1050; s < 1150; s++ {
		fmt.Fprintf(&pull2, "%d 200 ray%d e\n", s, s)
	}
	recs, res := collect(t, testOptions(
		writeFile(t, filepath.Join(dir, "pull1.log"), []byte(pull1.String())),
		writeFile(t, filepath.Join(dir, "pull2.log"), []byte(pull2.String())),
		writeFile(t, filepath.Join(dir, "origin.log"), []byte(origin.String()))))
	if res.Totals.Duplicate != 50 || len(recs) != 250 || res.Totals.Parsed != 300 {
		t.Fatalf("duplicates %d, passed %d, parsed %d", res.Totals.Duplicate, len(recs), res.Totals.Parsed)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		k := r.Source.String() + r.RequestID
		if seen[k] {
			t.Fatalf("duplicate passed on: %s", k)
		}
		seen[k] = true
	}
}

func TestSinceUntil(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), "a.log"), tLines(seq(1000, 100)...))
	opt := testOptions(path)
	opt.Since, opt.Until = time.Unix(1010, 0), time.Unix(1020, 0)
	recs, res := collect(t, opt)
	if len(recs) != 10 || res.Totals.Filtered != 90 || recs[0].Time != 1010*int64(time.Second) {
		t.Fatalf("%d records, filtered %d", len(recs), res.Totals.Filtered)
	}
	if res.Totals.Status[200] != 10 {
		t.Fatalf("status %v", res.Totals.Status)
	}
	opt.Since, opt.Until = opt.Until, opt.Since
	if _, err := New(opt); err == nil {
		t.Fatal("until before since accepted")
	}
}

func TestUnreadableFile(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root reads everything")
	}
	dir := t.TempDir()
	locked := writeFile(t, filepath.Join(dir, "locked.log"), tLines(1))
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	good := writeFile(t, filepath.Join(dir, "good.log"), tLines(1, 2))
	_, res := collect(t, testOptions(locked, good))
	if res.Inputs[0].Err == nil || res.Inputs[1].Parsed != 2 {
		t.Fatalf("%+v", res.Inputs)
	}
}

// Sources (the embedded sample logs) are read like files and merged.
func TestSources(t *testing.T) {
	fsys := map[string][]byte{
		"samples/edge.log.gz": gzipBytes(t, tLines(1, 3, 5)),
		"samples/origin.log":  tLines(2, 4),
	}
	opt := testOptions()
	for _, name := range []string{"samples/edge.log.gz", "samples/origin.log", "samples/missing.log"} {
		opt.Sources = append(opt.Sources, Source{Name: name, Size: int64(len(fsys[name])),
			Open: func() (io.ReadCloser, error) {
				data, ok := fsys[name]
				if !ok {
					return nil, fs.ErrNotExist
				}
				return io.NopCloser(bytes.NewReader(data)), nil
			}})
	}
	recs, res := collect(t, opt)
	if len(recs) != 5 || res.Inputs[0].Compression != "gzip" || res.Inputs[1].Path != "samples/origin.log" {
		t.Fatalf("%d records, inputs %+v", len(recs), res.Inputs)
	}
	for i, r := range recs {
		if r.Time != int64(i+1)*int64(time.Second) {
			t.Fatalf("record %d at %d", i, r.Time)
		}
	}
	if err := res.Inputs[2].Err; err == nil || !strings.Contains(err.Error(), "samples/missing.log") {
		t.Fatalf("missing source: %v", err)
	}
}

// TestMergePassesRunsThrough checks the merge's hand-through of runs of one
// input (no copy into its batch): inputs that follow one another in time
// with overlaps at their ends, and duplicates squeezed out of a run handed
// through. Which input goes first on equal times depends on where segments
// end, so the check is by properties: time order, each input in line
// order, every id exactly once.
func TestMergePassesRunsThrough(t *testing.T) {
	dir := t.TempDir()
	var a, b strings.Builder
	ids := map[string]bool{}
	for s := 1000; s < 1600; s++ {
		if s < 1210 || s >= 1400 { // a: two blocks, 5 lines a second
			for k := range 5 {
				fmt.Fprintf(&a, "%d 200 a%d.%d e\n", s, s, k)
				ids[fmt.Sprintf("a%d.%d", s, k)] = true
			}
		}
	}
	for s := 1195; s < 1405; s++ { // b: between them, overlapping both ends
		for k := range 5 {
			id := fmt.Sprintf("b%d.%d", s, k)
			if s < 1200 && k == 0 {
				id = fmt.Sprintf("a%d.%d", s, k) // a duplicate of a's line
			}
			fmt.Fprintf(&b, "%d 200 %s e\n", s, id)
			ids[id] = true
		}
	}
	pa := writeFile(t, filepath.Join(dir, "a.log"), []byte(a.String()))
	pb := writeFile(t, filepath.Join(dir, "b.log"), []byte(b.String()))
	for _, workers := range []int{1, 2} {
		opt := testOptions(pa, pb)
		opt.Workers = workers
		opt.slabSize = 8 << 10 // chunks of ~500 records
		opt.BatchSize = 100
		recs, res := collect(t, opt)
		if res.Totals.Duplicate != 5 || len(recs) != len(ids) {
			t.Fatalf("workers %d: %d duplicates, %d passed, want 5 and %d", workers, res.Totals.Duplicate, len(recs), len(ids))
		}
		seen := map[string]bool{}
		lastLine := map[string]int64{}
		for i, r := range recs {
			if i > 0 && r.Time < recs[i-1].Time {
				t.Fatalf("workers %d: record %d out of time order", workers, i)
			}
			if r.Line <= lastLine[r.Input] {
				t.Fatalf("workers %d: %s line %d after line %d", workers, r.Input, r.Line, lastLine[r.Input])
			}
			lastLine[r.Input] = r.Line
			if seen[r.RequestID] || !ids[r.RequestID] {
				t.Fatalf("workers %d: id %q passed twice or unknown", workers, r.RequestID)
			}
			seen[r.RequestID] = true
		}
		biggest := 0
		_, err := Run(context.Background(), opt, func(batch []parse.Record) {
			if batch[len(batch)-1].Time < 1195*int64(time.Second) { // b is open then: two inputs live
				biggest = max(biggest, len(batch))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if biggest <= opt.BatchSize {
			t.Errorf("workers %d: no batch over BatchSize while both inputs were open: runs were copied, not handed through", workers)
		}
	}
}
