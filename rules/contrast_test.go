package rules

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// dv is a value with span counts and healthy baseline counts.
func dv(v string, failing, total, baseTotal int64) DimensionValue {
	return DimensionValue{Value: v, Failing: failing, Total: total, BaselineTotal: baseTotal}
}

func TestComputeDimension(t *testing.T) {
	cases := []struct {
		name     string
		values   []DimensionValue
		set      []string
		sep      bool
		inRate   float64
		outRate  float64
		minScore float64
		maxScore float64
	}{
		{"colo subset: FRA and AMS always fail, the rest never",
			[]DimensionValue{dv("FRA", 412, 412, 400), dv("AMS", 398, 398, 390), dv("LHR", 0, 405, 410),
				dv("CDG", 0, 390, 380), dv("IAD", 1, 420, 400), dv("SJC", 0, 380, 390)},
			[]string{"FRA", "AMS"}, true, 1, 0.0006, 0.5, 1},
		{"upstream subset: one of three servers",
			[]DimensionValue{dv("10.0.0.2", 300, 310, 300), dv("10.0.0.1", 2, 300, 310), dv("10.0.0.3", 0, 305, 290)},
			[]string{"10.0.0.2"}, true, 0.9677, 0.0033, 0.5, 1},
		{"route subset: /account/{id} fails, the busy routes do not",
			[]DimensionValue{dv("/account/{id}", 150, 150, 140), dv("/", 0, 900, 880), dv("/products/{id}", 0, 700, 720), dv("/cart", 0, 300, 310)},
			[]string{"/account/{id}"}, true, 1, 0, 0.8, 1},
		{"trickle on reused connections: a low share, ~0 on new ones",
			[]DimensionValue{dv("reused", 60, 3000, 3000), dv("new", 0, 1000, 1000)},
			[]string{"reused"}, true, 0.02, 0, 0.1, 1},
		{"nothing separates: every data centre fails alike",
			[]DimensionValue{dv("FRA", 120, 400, 400), dv("AMS", 118, 390, 400), dv("LHR", 125, 410, 400), dv("CDG", 119, 400, 400)},
			[]string{"LHR", "FRA", "CDG", "AMS"}, false, 0.3013, 0, 0, 0.01},
		{"a step: everything fails, the set is every value",
			[]DimensionValue{dv("GET", 900, 905, 900), dv("POST", 100, 100, 100)},
			[]string{"GET", "POST"}, false, 0.995, 0, 0, 0.1},
		{"too few outside: 13 healthy of 1761 do not make a separation",
			[]DimensionValue{dv("<20ms", 1748, 1748, 0), dv("0.5-5s", 0, 13, 2000)},
			[]string{"<20ms"}, false, 1, 0, 0, 1},
		{"a weak gap is not a separation (25% inside, 1% outside)",
			[]DimensionValue{dv("dynamic", 1500, 6000, 6000), dv("hit", 8, 800, 800)},
			[]string{"dynamic"}, false, 0.25, 0.01, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := computeDimension(dimCounts{name: "x", label: "x", values: tc.values})
			if !reflect.DeepEqual(d.Set, tc.set) {
				t.Errorf("set %v, want %v", d.Set, tc.set)
			}
			if d.Separates != tc.sep {
				t.Errorf("separates %v, want %v (%+v)", d.Separates, tc.sep, d)
			}
			if math.Abs(d.InsideRate-tc.inRate) > 0.001 || math.Abs(d.OutsideRate-tc.outRate) > 0.001 {
				t.Errorf("rates in %.4f out %.4f, want %.4f %.4f", d.InsideRate, d.OutsideRate, tc.inRate, tc.outRate)
			}
			if d.Coverage < coverageGoal-1e-9 && tc.sep {
				t.Errorf("coverage %.3f", d.Coverage)
			}
			if d.Score < tc.minScore || d.Score > tc.maxScore {
				t.Errorf("score %.4f, want %.2f..%.2f", d.Score, tc.minScore, tc.maxScore)
			}
		})
	}
}

