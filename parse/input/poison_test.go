package input_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/causes"
	"github.com/edgetriage/edgetriage/rules/driver"
	"github.com/edgetriage/edgetriage/rules/report"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
	"github.com/edgetriage/edgetriage/tui"
)

// TestReusedSlabsPoisoned is the proof that reusing read slabs
// (Options.ReuseBuffers, which the driver sets) is safe: every slab is
// overwritten with junk the moment its last batch is released, and the
// whole path (pipeline, engine, cause rules, JSON report, and the
// interface's ring of recent records) must give byte for byte what it gives
// with slabs never reused. A string kept anywhere past its release, by the
// pipeline's own copies (the sorter's out-of-order records, the merge's
// gathered batch) or by the engine (interned hosts, templates, samples,
// contrast values), shows up as a difference; under -race a release before
// the last read shows up as a race too.
func TestReusedSlabsPoisoned(t *testing.T) {
	rs, err := causes.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg := rules.DefaultConfig()
	cfg.Explain, cfg.Routes = rs.Explain, rs.Routes()

	type testCase struct {
		name string
		in   input.Options
		ring bool // also compare the interface's ring of recent records
		// stdin, if set, is read as standard input in pieces of 1500
		// bytes: it is cut as it arrives, several chunks to a slab.
		stdin []byte
	}
	var cases []testCase
	samples := input.Options{}
	for _, f := range samplelogs.Files() {
		samples.Sources = append(samples.Sources, input.Source{Name: f.Name, Open: func() (io.ReadCloser, error) { return samplelogs.Open(f.Name) }})
		samples.Formats = append(samples.Formats, f.Name+"="+f.Format)
	}
	cases = append(cases, testCase{name: "sample-logs", in: samples, ring: true})

	ops := samplelogs.OpScenarios()
	for i, s := range ops {
		// -short (CI under -race): the Logpush scenario with in-flight jobs
		// and the combined ones; all of them otherwise.
		if testing.Short() && i != len(ops)-4 && !strings.HasSuffix(s.Name, "-combined") {
			continue
		}
		set := s.Generate(0)
		var in input.Options
		for _, f := range set.Files {
			in.Sources = append(in.Sources, memSource(f.Name, f.Data))
			in.Formats = append(in.Formats, f.Name+"="+f.Format)
		}
		cases = append(cases, testCase{name: s.Name, in: in})
	}

	// One Logpush file dealt out to three inputs whose records interleave
	// one by one, each with some local disorder: the merge gathers copies
	// into its own batch and the sorters' heaps copy the records that come
	// out of order.
	lp := ops[len(ops)-4].Generate(0).Files[0]
	var dealt input.Options
	for i, part := range deal(lp.Data, 3) {
		name := fmt.Sprintf("part-%d.log", i)
		dealt.Sources = append(dealt.Sources, memSource(name, part))
		dealt.Formats = append(dealt.Formats, name+"=cloudflare")
	}
	cases = append(cases, testCase{name: "interleaved", in: dealt, ring: true})
	cases = append(cases, testCase{name: "stdin", in: input.Options{Paths: []string{"-"}, Formats: []string{"cloudflare"}},
		stdin: lp.Data})

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []int{4 << 10, input.DefaultSlabSize} {
				in := tc.in
				input.SetSlabSize(&in, size)
				if size < input.DefaultSlabSize {
					// The merge's gathered batch keeps its records' slabs
					// until it is flushed: small batches recycle sooner.
					in.BatchSize = 64
				}
				restore := input.SetSlabTest(false, true)
				if tc.stdin != nil {
					in.Stdin = &pieces{data: tc.stdin, n: 1500}
				}
				want, wantRing, wantSum := runReport(t, in, cfg, tc.ring)
				restore()
				restore = input.SetSlabTest(true, false)
				if tc.stdin != nil {
					in.Stdin = &pieces{data: tc.stdin, n: 1500}
				}
				before := input.SlabsReused()
				got, gotRing, gotSum := runReport(t, in, cfg, tc.ring)
				reused := input.SlabsReused() - before
				restore()
				if size < input.DefaultSlabSize && reused == 0 {
					t.Fatalf("slab %d: no slab was reused: the test checks nothing", size)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("slab %d (%d reused): the report differs with poisoned slabs:\n%s", size, reused, firstDiff(got, want))
				}
				if gotSum != wantSum {
					t.Errorf("slab %d (%d reused): the records the sink saw differ with poisoned slabs", size, reused)
				}
				if gotRing != wantRing {
					t.Errorf("slab %d (%d reused): the recent-records ring differs with poisoned slabs:\n%s", size, reused, firstDiff([]byte(gotRing), []byte(wantRing)))
				}
			}
		})
	}
}

