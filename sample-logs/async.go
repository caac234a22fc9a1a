package samplelogs

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Outcomes of an operation. The incomplete ones are the sub-types of
// incomplete_202 findings as rules spells them.
const (
	OutcomeCompleted     = "completed"
	OutcomeInflight      = "inflight" // not yet judged at the end of input
	OutcomeNeverPolled   = "never_polled"
	OutcomeStatusLost    = "status_lost"
	OutcomeStatusError   = "status_error"
	OutcomePollRejected  = "poll_rejected"
	OutcomeStuckPending  = "stuck_pending"
	OutcomeClientGaveUp  = "client_gave_up"
	OutcomeFireAndForget = "fire_and_forget"
)

// How an operation's polls are tied to its opening 202 (Features linked_by).
const (
	LinkHeader    = 0 // Location (or similar) header logged
	LinkSamePath  = 1 // PUT/PATCH/DELETE polled at the same path
	LinkHeuristic = 2 // POST P linked to the next GET of P/{id} by the same client
)

// Op is one async operation in the generated logs and the outcome it was
// built to have.
type Op struct {
	Origin   string // host, or the manifest file name for logs without one
	Endpoint string // "POST /v1/exports" (ids as {id})
	Outcome  string
	LinkedBy int
	Files    []string // inputs that hold it (the edge file(s) for the demo zone)
	Open     *Request
	Polls    []*Request

	client Client
}

// Opened is the time of the opening 202.
func (o *Op) Opened() time.Time { return o.Open.Time }

