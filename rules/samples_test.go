package rules_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/formats"
	"github.com/edgetriage/edgetriage/rules"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// The bundled demo logs, read together as `edgetriage` with no arguments
// reads them (each file by its manifest format, hostless files named by
// their manifest path, merged in time order), must give exactly the
// generator's truth. The files are parsed here with parse/formats rather
// than through parse/input, so these tests do not depend on the pipeline.

var sampleRecords = sync.OnceValues(func() ([]parse.Record, error) {
	var recs []parse.Record
	for _, f := range samplelogs.Files() {
		p, err := formats.New(f.Format)
		if err != nil {
			return nil, fmt.Errorf("%s: format %q: %w", f.Name, f.Format, err)
		}
		data, err := fs.ReadFile(samplelogs.FS, f.Name)
		if err != nil {
			return nil, err
		}
		for i, line := range bytes.Split(data, []byte("\n")) {
			line = bytes.TrimSuffix(line, []byte("\r"))
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var r parse.Record
			r.Reset()
			switch err := p.Parse(line, &r); {
			case errors.Is(err, parse.ErrIgnored):
				continue
			case err != nil:
				return nil, fmt.Errorf("%s:%d: %w", f.Name, i+1, err)
			}
			r.Input, r.Line, r.Raw = f.Name, int64(i+1), string(line)
			recs = append(recs, r)
		}
	}
	// the merge's order: by time, stable (inputs in manifest order)
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time < recs[j].Time })
	return recs, nil
})

func loadSamples(t *testing.T) []parse.Record {
	t.Helper()
	recs, err := sampleRecords()
	if err != nil {
		t.Fatalf("reading the bundled samples: %v", err)
	}
	return slices.Clone(recs)
}

func demoTruth(t *testing.T) samplelogs.Truth {
	t.Helper()
	set, err := samplelogs.Demo()
	if err != nil {
		t.Fatal(err)
	}
	return set.Truth
}

func runSamples(recs []parse.Record) *rules.Snapshot {
	e := rules.NewEngine(rules.DefaultConfig())
	for len(recs) > 0 {
		n := min(len(recs), 4096)
		e.Add(recs[:n])
		recs = recs[n:]
	}
	return e.Finish()
}

