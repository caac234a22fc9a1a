package rules

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/edgetriage/edgetriage/parse/safe"
)

// explainJob is a finding a snapshot rebuilt, waiting for the cause rules.
type explainJob struct {
	f              *Finding
	floor, ceiling Severity
}

// minExplainsPerWorker keeps small (live) snapshots on one goroutine: a
// finding's rules take tens of microseconds, a goroutine about one.
const minExplainsPerWorker = 4

// explainAll runs the cause rules on findings that share nothing, on every
// core when there are enough of them: at the end of a large input this is
// most of the work between the last record and the report. Config.Explain
// is safe for concurrent use on different findings. A panic in a rule is
// raised again here, on the caller's goroutine, as it would be serially.
func (e *Engine) explainAll(jobs []explainJob) {
	workers := min(runtime.GOMAXPROCS(0), len(jobs)/minExplainsPerWorker)
	if workers < 2 || e.cfg.Explain == nil {
		for _, j := range jobs {
			e.explain(j.f, j.floor, j.ceiling)
		}
		return
	}
	var (
		next   atomic.Int64
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed error
	)
	work := func() {
		err := safe.Run("rules.explain", func() error {
			for i := next.Add(1) - 1; i < int64(len(jobs)); i = next.Add(1) - 1 {
				e.explain(jobs[i].f, jobs[i].floor, jobs[i].ceiling)
			}
			return nil
		})
		if err != nil {
			mu.Lock()
			if failed == nil {
				failed = err
			}
			mu.Unlock()
		}
	}
	for range workers - 1 {
		wg.Add(1)
		safe.Go("rules.explain", func() {
			defer wg.Done()
			work()
		}, nil)
	}
	work()
	wg.Wait()
	if failed != nil {
		panic(failed)
	}
}

// explain runs the cause rules; they may raise the severity, never lower it
// below the kind's floor nor raise it above what the impact allows.
func (e *Engine) explain(f *Finding, floor, ceiling Severity) {
	f.Severity = floor
	if e.cfg.Explain != nil {
		e.cfg.Explain(f)
	}
	if f.Severity < floor {
		f.Severity = floor
	}
	if f.Severity > ceiling {
		f.Severity = ceiling
	}
	if f.Causes == nil {
		f.Causes = []Cause{}
	}
	if f.Fixes == nil {
		f.Fixes = []string{}
	}
}
