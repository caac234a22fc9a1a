package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"slices"
	"sort"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/formats"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// The Detector contract says detectors must not depend on the order in
// which they see a record: each keeps its own state. On the bundled demo
// (every finding kind, edge and origin logs, the join), every order of
// registration gives the same snapshot, also when the findings cap (the
// engine's, applied through the interface) drops findings.
func TestDetectorOrderDoesNotMatter(t *testing.T) {
	recs := demoRecords(t)
	run := func(cfg Config, order []int) (*Snapshot, []byte) {
		e := NewEngine(cfg)
		ds := e.detectors
		e.detectors = nil
		for _, i := range order {
			e.detectors = append(e.detectors, ds[i])
		}
		for b := slices.Clone(recs); len(b) > 0; {
			n := min(len(b), 4096)
			e.Add(b[:n])
			b = b[n:]
		}
		s := e.Finish()
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return s, out
	}
	capped := DefaultConfig()
	capped.MaxFindings = 14
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"uncapped", DefaultConfig()}, {"capped", capped}} {
		t.Run(tc.name, func(t *testing.T) {
			s, want := run(tc.cfg, []int{0, 1, 2})
			kinds := map[Kind]bool{}
			for _, f := range s.Findings {
				kinds[f.Kind] = true
			}
			if tc.cfg.MaxFindings < DefaultConfig().MaxFindings {
				// the cap must choose between detectors' findings
				if s.DroppedFindings == 0 || len(kinds) < 2 {
					t.Fatalf("%d dropped, kinds %v: the test would prove nothing", s.DroppedFindings, kinds)
				}
			} else if !kinds[KindBurst520] || !kinds[KindBurst5xx] || !kinds[KindIncomplete202] {
				t.Fatalf("the demo lacks a finding kind (%v): the test would prove nothing", kinds)
			}
			for _, order := range [][]int{{2, 1, 0}, {1, 2, 0}, {2, 0, 1}} {
				if _, got := run(tc.cfg, order); !bytes.Equal(got, want) {
					t.Errorf("detectors in order %v give another snapshot", order)
				}
			}
		})
	}
}

// demoRecords reads the bundled demo logs as the no-argument run does:
// each file by its manifest format, merged by time.
func demoRecords(t *testing.T) []parse.Record {
	t.Helper()
	var recs []parse.Record
	for _, f := range samplelogs.Files() {
		p, err := formats.New(f.Format)
		if err != nil {
			t.Fatal(err)
		}
		data, err := fs.ReadFile(samplelogs.FS, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var r parse.Record
			r.Reset()
			if err := p.Parse(bytes.TrimSuffix(line, []byte("\r")), &r); errors.Is(err, parse.ErrIgnored) {
				continue
			} else if err != nil {
				t.Fatalf("%s:%d: %v", f.Name, i+1, err)
			}
			r.Input, r.Line = f.Name, int64(i+1)
			recs = append(recs, r)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time < recs[j].Time })
	return recs
}
