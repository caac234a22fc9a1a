package tui

import (
	"fmt"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/rules"
)

// BenchmarkViewRecent renders the recent-requests screen with the ring at
// 1,000 and full at 100,000 records: the cost must follow the visible rows
// (the same at both sizes), not the ring.
func BenchmarkViewRecent(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("ring=%d", n), func(b *testing.B) {
			opts := fixtureOptions(fixtureUpdate())
			opts.Recent = fixtureRing(n, n)
			m := newDriven(b, opts, 120, 40)
			drive(b, m, runes("r"))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_ = m.View()
			}
		})
	}
}

// BenchmarkViewFindings renders the findings list and the overview with
// 100, 1,000 and 10,000 findings (each fills the screen, so the cost must stay flat).
func BenchmarkViewFindings(b *testing.B) {
	for _, n := range []int{100, 1_000, 10_000} {
		u := manyFindings(n)
		for _, screen := range []string{"overview", "findings"} {
			b.Run(fmt.Sprintf("%s/findings=%d", screen, n), func(b *testing.B) {
				m := newDriven(b, fixtureOptions(u), 120, 40)
				if screen == "findings" {
					drive(b, m, keyEnter)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					_ = m.View()
				}
			})
		}
	}
}

// BenchmarkSnapshotUpdate is the cost of taking a new snapshot with 1,000
// findings while the findings list is open (it regroups and re-sorts).
func BenchmarkSnapshotUpdate(b *testing.B) {
	u := manyFindings(1_000)
	m := newDriven(b, fixtureOptions(u), 120, 40)
	drive(b, m, keyEnter)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(updateMsg{u})
	}
}

// manyFindings is the fixture with n findings over n/4 origins.
func manyFindings(n int) Update {
	u := fixtureUpdate()
	base := u.Snapshot.Findings
	snap := *u.Snapshot
	snap.Findings = make([]rules.Finding, 0, n)
	origins := map[string]bool{}
	snap.Origins = nil
	for i := 0; i < n; i++ {
		f := base[i%len(base)]
		f.ID = fmt.Sprintf("%s/%d", f.ID, i)
		f.Origin = fmt.Sprintf("origin-%03d.example.com", i/4)
		f.Start = f.Start.Add(time.Duration(i) * time.Second)
		snap.Findings = append(snap.Findings, f)
		if !origins[f.Origin] {
			origins[f.Origin] = true
			snap.Origins = append(snap.Origins, rules.OriginSummary{Origin: f.Origin, Findings: 4, Worst: f.Severity, Count: f.Count})
		}
	}
	u.Snapshot = &snap
	return u
}
