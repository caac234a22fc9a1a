package clickhouse_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/clickhouse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// These tests need a ClickHouse server: EDGETRIAGE_CLICKHOUSE_URL names it
// (default http://127.0.0.1:8123, the Debian package's). Without one they
// skip, saying so; with EDGETRIAGE_REQUIRE_SERVICES=1 (set by .ci/run) they
// fail instead.

func serverURL() string {
	if u := os.Getenv("EDGETRIAGE_CLICKHOUSE_URL"); u != "" {
		return strings.TrimRight(u, "/")
	}
	return "clickhouse://127.0.0.1:8123"
}

// needServer returns a target for table db.name, or skips.
func needServer(t *testing.T, table string) clickhouse.Target {
	t.Helper()
	tg, err := clickhouse.ParseURL(serverURL() + "/edgetriage_test." + table)
	if err != nil {
		t.Fatal(err)
	}
	if err := clickhouse.Ping(context.Background(), tg, 3*time.Second); err != nil {
		if os.Getenv("EDGETRIAGE_REQUIRE_SERVICES") == "1" {
			t.Fatalf("EDGETRIAGE_REQUIRE_SERVICES=1 but %v", err)
		}
		t.Skipf("skipped: no ClickHouse server (%v); start one (see .ci/run) or set EDGETRIAGE_CLICKHOUSE_URL", err)
	}
	return tg
}

// sql runs a statement through the HTTP interface (test setup only).
func sql(t *testing.T, tg clickhouse.Target, q string) string {
	t.Helper()
	out, err := clickhouse.QueryText(context.Background(), tg, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func dropTable(t *testing.T, tg clickhouse.Target) {
	sql(t, tg, "CREATE DATABASE IF NOT EXISTS edgetriage_test")
	sql(t, tg, "DROP TABLE IF EXISTS edgetriage_test."+tg.Table)
}

// edgeSources are the bundled Cloudflare sample files as pipeline sources.
func edgeSources() []input.Source {
	var src []input.Source
	for _, f := range samplelogs.Files() {
		if !strings.HasPrefix(f.Name, "cloudflare/") {
			continue
		}
		name := f.Name
		src = append(src, input.Source{Name: name, Open: func() (io.ReadCloser, error) { return samplelogs.FS.Open(name) }})
	}
	return src
}

// fileSources writes generated files to dir and returns their paths.
func writeFiles(t *testing.T, dir string, files map[string][]byte) []string {
	t.Helper()
	var paths []string
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// fromFiles runs the engine over the inputs as `report FILES` does.
func fromFiles(t *testing.T, cfg rules.Config, in input.Options) *rules.Snapshot {
	t.Helper()
	in.Formats = []string{"cloudflare"}
	p, err := input.New(in)
	if err != nil {
		t.Fatal(err)
	}
	e := rules.NewEngine(cfg)
	if _, err := p.Run(context.Background(), e.Add); err != nil {
		t.Fatal(err)
	}
	return e.Finish()
}

// fromTable runs the engine over the table through the pushdown.
func fromTable(t *testing.T, cfg rules.Config, tg clickhouse.Target) (*rules.Snapshot, *parse.InputStats, int) {
	t.Helper()
	src := clickhouse.New(tg, rules.Pushdown(cfg), clickhouse.Options{})
	e := rules.NewEngine(cfg)
	handed := 0
	st, _, err := src.Run(context.Background(), func(b []parse.Record) { handed += len(b); e.Add(b) })
	if err != nil {
		t.Fatal(err)
	}
	return e.Finish(), st, handed
}

// comparable is a snapshot as JSON without what a table cannot give back
// (byte offsets in files), plus the timelines JSON leaves out.
func comparable(t *testing.T, s *rules.Snapshot) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	strip(v)
	var tl []string
	for _, f := range s.Findings {
		tl = append(tl, fmt.Sprint(f.ID, f.Timeline, f.TimelineStep))
	}
	out, _ := json.MarshalIndent(map[string]any{"snapshot": v, "timelines": tl}, "", " ")
	return string(out)
}

func strip(v any) {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "offset")
		for _, c := range x {
			strip(c)
		}
	case []any:
		for _, c := range x {
			strip(c)
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			lo := max(0, i-8)
			return "files:\n" + strings.Join(al[lo:min(len(al), i+4)], "\n") + "\nclickhouse:\n" + strings.Join(bl[lo:min(len(bl), i+4)], "\n")
		}
	}
	return fmt.Sprintf("lengths differ: %d and %d lines", len(al), len(bl))
}

