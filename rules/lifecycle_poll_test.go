package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// A judged operation's samples are its opening, its first poll and its
// last two polls, each with its own request id and (for stdin, whose lines
// cannot be read again) its raw line, capped: the last polls' buffers are
// reused from poll to poll, so a sample must not see a later poll's text.
func TestLastPollSamplesKeepTheirText(t *testing.T) {
	long := strings.Repeat("x", 2*rawCap)
	var recs []parse.Record
	for k, id := range []string{"a1", "b2"} { // two operations: buffers of released slots are reused
		at := time.Duration(k) * time.Hour
		for i, r := range job(id, at, polls(202, 10*time.Second, 10*time.Second, 6)...) {
			r.Input = "-"
			r.RequestID = fmt.Sprintf("%s-rid-%d", id, i)
			r.Raw = fmt.Sprintf("%s line %d %s", id, i, long[:i*300])
			recs = append(recs, r)
		}
		recs = append(recs, tick(at+20*minute))
	}
	s := run(t, testConfig(), recs)
	var got []string
	for _, f := range s.Findings {
		for _, smp := range f.Samples {
			got = append(got, fmt.Sprintf("%s %s %d", smp.Role, smp.RequestID, len(smp.Raw)))
			if want := smp.RequestID[:2] + " line " + smp.RequestID[len(smp.RequestID)-1:]; !strings.HasPrefix(smp.Raw, want) {
				t.Errorf("sample %s: raw %.20q", smp.RequestID, smp.Raw)
			}
		}
	}
	want := "[open a1-rid-0 10 poll a1-rid-1 310 poll a1-rid-6 1024 poll a1-rid-5 1024 " +
		"open b2-rid-0 10 poll b2-rid-1 310 poll b2-rid-6 1024 poll b2-rid-5 1024]"
	if fmt.Sprint(got) != want {
		t.Errorf("samples\n %v\nwant\n %v", got, want)
	}
}

// Pending polls of open operations, each with a request id (Logpush's
// RayID): the lifecycle's per-poll cost.
func BenchmarkPendingPolls(b *testing.B) {
	const ops = 1000
	e := NewEngine(testConfig())
	var open []parse.Record
	for i := 0; i < ops; i++ {
		open = append(open, mk(0, "POST", "/v1/exports", 202, loc(fmt.Sprintf("/v1/exports/%d", i))))
	}
	e.Add(open)
	batch := make([]parse.Record, ops)
	for i := range batch {
		batch[i] = mk(time.Second, "GET", fmt.Sprintf("/v1/exports/%d", i), 202, rid(fmt.Sprintf("8f%014x", i)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n += ops {
		for i := range batch {
			batch[i].Time++ // polls go on, within J
			batch[i].Dims = parse.DimKeys{}
		}
		e.Add(batch)
	}
}
