package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// 202 scenarios: one per cause of unfinished async jobs that the 202
// contrast tells apart (rules/causes/default.yaml), each on a job API
// whose other clients and endpoints stay healthy. As with the burst
// scenarios, the numbers (which client, which endpoint, when, how many)
// come from the seed: a check tuned to one generation fails on another
// unless it follows the cause's signature.

// OpScenario is one generated async-job situation with a planted cause.
type OpScenario struct {
	Name        string
	Description string
	Cause       string // the planted cause id
	Signature   string // how it shows in the 202 contrast
	build       func(a *opWorld)
	// combined: an nginx combined log (no host, no Location or
	// Retry-After logged: polls are linked by the POST's child GET)
	// instead of Cloudflare's
	combined bool
}

// OpScenarioSet is one generation of an OpScenario.
type OpScenarioSet struct {
	Name  string
	Seed  uint64
	Files []ScenarioFile
	Truth []ExpectedOp
}

// ExpectedOp is what the engine and the default rules should make of the
// planted operations: every incomplete_202 group of Origin ("" for a
// hostless log: the one origin named after its file) with Subtype
// (on Endpoint, or on every endpoint when "") has Cause on top, and the
// group's contrast separates Values on Dimension ("" when no dimension
// tells the cause: a step at StepAt instead).
type ExpectedOp struct {
	Origin, Endpoint, Subtype, Cause string
	Dimension                        string
	Values                           []string
	StepAt                           time.Time `json:",omitzero"`
	Ops                              int       // planted operations of the sub-type
	Strays                           int       // noise operations of the sub-type elsewhere
	Note                             string
}

// OpScenarios lists the 202 scenarios.
func OpScenarios() []OpScenario { return slices.Clone(opScenarioList) }

var opScenarioList = []OpScenario{
	{Name: "202-client-never-polls", Cause: "client-never-polls", build: buildClientNeverPolls,
		Description: "One integration (one client network) opens jobs and never polls them; the other clients poll theirs to the end.",
		Signature:   "never_polled; client_net separates (that network ~100% unpolled, the others ~0%)"},
	{Name: "202-endpoint-queue-stalled", Cause: "endpoint-queue-stalled", build: buildEndpointStalled,
		Description: "The worker of one job type stops: that endpoint's jobs answer 202 until clients' patience ends; the other endpoints finish.",
		Signature:   "stuck_pending; endpoint separates (one endpoint ~100% stuck since T, the others ~0%)"},
	{Name: "202-status-url-wrong", Cause: "status-url-wrong", build: buildStatusURLWrong,
		Description: "One endpoint returns a Location with a wrong path prefix: its first poll already answers 404.",
		Signature:   "status_lost; first_poll separates ({404}: completed operations' first poll was 202)"},
	{Name: "202-job-store-lost", Cause: "job-store-lost", build: buildJobStoreLost,
		Description: "The job store is wiped for a while: jobs accepted then answer 202, then 404.",
		Signature:   "status_lost; first_poll 202 like the completed (no separation), last_poll {404}"},
	{Name: "202-status-endpoint-down", Cause: "status-endpoint-down", build: buildStatusEndpointDown,
		Description: "The status endpoint fails (502, 503 or 504) for some minutes; clients stop at the error.",
		Signature:   "status_error; last_poll separates ({5xx})"},
	{Name: "202-retry-after-missing", Cause: "retry-after-missing", build: buildRetryAfterMissing,
		Description: "Part of the fleet drops Retry-After from its 202s; clients without it poll fast and give up.",
		Signature:   "client_gave_up; retry_after separates ({none})"},
	{Name: "202-retry-after-too-long", Cause: "retry-after-too-long", build: buildRetryAfterTooLong,
		Description: "Part of the fleet sends Retry-After of 10 to 30 minutes; clients poll once and never come back.",
		Signature:   "client_gave_up; retry_after separates ({>5min})"},
	{Name: "202-worker-pool-died", Cause: "worker-pool-died", build: buildWorkerPoolDied,
		Description: "Every worker stops at T: every job opened from T on stays pending, on every endpoint and client.",
		Signature:   "stuck_pending; a step by opening time (~0% before T, ~100% after) and no endpoint or client separates"},
	// the same causes with noise of their own sub-type
	{Name: "202-client-never-polls-noisy", Cause: "client-never-polls", build: noisy(buildClientNeverPolls, jobNever),
		Description: "One client network never polls; two other clients forget a job or two as well.",
		Signature:   "never_polled; client_net separates although a few other operations are never polled"},
	{Name: "202-endpoint-queue-stalled-noisy", Cause: "endpoint-queue-stalled", build: noisy(buildEndpointStalled, jobStuck),
		Description: "One endpoint's worker stops mid-log (its earlier jobs completed); another endpoint has a stray stuck job.",
		Signature:   "stuck_pending; endpoint separates since T although another endpoint has a stuck job"},
	{Name: "202-worker-pool-died-inflight", Cause: "worker-pool-died", build: buildWorkerPoolDiedInflight,
		Description: "Every worker stops at T, taking the jobs in flight with them.",
		Signature:   "stuck_pending; a step at T (jobs opened just before T stuck too), no endpoint or client separates"},
	// the same causes in a plain access log
	{Name: "202-client-never-polls-combined", Cause: "client-never-polls", build: buildClientNeverPolls, combined: true,
		Description: "One client network never polls, in an nginx combined log (jobs polled at the POST's path/{id}).",
		Signature:   "never_polled; client_net separates"},
	{Name: "202-endpoint-queue-stalled-combined", Cause: "endpoint-queue-stalled", build: buildEndpointStalled, combined: true,
		Description: "One endpoint's worker stops, in an nginx combined log.",
		Signature:   "stuck_pending; endpoint separates"},
	{Name: "202-worker-pool-died-combined", Cause: "worker-pool-died", build: buildWorkerPoolDied, combined: true,
		Description: "Every worker stops at T, in an nginx combined log.",
		Signature:   "stuck_pending; a step at T, no endpoint or client separates"},
}

