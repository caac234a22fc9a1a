package rules

import (
	"math"
	"strconv"
	"time"
)

// Storm precision: a 5xx storm is a change, not a count. A window of N
// errors within W makes a storm only when the origin's share of that
// status in the window is significantly above its own baseline (the 15
// minutes before, leaving out minutes already judged stormy):
//
//   - one-sided binomial tail P(X >= k | n, p0) <= 1e-6 (fixed: small enough
//     for the thousands of origin x status x window tests in a day of logs),
//   - a share at least twice the baseline and one percentage point above it,
//   - and, for the whole storm, at least 10 errors.
//
// Without a baseline at the start (the input begins inside the storm) the
// window is dense by N-within-W alone, and the storm is judged again when
// the finding is built, against the origin's other (later) requests;
// failing that it is reported with no_baseline. Storms that are not
// significant are not findings: the origin gets one steady_5xx information
// finding instead ("busy.example.com: steady 0.5% 502 over 4 h").
// 520 bursts keep the documented N-within-W definition.

const (
	stormLog10P     = -6 // p <= 1e-6
	stormMinErrors  = 10
	stormMinLift    = 2.0         // share >= 2x baseline
	stormMinExcess  = 0.01        // share >= baseline + 1 point
	rateMinute      = int64(60e9) // the rate ring's bucket
	rateBaseline    = 15          // minutes of baseline for the storm test
	rateRingBuckets = rateBaseline + 3
	// steadyMinSpan: a rate is called steady only over at least this long
	steadyMinSpan = int64(15 * time.Minute)
)

// rateBucket is one minute of an origin's origin-bound requests and its
// tracked errors by status, and which statuses stormed in it.
type rateBucket struct {
	idx    int64
	bound  int64
	errs   [numTracked]uint32
	stormy uint8 // bit per tracked status
}

// rateRing is every origin's short history for the significance test.
type rateRing struct {
	b     [rateRingBuckets]rateBucket
	cur   *rateBucket
	curHi int64
	curLo int64
}

func (rr *rateRing) bucket(t int64) *rateBucket {
	if rr.cur != nil && t >= rr.curLo && t < rr.curHi {
		return rr.cur
	}
	i := floorDiv(t, rateMinute)
	b := &rr.b[mod(i, rateRingBuckets)]
	if b.idx != i {
		if b.idx > i && rr.cur != nil {
			return rr.cur // older than the ring: count it in the newest minute
		}
		*b = rateBucket{idx: i}
	}
	rr.cur, rr.curLo, rr.curHi = b, i*rateMinute, (i+1)*rateMinute
	return b
}

func (rr *rateRing) add(t, n int64, idx int) {
	b := rr.bucket(t)
	b.bound += n
	if idx >= 0 {
		b.errs[idx] += uint32(n)
	}
}

// baseline sums the minutes wholly before from (back rateBaseline),
// leaving out those where status idx stormed.
func (rr *rateRing) baseline(from int64, idx int) (reqs, errs int64) {
	hi := floorDiv(from, rateMinute)
	for i := range rr.b {
		b := &rr.b[i]
		if b.idx < hi-rateBaseline || b.idx >= hi || b.stormy&(1<<idx) != 0 {
			continue
		}
		reqs += b.bound
		errs += int64(b.errs[idx])
	}
	return reqs, errs
}

// significant runs the storm test: k errors among n requests against a
// baseline share p0.
func significant(k, n int64, p0 float64) bool {
	if n <= 0 || k <= 0 {
		return false
	}
	sh := float64(k) / float64(n)
	if sh < stormMinLift*p0 || sh < p0+stormMinExcess {
		return false
	}
	return binomTailLog10(k, n, p0) <= stormLog10P
}

// binomTailLog10 is log10 P(X >= k) for X ~ Binomial(n, p).
func binomTailLog10(k, n int64, p float64) float64 {
	switch {
	case k <= 0:
		return 0
	case k > n:
		return math.Inf(-1)
	case p <= 0:
		return math.Inf(-1)
	case p >= 1 || float64(k) <= float64(n)*p:
		return 0 // the mean or less: not in the upper tail
	}
	lp, lq := math.Log(p), math.Log1p(-p)
	ln, _ := math.Lgamma(float64(n + 1))
	term := func(j int64) float64 {
		a, _ := math.Lgamma(float64(j + 1))
		b, _ := math.Lgamma(float64(n - j + 1))
		return ln - a - b + float64(j)*lp + float64(n-j)*lq
	}
	first := term(k)
	// terms fall geometrically above the mean: sum them relative to the first
	sum, t := 1.0, first
	for j := k; j < n && j < k+100000; j++ {
		// ratio of term j+1 to term j
		t += math.Log(float64(n-j)) - math.Log(float64(j+1)) + lp - lq
		r := math.Exp(t - first)
		sum += r
		if r < 1e-12 {
			break
		}
	}
	return (first + math.Log(sum)) / math.Ln10
}

// verdict is the storm test's outcome for a burst (storm.go).
type verdict struct {
	storm      bool
	p0         float64
	noBaseline bool
}

