package cdn

import (
	"runtime"
	"syscall"
	"testing"
)

// threadCPU starts measuring the CPU time of the benchmark's thread; the
// returned func reports it as cpu-ns/op. On a shared machine wall time
// (ns/op) counts the time other processes held the core, CPU time does not.
func threadCPU(b *testing.B) func() {
	runtime.LockOSThread()
	start := cpuNow()
	return func() {
		used := cpuNow() - start
		runtime.UnlockOSThread()
		if b.N > 0 {
			b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuNow() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_THREAD, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
