//go:build linux

package cputime

import (
	"runtime"
	"testing"
	"time"
)

// burn spins for d of wall time.
func burn(d time.Duration) (n int) {
	for end := time.Now().Add(d); time.Now().Before(end); n++ {
	}
	return n
}

// The readings advance with work done, not with time asleep.
func TestReadingsFollowWork(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p0 := Process()
	th0, _ := thread()
	time.Sleep(50 * time.Millisecond)
	if d := Process() - p0; d > 40*time.Millisecond {
		t.Errorf("sleeping 50 ms cost %v of CPU", d)
	}
	if burn(100*time.Millisecond) == 0 {
		t.Fatal("no spin")
	}
	if d := Process() - p0; d < 20*time.Millisecond {
		t.Errorf("100 ms of spinning read %v of process CPU", d)
	}
	if th1, _ := thread(); th1-th0 < 20*time.Millisecond {
		t.Errorf("100 ms of spinning read %v of thread CPU", th1-th0)
	}
}
