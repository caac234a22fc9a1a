package rules_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/cputime"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
)

// BenchmarkEngineFile feeds a real log file's records to the engine alone:
// the file is read and parsed once, untimed, and each iteration gives a
// new engine all of its records in the batches the reader made. It
// measures the sink goroutine's share of a run on the shared bench files,
// without the noise of the parse workers beside it:
//
//	EDGETRIAGE_BENCH_FILE=/tmp/edgetriage-bench/access-1000000.log \
//	EDGETRIAGE_BENCH_FORMAT=combined EDGETRIAGE_BENCH_LINES=400000 \
//	go test -run '^$' -bench EngineFile -benchmem ./rules/
//
// Without EDGETRIAGE_BENCH_FILE it is skipped (CI has no such file).
func BenchmarkEngineFile(b *testing.B) {
	path := os.Getenv("EDGETRIAGE_BENCH_FILE")
	if path == "" {
		b.Skip("EDGETRIAGE_BENCH_FILE not set")
	}
	limit, _ := strconv.Atoi(os.Getenv("EDGETRIAGE_BENCH_LINES"))
	opts := input.Options{Paths: []string{path}}
	if f := os.Getenv("EDGETRIAGE_BENCH_FORMAT"); f != "" {
		opts.Formats = []string{f}
	}
	var batches [][]parse.Record
	n := 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := input.Run(ctx, opts, func(batch []parse.Record) {
		if limit > 0 && n >= limit {
			cancel()
			return
		}
		batches = append(batches, append([]parse.Record(nil), batch...))
		n += len(batch)
	})
	if err != nil && ctx.Err() == nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	defer cputime.Thread(b)() // the engine's goroutine alone: the number to compare on a busy machine
	for i := 0; i < b.N; i++ {
		e := rules.NewEngine(rules.DefaultConfig())
		for _, batch := range batches {
			e.Add(batch)
		}
		e.Finish()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/record")
}
