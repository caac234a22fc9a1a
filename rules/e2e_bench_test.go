package rules_test

import (
	"strconv"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/accesslog"
	"github.com/edgetriage/edgetriage/parse/cputime"
	"github.com/edgetriage/edgetriage/rules"
)

// The combined-format lines of parse/accesslog's BenchmarkCombined (8 a
// second, every 5th a 520), parsed alone and parsed then fed to the engine:
// the engine's share is the difference.

var benchPaths = []string{"/", "/api/v1/orders?id=42&expand=items", "/static/app.3f9a.js", "/api/jobs/7f3e/status", "/login"}
var benchAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
	"curl/8.5.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
}

func two(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func combinedLines(n, errEvery int) [][]byte {
	lines := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		sec := i / 8
		ts := "14/Mar/2024:" + two(sec/3600%24) + ":" + two(sec/60%60) + ":" + two(sec%60) + " +0000"
		status := []string{"200", "200", "304", "404", "200"}[i%5]
		if errEvery > 0 && i%errEvery == errEvery-1 {
			status = "520"
		}
		lines = append(lines, []byte("203.0.113."+strconv.Itoa(i%250)+" - - ["+ts+"] \"GET "+benchPaths[i%len(benchPaths)]+
			" HTTP/1.1\" "+status+" "+strconv.Itoa(1000+i%9000)+" \"https://example.com/\" \""+benchAgents[i%len(benchAgents)]+"\""))
	}
	return lines
}

func benchPipeline(b *testing.B, errEvery int, engine bool) {
	lines := combinedLines(8*3600*4, errEvery) // 4 hours, in time order
	p, err := accesslog.New("combined")
	if err != nil {
		b.Fatal(err)
	}
	const batchSize = 4096
	batch := make([]parse.Record, batchSize)
	var e *rules.Engine
	if engine {
		e = rules.NewEngine(rules.DefaultConfig())
	}
	b.ReportAllocs()
	b.ResetTimer()
	defer cputime.Report(b, cputime.Process())
	k := 0
	for i := 0; i < b.N; i++ {
		if i%len(lines) == 0 && i > 0 && engine {
			// time starts over: hand the rest of the old run to the old
			// engine first, or the new one would see time go back 4 hours
			// (its detectors would clamp every later error to that time)
			e.Add(batch[:k])
			k = 0
			e = rules.NewEngine(rules.DefaultConfig())
		}
		r := &batch[k]
		if err := p.Parse(lines[i%len(lines)], r); err != nil {
			b.Fatal(err)
		}
		r.Input = "web1/access.log"
		k++
		if k == batchSize || i == b.N-1 {
			if engine {
				e.Add(batch[:k])
			}
			k = 0
		}
	}
}

// BenchmarkParseOnly / BenchmarkParseAndEngine: realistic traffic (1 in 1000 a 520).
func BenchmarkParseOnly(b *testing.B)      { benchPipeline(b, 1000, false) }
func BenchmarkParseAndEngine(b *testing.B) { benchPipeline(b, 1000, true) }

// With parse/accesslog's mix: every 5th line a 520 (one endless burst).
func BenchmarkParseOnly520Heavy(b *testing.B)      { benchPipeline(b, 5, false) }
func BenchmarkParseAndEngine520Heavy(b *testing.B) { benchPipeline(b, 5, true) }

// benchEngineOnly feeds the same lines, parsed once beforehand, to the
// engine alone: its cost per record without the parser's noise.
func benchEngineOnly(b *testing.B, errEvery int) {
	lines := combinedLines(8*3600*4, errEvery)
	p, err := accesslog.New("combined")
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]parse.Record, len(lines))
	for i, l := range lines {
		if err := p.Parse(l, &recs[i]); err != nil {
			b.Fatal(err)
		}
		recs[i].Input = "web1/access.log"
	}
	const batchSize = 4096
	e := rules.NewEngine(rules.DefaultConfig())
	b.ReportAllocs()
	b.ResetTimer()
	defer cputime.Report(b, cputime.Process())
	for done, off := 0, 0; done < b.N; {
		if off == len(recs) {
			off = 0
			e = rules.NewEngine(rules.DefaultConfig()) // time starts over
		}
		n := min(batchSize, len(recs)-off, b.N-done)
		e.Add(recs[off : off+n])
		off += n
		done += n
	}
}

func BenchmarkEngineOnly(b *testing.B)         { benchEngineOnly(b, 1000) }
func BenchmarkEngineOnly520Heavy(b *testing.B) { benchEngineOnly(b, 5) }
