package rules

import (
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The pending table. On endless 202 traffic that nobody polls it is most
// of the engine's memory (Config.MaxPending operations), and when it held
// pointers it was most of the collector's work too: every cycle scanned
// every operation, its strings and its index entries, and every operation
// cost a few allocations. So it holds no pointer and allocates nothing per
// operation:
//   - operations live in fixed-size chunks of slots (an *op stays valid
//     while the table grows) named by an opID, reused once they leave;
//   - they refer to each other (status-resource chains, wait lists) by
//     opID, and to endpoints, hosts, groups and inputs by index;
//   - their strings (paths, client IP) are copied into an arena of byte
//     blocks, reused as operations leave (lifecycle_arena.go);
//   - the rare poll state and request id / raw line sit in side slabs.
// The indexes over it (hash → opID maps, the deadline queues of opHandles)
// hold no pointer either, so the collector skips all of it.

// opID names an operation's slot in the table; 0 is none.
type opID int32

// opHandle refers to an operation that may have left the table since: its
// slot's generation then differs.
type opHandle struct {
	id  opID
	gen uint32
}

// op is one pending operation, 120 bytes.
type op struct {
	open       int64
	line       int64 // its opening 202's line and byte offset
	offset     int64
	retryAfter time.Duration // latest of its 202 and pending polls; parse.Unknown when none
	uaHash     uint64        // its client's user agent (uaHash)
	openPath   strRef
	resPath    strRef // its status resource (when linked)
	ip         strRef // its client's address
	gen        uint32
	id         opID
	next       opID   // older operations in its status resource's bucket (lifecycle_res.go)
	qnext      opID   // next operation waiting for the same child GET (see linkWaiting)
	ep         int32  // lifecycle.epAll
	host       int32  // lifecycle.hostAll: where its status resource lives (0 until linked)
	from       int32  // lifecycle.hostAll: where its opening 202 was (origin-log withdrawal)
	g          int32  // lifecycle.grpAll: the finding it was judged into
	input      int32  // lifecycle.inputs
	polls      int32  // opTable.polls index + 1; 0 before its first poll
	extra      int32  // opTable.extras index + 1; 0 when neither is logged
	wkey       uint32 // low bits of its linkHash while waiting (lifecycle_wait.go), of its path hash once linked (lifecycle_res.go)
	tmo        uint16
	state      opState
	linkedBy   int8
	uaFam      int8 // its client's parse.UAFamily (-1: none), for the 202 contrast
	isDelete   bool
	body       bool    // poll style body
	loc        locKind // the Location header of its 202
}

// locKind is what an operation's opening 202 said in Location (one byte,
// not two bools: the op stays 120 bytes).
type locKind uint8

const (
	locNone     locKind = iota
	locAbsolute         // a URL or an absolute path
	locRelative         // relative to the request path
)

// opExtra holds what most operations do not log.
type opExtra struct{ requestID, raw string }

const (
	opChunkBits = 12
	opChunk     = 1 << opChunkBits
)

type opTable struct {
	chunks    [][]op
	n         opID // slots handed out (slot 0 is never used)
	free      []opID
	arena     strArena
	polls     []pollInfo
	freePolls []int32
	extras    []opExtra
	freeExtra []int32
}

func (t *opTable) at(id opID) *op { return &t.chunks[id>>opChunkBits][id&(opChunk-1)] }

// live reports whether h still names the operation it was taken from.
func (t *opTable) live(h opHandle) *op {
	if o := t.at(h.id); o.gen == h.gen && (o.state == opInflight || o.state == opJudged) {
		return o
	}
	return nil
}

// next is the operation named by id, nil for 0.
func (t *opTable) next(id opID) *op {
	if id == 0 {
		return nil
	}
	return t.at(id)
}

func (o *op) handle() opHandle { return opHandle{o.id, o.gen} }

// alloc gives a zeroed operation in a free slot.
func (t *opTable) alloc() *op {
	var id opID
	if n := len(t.free); n > 0 {
		id = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		if t.n == 0 {
			t.n = 1
		}
		id = t.n
		t.n++
		if int(id>>opChunkBits) == len(t.chunks) {
			t.chunks = append(t.chunks, make([]op, opChunk))
		}
	}
	o := t.at(id)
	*o = op{id: id, gen: o.gen}
	return o
}

// release frees an operation's slot; its handles go stale.
func (t *opTable) release(o *op) {
	t.arena.drop(o.openPath)
	t.arena.drop(o.ip)
	if o.resPath != o.openPath {
		t.arena.drop(o.resPath)
	}
	if o.polls != 0 {
		pi := &t.polls[o.polls-1]
		last := pi.lastPolls
		*pi = pollInfo{intervals: pi.intervals[:0]}
		for k := range last { // the buffers go along to the next, when small
			if cap(last[k].requestID) <= 64 {
				pi.lastPolls[k].requestID = last[k].requestID[:0]
			}
		}
		t.freePolls = append(t.freePolls, o.polls-1)
	}
	if o.extra != 0 {
		t.extras[o.extra-1] = opExtra{}
		t.freeExtra = append(t.freeExtra, o.extra-1)
	}
	gen := o.gen + 1
	*o = op{id: o.id, gen: gen, state: opGone}
	t.free = append(t.free, o.id)
}

// pollsOf is an operation's poll state, nil before its first poll.
func (t *opTable) pollsOf(o *op) *pollInfo {
	if o.polls == 0 {
		return nil
	}
	return &t.polls[o.polls-1]
}

// newPolls gives an operation its poll state.
func (t *opTable) newPolls(o *op) *pollInfo {
	if n := len(t.freePolls); n > 0 {
		o.polls = t.freePolls[n-1] + 1
		t.freePolls = t.freePolls[:n-1]
	} else {
		t.polls = append(t.polls, pollInfo{})
		o.polls = int32(len(t.polls))
	}
	return &t.polls[o.polls-1]
}

func (t *opTable) extraOf(o *op) *opExtra {
	if o.extra == 0 {
		return nil
	}
	return &t.extras[o.extra-1]
}

func (t *opTable) newExtra(o *op) *opExtra {
	if n := len(t.freeExtra); n > 0 {
		o.extra = t.freeExtra[n-1] + 1
		t.freeExtra = t.freeExtra[:n-1]
	} else {
		t.extras = append(t.extras, opExtra{})
		o.extra = int32(len(t.extras))
	}
	return &t.extras[o.extra-1]
}

// str is a view of an arena string, valid while its operation is live.
func (t *opTable) str(r strRef) string { return t.arena.str(r) }

// put copies s into the arena (compacting it first when it is mostly dead
// strings: the operation being filled must be live for its strings to move
// along).
func (t *opTable) put(s string) strRef {
	if t.arena.crowded(min(len(s), maxStrLen)) {
		t.compact()
	}
	return t.arena.put(s)
}

// compact moves the live operations' strings into a new arena: it follows
// at least as many dead bytes as it copies live ones, so it costs O(1) a
// byte.
func (t *opTable) compact() {
	old := t.arena
	t.arena = strArena{}
	move := func(r strRef) strRef { return t.arena.put(old.str(r)) }
	// status paths shared by several operations (link) stay shared, as far
	// as this memo of the last moves remembers them
	var moved [1024]struct{ from, to strRef }
	for id := opID(1); id < t.n; id++ {
		o := t.at(id)
		if o.state != opInflight && o.state != opJudged {
			continue
		}
		same := o.resPath == o.openPath
		o.openPath, o.ip = move(o.openPath), move(o.ip)
		switch m := &moved[uint64(o.resPath)*0x9E3779B97F4A7C15>>54]; {
		case same:
			o.resPath = o.openPath
		case m.from == o.resPath && m.to != 0:
			o.resPath = m.to
			t.arena.retain(m.to)
		default:
			m.from = o.resPath
			o.resPath = move(o.resPath)
			m.to = o.resPath
		}
	}
}

func (l *lifecycle) epOf(o *op) *endpoint { return l.epAll[o.ep] }

// inputOf is the index of r's input name (inputs are few and come in runs).
func (l *lifecycle) inputOf(r *parse.Record) int32 {
	name := l.e.inputName(r.Input) // also decides e.rawKept for r
	if name == l.lastIn && l.lastInI != 0 {
		return l.lastInI
	}
	i, ok := l.inputIx[name]
	if !ok {
		if len(l.inputs) == 0 {
			l.inputs = append(l.inputs, "") // 0: none
		}
		i = int32(len(l.inputs))
		l.inputs = append(l.inputs, name)
		l.inputIx[name] = i
	}
	l.lastIn, l.lastInI = name, i
	return i
}

// setRef records r's line as op's opening line; Retry-After goes along.
func (l *lifecycle) setRef(o *op, r *parse.Record) {
	o.input, o.line, o.offset, o.retryAfter = l.inputOf(r), r.Line, r.Offset, r.RetryAfter
	keepRaw := r.Raw != "" && l.e.rawKept
	if r.RequestID != "" || keepRaw {
		x := l.tab.newExtra(o)
		if r.RequestID != "" {
			x.requestID = strings.Clone(r.RequestID)
		}
		if keepRaw {
			x.raw = cappedRaw(r.Raw)
		}
	}
}

// openSample is op's opening line as a retained sample (its strings are
// copies: samples outlive the arena).
func (l *lifecycle) openSample(o *op) sampleRef {
	s := sampleRef{input: l.inputs[o.input], line: o.line, offset: o.offset, t: o.open,
		status: 202, method: l.epOf(o).key.method, path: strings.Clone(l.tab.str(o.openPath)), role: "open"}
	if x := l.tab.extraOf(o); x != nil {
		s.requestID, s.raw = x.requestID, x.raw
	}
	return s
}
