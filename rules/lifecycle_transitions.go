package rules

// The transitions of a 202 operation on a poll, as data: a poll's status
// falls in one class (statusClass); the operation's poll mode (pollModeOf)
// and that class give its next state (pollNext); an operation still open
// at its J whose last poll failed takes that class's sub-type (failedSub).
// Everything else about a poll (counts, intervals, samples) is the same
// for every status, in addPoll.

// pollClass is what a poll's status says about its operation.
type pollClass uint8

const (
	classPending   pollClass = iota // 202, other 1xx-3xx: still running
	classOK                         // 200: done, unless the state is in the body
	classDone                       // 201, 303: the result exists
	classNoContent                  // 204: done, also for a RELO DELETE
	classGone                       // 404, 410: the status resource is not there
	classServerErr                  // 5xx: the status resource failed
	classRejected                   // 499, 0 (no response), other 4xx
	nPollClasses
)

// statusClass puts a poll's status in its class.
func statusClass(st int) pollClass {
	switch {
	case st == 200:
		return classOK
	case st == 201 || st == 303:
		return classDone
	case st == 204:
		return classNoContent
	case st == 404 || st == 410:
		return classGone
	case st >= 500:
		return classServerErr
	case st == 499 || st == 0 || st >= 400:
		return classRejected
	}
	return classPending
}

// pollMode is how an operation's polls show completion.
type pollMode uint8

const (
	modeStatus pollMode = iota // poll style status: a done status ends it
	modeBody                   // poll style body: a 200 may still be pending
	modeDelete                 // a DELETE polled on its own path: 404 means deleted
	nPollModes
)

func (op *op) pollMode() pollMode {
	switch {
	case op.isDelete && op.linkedBy == linkSamePath:
		return modeDelete
	case op.body:
		return modeBody
	}
	return modeStatus
}

// opNext is an operation's state after a poll.
type opNext uint8

const (
	stayOpen opNext = iota // pending, or failed: judged at J by its last poll
	completeNow
)

// pollNext is the transition table: mode × class → next state.
var pollNext = [nPollModes][nPollClasses]opNext{
	modeStatus: {classOK: completeNow, classDone: completeNow, classNoContent: completeNow},
	modeBody:   {classDone: completeNow, classNoContent: completeNow},
	modeDelete: {classGone: completeNow, classNoContent: completeNow},
}

// failedSub is the sub-type of an operation judged with a failed last
// poll ("" for the classes judged by timing).
var failedSub = [nPollClasses]string{
	classGone:      SubStatusLost,
	classServerErr: SubStatusError,
	classRejected:  SubPollRejected,
}

// applyPoll moves op by a poll of status st at time t.
func (l *lifecycle) applyPoll(op *op, st int, t int64) {
	if pollNext[op.pollMode()][statusClass(st)] == completeNow {
		l.complete(op, t)
	}
}