// noisy plants the scenario, then 1-3 stray operations of fate on other
// clients and endpoints (the truth's own count is unchanged: the strays
// make their own, separate groups or sit beside the planted ones).
func noisy(build func(a *opWorld), fate int) func(a *opWorld) {
	return func(a *opWorld) {
		build(a)
		for range 1 + a.r.IntN(3) {
			j := a.plan(0, a.lastOpen)
			j.fate = fate
			a.run(j)
			a.stray++
		}
	}
}

const opHost = "jobs.example.com"

// Generate builds the scenario for seed (0 = DefaultSeed).
func (s OpScenario) Generate(seed uint64) *OpScenarioSet {
	if seed == 0 {
		seed = DefaultSeed
	}
	w := newWorld(s.Name, seed)
	a := newOpWorld(w)
	a.combined = s.combined
	s.build(a)
	a.background()
	if s.combined {
		a.writeCombined()
	} else {
		w.finish()
	}
	for i := range a.truth {
		a.truth[i].Strays = a.stray
		if s.combined {
			a.truth[i].Origin = "" // the log names no host: the engine names the origin after the file
		}
	}
	return &OpScenarioSet{Name: s.Name, Seed: seed, Files: w.files, Truth: a.truth}
}

// opWorld is a job API under construction.
type opWorld struct {
	w     *world
	r     *rand.Rand
	eps   []string // endpoint paths ("/v1/exports")
	apps  []opApp
	ip    string
	truth []ExpectedOp
	// opens are planted from 0 to lastOpen; traffic runs to end, past
	// every deadline (10 minutes)
	lastOpen, end time.Duration
	stray         int // operations of the planted sub-type added as noise
	combined      bool
}

