package rules

import "testing"

// TestPollTransitions walks the poll statuses the domain notes name through
// each poll mode: which complete an operation, and the sub-type of an
// operation judged at J with that status as its last poll.
func TestPollTransitions(t *testing.T) {
	cases := []struct {
		st                   int
		byStatus, body, dele bool // completes the operation in that mode
		failed               string
	}{
		{st: 202},
		{st: 100},
		{st: 302},
		{st: 304},
		{st: 200, byStatus: true},
		{st: 201, byStatus: true, body: true},
		{st: 303, byStatus: true, body: true},
		{st: 204, byStatus: true, body: true, dele: true},
		{st: 404, dele: true, failed: SubStatusLost},
		{st: 410, dele: true, failed: SubStatusLost},
		{st: 500, failed: SubStatusError},
		{st: 502, failed: SubStatusError},
		{st: 520, failed: SubStatusError},
		{st: 524, failed: SubStatusError},
		{st: 400, failed: SubPollRejected},
		{st: 401, failed: SubPollRejected},
		{st: 429, failed: SubPollRejected},
		{st: 499, failed: SubPollRejected},
		{st: 0, failed: SubPollRejected},
	}
	modes := []struct {
		name string
		op   op
		want func(c int) bool
	}{
		{"status", op{linkedBy: linkHeader}, func(i int) bool { return cases[i].byStatus }},
		{"body", op{linkedBy: linkHeader, body: true}, func(i int) bool { return cases[i].body }},
		{"delete", op{linkedBy: linkSamePath, isDelete: true}, func(i int) bool { return cases[i].dele }},
		// a DELETE linked by its Location header is polled like any other
		{"delete by header", op{linkedBy: linkHeader, isDelete: true}, func(i int) bool { return cases[i].byStatus }},
	}
	for i, c := range cases {
		for _, m := range modes {
			got := pollNext[m.op.pollMode()][statusClass(c.st)] == completeNow
			if got != m.want(i) {
				t.Errorf("%d in mode %s: completes %v, want %v", c.st, m.name, got, !got)
			}
		}
		if got := failedSub[statusClass(c.st)]; got != c.failed {
			t.Errorf("%d judged at J: %q, want %q", c.st, got, c.failed)
		}
	}
}
