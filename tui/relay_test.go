package tui

import (
	"errors"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
	"github.com/edgetriage/edgetriage/rules"
	"github.com/edgetriage/edgetriage/rules/driver"
)

// TestRelayNoticeKinds: each driver event becomes a notice by its kind,
// never by its text, and rides on the next update.
func TestRelayNoticeKinds(t *testing.T) {
	for _, c := range []struct {
		ev   driver.Event
		want NoticeKind
	}{
		{driver.Event{Kind: driver.EventNote, Text: "a.log: rotated"}, NoticeInfo},
		{driver.Event{Kind: driver.EventNote, Text: "error in a.log"}, NoticeInfo}, // words do not decide
		{driver.Event{Kind: driver.EventInputError, Text: "a.log: removed"}, NoticeError},
		{driver.Event{Kind: driver.EventPossibleGap, Text: "a.log: possible_gap"}, NoticeError},
		{driver.Event{Kind: driver.EventRuleWarning, Text: "rule x failed"}, NoticeRuleFailure},
	} {
		r := NewRelay()
		r.Emit(c.ev)
		r.Emit(driver.Event{Kind: driver.EventProgress})
		u := <-r.Updates()
		if len(u.Notices) != 1 || u.Notices[0].Kind != c.want || u.Notices[0].Text != c.ev.Text {
			t.Errorf("%v %q: notices %+v, want one of kind %v", c.ev.Kind, c.ev.Text, u.Notices, c.want)
		}
	}
}

// TestRelayCoalesces: an update the interface has not taken is replaced
// by the next; its notices are kept, and its snapshot when the next is a
// progress without one. Done adds the failed inputs and closes nothing.
func TestRelayCoalesces(t *testing.T) {
	snap := &rules.Snapshot{}
	r := NewRelay(Notice{Text: "anchor"})
	r.Emit(driver.Event{Kind: driver.EventSnapshot, Snapshot: snap, Progress: driver.Progress{Lines: 10}})
	r.Emit(driver.Event{Kind: driver.EventRuleWarning, Text: "rule"})
	r.Emit(driver.Event{Kind: driver.EventProgress, Progress: driver.Progress{Lines: 20, Follow: true, Paused: true}})
	u := <-r.Updates()
	if u.Snapshot != snap || u.Progress.Lines != 20 || len(u.Notices) != 2 || u.Notices[0].Text != "anchor" {
		t.Fatalf("coalesced update %+v", u)
	}
	if !u.Progress.Live || u.Progress.Following {
		t.Errorf("progress %+v: want live, paused", u.Progress)
	}
	res := &input.Result{Inputs: []parse.InputStats{{Path: "a.log", Err: errors.New("a.log: permission denied")}}}
	r.Emit(driver.Event{Kind: driver.EventDone, Result: res, Err: errors.New("read failed"), Text: "read failed"})
	u = <-r.Updates()
	if !u.Progress.Done || len(u.Notices) != 2 || u.Notices[0].Kind != NoticeError || u.Notices[1].Text != "a.log: permission denied" {
		t.Fatalf("done update %+v", u)
	}
	r.Close()
	r.Close() // twice is fine
	if _, ok := <-r.Updates(); ok {
		t.Error("updates not closed")
	}
}
