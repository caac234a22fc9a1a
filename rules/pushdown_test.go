package rules_test

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/cdn"
	"github.com/edgetriage/edgetriage/rules"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// Findings from the pushdown's rows plus aggregates must equal the findings
// from every record: the contract a ClickHouse source relies on (its SQL is
// checked against the same split in parse/clickhouse).
func TestPushdownSplitEqualsRaw(t *testing.T) {
	gen, err := samplelogs.Generate(samplelogs.Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		recs []parse.Record
		cfg  rules.Config
		// the samples are too sparse (under one request a second) for
		// groups; the synthetic traffic is dense
		wantAggs bool
	}{
		{"bundled Cloudflare samples", edgeRecords(t, loadSamples(t)), rules.DefaultConfig(), false},
		{"generated zone, seed 7", generatedEdge(t, gen), rules.DefaultConfig(), false},
		{"bundled samples, group by origin IP, W=30s", edgeRecords(t, loadSamples(t)), withGroup(rules.DefaultConfig(), "origin-ip", 30*time.Second), false},
		{"synthetic burst with 202s", syntheticBurst(), rules.DefaultConfig(), true},
		{"synthetic burst, group by origin IP", syntheticBurst(), withGroup(rules.DefaultConfig(), "origin-ip", 60*time.Second), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := rules.Pushdown(c.cfg)
			split := spec.Split(c.recs)
			var total, aggs int64
			for i := range split {
				total += split[i].N()
				if split[i].Count > 1 {
					aggs++
				}
			}
			if c.wantAggs && aggs == 0 {
				t.Errorf("no record stands for several: nothing was aggregated")
			}
			if total != int64(len(c.recs)) {
				t.Fatalf("rows + aggregates stand for %d requests, want %d", total, len(c.recs))
			}
			want := findingsJSON(t, runWith(c.cfg, c.recs))
			got := findingsJSON(t, runWith(c.cfg, split))
			if got != want {
				t.Errorf("findings differ (%d records -> %d):\n%s", len(c.recs), len(split), firstDiff(want, got))
			}
			if !strings.Contains(want, `"kind"`) {
				t.Errorf("no findings at all: the comparison proves nothing")
			}
			t.Logf("%d records -> %d handed on (%d with Count > 1)", len(c.recs), len(split), aggs)
		})
	}
}

func withGroup(cfg rules.Config, by string, w time.Duration) rules.Config {
	cfg.GroupBy, cfg.BurstWindow = by, w
	return cfg
}

func runWith(cfg rules.Config, recs []parse.Record) *rules.Snapshot {
	e := rules.NewEngine(cfg)
	for len(recs) > 0 {
		n := min(len(recs), 4096)
		e.Add(recs[:n])
		recs = recs[n:]
	}
	return e.Finish()
}

func findingsJSON(t *testing.T, s *rules.Snapshot) string {
	t.Helper()
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// firstDiff shows a few lines around the first line that differs.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			lo := max(0, i-6)
			return "raw:\n" + strings.Join(al[lo:min(len(al), i+4)], "\n") + "\npushdown:\n" + strings.Join(bl[lo:min(len(bl), i+4)], "\n")
		}
	}
	return "lengths differ"
}

func edgeRecords(t *testing.T, recs []parse.Record) []parse.Record {
	t.Helper()
	var out []parse.Record
	for _, r := range recs {
		if r.Source == parse.SourceEdge && strings.HasPrefix(r.Input, "cloudflare/") {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		t.Fatal("no Cloudflare records in the samples")
	}
	return out
}

func generatedEdge(t *testing.T, set *samplelogs.Set) []parse.Record {
	t.Helper()
	p := cdn.NewCloudflare()
	var recs []parse.Record
	for _, f := range set.Files {
		if !strings.HasPrefix(f.Name, "cloudflare/") {
			continue
		}
		for i, line := range bytes.Split(f.Data, []byte("\n")) {
			var r parse.Record
			if len(bytes.TrimSpace(line)) == 0 || p.Parse(line, &r) != nil {
				continue
			}
			r.Input, r.Line = f.Name, int64(i+1)
			recs = append(recs, r)
		}
	}
	sortRecords(recs)
	return recs
}

func sortRecords(recs []parse.Record) {
	// stable: the merge's order (by time, inputs in order)
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time < recs[j].Time })
}

// syntheticBurst is steady healthy traffic on two origins with a 520 burst
// on one of them, slow 202 operations polled by their clients, and some
// cache hits, at millisecond resolution.
func syntheticBurst() []parse.Record {
	base := time.Date(2026, 11, 20, 10, 0, 0, 300e6, time.UTC).UnixNano()
	var recs []parse.Record
	add := func(ms int64, host, method, path string, status int, f func(*parse.Record)) {
		var r parse.Record
		r.Reset()
		r.Time, r.Source, r.Host, r.Method, r.Path, r.Status = base+ms*1e6, parse.SourceEdge, host, method, path, status
		r.ClientIP = []string{"203.0.113.7", "203.0.113.99", "2001:db8:1:2::5"}[ms/3000%3]
		r.UserAgent, r.POP, r.Protocol, r.CacheStatus = "curl/8.5", []string{"FRA", "AMS"}[ms/7000%2], "HTTP/2", "dynamic"
		r.Upstream, r.OriginStatus = "192.0.2.1", status
		r.OriginConnectTime, r.OriginHeaderTime = time.Duration(ms/10000%2)*time.Millisecond, time.Duration(ms/500%5)*time.Millisecond
		r.Input, r.Line = "synthetic", int64(len(recs)+1)
		if f != nil {
			f(&r)
		}
		recs = append(recs, r)
	}
	for ms := int64(0); ms < 20*60*1000; ms += 37 {
		host := []string{"shop.example.com", "api.example.com"}[ms%2]
		inBurst := ms >= 8*60*1000 && ms < 9*60*1000 && host == "shop.example.com"
		if !inBurst || ms%5 == 0 { // the burst leaves a few healthy requests
			add(ms, host, "GET", "/p/"+string(rune('a'+ms/200%3)), 200, nil)
		}
		if ms%11 == 0 {
			add(ms, host, "GET", "/img/x.png", 200, func(r *parse.Record) { r.CacheStatus, r.Upstream, r.OriginStatus = "hit", "", 0 })
		}
		if inBurst {
			add(ms+1, host, "POST", "/checkout", 520, func(r *parse.Record) { r.OriginStatus = 0 })
		}
		if ms%20000 < 37 {
			id := ms / 20000
			loc := "https://api.example.com/v1/jobs/" + string(rune('a'+id%26)) + "0000000" + string(rune('a'+id/26))
			jobClient := func(r *parse.Record) { r.ClientIP, r.UserAgent = "198.51.100.50", "jobs-client/1.0" }
			add(ms+2, "api.example.com", "POST", "/v1/jobs", 202, func(r *parse.Record) { jobClient(r); r.StatusLocation = loc })
			if id%3 != 0 { // a third are never polled
				for k := int64(1); k <= 3; k++ {
					st := 202
					if k == 3 && id%2 == 0 {
						st = 200
					}
					add(ms+2+k*2500, "api.example.com", "GET", parse.LocationPath(loc), st, jobClient)
				}
			}
		}
	}
	sortRecords(recs)
	return recs
}
