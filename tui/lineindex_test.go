package tui

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func writeLog(t *testing.T, n int, gz bool, trailingNL bool) (string, []string) {
	t.Helper()
	var lines []string
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		l := fmt.Sprintf(`203.0.113.%d - - [20/Nov/2026:10:00:%02d +0000] "GET /v1/items/%d HTTP/1.1" %d 12 "-" "curl/8"`, i%250, i%60, i, []int{200, 504, 200}[i%3])
		if i == 777 {
			l += " zzqq-rare"
		}
		lines = append(lines, l)
		b.WriteString(l)
		if i < n-1 || trailingNL {
			b.WriteByte('\n')
		}
	}
	path := filepath.Join(t.TempDir(), "access.log")
	data := b.Bytes()
	if gz {
		path += ".gz"
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(data)
		w.Close()
		data = z.Bytes()
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, lines
}

// TestLineSources: every line of a plain and a gzip file is indexed and
// read back by number, also with a sparse index (tiny cap).
func TestLineSources(t *testing.T) {
	for _, c := range []struct {
		name  string
		gz    bool
		nl    bool
		limit int
	}{{"plain", false, true, maxIndexEntries}, {"plain no final newline", false, false, maxIndexEntries},
		{"plain sparse", false, true, 100}, {"gzip", true, true, 0}, {"gzip sparse", true, false, 0}} {
		t.Run(c.name, func(t *testing.T) {
			const n = 5000
			path, want := writeLog(t, n, c.gz, c.nl)
			var src logSource
			if c.gz {
				src = newStreamSource(path)
			} else {
				fs := newFileSource(path)
				fs.idx = newOffsets(c.limit)
				src = fs
			}
			if err := src.index(context.Background()); err != nil {
				t.Fatal(err)
			}
			st := src.state()
			if st.lines != n || !st.done {
				t.Fatalf("state %+v, want %d lines done", st, n)
			}
			if c.limit == 100 && (!st.sparse || src.(*fileSource).idx.n > 100) {
				t.Fatalf("index not bounded: %+v", st)
			}
			if fs, ok := src.(*fileSource); ok && c.limit > 100 && float64(fs.idx.bytes())/n > 8 {
				t.Fatalf("index not bounded: %+v", st)
			}
			for _, r := range [][2]int64{{0, 3}, {99, 130}, {4990, 5000}, {2047, 2049}, {4999, 5003}} {
				got, err := src.read(r[0], r[1])
				if err != nil {
					t.Fatal(err)
				}
				hi := min(r[1], n)
				if strings.Join(got, "\n") != strings.Join(want[r[0]:hi], "\n") {
					t.Fatalf("lines %v: got %q want %q", r, got, want[r[0]:hi])
				}
			}
		})
	}
}

// TestLogJob: a search finds every matching line with its number, text
// and field expressions alike.
func TestLogJob(t *testing.T) {
	path, lines := writeLog(t, 3000, false, true)
	src := newFileSource(path)
	if err := src.index(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    string
		want func(i int, l string) bool
	}{
		{"zzqq-rare", func(i int, l string) bool { return strings.Contains(l, "zzqq-rare") }},
		{"/v1/items/12", func(i int, l string) bool { return strings.Contains(l, "/v1/items/12") }},
		{"status=504", func(i int, l string) bool { return i%3 == 1 }},
		{"status>=500 path~/v1/items/2", func(i int, l string) bool { return i%3 == 1 && strings.HasPrefix(strconv.Itoa(i), "2") }},
		{"CURL", func(int, string) bool { return false }},
		{"curl", func(int, string) bool { return true }},
	} {
		q, err := parseQuery(c.q)
		if err != nil {
			t.Fatal(err)
		}
		j := startJob(context.Background(), []logSource{src}, []string{"combined"}, q, time.Time{}, time.Time{})
		for !j.done.Load() {
			time.Sleep(time.Millisecond)
		}
		var want []logRef
		for i, l := range lines {
			if c.want(i, l) {
				want = append(want, mkRef(0, int64(i)))
			}
		}
		if fmt.Sprint(j.matches) != fmt.Sprint(want) {
			t.Errorf("%s: %d matches, want %d (first %v / %v)", c.q, len(j.matches), len(want), head(j.matches), head(want))
		}
	}
}

func head(r []logRef) []logRef { return r[:min(len(r), 5)] }

