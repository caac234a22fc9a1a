package input

import (
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// The sorter's hold is bounded in bytes as well as records: a busy stream
// of long lines (1,000 a second, 1,200 bytes each, the window alone would
// hold 120k records) holds no more than heldBytes of records and lines,
// short lines may hold more records, and disorder within what is held is
// still repaired (nothing late).
func TestSorterHeldBoundedInBytes(t *testing.T) {
	tests := []struct {
		name     string
		lineLen  int64
		wantMost int
	}{
		{"logpush", 1200, int(heldBytes / (1200 + recordBytes))},
		{"combined", 180, int(heldBytes / (180 + recordBytes))},
		{"huge lines keep a floor", 1 << 20, minHeld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []int64
			s := newSorter(120e9, 100_000, func(seg segment) bool {
				for _, r := range seg.recs {
					out = append(out, r.Time)
				}
				return true
			})
			const n, batchN = 60_000, 100
			most := 0
			for i := 0; i < n; i += batchN {
				batch := make([]parse.Record, batchN)
				for j := range batch {
					k := int64(i + j)
					batch[j].Offset = k * tt.lineLen
					batch[j].Time = k * 1e6 // 1,000 a second
					if j == batchN/2 {
						batch[j].Time -= 2e9 // 2 s early: within what is held
					}
				}
				s.add(batch, nil)
				most = max(most, s.held)
			}
			s.flush()
			if len(out) != n || s.late != 0 {
				t.Fatalf("%d of %d out, %d late", len(out), n, s.late)
			}
			if most > tt.wantMost+batchN || most < tt.wantMost-batchN {
				t.Fatalf("held at most %d records, want about %d", most, tt.wantMost)
			}
			for i := 1; i < len(out); i++ {
				if out[i] < out[i-1] {
					t.Fatalf("out of order at %d", i)
				}
			}
		})
	}
}
