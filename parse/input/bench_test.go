package input

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/cputime"
)

const benchLines = 200_000

var benchFiles struct {
	once        sync.Once
	dir         string
	plain, gzip string
	parts       []string // the same lines in 4 gzip parts, one after another in time
}

// benchInputs writes the generated combined log once per test binary, plain
// and gzip (removed by TestMain's cleanup of the temp dir).
func benchInputs(b *testing.B) (plain, gz string) {
	benchFiles.once.Do(func() {
		dir, err := os.MkdirTemp("", "edgetriage-input-bench")
		if err != nil {
			b.Fatal(err)
		}
		data := genCombined(benchLines, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
		benchFiles.dir = dir
		benchFiles.plain = writeFile(b, filepath.Join(dir, "access.log"), data)
		benchFiles.gzip = writeFile(b, filepath.Join(dir, "access.log.gz"), gzipBytes(b, data))
		for i := range 4 {
			part := data[i*len(data)/4:]
			part = part[bytes.IndexByte(part, '\n')+1:]
			if i == 0 {
				part = data
			}
			end := data[(i+1)*len(data)/4:]
			if i < 3 {
				part = part[:len(part)-len(end)+bytes.IndexByte(end, '\n')+1]
			}
			name := filepath.Join(dir, "part"+itoa(int64(i))+".log.gz")
			benchFiles.parts = append(benchFiles.parts, writeFile(b, name, gzipBytes(b, part)))
		}
	})
	return benchFiles.plain, benchFiles.gzip
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchFiles.dir != "" {
		_ = os.RemoveAll(benchFiles.dir)
	}
	os.Exit(code)
}

func benchPipeline(b *testing.B, path string, workers int) {
	benchPipelinePaths(b, []string{path}, workers)
}

func benchPipelinePaths(b *testing.B, paths []string, workers int) {
	benchPipelineReuse(b, paths, workers, false)
}

func benchPipelineReuse(b *testing.B, paths []string, workers int, reuse bool) {
	info, err := os.Stat(benchFiles.plain)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size()) // decompressed bytes, so MB/s compare across plain and gzip
	b.ReportAllocs()
	var n int64
	cpu0 := cputime.Process()
	for b.Loop() {
		opt := testOptions(paths...)
		opt.Formats = []string{"combined"}
		opt.Workers = workers
		opt.ReuseBuffers = reuse
		res, err := Run(context.Background(), opt, func(batch []parse.Record) { n += int64(len(batch)) })
		if err != nil || res.Totals.Parsed != benchLines {
			b.Fatalf("err %v, totals %+v", err, res.Totals)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
	// CPU time per line, all goroutines: steadier than wall time on a
	// shared machine, and what decides the speed on two free cores.
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(n), "cpu-ns/line")
}

// go test -run '^$' -bench Pipeline -benchtime 5x ./parse/input/
func BenchmarkPipelinePlain(b *testing.B) {
	plain, _ := benchInputs(b)
	benchPipeline(b, plain, 0)
}

// The same with the slabs reused (as the driver runs it): the read
// buffers' allocation, about the size of the input, is gone.
func BenchmarkPipelinePlainReuse(b *testing.B) {
	plain, _ := benchInputs(b)
	benchPipelineReuse(b, []string{plain}, 0, true)
}

func BenchmarkPipelinePlainOneWorker(b *testing.B) {
	plain, _ := benchInputs(b)
	benchPipeline(b, plain, 1)
}

func BenchmarkPipelineGzip(b *testing.B) {
	_, gz := benchInputs(b)
	benchPipeline(b, gz, 0)
}

// Several inputs, one after another in time (a log split in parts): the
// merge hands each one's runs through while the next is already open.
func BenchmarkPipelineGzipParts(b *testing.B) {
	benchInputs(b)
	benchPipelinePaths(b, benchFiles.parts, 0)
}