// writeCombined renders the requests as the API's nginx combined log, in
// time order.
func (a *opWorld) writeCombined() {
	reqs := slices.Clone(a.w.reqs)
	slices.SortStableFunc(reqs, func(x, y *Request) int { return x.Time.Compare(y.Time) })
	var b []byte
	for _, r := range reqs {
		b = append(AppendCombined(b, r, time.UTC, false), '\n')
	}
	a.w.files = append(a.w.files, ScenarioFile{Name: a.w.name + "/access.log", Format: "combined", Data: b})
}

// opApp is one integration: its clients share a network and a user agent.
type opApp struct {
	net     string // as the contrast labels it
	family  string
	clients []Client
}

var opEndpoints = []string{"/v1/exports", "/v1/imports", "/v1/reports", "/v1/transcodes", "/v2/renders", "/v1/backups"}

// opFamilies are API user agents of distinct families.
var opFamilies = []string{"python-requests/2.32.3", "Go-http-client/2.0", "okhttp/4.12.0"}

func newOpWorld(w *world) *opWorld {
	r := w.r
	a := &opWorld{w: w, r: r, ip: fmt.Sprintf("192.0.2.%d", 10+r.IntN(200)), lastOpen: 55 * time.Minute, end: 70 * time.Minute}
	eps := slices.Clone(opEndpoints)
	r.Shuffle(len(eps), func(i, j int) { eps[i], eps[j] = eps[j], eps[i] })
	a.eps = eps[:3+r.IntN(2)]
	v4 := []string{"198.51.100", "203.0.113"}
	n := 4 + r.IntN(3)
	fams := slices.Clone(opFamilies)
	r.Shuffle(len(fams), func(i, j int) { fams[i], fams[j] = fams[j], fams[i] })
	for i := range n {
		app := opApp{family: fams[i%len(fams)]}
		var prefix string
		if i < len(v4) && r.IntN(2) == 0 {
			prefix = v4[i]
			app.net = prefix + ".0/24"
		} else {
			g := 0x100 + i*0x40 + r.IntN(0x40)
			prefix = fmt.Sprintf("2001:db8:%x", g)
			app.net = prefix + "::/48"
		}
		for range 3 + r.IntN(4) {
			base := pick(r, w.clients)
			ip := fmt.Sprintf("%s.%d", prefix, 1+r.IntN(254))
			if app.net[len(app.net)-3:] == "/48" {
				ip = fmt.Sprintf("%s::%x", prefix, 1+r.IntN(0xfff))
			}
			app.clients = append(app.clients, Client{IP: ip, UserAgent: app.family, Country: base.Country, Colo: base.Colo})
		}
		a.apps = append(a.apps, app)
	}
	return a
}

func (a *opWorld) at(d time.Duration) time.Time { return a.w.at(d) }

func (a *opWorld) endpoint(i int) string { return "POST " + a.eps[i] }

// Job fates.
const (
	jobDone     = iota // polled every Retry-After until 303
	jobNever           // never polled
	jobStuck           // 202 on every poll, clients poll past the deadline
	jobGaveUp          // a few pending polls, then the client stops
	jobOnce            // one pending poll, then the client waits Retry-After (too long) and never returns
	jobWrongURL        // the Location's path is wrong: 404 at once
	jobLost            // 202 a few times, then 404 (the record is gone)
	jobErr             // 202 once or twice, then the status endpoint's 5xx
)

// job is one operation's plan.
type job struct {
	app  *opApp
	ep   int
	at   time.Time
	ra   int // Retry-After seconds; 0 none
	dur  time.Duration
	fate int
	// status answers the last poll (jobErr: the 5xx; jobLost: 404 or 410)
	status int
	// from: jobLost and jobErr polls answer status from this time on
	from time.Time
}

// healthyRA is a sensible Retry-After.
func (a *opWorld) healthyRA() int { return pick(a.r, []int{5, 10, 15, 20}) }

