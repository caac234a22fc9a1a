package rules

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// TestOpContrastSeparates: one client network never polls, the others poll
// to the end: the group's contrast separates that network (and only client
// dimensions), counting operations, not requests.
func TestOpContrastSeparates(t *testing.T) {
	var all []parse.Record
	for i := 0; i < 40; i++ {
		at := time.Duration(i) * 20 * time.Second
		id := fmt.Sprintf("j%03d", i)
		if i%4 == 0 { // the culprit: 203.0.113.0/24, never polls
			all = append(all, mk(at, "POST", "/v1/exports", 202, loc("/v1/exports/"+id), client("203.0.113.7"), ua("python-requests/2.32")))
			continue
		}
		ip := fmt.Sprintf("198.51.100.%d", i)
		all = append(all, mk(at, "POST", "/v1/exports", 202, loc("/v1/exports/"+id), client(ip), ua("python-requests/2.32")))
		all = append(all, mk(at+10*time.Second, "GET", "/v1/exports/"+id, 202, client(ip)))
		all = append(all, mk(at+30*time.Second, "GET", "/v1/exports/"+id, 303, client(ip)))
	}
	for at := time.Duration(0); at < 30*minute; at += 30 * time.Second {
		all = append(all, tick(at))
	}
	s := run(t, testConfig(), all)
	var f *Finding
	for i := range s.Findings {
		if s.Findings[i].Subtype == SubNeverPolled {
			f = &s.Findings[i]
		}
	}
	if f == nil || f.Contrast == nil {
		t.Fatalf("no never_polled finding with a contrast: %+v", s.Findings)
	}
	ct := f.Contrast
	if ct.Unit != ContrastOperations || ct.Failing != 10 || ct.Total != 40 {
		t.Errorf("contrast counts %s %d of %d, want operations 10 of 40", ct.Unit, ct.Failing, ct.Total)
	}
	byName := map[string]Dimension{}
	for _, d := range ct.Dimensions {
		byName[d.Name] = d
	}
	if d := byName["client_net"]; !d.Separates || !reflect.DeepEqual(d.Set, []string{"203.0.113.0/24"}) || d.InsideRate != 1 || d.OutsideRate != 0 {
		t.Errorf("client_net: %+v", d)
	}
	for _, name := range []string{"endpoint", "method", "ua_family"} {
		if byName[name].Separates {
			t.Errorf("%s separates: %+v", name, byName[name])
		}
	}
	if f.Features["sep_client_net"] != 1 || f.Features["compared_ops"] != 40 || f.Context["set_client_net"] != "203.0.113.0/24" {
		t.Errorf("features: sep %v compared %v set %v", f.Features["sep_client_net"], f.Features["compared_ops"], f.Context["set_client_net"])
	}
	found := false
	for _, m := range ct.Missing {
		found = found || m.Name == "retry_after"
	}
	if !found {
		t.Errorf("no Retry-After logged, yet not reported missing: %+v", ct.Missing)
	}
}

