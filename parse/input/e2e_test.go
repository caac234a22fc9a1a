package input

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/cputime"
)

// Manual end-to-end measurement on a big file, outside the normal test run:
//
//	EDGETRIAGE_GEN=/tmp/access-1m.log EDGETRIAGE_GEN_LINES=1000000 go test -run TestGenerateCombined ./parse/input/
//	go test -c -o /tmp/input.test ./parse/input/
//	EDGETRIAGE_E2E=/tmp/access-1m.log /usr/bin/time -v /tmp/input.test -test.run TestE2EFile -test.v
func TestGenerateCombined(t *testing.T) {
	path := os.Getenv("EDGETRIAGE_GEN")
	if path == "" {
		t.Skip("set EDGETRIAGE_GEN=path to write a generated combined log")
	}
	n := 1_000_000
	if s := os.Getenv("EDGETRIAGE_GEN_LINES"); s != "" {
		v, ok := parse.Atoi([]byte(s))
		if !ok {
			t.Fatalf("bad EDGETRIAGE_GEN_LINES %q", s)
		}
		n = int(v)
	}
	writeFile(t, path, genCombined(n, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)))
}

func TestE2EFile(t *testing.T) {
	path := os.Getenv("EDGETRIAGE_E2E")
	if path == "" {
		t.Skip("set EDGETRIAGE_E2E=path to time the pipeline on a file")
	}
	opt := Options{Paths: []string{path}, Formats: []string{"combined"}}
	var status [600]int64
	start := time.Now()
	cpu0 := cputime.Process()
	res, err := Run(context.Background(), opt, func(b []parse.Record) {
		for i := range b {
			if s := b[i].Status; s >= 0 && s < len(status) {
				status[s]++
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	cpu := time.Duration(cputime.Process() - cpu0)
	t.Logf("%d lines, %.1f MB in %v (cpu %v): %.0f lines/s, %.0f MB/s; late %d",
		res.Totals.Lines, float64(res.Totals.Bytes)/1e6, el, cpu, float64(res.Totals.Lines)/el.Seconds(),
		float64(res.Totals.Bytes)/1e6/el.Seconds(), res.Totals.Late)
}
