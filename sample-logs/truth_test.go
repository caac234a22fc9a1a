package samplelogs

import (
	"slices"
	"sort"
	"testing"
	"time"
)

// The demo was built to hold exactly these findings; the truth is computed
// from the generated records, so this checks the generator does what its
// comments say.
func TestDemoTruthHoldsEveryKindOfTrouble(t *testing.T) {
	tr := mustGenerate(t, Options{}).Truth

	type burstKey struct {
		kind, origin  string
		status, count int
	}
	var got []burstKey
	for _, b := range tr.Bursts {
		got = append(got, burstKey{b.Kind, b.Origin, b.Status, b.Count})
	}
	want := []burstKey{
		{"burst_5xx", "orders.example.net", 502, 17},
		{"burst_520", hostShop, 520, crash520s},
		{"burst_5xx", "www.example.org", 502, 13},
		{"burst_5xx", hostStatic, 522, 25},
		{"burst_5xx", "formats/nginx-combined.log", 504, 15},
		{"burst_5xx", "assets.example.org", 504, 12},
	}
	if !slices.Equal(got, want) {
		t.Errorf("bursts\n got %v\nwant %v", got, want)
	}

	for _, b := range tr.Bursts {
		if b.Cause == "" || b.Count < TruthBurstMin || (b.Kind == "burst_5xx" && b.Count < TruthStormMin) {
			t.Errorf("%s %s %d: cause %q, count %d", b.Kind, b.Origin, b.Status, b.Cause, b.Count)
		}
	}
	shop := tr.Bursts[1]
	if shop.Cause != "servers-failing" || !slices.Equal(shop.Values, []string{ipShop2}) {
		t.Errorf("shop planted cause %s %v", shop.Cause, shop.Values)
	}
	base := DefaultBase
	if shop.Start.Before(base.Add(crashFrom)) || shop.End.After(base.Add(crashTo)) || shop.End.Sub(shop.Start) < 2*time.Minute {
		t.Errorf("shop burst %v..%v, want within the crash window and about 3 minutes long", shop.Start, shop.End)
	}
	if !slices.Equal(shop.UpstreamsFailed, []string{ipShop2}) || !slices.Equal(shop.UpstreamsHealthy, []string{ipShop1}) {
		t.Errorf("shop upstreams failed %v healthy %v", shop.UpstreamsFailed, shop.UpstreamsHealthy)
	}
	if shop.OriginLogged != crashEmpty || shop.OriginEmpty200 != crashEmpty || shop.OriginMissing != crash520s-crashEmpty {
		t.Errorf("shop join logged %d empty200 %d missing %d", shop.OriginLogged, shop.OriginEmpty200, shop.OriginMissing)
	}
	if shop.ErrorsBefore != 4 || shop.OriginStatusZero != crash520s || shop.Relayed != 0 {
		t.Errorf("shop errors before %d, origin status zero %d, relayed %d", shop.ErrorsBefore, shop.OriginStatusZero, shop.Relayed)
	}
	if shop.Share < 0.3 || shop.Share > 0.7 {
		t.Errorf("shop share %.2f, want about half (one of two origins failing)", shop.Share)
	}

	type asyncKey struct {
		origin, endpoint, subtype string
		count                     int
	}
	var gotAsync []asyncKey
	for _, g := range tr.Async {
		gotAsync = append(gotAsync, asyncKey{g.Origin, g.Endpoint, g.Subtype, g.Count})
	}
	wantAsync := []asyncKey{
		{hostAPI, "POST /v1/events", OutcomeFireAndForget, demoEvents},
		{hostAPI, "POST /v1/exports", OutcomeClientGaveUp, 3},
		{hostAPI, "POST /v1/exports", OutcomeStuckPending, 3},
		{hostAPI, "POST /v1/imports", OutcomeStatusError, 3},
		{hostAPI, "POST /v1/imports", OutcomeStatusLost, 3},
		{hostAPI, "POST /v1/reports", OutcomeNeverPolled, 4},
		{hostAPI, "POST /v1/reports", OutcomePollRejected, 3},
		{"billing.example.org", "POST /v2/invoices/render", OutcomeNeverPolled, 3},
		{"files.example.net", "POST /api/convert", OutcomeStatusError, 2},
		{"formats/apache-common.log", "POST /jobs", OutcomeStatusLost, 2},
		{"formats/cri-ingress.log", "POST /api/exports", OutcomeNeverPolled, 3},
		{"formats/docker-json.log", "POST /api/v1/thumbnails", OutcomePollRejected, 2},
		{"formats/nginx-combined.log", "POST /api/v2/exports", OutcomeStuckPending, 2},
		{"media.example.net", "POST /v1/transcode", OutcomeClientGaveUp, 2},
		{"www.example.org", "POST /api/reports", OutcomePollRejected, 2},
	}
	if !slices.Equal(gotAsync, wantAsync) {
		t.Errorf("async groups\n got %v\nwant %v", gotAsync, wantAsync)
	}
	if tr.Inflight != 9 || tr.InflightFireAndForget != 7 {
		t.Errorf("inflight %d (fire-and-forget %d), want 9 (7)", tr.Inflight, tr.InflightFireAndForget)
	}

	// Near misses stay near misses.
	for _, e := range tr.Errors {
		switch {
		case e.Origin == hostAPI && e.Status == 520:
			if e.Count != 9 || e.Max60s != 4 {
				t.Errorf("api 520s: %d, at most %d in 60 s; want 9 and a near-miss of 4", e.Count, e.Max60s)
			}
		case e.Origin == hostStatic && e.Status == 520:
			if e.Count != 5 || e.Max60s != 1 {
				t.Errorf("static 520s: %d, at most %d in 60 s; want 5 spread thin", e.Count, e.Max60s)
			}
		}
	}
	if tr.Newest.Sub(tr.Oldest) < 40*time.Minute || tr.Newest.Sub(tr.Oldest) > 60*time.Minute {
		t.Errorf("traffic spans %v, want 40-60 minutes", tr.Newest.Sub(tr.Oldest))
	}
}