// runReport runs in through the driver (as report and the interface do)
// and returns the JSON report, with ring the ring's records, and a digest
// of every record the sink was given (read beside the engine, as the
// interface's ring reads them), which a release before the sink changes
// even where the report does not show it.
func runReport(t *testing.T, in input.Options, cfg rules.Config, ring bool) ([]byte, string, uint64) {
	t.Helper()
	o := driver.Options{Input: in, Rules: cfg}
	var r *tui.Ring
	if ring {
		r = tui.NewRing(5000)
	}
	sum := fnv.New64a()
	o.Recent = func(rows []parse.Record) {
		r.Add(rows)
		for i := range rows {
			digest(sum, &rows[i])
		}
	}
	d, err := driver.New(o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Run(context.Background(), func(driver.Event) {})
	if err != nil {
		t.Fatal(err)
	}
	if res.Read.Totals.Parsed == 0 || len(res.Snapshot.Findings) == 0 {
		t.Fatalf("parsed %d, %d findings: the test checks nothing", res.Read.Totals.Parsed, len(res.Snapshot.Findings))
	}
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, report.Build(res.Read.Inputs, res.Read.Totals, res.Snapshot), report.Options{}); err != nil {
		t.Fatal(err)
	}
	var rb strings.Builder
	r.Scan(0, func(seq int64, rec *parse.Record) bool {
		fmt.Fprintf(&rb, "%d %+v\n", seq, *rec)
		return true
	})
	return buf.Bytes(), rb.String(), sum.Sum64()
}

// digest adds rec's fields to h.
func digest(h hash.Hash64, rec *parse.Record) {
	var b [8]byte
	for _, v := range []int64{rec.Time, int64(rec.Status), int64(rec.OriginStatus), rec.Line, rec.Offset, rec.Bytes, int64(rec.Duration)} {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	for _, s := range []string{rec.Raw, rec.Input, rec.Host, rec.Upstream, rec.ClientIP, rec.Method, rec.Path, rec.Query,
		rec.Protocol, rec.UserAgent, rec.Referer, rec.RequestID, rec.StatusLocation, rec.POP, rec.CacheStatus} {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
}

func memSource(name string, data []byte) input.Source {
	return input.Source{Name: name, Size: int64(len(data)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// pieces reads data at most n bytes at a time, like a pipe.
type pieces struct {
	data []byte
	n    int
}

func (p *pieces) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	k := copy(b[:min(len(b), p.n)], p.data)
	p.data = p.data[k:]
	return k, nil
}

// deal hands data's lines out to n parts in turn, swapping every 7th line
// of a part with the one after it.
func deal(data []byte, n int) [][]byte {
	parts := make([][][]byte, n)
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) > 0 {
			parts[i%n] = append(parts[i%n], line)
		}
	}
	out := make([][]byte, n)
	for i, lines := range parts {
		for j := 0; j+1 < len(lines); j += 7 {
			lines[j], lines[j+1] = lines[j+1], lines[j]
		}
		out[i] = bytes.Join(lines, nil)
	}
	return out
}

// firstDiff shows where got and want part.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(i-200, 0)
	return fmt.Sprintf("at byte %d:\n got: %q\nwant: %q", i, got[lo:min(i+200, len(got))], want[lo:min(i+200, len(want))])
}