// TestTableEqualsFiles loads files with the loader and checks that the
// findings from the table (rows + aggregates) equal those from the files.
func TestTableEqualsFiles(t *testing.T) {
	dir := t.TempDir()
	dense := writeFiles(t, dir, map[string][]byte{"burst/http_requests.log": burstScenario()})
	gen, err := samplelogs.Generate(samplelogs.Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	genFiles := map[string][]byte{}
	for _, f := range gen.Files {
		if strings.HasPrefix(f.Name, "cloudflare/") {
			genFiles["gen7/"+f.Name] = f.Data
		}
	}
	genPaths := writeFiles(t, dir, genFiles)
	sortStrings(genPaths)
	cases := []struct {
		table    string
		in       input.Options
		cfg      rules.Config
		wantAggs bool
	}{
		{"samples", input.Options{Sources: edgeSources()}, rules.DefaultConfig(), false},
		{"generated7", input.Options{Paths: genPaths}, rules.DefaultConfig(), false},
		{"burst", input.Options{Paths: dense}, rules.DefaultConfig(), true},
		{"burst_by_ip", input.Options{Paths: dense}, func() rules.Config { c := rules.DefaultConfig(); c.GroupBy = "origin-ip"; return c }(), true},
	}
	for _, c := range cases {
		t.Run(c.table, func(t *testing.T) {
			tg := needServer(t, c.table)
			dropTable(t, tg)
			res, err := clickhouse.Load(context.Background(), tg, time.Minute, c.in)
			if err != nil {
				t.Fatal(err)
			}
			want := fromFiles(t, c.cfg, c.in)
			got, st, handed := fromTable(t, c.cfg, tg)
			if st.Lines != res.Inserted || want.Records != got.Records {
				t.Errorf("the table's records stand for %d requests (engine saw %d), %d were loaded (files: %d)", st.Lines, got.Records, res.Inserted, want.Records)
			}
			if len(want.Findings) == 0 {
				t.Fatal("no findings from the files: the comparison proves nothing")
			}
			if w, g := comparable(t, want), comparable(t, got); w != g {
				t.Errorf("findings from ClickHouse differ from the files':\n%s", firstDiff(w, g))
			}
			if c.wantAggs && int64(handed) >= st.Lines {
				t.Errorf("%d records handed on for %d requests: the aggregates did not aggregate", handed, st.Lines)
			}
			t.Logf("%s: %d requests, %d records handed on, %d findings, %d bytes received", c.table, st.Lines, handed, len(got.Findings), st.Bytes)
		})
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// burstScenario is 20 minutes of dense Logpush traffic on two hosts: a 520
// burst from one data centre on one, 202 jobs with Location headers polled
// by their client (some never), cache hits, at millisecond resolution.
func burstScenario() []byte {
	base := time.Date(2026, 11, 20, 10, 0, 0, 300e6, time.UTC)
	var b bytes.Buffer
	line := func(ms int64, host, method, path string, status int, extra map[string]any) {
		m := map[string]any{
			"EdgeStartTimestamp":                    base.Add(time.Duration(ms) * time.Millisecond).UnixNano(),
			"EdgeEndTimestamp":                      base.Add(time.Duration(ms+40) * time.Millisecond).UnixNano(),
			"ClientRequestHost":                     host,
			"ClientRequestMethod":                   method,
			"ClientRequestPath":                     path,
			"ClientRequestURI":                      path,
			"EdgeResponseStatus":                    status,
			"OriginResponseStatus":                  status,
			"OriginIP":                              []string{"192.0.2.1", "192.0.2.2"}[ms/4000%2],
			"ClientIP":                              []string{"203.0.113.7", "203.0.113.99", "2001:db8:1:2::5"}[ms/3000%3],
			"ClientRequestUserAgent":                "curl/8.5",
			"ClientRequestProtocol":                 "HTTP/2",
			"EdgeColoCode":                          []string{"FRA", "AMS"}[ms/7000%2],
			"CacheCacheStatus":                      "dynamic",
			"OriginTCPHandshakeDurationMs":          ms / 10000 % 2,
			"OriginResponseHeaderReceiveDurationMs": ms / 500 % 5,
			"RayID":                                 fmt.Sprintf("%016x", ms*7919+int64(len(path))),
			"ResponseHeaders":                       map[string]any{},
		}
		for k, v := range extra {
			m[k] = v
		}
		j, _ := json.Marshal(m)
		b.Write(j)
		b.WriteByte('\n')
	}
	for ms := int64(0); ms < 20*60*1000; ms += 37 {
		host := []string{"shop.example.com", "api.example.com"}[ms%2]
		inBurst := ms >= 8*60*1000 && ms < 9*60*1000 && host == "shop.example.com"
		if !inBurst || ms%5 == 0 {
			line(ms, host, "GET", "/p/"+string(rune('a'+ms/200%3)), 200, nil)
		}
		if ms%11 == 0 {
			line(ms, host, "GET", "/img/x.png", 200, map[string]any{"CacheCacheStatus": "hit", "OriginIP": "", "OriginResponseStatus": 0})
		}
		if inBurst {
			line(ms+1, host, "POST", "/checkout", 520, map[string]any{"OriginResponseStatus": 0, "EdgeColoCode": "FRA"})
		}
		if ms%20000 < 37 {
			id := ms / 20000
			loc := fmt.Sprintf("https://api.example.com/v1/jobs/%08x", id*2654435761%(1<<32))
			job := map[string]any{"ClientIP": "198.51.100.50", "ClientRequestUserAgent": "jobs-client/1.0"}
			open := map[string]any{"ResponseHeaders": map[string]any{"location": loc}}
			for k, v := range job {
				open[k] = v
			}
			line(ms+2, "api.example.com", "POST", "/v1/jobs", 202, open)
			if id%3 != 0 {
				for k := int64(1); k <= 3; k++ {
					st := 202
					if k == 3 && id%2 == 0 {
						st = 200
					}
					line(ms+2+k*2500, "api.example.com", "GET", parse.LocationPath(loc), st, job)
				}
			}
		}
	}
	// time order, as Logpush files are within a batch
	lines := bytes.Split(bytes.TrimSuffix(b.Bytes(), []byte("\n")), []byte("\n"))
	sortLines(lines)
	return append(bytes.Join(lines, []byte("\n")), '\n')
}

func sortLines(lines [][]byte) {
	key := func(l []byte) int64 {
		var v struct{ EdgeStartTimestamp int64 }
		_ = json.Unmarshal(l, &v)
		return v.EdgeStartTimestamp
	}
	keys := make([]int64, len(lines))
	for i, l := range lines {
		keys[i] = key(l)
	}
	idx := make([]int, len(lines))
	for i := range idx {
		idx[i] = i
	}
	sortStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	out := make([][]byte, len(lines))
	for i, j := range idx {
		out[i] = lines[j]
	}
	copy(lines, out)
}

func sortStable(idx []int, less func(a, b int) bool) {
	// insertion sort is enough: the lines are nearly in order
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && less(j, j-1); j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

// Following a table window by window (as tail does) gives the findings of
// one read of the same span: the windows end on whole seconds, GETs find
// their 202 in earlier windows (Lookback), grids keep the run's origin.
func TestFollowWindowsEqualOneRead(t *testing.T) {
	tg := needServer(t, "follow")
	dropTable(t, tg)
	paths := writeFiles(t, t.TempDir(), map[string][]byte{"burst/http_requests.log": burstScenario()})
	if _, err := clickhouse.Load(context.Background(), tg, time.Minute, input.Options{Paths: paths}); err != nil {
		t.Fatal(err)
	}
	cfg := rules.DefaultConfig()
	want, _, _ := fromTable(t, cfg, tg)
	from := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	src := clickhouse.New(tg, rules.Pushdown(cfg), clickhouse.Options{Window: clickhouse.Window{To: from.Add(30 * time.Minute)}})
	e := rules.NewEngine(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	windows, size, least := 0, 13*time.Second, 90
	if testing.Short() { // the race run: fewer, longer windows
		size, least = 97*time.Second, 12
	}
	st, _, err := src.Follow(ctx, e.Add, clickhouse.FollowOptions{From: from, Interval: time.Millisecond, MaxWindow: size,
		OnWindow: func(time.Time) { windows++ }})
	if err != nil {
		t.Fatal(err)
	}
	got := e.Finish()
	if w, g := comparable(t, want), comparable(t, got); w != g {
		t.Errorf("findings from %d windows differ from one read:\n%s", windows, firstDiff(w, g))
	}
	if st.Lines != want.Records || windows < least {
		t.Errorf("%d windows read %d requests, one read %d", windows, st.Lines, want.Records)
	}
}