// The set covers >= 80% of the failures with as few values as possible,
// then takes in the values that fail alike.
func TestSmallestCoveringSet(t *testing.T) {
	d := computeDimension(dimCounts{name: "x", values: []DimensionValue{
		dv("a", 50, 50, 0), dv("b", 30, 30, 0), dv("c", 15, 100, 0), dv("d", 5, 1000, 0)}})
	if !reflect.DeepEqual(d.Set, []string{"a", "b"}) || d.Coverage != 0.8 {
		t.Fatalf("set %v coverage %v", d.Set, d.Coverage)
	}
	// three data centres failing at 100%: two cover 80%, the third fails
	// alike and joins them, so the outside stays clean and the split shows
	d = computeDimension(dimCounts{name: "x", values: []DimensionValue{
		dv("FRA", 500, 500, 0), dv("LHR", 400, 400, 0), dv("CDG", 120, 120, 0),
		dv("AMS", 0, 450, 0), dv("IAD", 0, 430, 0), dv("one-request", 1, 1, 0)}})
	if !reflect.DeepEqual(d.Set, []string{"FRA", "LHR", "CDG"}) || !d.Separates {
		t.Fatalf("alike values: set %v separates %v", d.Set, d.Separates)
	}
	// failures hidden in the capped rest: the kept values cannot cover them
	d = computeDimension(dimCounts{name: "x", values: []DimensionValue{dv("a", 10, 100, 0)},
		other: DimensionValue{Failing: 90, Total: 900}})
	if d.Separates || d.Coverage >= coverageGoal {
		t.Fatalf("other holds the failures: %+v", d)
	}
}

func TestShapeOf(t *testing.T) {
	flat := func(n int, fail, tot int64) []fine {
		out := make([]fine, n)
		for i := range out {
			out[i] = fine{idx: int64(i), fail: [numClasses]int64{fail}, tot: tot}
		}
		return out
	}
	ramp := make([]fine, 16)
	for i := range ramp {
		ramp[i] = fine{idx: int64(i), fail: [numClasses]int64{int64(2 + 4*i)}, tot: 100}
	}
	cases := []struct {
		name              string
		baseFail, baseTot int64
		fines             []fine
		want              string
	}{
		{"step: 0% before, ~100% after", 0, 3000, flat(30, 98, 100), ShapeStep},
		{"trickle: 2% before and 2% through", 60, 3000, flat(60, 2, 100), ShapeTrickle},
		{"ramp: 2% rising to 62%", 10, 3000, ramp, ShapeRamp},
		{"spike: a short dense run", 0, 3000, flat(6, 40, 100), ShapeSpike},
		{"a jump to 24% from 0.8% is no trickle", 24, 3000, flat(60, 24, 100), ShapeUnknown},
		{"too few requests", 0, 3000, flat(3, 1, 2), ShapeUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := shapeOf(tc.baseFail, tc.baseTot, tc.fines, class520, 1, t0.UnixNano())
			if s.Kind != tc.want {
				t.Fatalf("shape %+v, want %s", s, tc.want)
			}
		})
	}
}

// A full table keeps the values of smallest hash whatever the order.
func TestCapTableOrderIndependent(t *testing.T) {
	vals := make([]string, 300)
	for i := range vals {
		vals[i] = fmt.Sprintf("/route/%d", i)
	}
	build := func(seed uint64) capTable {
		r := rand.New(rand.NewPCG(seed, 1))
		tb := newCapTable(64)
		order := r.Perm(len(vals) * 3)
		for _, k := range order {
			v := vals[k%len(vals)]
			tb.add(v, 1, k%2-1) // every other one a 520
		}
		return tb
	}
	a, b := build(1), build(2)
	var sa, sb []valCount
	var oa, ob valCount
	sa = a.summarize(sa, &oa, 16)
	sb = b.summarize(sb, &ob, 16)
	if !reflect.DeepEqual(sa, sb) || oa != ob {
		t.Fatalf("summaries differ:\n%v %v\n%v %v", sa, oa, sb, ob)
	}
	if len(a.ents) != 64 || a.other.tot != 3*(300-64) {
		t.Fatalf("kept %d, other %d", len(a.ents), a.other.tot)
	}
}

// The contrast of a burst is the same whether its origin's healthy traffic
// comes record by record or as per-second GROUP BY aggregates (Count).
func TestContrastSameFromAggregates(t *testing.T) {
	colos := []string{"FRA", "AMS", "LHR", "CDG", "IAD", "SJC", "NRT", "SIN"}
	paths := []string{"/", "/products/1", "/products/2", "/cart", "/account/7/orders"}
	var single, agg []parse.Record
	for s := 0; s < 20*60; s++ { // 20 minutes, 8 colos x 5 paths, 2 of each a second
		for ci, c := range colos {
			for pi, p := range paths {
				st := 200
				failing := s >= 17*60 && (c == "FRA" || c == "AMS")
				if failing {
					st = 520
				}
				r := mk(time.Duration(s)*time.Second+time.Duration(ci*5+pi)*time.Millisecond, "GET", p, st,
					host("shop.example.com"), pop(c), edge(), client(fmt.Sprintf("198.51.100.%d", pi)), ua("curl/8"))
				if failing {
					// errors stay single records (the ClickHouse source sends them so)
					single = append(single, r, r)
					agg = append(agg, r, r)
					continue
				}
				single = append(single, r, r)
				r.Count = 2
				agg = append(agg, r)
			}
		}
	}
	ca := contrastOf(t, single)
	cb := contrastOf(t, agg)
	if !reflect.DeepEqual(ca, cb) {
		t.Fatalf("contrast differs:\nrecords    %+v\naggregates %+v", ca, cb)
	}
	var colo *Dimension
	for i := range ca.Dimensions {
		if ca.Dimensions[i].Name == "colo" {
			colo = &ca.Dimensions[i]
		}
	}
	if colo == nil || !colo.Separates || !reflect.DeepEqual(colo.Set, []string{"AMS", "FRA"}) {
		t.Fatalf("colo %+v", colo)
	}
	if ca.Shape.Kind != ShapeUnknown && ca.Shape.Kind != ShapeStep && ca.Shape.Kind != ShapeSpike {
		t.Errorf("shape %+v", ca.Shape)
	}
}

