package input

import (
	"context"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// hammer calls Inputs and Totals from another goroutine until stop is
// closed, as an interface polling the pipeline would, scribbling on the
// copies it gets (they must be its own). Run with -race.
func hammer(p *Pipeline, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, in := range p.Inputs() {
				for i := range in.MalformedExamples {
					in.MalformedExamples[i].Reason = "scribbled"
				}
			}
			t := p.Totals()
			t.Status[999] = 1
			time.Sleep(time.Millisecond)
		}
	}()
	return &wg
}

// Inputs and Totals mid-run in batch mode: the sink is held on its first
// batch while the snapshot is read, then the run finishes and the
// snapshots equal the Result.
func TestLiveStatsBatch(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.log"), []byte("100 200 r1\n101 520 r2\nnot a line\n102 202 r3\n"))
	b := writeFile(t, filepath.Join(dir, "b.log"), []byte("100 200 r1\n50 200 old\n103 404 r4\n#comment\n"))
	opt := testOptions(a, b)
	opt.Formats = []string{"*.log=t"}
	opt.BatchSize = 1
	opt.Since = time.Unix(60, 0)
	p, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Inputs()) != 0 || p.Totals().Parsed != 0 {
		t.Fatalf("before Run: %+v %+v", p.Inputs(), p.Totals())
	}
	held := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	sink := &syncSink{}
	stop := make(chan struct{})
	wg := hammer(p, stop)
	done := make(chan struct{})
	var res *Result
	go func() {
		defer close(done)
		res, err = p.Run(context.Background(), func(b []parse.Record) {
			once.Do(func() { close(held); <-release })
			sink.add(b)
		})
	}()
	<-held
	mid := p.Inputs()
	if len(mid) != 2 || mid[0].Path != a || mid[1].Path != b {
		t.Fatalf("mid-run inputs %+v", mid)
	}
	parsed := int64(0)
	for _, in := range mid {
		parsed += in.Parsed
		if in.Parsed > 0 && in.Format != "t" {
			t.Errorf("mid-run format %q", in.Format)
		}
	}
	if tot := p.Totals(); parsed == 0 || tot.Parsed != parsed {
		t.Errorf("mid-run: inputs parsed %d, totals %+v", parsed, tot)
	}
	close(release)
	<-done
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	checkBalanced(t, res)
	// r1 twice (duplicate), "old" before Since (filtered), one malformed.
	if res.Totals.Duplicate != 1 || res.Totals.Filtered != 1 || res.Totals.Malformed != 1 || sink.len() != 4 ||
		res.Totals.Status[200] != 1 || res.Totals.Status[520] != 1 || res.Totals.Status[999] != 0 {
		t.Fatalf("totals %+v, %d passed on", res.Totals, sink.len())
	}
	if ex := res.Inputs[0].MalformedExamples; len(ex) != 1 || ex[0].Reason != "bad time" || ex[0].Line != 3 {
		t.Fatalf("examples %+v", ex)
	}
	if got := p.Inputs(); !reflect.DeepEqual(got, res.Inputs) {
		t.Errorf("Inputs after Run\n got %+v\nwant %+v", got, res.Inputs)
	}
	if got := p.Totals(); !reflect.DeepEqual(got, res.Totals) {
		t.Errorf("Totals after Run\n got %+v\nwant %+v", got, res.Totals)
	}
}

// Inputs and Totals while following: counts, format, examples and the
// status mix show up as lines arrive, before the run ends.
func TestLiveStatsFollow(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.log"), nil)
	opt := testOptions(a)
	opt.Follow, opt.FromStart = true, true
	opt.FollowLatency = 20 * time.Millisecond
	opt.PollInterval = 20 * time.Millisecond
	opt.detectWait = 20 * time.Millisecond
	p, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := make(chan struct{})
	wg := hammer(p, stop)
	sink := &syncSink{}
	done := make(chan struct{})
	var res *Result
	go func() {
		defer close(done)
		res, err = p.Run(ctx, sink.add)
	}()
	waitFor(t, "the input to be registered", func() bool { return len(p.Inputs()) == 1 })
	appendFile(t, a, []byte("100 200\n101 503\n"))
	waitFor(t, "live counts and the detected format", func() bool {
		in := p.Inputs()[0]
		tot := p.Totals()
		return in.Parsed == 2 && in.Format == "t" && tot.Status[200] == 1 && tot.Status[503] == 1
	})
	appendFile(t, a, []byte("bad\n102 200\n"))
	waitFor(t, "more live counts", func() bool {
		in := p.Inputs()[0]
		return p.Totals().Status[200] == 2 && in.Malformed == 1 && len(in.MalformedExamples) == 1
	})
	if in := p.Inputs()[0]; in.First != time.Unix(100, 0).UTC() || in.Last != time.Unix(102, 0).UTC() || in.Bytes != 28 {
		t.Errorf("live input %+v", in)
	}
	cancel()
	<-done
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	checkBalanced(t, res)
	if got := p.Totals(); !reflect.DeepEqual(got, res.Totals) || res.Totals.Parsed != 3 || res.Totals.Malformed != 1 {
		t.Errorf("Totals after Run\n got %+v\nwant %+v", got, res.Totals)
	}
	if got := p.Inputs(); !reflect.DeepEqual(got, res.Inputs) {
		t.Errorf("Inputs after Run\n got %+v\nwant %+v", got, res.Inputs)
	}
}
