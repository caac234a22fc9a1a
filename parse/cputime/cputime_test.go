//go:build linux

package cputime

import (
	"runtime"
	"testing"
	"time"
)

// The readings advance with work done, not with time asleep: spinning
// moves both the thread's and the process's CPU time by 20 ms (however
// long a loaded machine takes to give it that), sleeping 50 ms does not.
func TestReadingsFollowWork(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	th0, _ := thread()
	p0 := Process()
	time.Sleep(50 * time.Millisecond)
	if th, _ := thread(); th-th0 > 10*time.Millisecond {
		t.Errorf("sleeping 50 ms cost the thread %v of CPU", th-th0)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		th, _ := thread()
		if th-th0 >= 20*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("20 s of spinning read %v of thread CPU", th-th0)
		}
	}
	if d := Process() - p0; d < 20*time.Millisecond {
		t.Errorf("the thread used 20 ms, the process reads %v", d)
	}
}