// upstreamNames turns context values "10.0.1.13:8080 (8)" into sorted names.
func upstreamNames(v any) []string {
	var out []string
	list, _ := v.([]string)
	for _, s := range list {
		if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
			s = s[:i]
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestBundledSamplesMatchTruth(t *testing.T) {
	truth := demoTruth(t)
	recs := loadSamples(t)
	s := runSamples(recs)
	if !s.Now.Equal(truth.Newest) {
		t.Errorf("now %v, newest record %v", s.Now, truth.Newest)
	}

	// bursts and storms
	bursts := map[string]rules.Finding{}
	for _, f := range s.Findings {
		if f.Kind != rules.KindIncomplete202 {
			bursts[fmt.Sprintf("%s %s %d", f.Kind, f.Origin, f.Status)] = f
		}
	}
	// A 5xx storm needs at least 10 errors (issue 8, storm precision): the
	// demo's shorter dense runs of 502/504/52x are not storms.
	var wantBursts []samplelogs.Burst
	for _, want := range truth.Bursts {
		if want.Kind == string(rules.KindBurst5xx) && want.Count < 10 {
			key := fmt.Sprintf("%s %s %d", want.Kind, want.Origin, want.Status)
			if _, ok := bursts[key]; ok {
				t.Errorf("%s: %d errors made a storm", key, want.Count)
			}
			continue
		}
		wantBursts = append(wantBursts, want)
	}
	if len(bursts) != len(wantBursts) {
		t.Errorf("%d bursts, truth has %d", len(bursts), len(wantBursts))
	}
	for _, want := range wantBursts {
		key := fmt.Sprintf("%s %s %d", want.Kind, want.Origin, want.Status)
		f, ok := bursts[key]
		if !ok {
			t.Errorf("missing burst %s", key)
			continue
		}
		ft := f.Features
		check := func(what string, got, want any) {
			t.Helper()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s = %v, want %v", key, what, got, want)
			}
		}
		check("start", f.Start, want.Start)
		check("end", f.End, want.End)
		check("count", f.Count, want.Count)
		check("peak_60s", int(ft["peak_60s"]), want.Peak60s)
		if math.Abs(ft["share"]-want.Share) > 0.01 {
			t.Errorf("%s: share %.3f, want %.3f", key, ft["share"], want.Share)
		}
		check("relayed_share", ft["relayed_share"], float64(want.Relayed)/float64(want.Count))
		failed := upstreamNames(f.Context["upstreams_failed"])
		check("upstreams_failed", len(failed), len(want.UpstreamsFailed))
		if len(want.UpstreamsFailed) > 0 {
			check("upstreams_failed", failed, want.UpstreamsFailed)
		}
		healthy := upstreamNames(f.Context["upstreams_healthy"])
		check("upstreams_healthy", len(healthy), len(want.UpstreamsHealthy))
		if len(want.UpstreamsHealthy) > 0 {
			check("upstreams_healthy", healthy, want.UpstreamsHealthy)
		}
		check("errors_5xx_before", int(ft["errors_5xx_before"]), want.ErrorsBefore)
		before := map[string]int{}
		for st, n := range f.Context["statuses_before"].(map[string]int) {
			if code, _ := strconv.Atoi(st); code >= 500 {
				before[st] = n
			}
		}
		wantBefore := map[string]int{}
		for st, n := range want.StatusesBefore {
			wantBefore[strconv.Itoa(st)] = n
		}
		check("statuses_before (5xx)", before, wantBefore)
		if want.OriginLogged < 0 {
			check("origin_logged_share", ft["origin_logged_share"], -1.0)
			check("origin_missing", ft["origin_missing"], -1.0)
			continue
		}
		join, _ := f.Context["join"].(map[string]any)
		if join == nil {
			t.Errorf("%s: no join in context %v", key, f.Context)
			continue
		}
		check("join logged", join["logged"], want.OriginLogged)
		check("join missing", join["missing"], want.OriginMissing)
		check("join empty_200", join["empty_200"], want.OriginEmpty200)
		check("origin_missing", ft["origin_missing"], float64(want.OriginMissing))
		check("origin_empty_200", ft["origin_empty_200"], float64(want.OriginEmpty200))
	}

	// near-misses: an origin and status never dense is never a burst
	for _, ec := range truth.Errors {
		if ec.Max60s >= rules.DefaultConfig().BurstMin {
			continue
		}
		for _, f := range s.Findings {
			if f.Kind != rules.KindIncomplete202 && f.Origin == ec.Origin && f.Status == ec.Status {
				t.Errorf("near-miss %s %d (%d, at most %d in 60 s) reported: %s", ec.Origin, ec.Status, ec.Count, ec.Max60s, f.ID)
			}
		}
	}

	// every 202 group, and nothing else
	groups := map[string]rules.Finding{}
	for _, f := range s.Findings {
		if f.Kind == rules.KindIncomplete202 {
			key := f.Origin + " " + f.Endpoint + " " + f.Subtype
			if _, dup := groups[key]; dup {
				t.Errorf("group %s reported twice", key)
			}
			groups[key] = f
		}
	}
	if len(groups) != len(truth.Async) {
		t.Errorf("%d 202 groups, truth has %d", len(groups), len(truth.Async))
	}
	endpoints := map[string]samplelogs.Endpoint{}
	for _, ep := range truth.Endpoints {
		endpoints[ep.Origin+" "+ep.Endpoint] = ep
	}
	for _, want := range truth.Async {
		key := want.Origin + " " + want.Endpoint + " " + want.Subtype
		f, ok := groups[key]
		if !ok {
			t.Errorf("missing 202 group %s", key)
			continue
		}
		if f.Count != want.Count || !f.Start.Equal(want.Start) {
			t.Errorf("%s: count %d start %v, want %d %v", key, f.Count, f.Start, want.Count, want.Start)
		}
		if want.Subtype == rules.SubFireAndForget {
			if f.Severity != rules.SeverityInfo || !f.End.Equal(want.End) {
				t.Errorf("%s: severity %v end %v, want info %v", key, f.Severity, f.End, want.End)
			}
		} else {
			wantLink := float64(want.LinkedBy)
			if want.Subtype == rules.SubNeverPolled && want.LinkedBy == samplelogs.LinkHeuristic {
				wantLink = -1 // a POST linked by its child GET that never came is not linked
			}
			if lb := f.Features["linked_by"]; lb != wantLink {
				t.Errorf("%s: linked_by %v, want %v", key, lb, wantLink)
			}
		}
		ep := endpoints[want.Origin+" "+want.Endpoint]
		if got := f.Features["endpoint_ops"]; got != float64(ep.Ops) {
			t.Errorf("%s: endpoint_ops %v, want %d", key, got, ep.Ops)
		}
		if got := f.Features["completed_ops"]; got != float64(ep.Completed) {
			t.Errorf("%s: completed_ops %v, want %d", key, got, ep.Completed)
		}
		if got, want := f.Features["polled_share"], float64(ep.Polled)/float64(ep.Ops); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: polled_share %v, want %v", key, got, want)
		}
	}
	// endpoints whose operations all completed (the DELETE) are not reported
	for _, ep := range truth.Endpoints {
		if ep.Completed != ep.Ops {
			continue
		}
		for _, f := range s.Findings {
			if f.Origin == ep.Origin && f.Endpoint == ep.Endpoint {
				t.Errorf("completed endpoint %s %s reported: %s", ep.Origin, ep.Endpoint, f.Subtype)
			}
		}
	}
	if s.Inflight != truth.Inflight {
		t.Errorf("inflight %d, truth %d (%d of them fire-and-forget)", s.Inflight, truth.Inflight, truth.InflightFireAndForget)
	}
	if s.Evicted != 0 || s.CompletedLate != 0 {
		t.Errorf("evicted %d, completed late %d", s.Evicted, s.CompletedLate)
	}
}

