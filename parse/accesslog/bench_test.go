package accesslog

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/cputime"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// benchLines builds n deterministic log lines with make(i), several per
// second as a busy server writes them.
func benchLines(n int, gen func(i int, ts string) string) ([][]byte, int) {
	lines := genLines(n, gen)
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	return lines, total / len(lines)
}

func genLines(n int, gen func(i int, ts string) string) [][]byte {
	lines := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		sec := i / 8 // 8 lines per second
		ts := "14/Mar/2024:10:" + two(sec/60%60) + ":" + two(sec%60) + " +0000"
		lines = append(lines, []byte(gen(i, ts)))
	}
	return lines
}

func two(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

var benchPaths = []string{"/", "/api/v1/orders?id=42&expand=items", "/static/app.3f9a.js", "/api/jobs/7f3e/status", "/login"}
var benchAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
	"curl/8.5.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
}

func combinedLine(i int, ts string) string {
	return "203.0.113." + strconv.Itoa(i%250) + " - - [" + ts + "] \"GET " + benchPaths[i%len(benchPaths)] +
		" HTTP/1.1\" " + []string{"200", "200", "304", "404", "520"}[i%5] + " " + strconv.Itoa(1000+i%9000) +
		" \"https://example.com/\" \"" + benchAgents[i%len(benchAgents)] + "\""
}

func runBench(b *testing.B, p parse.Parser, lines [][]byte, avg int) {
	b.ReportAllocs()
	b.SetBytes(int64(avg))
	var rec parse.Record
	// Warm the parser's caches before measuring steady state.
	for _, l := range lines[:8] {
		if err := p.Parse(l, &rec); err != nil {
			b.Fatalf("%v: %s", err, l)
		}
	}
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		if err := p.Parse(lines[i%len(lines)], &rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	// CPU time is steadier than wall time on a shared machine: other
	// processes' load stretches ns/op but not this.
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

func BenchmarkCombined(b *testing.B) {
	lines, avg := benchLines(4096, combinedLine)
	p, _ := New(Combined)
	runBench(b, p, lines, avg)
}

// BenchmarkCombinedGenerated reads the lines of the generator that writes
// the end-to-end benchmark file (/tmp/edgetriage-bench/access-1000000.log,
// `go run ./sample-logs/gen -combined`): its mix of IPv6 clients, "-"
// referers, HEAD and POST, HTTP/2.0. 2048 lines (~400 KB) stay in the
// core's cache, as a parse worker's chunk does.
func BenchmarkCombinedGenerated(b *testing.B) {
	var buf bytes.Buffer
	if _, err := samplelogs.WriteCombined(&buf, 2048, samplelogs.DefaultSeed); err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	p, _ := New(Combined)
	runBench(b, p, lines, buf.Len()/len(lines))
}

// BenchmarkNginxFormat uses a typical reverse-proxy format with upstream
// timings, cache status and CF-Ray.
func BenchmarkNginxFormat(b *testing.B) {
	const format = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" ua="$upstream_addr" us="$upstream_status" cs=$upstream_cache_status ray=$http_cf_ray host=$host`
	p, err := NewNginx(format)
	if err != nil {
		b.Fatal(err)
	}
	lines, avg := benchLines(4096, func(i int, ts string) string {
		return combinedLine(i, ts) + " rt=0.0" + strconv.Itoa(10+i%80) + ` uct="0.000" uht="0.0` + strconv.Itoa(10+i%80) +
			`" urt="0.0` + strconv.Itoa(10+i%80) + `" ua="10.0.0.` + strconv.Itoa(i%4) + `:8080" us="200" cs=MISS ray=8a1b2c3d4e5f6a7b-AMS host=shop.example.com`
	})
	runBench(b, p, lines, avg)
}

func BenchmarkApacheFormat(b *testing.B) {
	p, err := NewApache(`%v %h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D`)
	if err != nil {
		b.Fatal(err)
	}
	lines, avg := benchLines(4096, func(i int, ts string) string {
		return "shop.example.com " + combinedLine(i, ts) + " " + strconv.Itoa(1000+i%50000)
	})
	runBench(b, p, lines, avg)
}
