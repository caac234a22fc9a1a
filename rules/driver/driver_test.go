package driver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	samplelogs "github.com/edgetriage/edgetriage/sample-logs"
)

// cfLog writes a Cloudflare Logpush file: 120 requests to one host a
// second apart, 60 of them 520s in a row (a burst).
func cfLog(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i := range 120 {
		status, origin := 200, 200
		if i >= 40 && i < 100 {
			status, origin = 520, 0
		}
		fmt.Fprintf(&b, `{"ClientIP":"203.0.113.%d","ClientRequestHost":"shop.example.com","ClientRequestMethod":"GET",`+
			`"ClientRequestPath":"/v1/items/%d","EdgeColoCode":"FRA","EdgeResponseStatus":%d,"EdgeStartTimestamp":%q,`+
			`"OriginResponseStatus":%d,"RayID":"%016x"}`+"\n",
			i%250+1, i%40, status, start.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), origin, i+0x7e000000)
	}
	path := filepath.Join(t.TempDir(), "cf.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunMatchesEngine: a batch run ends with one EventDone, last, whose
// snapshot is the one an engine fed the same records directly gives, and
// Recent saw every row.
func TestRunMatchesEngine(t *testing.T) {
	path := cfLog(t)
	in := input.Options{Paths: []string{path}, Formats: []string{"cloudflare"}}
	rc := rules.DefaultConfig()

	eng := rules.NewEngine(rc)
	if _, err := input.Run(context.Background(), in, eng.Add); err != nil {
		t.Fatal(err)
	}
	want := eng.Finish()
	if len(want.Findings) == 0 {
		t.Fatal("the log has no finding: the test checks nothing")
	}

	rows := 0
	d, err := New(Options{Input: in, Rules: rc, Recent: func(r []parse.Record) { rows += len(r) }})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []EventKind
	var done Event
	res, err := d.Run(context.Background(), func(ev Event) {
		kinds = append(kinds, ev.Kind)
		if ev.Kind == EventDone {
			done = ev
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(kinds) != 1 || kinds[0] != EventDone {
		t.Fatalf("events %v, want only done (no cadence set)", kinds)
	}
	if got, w := findingIDs(res.Snapshot), findingIDs(want); got != w {
		t.Errorf("findings %s, want %s", got, w)
	}
	if done.Snapshot != res.Snapshot || done.Result != res.Read || !done.Progress.Done || done.Stopped {
		t.Errorf("done event %+v does not carry the run's result", done)
	}
	if rows != 120 || res.Read.Totals.Parsed != 120 || done.Progress.Lines != 120 {
		t.Errorf("recent saw %d rows, parsed %d, progress %d lines; want 120 each", rows, res.Read.Totals.Parsed, done.Progress.Lines)
	}
	if _, err := d.Run(context.Background(), func(Event) {}); err == nil {
		t.Error("a second Run did not fail")
	}
}

func findingIDs(s *rules.Snapshot) string {
	var ids []string
	for _, f := range s.Findings {
		ids = append(ids, fmt.Sprintf("%s/%d", f.ID, f.Count))
	}
	return strings.Join(ids, ",")
}

// TestFollowCancel: following an idle file, the driver sends progress at
// its cadence but no snapshot (nothing changed), and ends soon after its
// context, with a final EventDone marked stopped, which has a snapshot
// only when asked for (FinishStopped).
func TestFollowCancel(t *testing.T) {
	for _, finish := range []bool{false, true} {
		t.Run(fmt.Sprintf("FinishStopped=%v", finish), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "idle.log")
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := New(Options{Rules: rules.DefaultConfig(), Every: 10 * time.Millisecond, FinishStopped: finish,
				Input: input.Options{Paths: []string{path}, Formats: []string{"combined"}, Follow: true, PollInterval: 20 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			count := map[EventKind]int{}
			var last Event
			start := time.Now()
			res, err := d.Run(ctx, func(ev Event) { count[ev.Kind]++; last = ev })
			if took := time.Since(start); took > 1300*time.Millisecond {
				t.Errorf("Run took %v after a 300 ms context", took)
			}
			if err != nil {
				t.Errorf("err %v: the end of a tail is not an error", err)
			}
			if last.Kind != EventDone || !last.Stopped || (last.Snapshot != nil) != finish || res.Snapshot != last.Snapshot {
				t.Errorf("last event %v (stopped %v, snapshot %v), want done, stopped, snapshot %v",
					last.Kind, last.Stopped, last.Snapshot != nil, finish)
			}
			if count[EventProgress] < 5 || count[EventSnapshot] != 0 || count[EventDone] != 1 {
				t.Errorf("events %v: want progress at the cadence, no snapshot of an unchanged engine, one done", count)
			}
		})
	}
}

// TestQueueKinds: an input's event becomes a driver event by its kind,
// never by its words, with printable text; "opened" is not told.
func TestQueueKinds(t *testing.T) {
	for _, c := range []struct {
		ev   input.Event
		want EventKind
	}{
		{input.Event{Input: "a.log", Kind: input.EventOpened}, 0},
		{input.Event{Input: "logs/error.log", Kind: input.EventRotated}, EventNote},
		{input.Event{Input: "failed.log", Kind: input.EventWaiting, Msg: "cannot see it yet"}, EventNote},
		{input.Event{Kind: input.EventSkipped, Msg: "skipped 3 files that are not logs"}, EventNote},
		{input.Event{Input: "a.log", Kind: input.EventPolling}, EventNote},
		{input.Event{Input: "a.log", Kind: input.EventRemoved}, EventInputError},
		{input.Event{Input: "a.log", Kind: input.EventError, Err: errors.New("gone")}, EventInputError},
		{input.Event{Input: "a\x1b[2J.log", Kind: input.EventPossibleGap, Msg: "bytes 10-20"}, EventPossibleGap},
	} {
		d := &Driver{wake: make(chan struct{}, 1)}
		d.queue(c.ev)
		var got []Event
		d.flush(func(e Event) { got = append(got, e) })
		if c.want == 0 {
			if len(got) != 0 {
				t.Errorf("%s: told as %v", c.ev, got[0].Kind)
			}
			continue
		}
		if len(got) != 1 || got[0].Kind != c.want || got[0].Change != c.ev.Kind || got[0].Input != c.ev.Input {
			t.Errorf("%s: got %+v, want kind %v", c.ev, got, c.want)
			continue
		}
		if strings.ContainsRune(got[0].Text, '\x1b') {
			t.Errorf("text not printable: %q", got[0].Text)
		}
	}
	// A flapping input does not grow the queue without bound.
	d := &Driver{wake: make(chan struct{}, 1)}
	for range 3 * maxQueued {
		d.queue(input.Event{Input: "a.log", Kind: input.EventTruncated})
	}
	if len(d.queued) != maxQueued {
		t.Errorf("queued %d, want the cap %d", len(d.queued), maxQueued)
	}
}

// TestRowsOnly: aggregates are left out of what Recent gets.
func TestRowsOnly(t *testing.T) {
	batch := []parse.Record{{Line: 1}, {Line: 2, Count: 40}, {Line: 3, Count: 1}}
	got := rowsOnly(batch)
	if len(got) != 2 || got[0].Line != 1 || got[1].Line != 3 {
		t.Errorf("rowsOnly = %+v", got)
	}
	if plain := batch[:1]; &rowsOnly(plain)[0] != &plain[0] {
		t.Error("a batch without aggregates was copied")
	}
}

// TestRecentBesideEngine reads every bundled sample log (all formats, 520
// bursts, storms, 202 operations) with Recent copying the rows while the
// engine takes the same batch. Under -race (as CI runs it) this fails if
// the engine ever writes to the records it is given.
func TestRecentBesideEngine(t *testing.T) {
	var sources []input.Source
	var formats []string
	for _, f := range samplelogs.Files() {
		name := f.Name
		sources = append(sources, input.Source{Name: name, Open: func() (io.ReadCloser, error) { return samplelogs.Open(name) }})
		formats = append(formats, name+"="+f.Format)
	}
	var kept []string
	d, err := New(Options{Rules: rules.DefaultConfig(), Input: input.Options{Sources: sources, Formats: formats},
		Recent: func(rows []parse.Record) {
			for i := range rows {
				kept = append(kept, rows[i].Raw+rows[i].Host+rows[i].Path) // reads every row's text
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Run(context.Background(), func(Event) {})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(kept)) != res.Read.Totals.Parsed || len(kept) < 1000 || len(res.Snapshot.Findings) == 0 {
		t.Fatalf("Recent saw %d rows of %d parsed, %d findings", len(kept), res.Read.Totals.Parsed, len(res.Snapshot.Findings))
	}
}
