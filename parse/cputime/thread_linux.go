package cputime

import (
	"syscall"
	"time"
)

// thread is the calling thread's CPU time (RUSAGE_THREAD is Linux's).
func thread() (time.Duration, bool) { return rusage(syscall.RUSAGE_THREAD), true }