// TestSearchSpeed measures a rare-string search of every line against
// grep -c on the same file; set EDGETRIAGE_BIGLOG to a large log (the
// issue's 1M-line file: go run ./sample-logs/gen -combined 1000000 -o
// /tmp/c1m.log).
func TestSearchSpeed(t *testing.T) {
	path := os.Getenv("EDGETRIAGE_BIGLOG")
	if path == "" {
		t.Skip("EDGETRIAGE_BIGLOG not set")
	}
	best := func(f func()) time.Duration {
		b := time.Duration(1 << 62)
		for i := 0; i < 3; i++ {
			s := time.Now()
			f()
			b = min(b, time.Since(s))
		}
		return b
	}
	grep := best(func() { exec.Command("grep", "-c", "zzqq-rare", path).Run() })
	src := newFileSource(path)
	index := best(func() { src = newFileSource(path); src.index(context.Background()) })
	q, _ := parseQuery("zzqq-rare")
	var j *logJob
	search := best(func() {
		j = startJob(context.Background(), []logSource{src}, []string{"combined"}, q, time.Time{}, time.Time{})
		for !j.done.Load() {
			time.Sleep(200 * time.Microsecond)
		}
	})
	qf, _ := parseQuery("status=504 path~/account")
	field := best(func() {
		jf := startJob(context.Background(), []logSource{src}, []string{"combined"}, qf, time.Time{}, time.Time{})
		for !jf.done.Load() {
			time.Sleep(time.Millisecond)
		}
	})
	st := src.state()
	t.Logf("%s lines: grep -c %v · search %v (%.2fx grep) · index %v (%d entries, %.1f bytes/line) · field search %v",
		num(st.lines), grep, search, float64(search)/float64(grep), index, src.idx.n, float64(src.idx.bytes())/float64(st.lines), field)
	if b := float64(src.idx.bytes()) / float64(st.lines); b > 8 {
		t.Errorf("index holds %.1f bytes a line, want <= 8", b)
	}
	if search > 2*grep {
		t.Errorf("search %v is more than 2x grep -c %v", search, grep)
	}
}

// TestOffsets: deltas that do not fit 4 bytes switch a block to full
// offsets; halving at the cap keeps every other line; lookups stay right.
func TestOffsets(t *testing.T) {
	o := newOffsets(maxIndexEntries)
	want := []int64{0}
	for i := int64(1); i < 20000; i++ {
		off := i * 100
		if i > 9000 && i < 9010 {
			off = i*100 + int64(i-9000)<<31 // a few huge lines
		}
		if i >= 9010 {
			off = i*100 + 10<<31
		}
		o.add(i, off)
		want = append(want, off)
	}
	for i, w := range want {
		if got := o.get(i); got != w {
			t.Fatalf("get(%d) = %d, want %d", i, got, w)
		}
	}
	small := newOffsets(1000)
	for i := int64(1); i < 5000; i++ {
		small.add(i, i*10)
	}
	if small.n > 1000 || small.stride != 8 {
		t.Fatalf("n %d stride %d", small.n, small.stride)
	}
	for _, n := range []int64{0, 7, 8, 4999, 3333} {
		line, off := small.before(n)
		if line > n || n-line >= small.stride || off != line*10 {
			t.Fatalf("before(%d) = %d, %d", n, line, off)
		}
	}
}

// TestLogJobExtend: tailing, a finished job goes on over the lines added
// since, without counting a line twice, in line order across inputs.
func TestLogJobExtend(t *testing.T) {
	a, _ := writeLog(t, 300, false, true)
	b, _ := writeLog(t, 30, false, true)
	srcs := []logSource{newFileSource(a), newFileSource(b)}
	for _, s := range srcs {
		s.index(context.Background())
	}
	q, _ := parseQuery("status=504")
	j := startJob(context.Background(), srcs, []string{"combined", "combined"}, q, time.Time{}, time.Time{})
	wait := func() {
		for !j.done.Load() {
			time.Sleep(time.Millisecond)
		}
	}
	wait()
	if got := j.count(); got != 100+10 {
		t.Fatalf("%d matches, want 110", got)
	}
	if j.extend(srcs) {
		t.Fatal("extend ran with no new lines")
	}
	f, _ := os.OpenFile(a, os.O_APPEND|os.O_WRONLY, 0)
	for i := 0; i < 9; i++ {
		fmt.Fprintf(f, "203.0.113.1 - - [20/Nov/2026:10:01:00 +0000] \"GET /new HTTP/1.1\" 504 1 \"-\" \"x\"\n")
	}
	f.Close()
	srcs[0].index(context.Background())
	if !j.extend(srcs) {
		t.Fatal("extend did not run over new lines")
	}
	wait()
	if got := j.count(); got != 119 {
		t.Fatalf("%d matches after extend, want 119", got)
	}
	for i := 1; i < j.count(); i++ {
		x, _ := j.at(i - 1)
		y, _ := j.at(i)
		if x >= y {
			t.Fatalf("matches out of order or repeated at %d: %v %v", i, x, y)
		}
	}
	if last, _ := j.at(99 + 9); last != mkRef(0, 308) {
		t.Fatalf("the last new match of the first input is %v (%d:%d)", last, last.src(), last.line())
	}
}
