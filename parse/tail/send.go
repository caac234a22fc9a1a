package tail

import (
	"fmt"
)

// emit adds a line to the batch, sending the batch when it is full.
func (f *follower) emit(l Line) error {
	if f.batch.add(l) {
		return f.sendBatch()
	}
	return nil
}

// sendBatch sends the pending lines, delivering queued events while the
// receiver is busy; it fails only when ctx ends.
func (f *follower) sendBatch() error {
	if len(f.batch.lines) == 0 {
		return nil
	}
	var out []Line
	for {
		var evCh chan<- Event
		var next Event
		if len(f.queue) > 0 {
			evCh, next = f.events, f.peekEvent()
		}
		if out == nil {
			out = f.batch.take()
		}
		select {
		case f.lines <- out:
			return nil
		case evCh <- next:
			f.popEvent()
		case <-f.ctx.Done():
			return f.ctx.Err()
		}
	}
}

// event queues ev for delivery without ever blocking the reader.
func (f *follower) event(ev Event) {
	if f.events == nil {
		return
	}
	if len(f.queue) >= maxQueuedEvents {
		copy(f.queue, f.queue[1:])
		f.queue = f.queue[:len(f.queue)-1]
		f.dropped++
	}
	f.queue = append(f.queue, ev)
}

func (f *follower) peekEvent() Event {
	ev := f.queue[0]
	if f.dropped > 0 {
		note := fmt.Sprintf("(%d earlier events dropped: nobody read them)", f.dropped)
		if ev.Msg != "" {
			note = " " + note
		}
		ev.Msg += note
	}
	return ev
}

func (f *follower) popEvent() {
	f.dropped = 0
	copy(f.queue, f.queue[1:])
	f.queue[len(f.queue)-1] = Event{}
	f.queue = f.queue[:len(f.queue)-1]
}