// plan is a healthy job of a random app and endpoint opened in [from, to).
func (a *opWorld) plan(from, to time.Duration) job {
	app := &a.apps[a.r.IntN(len(a.apps))]
	return job{app: app, ep: a.r.IntN(len(a.eps)), at: between(a.r, a.at(from), a.at(to)),
		ra: a.healthyRA(), dur: time.Duration(5+a.r.IntN(50)) * time.Second, fate: jobDone}
}

// healthy plants n healthy jobs opened in [from, to), skipping apps and
// endpoints skip says no to.
func (a *opWorld) healthy(n int, from, to time.Duration, skip func(j job) bool) {
	for planted := 0; planted < n; {
		j := a.plan(from, to)
		if skip != nil && skip(j) {
			continue
		}
		a.run(j)
		planted++
	}
}

// run writes a job's requests.
func (a *opWorld) run(j job) {
	w, r := a.w, a.r
	c := pick(r, j.app.clients)
	id := alnumID(r, 12)
	status := "/v1/jobs/" + id
	loc := "https://" + opHost + status
	if j.fate == jobWrongURL {
		loc = "https://" + opHost + "/v1/job/" + id // the served route is /v1/jobs/{id}
	}
	if a.combined { // no Location logged: the job is its POST path's child
		status = a.eps[j.ep] + "/" + id
		loc = status
	}
	open := w.edge(r, j.at, c, opHost, "POST", a.eps[j.ep], "")
	answer(r, open, 202, int64(80+r.IntN(60)), "application/json", 40+r.IntN(80))
	open.OriginIP, open.Location, open.RetryAfter = a.ip, loc, j.ra
	interval := time.Duration(j.ra) * time.Second
	if j.ra == 0 {
		interval = time.Duration(1+r.IntN(2)) * time.Second // no advice: clients poll fast
	}
	if j.fate == jobNever {
		return
	}
	t := j.at.Add(jitter(r, min(interval, 30*time.Second), 0.2))
	poll := func(st int) {
		req := w.edge(r, t, c, opHost, "GET", pathOf(loc), "")
		body := int64(90 + r.IntN(60))
		if st >= 400 {
			body = int64(40 + r.IntN(60))
		}
		answer(r, req, st, body, "application/json", 10+r.IntN(20))
		req.OriginIP = a.ip
		if st == 202 {
			req.RetryAfter = j.ra
		}
		if st == 303 {
			req.Location = status + "/result"
		}
		t = t.Add(jitter(r, interval, 0.2))
	}
	switch j.fate {
	case jobDone:
		for t.Before(j.at.Add(j.dur)) {
			poll(202)
		}
		poll(303)
	case jobStuck:
		for t.Before(j.at.Add(11 * time.Minute)) {
			poll(202)
		}
	case jobGaveUp:
		for range 3 + r.IntN(4) {
			poll(202)
		}
	case jobOnce:
		poll(202)
	case jobWrongURL:
		poll(404)
	case jobLost, jobErr:
		for n := 0; n < 6 && (n == 0 || t.Before(j.from)); n++ {
			poll(202)
		}
		poll(j.status)
	}
}

// background is the API's other traffic, to the end, so that every
// deadline passes.
func (a *opWorld) background() {
	r := a.w.r
	for t := a.at(time.Duration(r.IntN(3000)) * time.Millisecond); t.Before(a.at(a.end)); t = t.Add(time.Duration(1000+r.IntN(3000)) * time.Millisecond) {
		c := pick(r, pick(r, a.apps).clients)
		req := a.w.edge(r, t, c, opHost, "GET", fmt.Sprintf("/v1/items/%d", 1000+r.IntN(9000)), "")
		answer(r, req, 200, int64(800+r.IntN(2000)), "application/json", 20+r.IntN(30))
		req.OriginIP = a.ip
	}
}

// expect adds the truth for every group of sub.
func (a *opWorld) expect(e ExpectedOp) {
	e.Origin = opHost
	a.truth = append(a.truth, e)
}