func contrastOf(t *testing.T, recs []parse.Record) *Contrast {
	t.Helper()
	s := run(t, testConfig(), recs)
	b := findingsOf(s, KindBurst520)
	if len(b) != 1 || b[0].Contrast == nil {
		t.Fatalf("bursts %d", len(b))
	}
	return b[0].Contrast
}

func TestBinomTail(t *testing.T) {
	cases := []struct {
		k, n   int64
		p      float64
		lo, hi float64 // log10 bounds
	}{
		{5, 10, 0.5, 0, 0},              // at the mean: not in the upper tail
		{10, 10, 0.5, -3.02, -3.00},     // 2^-10
		{40, 3600, 0.005, -5.31, -5.29}, // 18 expected, 40 seen (exact: -5.30)
		{18, 3600, 0.005, -0.5, 0},      // the mean
		{3, 1000, 0, math.Inf(-1), math.Inf(-1)},
	}
	for _, tc := range cases {
		got := binomTailLog10(tc.k, tc.n, tc.p)
		if tc.k == 5 {
			// at the mean the tail is reported as not significant (0)
			if got != 0 {
				t.Errorf("tail(%d,%d,%g) = %g, want 0", tc.k, tc.n, tc.p, got)
			}
			continue
		}
		if got < tc.lo || got > tc.hi {
			t.Errorf("tail(%d,%d,%g) = %g, want %g..%g", tc.k, tc.n, tc.p, got, tc.lo, tc.hi)
		}
	}
}

// The contrast is the same whether closed buckets are summarized when
// read or as they close, whether a bucket's routes, segments and networks
// are logged and counted when read or counted as they come (or logged
// until the log budget runs out mid-bucket), and whether the parse workers
// filled the records' keys (light or all) or the engine works them out:
// on the benchmark file's traffic, with its planted storms.
func TestContrastSameLazyEagerKeyed(t *testing.T) {
	recs := contrastFileRecords()
	light, keyed := slices.Clone(recs), slices.Clone(recs)
	var k parse.DimKeyer
	for i := range light {
		k.Fill(&light[i])
		keyed[i].Dims = k.Keys(&keyed[i])
	}
	const (
		eager = iota // every bucket summarized as it closes, nothing logged
		lazy         // the defaults
		short        // a log budget that runs out mid-bucket
	)
	contrasts := func(recs []parse.Record, mode int) []*Contrast {
		e := NewEngine(testConfig())
		switch mode {
		case eager:
			e.dimShared.vals = make([]dictSlot, dictSlots) // rawLimit, logLimit stay 0
		case short:
			e.dimShared.vals = make([]dictSlot, dictSlots)
			e.dimShared.rawLimit, e.dimShared.logLimit = maxRawValues, 5000
		}
		e.Add(recs)
		checkLogBudget(t, e)
		var out []*Contrast
		for _, f := range e.Finish().Findings {
			if f.Contrast != nil {
				out = append(out, f.Contrast)
			}
		}
		return out
	}
	want := contrasts(recs, eager)
	if len(want) == 0 {
		t.Fatal("no contrast to compare")
	}
	for _, tc := range []struct {
		name string
		recs []parse.Record
		mode int
	}{
		{"lazy", recs, lazy}, {"light, lazy", light, lazy}, {"keyed, lazy", keyed, lazy},
		{"light, eager", light, eager}, {"keyed, eager", keyed, eager}, {"light, short log", light, short},
	} {
		if got := contrasts(tc.recs, tc.mode); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: contrasts differ from eager, unkeyed", tc.name)
		}
	}
}