// pathOf returns the path of a Location value (absolute or relative).
func pathOf(location string) string {
	if i := strings.Index(location, "://"); i >= 0 {
		rest := location[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return "/"
	}
	return location
}

// asyncAPI builds api.example.com's asynchronous endpoints.
type asyncAPI struct {
	z       *zone
	r       *rand.Rand
	apps    []Client // API integrations (SDKs, scripts)
	humans  []Client // browsers
	nextNum int
}

// open starts an operation: method path answered 202 with location (may
// be "") and Retry-After.
func (a *asyncAPI) open(at time.Time, c Client, method, path, endpoint, location string, retryAfter int, outcome string, linked int) *Op {
	req := a.z.edge(a.r, at, c, hostAPI, method, path, "")
	toOrigin(a.r, req, ipAPI, 202, int64(60+a.r.IntN(90)), "application/json", 70)
	req.Location, req.RetryAfter = location, retryAfter
	op := &Op{Origin: hostAPI, Endpoint: endpoint, Outcome: outcome, LinkedBy: linked, Open: req, client: c}
	a.z.ops = append(a.z.ops, op)
	return op
}

// poll adds a GET of the operation's status resource answered with status.
func (a *asyncAPI) poll(op *Op, at time.Time, status int) *Request {
	path := pathOf(op.Open.Location)
	if op.Open.Location == "" {
		path = op.Open.Path
	}
	req := a.z.edge(a.r, at, op.client, hostAPI, "GET", path, "")
	body, hdr := int64(90+a.r.IntN(60)), 15
	switch {
	case status == 200:
		body = int64(400 + a.r.IntN(900))
	case status == 500:
		hdr = 2900 // the status store timed out behind it
	case status >= 400:
		body = int64(40 + a.r.IntN(80))
	}
	toOrigin(a.r, req, ipAPI, status, body, "application/json", hdr)
	if status == 202 {
		req.RetryAfter = op.Open.RetryAfter
	}
	op.Polls = append(op.Polls, req)
	return req
}

// pollEvery polls n times from first, interval apart (±20%), answering 202.
func (a *asyncAPI) pollEvery(op *Op, first time.Time, interval time.Duration, n int) time.Time {
	t := first
	for range n {
		a.poll(op, t, 202)
		t = t.Add(jitter(a.r, interval, 0.2))
	}
	return t
}

func (a *asyncAPI) id() string {
	a.nextNum++
	return uuid(a.r)
}

// exports: POST /v1/exports -> 202 with an absolute Location to /v1/jobs/{id},
// polled every Retry-After (10 s) until 303 to the download. Three jobs
// stall (clients poll every 30 s past the deadline), three browser users
// close the tab after a few polls, two are still running at the end.
func (a *asyncAPI) exports() {
	const ep = "POST /v1/exports"
	loc := func(id string) string { return "https://" + hostAPI + "/v1/jobs/" + id }
	for i := range 20 {
		at := a.z.at(time.Minute + time.Duration(i)*135*time.Second).Add(time.Duration(a.r.IntN(60_000)) * time.Millisecond)
		id := a.id()
		op := a.open(at, pick(a.r, a.apps), "POST", "/v1/exports", ep, loc(id), 10, OutcomeCompleted, LinkHeader)
		t := a.pollEvery(op, at.Add(jitter(a.r, 10*time.Second, 0.2)), 10*time.Second, 1+a.r.IntN(6))
		done := a.poll(op, t, 303)
		done.Location = "https://" + hostAPI + "/v1/exports/" + id + "/download"
		dl := a.z.edge(a.r, t.Add(300*time.Millisecond), op.client, hostAPI, "GET", "/v1/exports/"+id+"/download", "")
		toOrigin(a.r, dl, ipAPI, 200, int64(180000+a.r.IntN(400000)), "text/csv", 40)
	}
	for _, at := range []time.Duration{12 * time.Minute, 13*time.Minute + 30*time.Second, 15*time.Minute + 10*time.Second} {
		op := a.open(a.z.at(at), pick(a.r, a.apps), "POST", "/v1/exports", ep, loc(a.id()), 10, OutcomeStuckPending, LinkHeader)
		a.pollEvery(op, op.Opened().Add(10*time.Second), 30*time.Second, 25) // about 12.5 minutes
	}
	for _, at := range []time.Duration{5*time.Minute + 20*time.Second, 19*time.Minute + 40*time.Second, 33*time.Minute + 15*time.Second} {
		op := a.open(a.z.at(at), pick(a.r, a.humans), "POST", "/v1/exports", ep, loc(a.id()), 10, OutcomeClientGaveUp, LinkHeader)
		a.pollEvery(op, op.Opened().Add(10*time.Second), 10*time.Second, 3)
	}
	for _, at := range []time.Duration{44*time.Minute + 30*time.Second, 46*time.Minute + 40*time.Second} {
		op := a.open(a.z.at(at), pick(a.r, a.apps), "POST", "/v1/exports", ep, loc(a.id()), 10, OutcomeInflight, LinkHeader)
		n := int(a.z.end.Sub(op.Opened().Add(10*time.Second)) / (36 * time.Second)) // stays before the end despite jitter
		a.pollEvery(op, op.Opened().Add(10*time.Second), 30*time.Second, n)
	}
}

// imports: POST /v1/imports -> 202 with a relative Location to
// /v1/imports/{id}/status, Retry-After 5. Three status records vanish (404:
// kept in one instance's memory), three status reads fail with 5xx.
func (a *asyncAPI) imports() {
	const ep = "POST /v1/imports"
	loc := func(id string) string { return "/v1/imports/" + id + "/status" }
	for i := range 10 {
		at := a.z.at(2*time.Minute + time.Duration(i)*260*time.Second).Add(time.Duration(a.r.IntN(90_000)) * time.Millisecond)
		op := a.open(at, pick(a.r, a.apps), "POST", "/v1/imports", ep, loc(a.id()), 5, OutcomeCompleted, LinkHeader)
		t := a.pollEvery(op, at.Add(jitter(a.r, 5*time.Second, 0.2)), 5*time.Second, 2+a.r.IntN(7))
		a.poll(op, t, 200)
	}
	for i, at := range []time.Duration{8 * time.Minute, 21*time.Minute + 10*time.Second, 29*time.Minute + 45*time.Second} {
		op := a.open(a.z.at(at), pick(a.r, a.apps), "POST", "/v1/imports", ep, loc(a.id()), 5, OutcomeStatusLost, LinkHeader)
		t := a.pollEvery(op, op.Opened().Add(5*time.Second), 5*time.Second, i) // the first one 404s at once
		a.poll(op, t, 404)
	}
	for i, at := range []time.Duration{10*time.Minute + 20*time.Second, 26 * time.Minute, 37*time.Minute + 30*time.Second} {
		op := a.open(a.z.at(at), pick(a.r, a.apps), "POST", "/v1/imports", ep, loc(a.id()), 5, OutcomeStatusError, LinkHeader)
		t := a.pollEvery(op, op.Opened().Add(5*time.Second), 5*time.Second, 2)
		a.poll(op, t, []int{503, 500, 503}[i])
		a.poll(op, t.Add(8*time.Second), 503)
	}
}

// reports: POST /v1/reports -> 202 with an absolute Location, Retry-After
// 15. Four browser users never poll (the Location header is not exposed to
// scripts by CORS), three polls are rejected (token expired: 401; too fast: 429).
func (a *asyncAPI) reports() {
	const ep = "POST /v1/reports"
	loc := func() string { return "https://" + hostAPI + "/v1/reports/" + alnumID(a.r, 10) }
	for i := range 8 {
		at := a.z.at(90*time.Second + time.Duration(i)*330*time.Second).Add(time.Duration(a.r.IntN(60_000)) * time.Millisecond)
		op := a.open(at, pick(a.r, a.apps), "POST", "/v1/reports", ep, loc(), 15, OutcomeCompleted, LinkHeader)
		t := a.pollEvery(op, at.Add(jitter(a.r, 15*time.Second, 0.2)), 15*time.Second, 1+a.r.IntN(3))
		a.poll(op, t, 200)
	}
	for _, at := range []time.Duration{7*time.Minute + 10*time.Second, 18*time.Minute + 20*time.Second, 27*time.Minute + 30*time.Second, 38 * time.Minute} {
		a.open(a.z.at(at), pick(a.r, a.humans), "POST", "/v1/reports", ep, loc(), 15, OutcomeNeverPolled, LinkHeader)
	}
	for _, rej := range []struct {
		at     time.Duration
		status int
	}{{14 * time.Minute, 401}, {23*time.Minute + 15*time.Second, 429}, {30*time.Minute + 30*time.Second, 401}} {
		op := a.open(a.z.at(rej.at), pick(a.r, a.apps), "POST", "/v1/reports", ep, loc(), 15, OutcomePollRejected, LinkHeader)
		t := a.pollEvery(op, op.Opened().Add(15*time.Second), 15*time.Second, 1)
		a.poll(op, t, rej.status)
	}
}

// events: POST /v1/events -> 202 without a status URL: analytics beacons
// nobody polls. Fire-and-forget by design.
func (a *asyncAPI) events(n int) {
	const ep = "POST /v1/events"
	step := (a.z.end.Sub(a.z.base) - time.Minute) / time.Duration(n)
	for i := range n {
		at := a.z.base.Add(30*time.Second + time.Duration(i)*step).Add(time.Duration(a.r.IntN(int(step/time.Millisecond))) * time.Millisecond)
		op := a.open(at, pick(a.r, a.humans), "POST", "/v1/events", ep, "", 0, OutcomeFireAndForget, LinkHeuristic)
		op.Open.OriginBytes, op.Open.Bytes = 2, 2+380
	}
}

// projectDeletes: DELETE /v1/projects/{id} -> 202; the client GETs the
// project until it answers 404, which completes a DELETE (not status_lost).
func (a *asyncAPI) projectDeletes() {
	const ep = "DELETE /v1/projects/{id}"
	for i, at := range []time.Duration{9*time.Minute + 30*time.Second, 25 * time.Minute, 34 * time.Minute} {
		path := fmt.Sprintf("/v1/projects/%d", 70412+i*37)
		op := a.open(a.z.at(at), pick(a.r, a.apps), "DELETE", path, ep, "", 5, OutcomeCompleted, LinkSamePath)
		t := a.pollEvery(op, op.Opened().Add(5*time.Second), 5*time.Second, []int{1, 0, 2}[i])
		a.poll(op, t, 404)
	}
}

// apiAsync builds every asynchronous piece of api.example.com.
func (z *zone) apiAsync(events int) {
	r := rng(z.seed, "api-async")
	a := &asyncAPI{z: z, r: r, apps: newClients(r, 12, apiUAs), humans: newClients(r, 40, browserUAs)}
	a.exports()
	a.imports()
	a.reports()
	a.events(events)
	a.projectDeletes()
}
