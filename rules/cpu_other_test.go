//go:build !unix

package rules

import "time"

// processCPU is not measured here: benchmarks report no cpu-ns/op.
func processCPU() time.Duration { return 0 }

// ProcessCPU is processCPU for the external benchmarks (e2e_bench_test.go).
var ProcessCPU = processCPU
