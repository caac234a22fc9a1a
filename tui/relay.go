package tui

import (
	"sync"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules/driver"
)

// Relay turns the driver's events into the interface's updates: the
// latest state wins when the interface is busy (older ones are dropped,
// their notices kept), and each event becomes a notice by its kind.
//
// Emit and Close are called from the driver's goroutine (Run's caller);
// Updates is read by the interface (Options.Updates).
type Relay struct {
	updates chan Update
	notices []Notice // waiting for the next update
	once    sync.Once
}

// NewRelay returns a relay whose first update carries notices (notes the
// caller has before reading starts, such as a time anchor).
func NewRelay(notices ...Notice) *Relay {
	return &Relay{updates: make(chan Update, 1), notices: notices}
}

// Updates is the channel for Options.Updates; it is closed by Close.
func (r *Relay) Updates() <-chan Update { return r.updates }

// Close ends the updates once the driver's Run has returned.
func (r *Relay) Close() { r.once.Do(func() { close(r.updates) }) }

// Emit takes one driver event; it never blocks.
func (r *Relay) Emit(ev driver.Event) {
	switch ev.Kind {
	case driver.EventNote:
		r.notices = append(r.notices, Notice{Kind: NoticeInfo, Text: ev.Text})
	case driver.EventInputError, driver.EventPossibleGap:
		r.notices = append(r.notices, Notice{Kind: NoticeError, Text: ev.Text})
	case driver.EventRuleWarning:
		r.notices = append(r.notices, Notice{Kind: NoticeRuleFailure, Text: ev.Text})
	case driver.EventProgress, driver.EventSnapshot:
		r.send(ev)
	case driver.EventDone:
		if ev.Err != nil && ev.Text != "" && !ev.Stopped {
			r.notices = append(r.notices, Notice{Kind: NoticeError, Text: ev.Text})
		}
		if ev.Result != nil {
			for _, in := range ev.Result.Inputs {
				if in.Err != nil {
					r.notices = append(r.notices, Notice{Kind: NoticeError, Text: parse.Printable(in.Err.Error())})
				}
			}
		}
		r.send(ev)
	}
}

// send builds the update of a progress, snapshot or done event and
// replaces one the interface has not taken yet.
func (r *Relay) send(ev driver.Event) {
	p := ev.Progress
	u := Update{
		Snapshot: ev.Snapshot, // nil for progress: the interface keeps its last
		Inputs:   p.Inputs,
		Totals:   p.Totals,
		Progress: Progress{
			BytesRead: p.Bytes, BytesTotal: p.BytesTotal, Lines: p.Lines,
			LinesPerSec: p.LinesPerSec, Done: p.Done || ev.Kind == driver.EventDone,
			Live: p.Follow, Following: !p.Paused, LastLine: p.LastLine,
		},
		Notices: r.notices,
	}
	r.notices = nil
	for {
		select {
		case r.updates <- u:
			return
		default:
		}
		select {
		case old := <-r.updates:
			// The interface never saw it: keep its notices, and its
			// snapshot when this update has none.
			u.Notices = append(old.Notices, u.Notices...)
			if u.Snapshot == nil {
				u.Snapshot = old.Snapshot
			}
		default:
		}
	}
}