// stormDetector finds 5xx storms (502, 504, 521-524): dense runs of one
// status on one origin, on the dense-run core (burst.go), whose windows pass
// the storm test above; dense runs that do not make the origin's
// steady_5xx finding.
type stormDetector struct {
	e *Engine
	burstList
}

func (sd *stormDetector) observe(rv recordView) {
	if rv.idx <= 0 || !rv.counted {
		return
	}
	e, o := sd.e, rv.o
	d, x, full := e.queueError(o, rv.r, rv.idx)
	if !full {
		return
	}
	k := int64(len(d.q) - d.winLo)
	n := int64(x.cumBound) - int64(d.q[d.winLo].cumBound) + 1
	if !sd.gate(o, d, x.t, k, n) || !d.noBaseline && d.cur != nil && !d.addsToStorm(d.winLo) {
		return
	}
	// Every error in [t-W, t] is dense; a new storm starts where its
	// window is most significant.
	from := d.firstUnmarked()
	if !d.noBaseline && from == d.winLo && (d.cur == nil || d.q[from].t-d.cur.endT > e.gapFor(d.idx)) {
		from = d.stormStart(from)
	}
	e.markDense(o, d, from, &sd.burstList)
}

// due: a storm has no timed work of its own.
func (sd *stormDetector) due(int64) int64 { return maxTime }

// findings adds the storms that pass the storm test (judged again at every
// snapshot: without a baseline the origin's later requests stand in), then
// the origins' steady_5xx findings.
func (sd *stormDetector) findings(fs *findingSet) {
	var steady []*burst
	for _, b := range sd.bursts {
		var v verdict
		var rateOK bool
		reqs := int64(b.endBound) - int64(b.startBound) + 1
		v.storm, rateOK, v.p0, v.noBaseline = sd.e.stormVerdict(b, reqs)
		if !v.storm {
			if !rateOK {
				steady = append(steady, b) // dense but not above its baseline
			}
			continue
		}
		fs.addBurst(b, v)
	}
	for _, f := range sd.steadyFindings(steady) {
		fs.add(f.ID, f)
	}
}

func (sd *stormDetector) oldest(int64) (capCandidate, bool) { return sd.oldestBurst(sd.e) }
func (sd *stormDetector) drop(c capCandidate)               { sd.dropBurst(sd.e, c) }

// gate decides whether the window of a storm's run ending at an error at t
// is dense: k errors among n origin-bound requests. It caches the baseline
// per run and minute, and marks stormy minutes.
func (sd *stormDetector) gate(o *origin, d *statusRun, t int64, k, n int64) bool {
	from := t - sd.e.w
	if m := floorDiv(from, rateMinute); m != d.baseMinute || !d.baseValid {
		d.baseMinute, d.baseValid = m, true
		d.baseReqs, d.baseErrs = o.rates.baseline(from, d.idx)
	}
	if d.baseReqs < minBaseline {
		d.noBaseline = true
		return true // no baseline: N-within-W alone, judged again at build
	}
	d.noBaseline = false
	p0 := float64(d.baseErrs) / float64(d.baseReqs)
	if !significant(k, n, p0) {
		d.gated++
		sd.noteGated(o)
		return false
	}
	o.rates.bucket(t).stormy |= 1 << d.idx
	return true
}

// noteGated remembers an origin whose storm gate turned a window down, for
// its steady_5xx finding (bounded by maxOrigins).
func (sd *stormDetector) noteGated(o *origin) {
	if !o.gated {
		o.gated = true
		sd.e.steadyOrigins = append(sd.e.steadyOrigins, o)
	}
}

// stormStart is where a new storm begins within its first significant
// window (from its first error, lo): at the error from which the rest of
// the window is most significant against the baseline, so background errors
// that happened to precede the storm within W do not stretch its span (and
// dilute its contrast).
func (d *statusRun) stormStart(lo int) int {
	x := d.q[len(d.q)-1]
	p0 := float64(d.baseErrs) / float64(max(d.baseReqs, 1))
	best, bestP := lo, math.Inf(1)
	for i := lo; i < len(d.q); i++ {
		k := int64(len(d.q) - i)
		n := int64(x.cumBound) - int64(d.q[i].cumBound) + 1
		if p := binomTailLog10(k, n, p0); p < bestP {
			best, bestP = i, p
		}
	}
	return best
}

// addsToStorm says whether the newest error's window is at least as
// significant as the same window ending at the storm's last dense error:
// after a storm, background errors whose window still holds the storm's
// errors make it less so, and are not dense (yet: a later storm error marks
// them with its window). So a storm does not run on past its end.
func (d *statusRun) addsToStorm(lo int) bool {
	last := len(d.q) - 1
	j := int(int64(d.lastDenseSeq) - int64(d.q[0].seq))
	if j < lo || j >= last {
		return true
	}
	x, end := d.q[last], d.q[j]
	p0 := float64(d.baseErrs) / float64(max(d.baseReqs, 1))
	with := binomTailLog10(int64(last-lo+1), int64(x.cumBound)-int64(d.q[lo].cumBound)+1, p0)
	upToEnd := binomTailLog10(int64(j-lo+1), int64(end.cumBound)-int64(d.q[lo].cumBound)+1, p0)
	return with <= upToEnd
}