func buildClientNeverPolls(a *opWorld) {
	r := a.r
	// the culprit shares its user-agent family with a healthy app, so
	// only its network tells it apart
	bad := -1
	for i := range a.apps {
		for k := range a.apps {
			if k != i && a.apps[k].family == a.apps[i].family {
				bad = i
			}
		}
	}
	n := 15 + r.IntN(20)
	for range n {
		j := a.plan(0, a.lastOpen)
		j.app, j.fate = &a.apps[bad], jobNever
		a.run(j)
	}
	a.healthy(80+r.IntN(60), 0, a.lastOpen, func(j job) bool { return j.app == &a.apps[bad] })
	for range 2 + r.IntN(3) { // browser noise of another sub-type
		j := a.plan(0, a.lastOpen)
		j.fate = jobGaveUp
		a.run(j)
	}
	a.expect(ExpectedOp{Subtype: "never_polled", Cause: "client-never-polls", Dimension: "client_net",
		Values: []string{a.apps[bad].net}, Ops: n, Note: "one network never polls, the other networks poll"})
}

func buildEndpointStalled(a *opWorld) {
	r := a.r
	e := r.IntN(len(a.eps))
	from := time.Duration(r.IntN(30)) * time.Minute
	n := 10 + r.IntN(20)
	for range n {
		j := a.plan(from, a.lastOpen)
		j.ep, j.fate = e, jobStuck
		a.run(j)
	}
	a.healthy(80+r.IntN(60), 0, a.lastOpen, func(j job) bool { return j.ep == e && j.at.After(a.at(from).Add(-time.Minute)) })
	a.expect(ExpectedOp{Endpoint: a.endpoint(e), Subtype: "stuck_pending", Cause: "endpoint-queue-stalled", Dimension: "endpoint",
		Values: []string{a.endpoint(e)}, Ops: n, Note: fmt.Sprintf("%s's worker stopped %v in", a.endpoint(e), from)})
}

func buildStatusURLWrong(a *opWorld) {
	r := a.r
	e := r.IntN(len(a.eps))
	n := 10 + r.IntN(20)
	for range n {
		j := a.plan(0, a.lastOpen)
		j.ep, j.fate = e, jobWrongURL
		a.run(j)
	}
	a.healthy(80+r.IntN(60), 0, a.lastOpen, func(j job) bool { return j.ep == e })
	a.expect(ExpectedOp{Endpoint: a.endpoint(e), Subtype: "status_lost", Cause: "status-url-wrong", Dimension: "first_poll",
		Values: []string{"404"}, Ops: n, Note: "the Location of " + a.endpoint(e) + " names /v1/job/{id}, the status route is /v1/jobs/{id}"})
}

func buildJobStoreLost(a *opWorld) {
	r := a.r
	from := time.Duration(10+r.IntN(25)) * time.Minute
	span := time.Duration(5+r.IntN(8)) * time.Minute
	n := 12 + r.IntN(15)
	for range n {
		j := a.plan(from-time.Minute, from+span)
		j.fate, j.status, j.from = jobLost, 404, a.at(from)
		a.run(j)
	}
	a.healthy(80+r.IntN(60), 0, a.lastOpen, func(j job) bool {
		return !j.at.Before(a.at(from-2*time.Minute)) && j.at.Before(a.at(from+span))
	})
	a.expect(ExpectedOp{Subtype: "status_lost", Cause: "job-store-lost", Dimension: "last_poll", Values: []string{"404"}, Ops: n,
		Note: fmt.Sprintf("status records wiped from %v for %v: 202 first, then 404", from, span)})
}

func buildStatusEndpointDown(a *opWorld) {
	r := a.r
	st := pick(r, []int{502, 503, 504})
	from := time.Duration(10+r.IntN(25)) * time.Minute
	span := time.Duration(5+r.IntN(8)) * time.Minute
	n := 12 + r.IntN(15)
	for range n {
		j := a.plan(from-time.Minute, from+span)
		j.fate, j.status, j.from = jobErr, st, a.at(from)
		a.run(j)
	}
	a.healthy(80+r.IntN(60), 0, a.lastOpen, func(j job) bool {
		return !j.at.Before(a.at(from-2*time.Minute)) && j.at.Before(a.at(from+span))
	})
	a.expect(ExpectedOp{Subtype: "status_error", Cause: "status-endpoint-down", Dimension: "last_poll", Values: []string{fmt.Sprint(st)}, Ops: n,
		Note: fmt.Sprintf("the status route answers %d from %v for %v", st, from, span)})
}