// classify applies the definitions to one operation, independently
// of how the generator meant it: what the engine must conclude at J.
func classify(op *Op, newest time.Time, fireAndForget bool) string {
	j := op.Opened().Add(TruthPendingTimeout)
	for _, p := range op.Polls {
		if p.Time.After(j) {
			break
		}
		switch {
		case p.Status == 200 || p.Status == 201 || p.Status == 204 || p.Status == 303:
			return OutcomeCompleted
		case p.Status == 404 && op.Open.Method == "DELETE":
			return OutcomeCompleted
		}
	}
	if !newest.After(j) {
		return OutcomeInflight
	}
	if fireAndForget {
		return OutcomeFireAndForget
	}
	var polls []*Request
	for _, p := range op.Polls {
		if !p.Time.After(j) {
			polls = append(polls, p)
		}
	}
	if len(polls) == 0 {
		return OutcomeNeverPolled
	}
	last := polls[len(polls)-1]
	switch s := last.Status; {
	case s == 404 || s == 410:
		return OutcomeStatusLost
	case s >= 500:
		return OutcomeStatusError
	case s >= 400:
		return OutcomePollRejected
	}
	g := time.Minute
	if len(polls) > 1 {
		var gaps []time.Duration
		for i := 1; i < len(polls); i++ {
			gaps = append(gaps, polls[i].Time.Sub(polls[i-1].Time))
		}
		sort.Slice(gaps, func(a, b int) bool { return gaps[a] < gaps[b] })
		g = max(g, 3*gaps[len(gaps)/2])
	}
	if !last.Time.Before(j.Add(-g)) {
		return OutcomeStuckPending
	}
	return OutcomeClientGaveUp
}

func TestOperationsMeetTheirDefinitions(t *testing.T) {
	set := mustGenerate(t, Options{})
	newest := set.Truth.Newest
	ff := map[string]bool{}
	for _, e := range set.Truth.Endpoints {
		if e.Ops >= 20 && float64(e.Polled) < 0.05*float64(e.Ops) {
			ff[e.Origin+" "+e.Endpoint] = true
		}
	}
	for _, op := range set.Ops {
		got := classify(op, newest, ff[op.Origin+" "+op.Endpoint])
		want := op.Outcome
		if want == OutcomeFireAndForget && !judged(op, newest) {
			want = OutcomeInflight
		}
		if got != want {
			t.Errorf("%s %s opened %s: classified %s, built as %s", op.Origin, op.Endpoint, op.Opened().Format(time.TimeOnly), got, op.Outcome)
		}
		for _, p := range op.Polls {
			if p.Method != "GET" || p.ClientIP != op.Open.ClientIP || p.UserAgent != op.Open.UserAgent {
				t.Errorf("%s %s: poll %s %s not a GET by the opening client", op.Origin, op.Endpoint, p.Method, p.Path)
			}
			if !p.Time.After(op.Opened()) {
				t.Errorf("%s %s: poll before its 202", op.Origin, op.Endpoint)
			}
		}
		if op.Open.Status != 202 || len(op.Files) == 0 {
			t.Errorf("%s %s: opened with %d, files %v", op.Origin, op.Endpoint, op.Open.Status, op.Files)
		}
	}
}

func TestDenseRunsFollowTheDefinition(t *testing.T) {
	at := func(secs ...int) []time.Time {
		var ts []time.Time
		for _, s := range secs {
			ts = append(ts, DefaultBase.Add(time.Duration(s)*time.Second))
		}
		return ts
	}
	tests := []struct {
		name string
		ts   []time.Time
		want [][2]int
	}{
		{"four in a window", at(0, 10, 20, 30), nil},
		{"five within exactly W", at(0, 15, 30, 45, 60), [][2]int{{0, 4}}},
		{"five just over W", at(0, 15, 30, 45, 61), nil},
		{"spread thin", at(0, 70, 140, 210, 280, 350), nil},
		{"sparse lead-in is not dense", at(0, 100, 110, 120, 130, 140), [][2]int{{1, 5}}},
		{"two bursts apart", at(0, 1, 2, 3, 4, 200, 201, 202, 203, 204), [][2]int{{0, 4}, {5, 9}}},
		{"one run bridged within W", at(0, 1, 2, 3, 4, 50, 51, 52, 53, 54), [][2]int{{0, 9}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := denseRuns(tt.ts, TruthBurstWindow, TruthBurstMin)
			if !slices.Equal(got, tt.want) {
				t.Errorf("denseRuns = %v, want %v", got, tt.want)
			}
		})
	}
}