// TestOpSeriesOrder: the same operations in any order give the same
// buckets, within maxOpBuckets, and the step is found where it is.
func TestOpSeriesOrder(t *testing.T) {
	type ev struct {
		t   int64
		cls int
	}
	base := int64(1_700_000_000) * 1e9
	var evs []ev
	for i := 0; i < 600; i++ { // 10 hours, one a minute: the series coarsens
		cls := -1
		if i >= 420 {
			cls = 1 // stuck from hour 7
		}
		evs = append(evs, ev{base + int64(i)*int64(time.Minute), cls})
	}
	var in, shuffled opSeries
	for _, e := range evs {
		in.add(e.t, e.cls)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	for _, e := range evs {
		shuffled.add(e.t, e.cls)
	}
	if !reflect.DeepEqual(in, shuffled) {
		t.Errorf("order changes the series: %d buckets of %v from %d against %d of %v from %d",
			len(in.b), time.Duration(in.w), in.t0, len(shuffled.b), time.Duration(shuffled.w), shuffled.t0)
	}
	if len(in.b) > maxOpBuckets {
		t.Errorf("%d buckets, cap %d", len(in.b), maxOpBuckets)
	}
	sh := in.shape(1)
	want := ts(base + 420*int64(time.Minute))
	if sh.Kind != ShapeStep || sh.At.Sub(want).Abs() > time.Duration(in.w) || sh.Before != 0 || sh.After < 0.99 {
		t.Errorf("shape %+v, want a step at %v (buckets of %v)", sh, want, time.Duration(in.w))
	}
	if sh := in.shape(0); sh.Kind == ShapeStep {
		t.Errorf("a class with no operation has a step: %+v", sh)
	}
}

// TestOpEpochsBounded: epochs merge pairwise past maxOpEpochs, values are
// capped per table, and the totals survive both.
func TestOpEpochsBounded(t *testing.T) {
	var s opEpochs
	base := int64(1_700_000_000) * 1e9
	for i := 0; i < 5000; i++ {
		e := s.at(base + int64(i)*int64(17*time.Second))
		e.dims[opDimClientNet].add(fmt.Sprintf("10.%d.%d", i/250, i%250), 1, i%2)
		e.tot.tot++
	}
	if len(s.e) > maxOpEpochs {
		t.Errorf("%d epochs, cap %d", len(s.e), maxOpEpochs)
	}
	sum := s.since(0)
	tb := &sum.dims[opDimClientNet]
	var n int64 = tb.other.tot
	for i := range tb.ents {
		n += tb.ents[i].tot
	}
	if sum.tot.tot != 5000 || n != 5000 || len(tb.ents) > opValueCap {
		t.Errorf("totals %d and %d of 5000, %d values kept (cap %d)", sum.tot.tot, n, len(tb.ents), opValueCap)
	}
	late := s.since(base + int64(4000)*int64(17*time.Second))
	if late.tot.tot >= 5000 || late.tot.tot < 1000 {
		t.Errorf("since the 4000th operation: %d operations", late.tot.tot)
	}
}

// TestOpContrastLateCompletion: stuck jobs that complete after being
// judged move to the completed ones, so the contrast follows the
// finding's count, and no count goes negative.
func TestOpContrastLateCompletion(t *testing.T) {
	var all []parse.Record
	for i := 0; i < 20; i++ {
		at := time.Duration(i) * 10 * time.Second
		ip := fmt.Sprintf("198.51.100.%d", i)
		id := fmt.Sprintf("s%03d", i)
		all = append(all, mk(at, "POST", "/v1/exports", 202, loc("/v1/exports/"+id), client(ip)))
		for p := 30 * time.Second; p <= 11*minute; p += 30 * time.Second {
			all = append(all, mk(at+p, "GET", "/v1/exports/"+id, 202, client(ip)))
		}
		if i%2 == 0 { // the queue drains: half of them finish late
			all = append(all, mk(at+12*minute, "GET", "/v1/exports/"+id, 303, client(ip)))
		}
		id = fmt.Sprintf("h%03d", i)
		all = append(all, mk(at, "POST", "/v1/imports", 202, loc("/v1/imports/"+id), client(ip)))
		all = append(all, mk(at+20*time.Second, "GET", "/v1/imports/"+id, 303, client(ip)))
	}
	for at := time.Duration(0); at < 40*minute; at += 30 * time.Second {
		all = append(all, tick(at))
	}
	s := run(t, testConfig(), all)
	var f *Finding
	for i := range s.Findings {
		if s.Findings[i].Subtype == SubStuckPending {
			f = &s.Findings[i]
		}
	}
	if f == nil || f.Contrast == nil {
		t.Fatalf("no stuck_pending finding with a contrast: %+v", s.Findings)
	}
	ct := f.Contrast
	if f.Count != 10 || ct.Failing != 10 || ct.Total != 40 {
		t.Errorf("finding %d, contrast %d of %d; want 10, 10 of 40", f.Count, ct.Failing, ct.Total)
	}
	for _, d := range ct.Dimensions {
		var fail, tot int64
		for _, v := range d.Values {
			if v.Failing < 0 || v.Total < v.Failing {
				t.Errorf("%s %s: %d of %d", d.Name, v.Value, v.Failing, v.Total)
			}
			fail, tot = fail+v.Failing, tot+v.Total
		}
		if o := d.Other; o != nil {
			fail, tot = fail+o.Failing, tot+o.Total
		}
		if fail != ct.Failing || tot != ct.Total {
			t.Errorf("%s sums to %d of %d", d.Name, fail, tot)
		}
		if d.Name == "endpoint" && (!d.Separates || d.InsideRate != 0.5) {
			t.Errorf("endpoint: %+v", d)
		}
		if d.Name == "last_poll" {
			for _, v := range d.Values {
				if v.Value == "303" && v.Total != 30 || v.Value == "202" && (v.Failing != 10 || v.Total != 10) {
					t.Errorf("last_poll %s: %d of %d", v.Value, v.Failing, v.Total)
				}
			}
		}
	}
}
