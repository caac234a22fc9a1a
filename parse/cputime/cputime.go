// Package cputime measures CPU time for the benchmarks. On a shared
// machine a benchmark's wall time per op mostly measures the other load;
// its CPU time per op much less so, so the benchmarks also report
// cpu-ns/op, the number to compare with benchstat there.
package cputime

import (
	"runtime"
	"testing"
	"time"
)

// Thread starts measuring the CPU time of the calling goroutine, locked to
// its thread until the returned func, which reports it on b as cpu-ns/op.
// Where the thread's time cannot be read (not Linux) it reports nothing.
func Thread(b *testing.B) func() {
	runtime.LockOSThread()
	start, ok := thread()
	return func() {
		end, _ := thread()
		runtime.UnlockOSThread()
		if ok && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// Report adds on b the process's CPU time per op since start (a Process
// reading) as cpu-ns/op; nothing where it is not measured.
func Report(b *testing.B, start time.Duration) {
	if now := Process(); start > 0 && now > start && b.N > 0 {
		b.ReportMetric(float64(now-start)/float64(b.N), "cpu-ns/op")
	}
}