// stormVerdict judges a built storm: whether it is a storm, whether its
// share passed the rate test (a storm also needs stormMinErrors), its
// baseline share, and whether it had any baseline.
func (e *Engine) stormVerdict(b *burst, reqs int64) (storm, rateOK bool, p0 float64, noBaseline bool) {
	k := int64(b.count())
	if b.baseReqs >= minBaseline {
		p0 = float64(b.baseErrs) / float64(b.baseReqs)
	} else {
		// the origin's other requests (mostly later: the input began
		// inside the storm) stand in for the baseline
		d := b.o.dets[b.idx]
		restReqs := int64(b.o.bound) - reqs
		restErrs := int64(d.seq) - k
		if restReqs < minBaseline || restErrs < 0 {
			return k >= stormMinErrors, true, 0, true
		}
		p0 = float64(restErrs) / float64(restReqs)
	}
	rateOK = significant(k, reqs, p0)
	return rateOK && k >= stormMinErrors, rateOK, p0, false
}

// impactCap is the highest severity a burst's impact allows: the failing
// share, the errors and the duration. A storm at a few percent is never
// critical.
func impactCap(share float64, count int, dur time.Duration) Severity {
	switch {
	case share >= 0.2:
		return SeverityCritical
	case share >= 0.05 && count >= 500 && dur >= 10*time.Minute:
		return SeverityCritical
	}
	return SeverityWarning
}

// steadyFindings makes one steady_5xx information finding per origin whose
// dense runs of a 5xx were not significant (bs, and windows the storm gate
// turned down): its statuses' shares over the input.
func (sd *stormDetector) steadyFindings(bs []*burst) []*Finding {
	var order []*origin
	statuses := map[*origin]uint8{}
	note := func(o *origin, idx int) {
		if statuses[o] == 0 {
			order = append(order, o)
		}
		statuses[o] |= 1 << idx
	}
	for _, b := range bs {
		if d := b.o.dets[b.idx]; d.lastT-d.firstT >= steadyMinSpan {
			note(b.o, b.idx)
		}
	}
	for _, o := range sd.e.steadyOrigins {
		for idx := 1; idx < numTracked; idx++ {
			if d := o.dets[idx]; d != nil && d.gated > 0 && d.seq >= stormMinErrors && d.lastT-d.firstT >= steadyMinSpan {
				note(o, idx)
			}
		}
	}
	out := make([]*Finding, 0, len(order))
	for _, o := range order {
		out = append(out, sd.e.buildSteady(o, statuses[o]))
	}
	return out
}

func (e *Engine) buildSteady(o *origin, mask uint8) *Finding {
	var top *statusRun
	var parts []string
	shares := map[string]float64{}
	n := 0
	for idx := 1; idx < numTracked; idx++ {
		d := o.dets[idx]
		if mask&(1<<idx) == 0 || d == nil {
			continue
		}
		n++
		if top == nil || d.seq > top.seq {
			top = d
		}
	}
	bound := float64(max(o.bound, 1))
	for idx := 1; idx < numTracked; idx++ {
		if d := o.dets[idx]; d != nil && mask&(1<<idx) != 0 {
			sh := float64(d.seq) / bound
			shares[statusKey(trackedStatuses[idx])] = round4(sh)
			parts = append(parts, pctStr(sh)+" "+statusKey(trackedStatuses[idx]))
		}
	}
	share := float64(top.seq) / bound
	dur := top.lastT - top.firstT
	f := &Finding{ID: stableID(string(KindSteady5xx), o.name), Kind: KindSteady5xx, Severity: SeverityInfo,
		Origin: o.name, Status: trackedStatuses[top.idx], Start: ts(top.firstT), End: ts(top.lastT),
		Count: int(top.seq), Causes: []Cause{}, Fixes: []string{}, Samples: []Sample{}}
	f.Definition = "A steady error rate: the origin's share of these errors did not rise significantly above its own baseline, so it is not a storm."
	f.Verdict = o.name + ": steady " + joinAnd(parts) + " over " + humanDuration(time.Duration(dur))
	f.Features = map[string]float64{
		"count":      float64(top.seq),
		"requests":   float64(o.bound),
		"share":      round4(share),
		"duration_s": seconds(dur),
		"status":     float64(f.Status),
		"statuses":   float64(n),
	}
	f.Context = map[string]any{"shares": shares}
	return f
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	s := parts[0]
	for _, p := range parts[1 : len(parts)-1] {
		s += ", " + p
	}
	return s + " and " + parts[len(parts)-1]
}

// humanDuration is "4 h", "25 min", "40 s".
func humanDuration(d time.Duration) string {
	switch {
	case d >= 2*time.Hour:
		return strconv.FormatFloat(math.Round(d.Hours()*10)/10, 'f', -1, 64) + " h"
	case d >= 2*time.Minute:
		return strconv.Itoa(int(math.Round(d.Minutes()))) + " min"
	}
	return strconv.Itoa(int(math.Round(d.Seconds()))) + " s"
}
