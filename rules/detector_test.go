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
// registration gives the same snapshot.
func TestDetectorOrderDoesNotMatter(t *testing.T) {
	recs := demoRecords(t)
	run := func(order []int) []byte {
		e := NewEngine(DefaultConfig())
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
		out, err := json.Marshal(e.Finish())
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := run([]int{0, 1, 2})
	if !bytes.Contains(want, []byte(`"burst_520"`)) || !bytes.Contains(want, []byte(`"burst_5xx"`)) ||
		!bytes.Contains(want, []byte(`"incomplete_202"`)) {
		t.Fatal("the demo lacks a finding kind: the test would prove nothing")
	}
	for _, order := range [][]int{{2, 1, 0}, {1, 2, 0}, {2, 0, 1}} {
		if got := run(order); !bytes.Equal(got, want) {
			t.Errorf("detectors in order %v give another snapshot", order)
		}
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