// checkLogBudget checks the log budget's accounting: it holds the closed
// buckets' logs and each live log's reserved room (its bytes included),
// within the bound.
func checkLogBudget(t *testing.T, e *Engine) {
	t.Helper()
	held := 0
	for _, o := range e.origins {
		c := o.dims
		if c == nil {
			continue
		}
		if c.log.size() > logKeepBytes || c.logRoom < 0 {
			t.Errorf("live log of %d bytes, %d more reserved", c.log.size(), c.logRoom)
		}
		held += c.log.size() + c.logRoom
		for i := range c.ring {
			held += c.ring[i].log.size()
		}
	}
	if sh := &e.dimShared; sh.logBytes != held || sh.logBytes > sh.logLimit {
		t.Errorf("log budget: %d bytes counted, %d held, bound %d", sh.logBytes, held, sh.logLimit)
	}
}

// Records the log cannot hold (standing for more requests than a log
// entry counts, with a path or address longer than it measures) are
// counted as they come, with the bucket's log so far, and runs of records
// from one input are counted at once: the contrast is the same as when
// nothing is logged or grouped.
func TestContrastLogFallbacks(t *testing.T) {
	recs := slices.Clone(contrastFileRecords())
	long := "/" + strings.Repeat("a", 70_000)
	for i := range recs {
		recs[i].Host = "www.example.com" // one origin, whatever the input
		switch i % 97 {
		case 5:
			recs[i].Path = long
		case 11:
			recs[i].ClientIP = strings.Repeat("f", 300)
		case 17:
			recs[i].Count = 1 << 33
		case 23, 24, 25:
			recs[i].Input = "other.log" // runs of another input between the file's
		}
	}
	contrasts := func(eager bool) []*Contrast {
		e := NewEngine(testConfig())
		if eager {
			e.dimShared.vals = make([]dictSlot, dictSlots)
		}
		e.Add(recs)
		var out []*Contrast
		for _, f := range e.Finish().Findings {
			if f.Contrast != nil {
				out = append(out, f.Contrast)
			}
		}
		return out
	}
	want, got := contrasts(true), contrasts(false)
	if len(want) == 0 {
		t.Fatal("no contrast to compare")
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("contrasts differ from eager")
	}
}

// A bucket's input table counts runs of records from one input at once:
// the same values and counts as a table fed record by record, past its cap
// too (300 inputs, 256 kept, the rest in Other).
func TestInputRunsCountLikeRecords(t *testing.T) {
	e := NewEngine(testConfig())
	c := newDimCounter(e)
	ref := newCapTable(liveLimit)
	for i := 0; i < 3000; i++ {
		var r parse.Record
		r.Reset()
		r.Time = t0.UnixNano() + int64(i)*int64(time.Millisecond) // one bucket
		r.Input = fmt.Sprintf("in-%d.log", (i/3*7)%300)           // runs of 3
		r.Status = 200
		if i%7 == 0 {
			r.Status = 502
		}
		c.add(e, &r)
		ref.add(r.Input, r.N(), classOf(r.Status))
	}
	c.flushInput()
	got, want := &c.live[dimInput], &ref
	if got.other != want.other || len(got.ents) != len(want.ents) {
		t.Fatalf("other %+v, %d values; want %+v, %d", got.other, len(got.ents), want.other, len(want.ents))
	}
	for i := range want.ents {
		w, g := want.ents[i], got.ents[i]
		if g.v != w.v || g.fail != w.fail || g.tot != w.tot {
			t.Errorf("value %d: %q %v %d, want %q %v %d", i, g.v, g.fail, g.tot, w.v, w.fail, w.tot)
		}
	}
	if want.other.tot == 0 {
		t.Error("the test must pass the table's cap")
	}
}

// The dimensions read in the order an engineer asks: the separating ones
// first, and among them where the failures are (server, data centre,
// route) before how they failed (connection, header wait), however the
// scores compare; then by score and name.
func TestOrderDimensions(t *testing.T) {
	dim := func(name string, sep bool, score float64) Dimension {
		return Dimension{Name: name, Separates: sep, Score: score}
	}
	for _, tc := range []struct {
		name string
		in   []Dimension
		want []string
	}{
		{"place before mode", []Dimension{dim("header_wait", true, 0.92), dim("connection", true, 0.46), dim("upstream", true, 0.44)},
			[]string{"upstream", "header_wait", "connection"}},
		{"only modes separate", []Dimension{dim("route", false, 0.3), dim("connection", true, 0.5), dim("header_wait", true, 0.7)},
			[]string{"header_wait", "connection", "route"}},
		{"non-separating by score, mode or not", []Dimension{dim("route", false, 0.1), dim("header_wait", false, 0.2), dim("colo", true, 0.1)},
			[]string{"colo", "header_wait", "route"}},
		{"ties by name", []Dimension{dim("route", true, 0.5), dim("colo", true, 0.5)}, []string{"colo", "route"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orderDimensions(tc.in)
			var got []string
			for _, d := range tc.in {
				got = append(got, d.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("order %v, want %v", got, tc.want)
			}
		})
	}
}
