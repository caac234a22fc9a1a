package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"testing"
	"time"

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

// teapotDetector is the smallest detector there can be: one finding per
// origin that answered 418. It exists to show what a new detector takes:
// this type (its own file in real life) and one registration line (below,
// in TestNewDetectorIsOneFileAndOneLine). The engine hands it records, asks
// it for findings and caps them, with no edit anywhere else.
type teapotDetector struct {
	e    *Engine
	pots []*teapot
}

type teapot struct {
	o           *origin
	first, last int64
	n           int
}

func (d *teapotDetector) observe(rv recordView) {
	if rv.r.Status != 418 {
		return
	}
	for _, p := range d.pots {
		if p.o == rv.o {
			p.last, p.n = rv.r.Time, p.n+1
			return
		}
	}
	d.pots = append(d.pots, &teapot{o: rv.o, first: rv.r.Time, last: rv.r.Time, n: 1})
}

func (d *teapotDetector) due(int64) int64 { return maxTime }

func (d *teapotDetector) findings(fs *findingSet) {
	for _, p := range d.pots {
		id := stableID("teapot", p.o.name)
		fs.add(id, &Finding{ID: id, Kind: "teapot", Severity: SeverityInfo, Origin: p.o.name,
			Start: ts(p.first), End: ts(p.last), Count: p.n})
	}
}

func (d *teapotDetector) held() int { return len(d.pots) }

func (d *teapotDetector) oldest(int64) (capCandidate, bool) {
	best, ok := capCandidate{}, false
	for i, p := range d.pots {
		if c := (capCandidate{at: p.last, id: stableID("teapot", p.o.name), i: i}); !ok || c.older(best) {
			best, ok = c, true
		}
	}
	return best, ok
}

func (d *teapotDetector) drop(c capCandidate) { d.pots = slices.Delete(d.pots, c.i, c.i+1) }

func TestNewDetectorIsOneFileAndOneLine(t *testing.T) {
	cfg := testConfig()
	cfg.MaxFindings = 2
	e := NewEngine(cfg)
	e.detectors = append(e.detectors, &teapotDetector{e: e}) // the registration line (newDetectors)
	var recs []parse.Record
	for i, h := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		recs = append(recs, errorsAt(418, every(time.Duration(i)*time.Minute, time.Second, 3), host(h))...)
	}
	sortRecords(recs)
	e.Add(recs)
	s := e.Finish()
	var got []string
	for _, f := range s.Findings {
		got = append(got, fmt.Sprintf("%s %s %d", f.Kind, f.Origin, f.Count))
	}
	// the cap (2) dropped the oldest, a.example.com's, without the detector asking
	want := "[teapot b.example.com 3 teapot c.example.com 3]"
	if fmt.Sprint(got) != want || s.DroppedFindings != 1 {
		t.Errorf("findings %v, %d dropped; want %s, 1 dropped", got, s.DroppedFindings, want)
	}
}
