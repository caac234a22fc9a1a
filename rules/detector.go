package rules

import "github.com/edgetriage/edgetriage/parse"

// Detector is one kind of finding the engine looks for: the 520 burst, the
// 5xx storm, the 202 lifecycle. The engine does the shared accounting of a
// record (event time, the timeline, its origin and the origin's counters)
// and then hands it to every detector in turn; the snapshot asks each for
// its findings. Its methods are unexported: detectors live in this package,
// next to the engine state they read.
//
// The contract:
//   - Order: observe sees every record once, in the engine's order (time
//     order, bounded disorder repaired by parse; a record older than the
//     newest is still handed over, and the detector must not move its own
//     time back). Detectors see a record in registration order (see
//     newDetectors) and must not depend on that order: each keeps its own
//     state, and shares only the engine's (origins, interner, timeline).
//   - Time: event time only, never the wall clock. A detector with timed
//     work schedules it with Engine.wantDue; the engine calls due(now) once
//     event time has passed the earliest scheduled time (records or
//     Engine.Advance), and due returns when it next has work (maxTime: none).
//   - State: bounded, with a counter for what a cap turned away. The
//     findings cap (Config.MaxFindings) is the engine's (cap.go): after
//     each record and each round of timed work it asks every detector what
//     it holds (held) and which finding it would give up first (oldest),
//     and drops the oldest of all (drop) until the total is within the cap.
//     A detector never caps itself; findings it does not report in held
//     (fire-and-forget endpoints, steady_5xx origins) it bounds itself.
//   - Findings: findings(fs) adds the detector's current findings to a
//     snapshot being built (fs.add), each with a stable ID (stableID), its
//     Kind, Origin, Start/End, Count, Definition, every feature the schema
//     (features.go) declares for its kind, Context and Samples. A finding
//     whose evidence did not change is taken from the engine's cache
//     (fs.cached); a rebuilt one is cached and queued for the cause rules
//     with its severity floor and ceiling (fs.store). It may also fill the
//     snapshot's totals it owns. The snapshot sorts the findings, so the
//     order in which detectors add them does not matter.
//
// A new detector is a new file set implementing this interface and one line
// in newDetectors.
type Detector interface {
	// observe sees one record. rv.r is read-only and only valid during the
	// call: copy what is kept.
	observe(rv recordView)
	// due runs the timed work whose time has come and returns the event
	// time at which it next has work.
	due(now int64) int64
	// findings adds the detector's findings to a snapshot.
	findings(fs *findingSet)

	// held is how many of its findings count against the findings cap.
	held() int
	// oldest is the finding the cap would drop first of those held, at
	// event time now (ok false: none held).
	oldest(now int64) (c capCandidate, ok bool)
	// drop forgets the finding c (from oldest, with no call in between)
	// and its timeline series.
	drop(c capCandidate)
}

// newDetectors registers the engine's detectors, in the order they see a
// record.
func (e *Engine) newDetectors() []Detector {
	return []Detector{
		&burst520Detector{e: e},
		&stormDetector{e: e},
		&e.life,
	}
}

// maxTime is "no timed work".
const maxTime = int64(1<<63 - 1)

// recordView is one record as the engine hands it to each detector, with
// what the engine already worked out about it. It is passed by value: a
// few words, no allocation per record.
type recordView struct {
	r *parse.Record
	o *origin // the record's origin
	// idx is the tracked status's index (trackedIndex), -1 when the status
	// is not one the burst detectors follow.
	idx int
	// counted: the record counts in its origin's traffic. An origin-log
	// record of an origin that has edge records only serves the edge/origin
	// join (counting both would count each request twice).
	counted bool
	// named: the lifecycle's host key of r is o's name (see originOf).
	named bool
}

// findingSet is a snapshot being built: the findings the detectors added,
// those rebuilt (waiting for the cause rules), and the 202 series that the
// snapshot's timeline sums.
type findingSet struct {
	e       *Engine
	snap    *Snapshot
	seen    map[string]bool // finding IDs already in the snapshot
	built   []*Finding
	rebuilt []explainJob
	// incomplete are the series summed into Timeline.Incomplete202
	incomplete []*series
}

// cached returns the engine's built finding for id when its evidence
// version v and finality are unchanged (nil otherwise, to be rebuilt).
func (fs *findingSet) cached(id string, v int) *builtFinding {
	bf := fs.e.cache[id]
	if bf == nil || bf.version != v || bf.final != fs.e.final {
		return nil
	}
	return bf
}

// store caches a rebuilt finding and queues it for the cause rules, whose
// severity stays within [floor, ceiling].
func (fs *findingSet) store(id string, bf *builtFinding, floor, ceiling Severity) {
	fs.e.cache[id] = bf
	fs.rebuilt = append(fs.rebuilt, explainJob{&bf.f, floor, ceiling})
}

// add puts a finding into the snapshot.
func (fs *findingSet) add(id string, f *Finding) {
	fs.seen[id] = true
	fs.built = append(fs.built, f)
}
