//go:build unix

package rules

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) this process has used, every
// thread (GC included): on a shared machine a benchmark's wall time per op
// mostly measures the other load, its CPU time per op much less so.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ProcessCPU is processCPU for the external benchmarks (e2e_bench_test.go).
var ProcessCPU = processCPU
