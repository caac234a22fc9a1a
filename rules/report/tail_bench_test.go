package report_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/accesslog"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/causes"
	"github.com/edgetriage/edgetriage/rules/report"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// The serial tail of `edgetriage report` on the benchmark generator's
// combined log: the engine's final snapshot (cause rules included), the
// document and its JSON, measured apart from reading the input.

func tailRecords(b *testing.B, n int) []parse.Record {
	b.Helper()
	var buf bytes.Buffer
	if _, err := samplelogs.WriteCombined(&buf, n, 1); err != nil {
		b.Fatal(err)
	}
	p, err := accesslog.New("combined")
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]parse.Record, 0, n)
	for _, line := range bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n")) {
		var r parse.Record
		if p.Parse(line, &r) != nil {
			continue
		}
		r.Input = "access.log"
		recs = append(recs, r)
	}
	return recs
}

func tailEngine(b *testing.B, recs []parse.Record, set *causes.Set) *rules.Engine {
	b.Helper()
	cfg := rules.DefaultConfig()
	cfg.Explain, cfg.Routes = set.Explain, set.Routes()
	e := rules.NewEngine(cfg)
	for off := 0; off < len(recs); off += 4096 {
		e.Add(recs[off:min(off+4096, len(recs))])
	}
	return e
}

func BenchmarkReportTail(b *testing.B) {
	recs := tailRecords(b, 200_000)
	set, err := causes.Load()
	if err != nil {
		b.Fatal(err)
	}
	snap := tailEngine(b, recs, set).Finish()
	b.Logf("%d findings", len(snap.Findings))
	b.Run("finish", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			e := tailEngine(b, recs, set)
			b.StartTimer()
			e.Finish()
		}
	})
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			report.Build(nil, parse.Totals{}, snap)
		}
	})
	doc := report.Build(nil, parse.Totals{}, snap)
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := report.WriteJSON(io.Discard, doc, report.Options{Compact: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