func buildRetryAfterMissing(a *opWorld) {
	r := a.r
	share := a.w.uniform(0.25, 0.45)
	total := 120 + r.IntN(60)
	n := 0
	for range total {
		j := a.plan(0, a.lastOpen)
		if r.Float64() < share {
			j.ra = 0
			if r.IntN(10) > 0 { // most clients without advice give up
				j.fate = jobGaveUp
				n++
			}
		}
		a.run(j)
	}
	a.expect(ExpectedOp{Subtype: "client_gave_up", Cause: "retry-after-missing", Dimension: "retry_after", Values: []string{"none"}, Ops: n,
		Note: fmt.Sprintf("%.0f%% of the 202s lack Retry-After; their clients poll every 1-2 s and stop", share*100)})
}

func buildRetryAfterTooLong(a *opWorld) {
	r := a.r
	share := a.w.uniform(0.2, 0.4)
	total := 120 + r.IntN(60)
	n := 0
	for range total {
		j := a.plan(0, a.lastOpen)
		if r.Float64() < share {
			j.ra, j.fate = 600+60*r.IntN(21), jobOnce
			n++
		}
		a.run(j)
	}
	for range 2 + r.IntN(3) { // noise of another sub-type
		j := a.plan(0, a.lastOpen)
		j.fate = jobNever
		a.run(j)
	}
	a.expect(ExpectedOp{Subtype: "client_gave_up", Cause: "retry-after-too-long", Dimension: "retry_after", Values: []string{">5min"}, Ops: n,
		Note: fmt.Sprintf("%.0f%% of the 202s say Retry-After 10-30 min; clients poll once and never return", share*100)})
}

func buildWorkerPoolDied(a *opWorld) {
	r := a.r
	at := time.Duration(15+r.IntN(20)) * time.Minute
	// before T jobs finish; none is in flight at T (opened in the minute
	// before), so the step by opening time is sharp
	a.healthy(60+r.IntN(40), 0, at-time.Minute, func(j job) bool { return j.at.Add(j.dur).After(a.at(at)) })
	n := 15 + r.IntN(15)
	first := a.plan(at, at+time.Second)
	first.at, first.fate = a.at(at), jobStuck
	a.run(first)
	for range n - 1 {
		j := a.plan(at, a.lastOpen)
		j.fate = jobStuck
		a.run(j)
	}
	for range 2 + r.IntN(3) {
		j := a.plan(0, a.lastOpen)
		j.fate = jobGaveUp
		a.run(j)
	}
	a.expect(ExpectedOp{Subtype: "stuck_pending", Cause: "worker-pool-died", StepAt: a.at(at), Ops: n,
		Note: fmt.Sprintf("every job opened from %v on stays pending", at)})
}

func buildWorkerPoolDiedInflight(a *opWorld) {
	r := a.r
	at := time.Duration(15+r.IntN(20)) * time.Minute
	n := 0
	for range 60 + r.IntN(40) {
		j := a.plan(0, at)
		j.dur = time.Duration(20+r.IntN(100)) * time.Second
		if j.at.Add(j.dur).After(a.at(at)) {
			j.fate = jobStuck // in flight when the workers died
			n++
		}
		a.run(j)
	}
	for range 15 + r.IntN(15) {
		j := a.plan(at, a.lastOpen)
		j.fate = jobStuck
		a.run(j)
		n++
	}
	a.expect(ExpectedOp{Subtype: "stuck_pending", Cause: "worker-pool-died", StepAt: a.at(at), Ops: n,
		Note: fmt.Sprintf("every job running at %v or opened after stays pending", at)})
}