// sampleSummary is what must not change when the input order does.
func sampleSummary(s *rules.Snapshot) []string {
	var out []string
	for _, f := range s.Findings {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %d %v %v", f.ID, f.Origin, f.Subtype,
			f.Start.Format(time.RFC3339Nano), f.End.Format(time.RFC3339Nano), f.Count, f.Features, f.Context))
	}
	out = append(out, fmt.Sprintf("inflight %d evicted %d late %d", s.Inflight, s.Evicted, s.CompletedLate))
	return out
}

// Shuffling the samples' records by up to 2 minutes (the merge's reorder
// bound) and repairing the order as the merge does (stable by time)
// changes nothing.
func TestBundledSamplesShuffledWithinBound(t *testing.T) {
	base := loadSamples(t)
	byTime := func(recs []parse.Record) {
		sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time < recs[j].Time })
	}
	byTime(base)
	want := sampleSummary(runSamples(slices.Clone(base)))
	trials := 3
	if testing.Short() {
		trials = 1
	}
	rng := rand.New(rand.NewSource(7))
	for trial := 0; trial < trials; trial++ {
		jit := make([]int64, len(base))
		for i := range jit {
			jit[i] = rng.Int63n(int64(2 * time.Minute))
		}
		idx := make([]int, len(base))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool {
			return base[idx[a]].Time+jit[idx[a]] < base[idx[b]].Time+jit[idx[b]]
		})
		recs := make([]parse.Record, len(base))
		moved := 0
		for i, k := range idx {
			recs[i] = base[k]
			if k != i {
				moved++
			}
		}
		if moved < len(recs)/2 {
			t.Fatalf("trial %d: only %d of %d records displaced", trial, moved, len(recs))
		}
		byTime(recs)
		got := sampleSummary(runSamples(recs))
		if !reflect.DeepEqual(got, want) {
			for i := range max(len(got), len(want)) {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				if g != w {
					t.Fatalf("trial %d differs at %d:\n got %s\nwant %s", trial, i, g, w)
				}
			}
		}
	}
}
