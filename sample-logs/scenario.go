package samplelogs

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Scenario is one generated situation with a planted, documented cause
// (see the cause ids in the README's scenario table). Its numbers (which
// data centres or servers fail, how many requests, rates, times) come from
// the seed, so a check tuned to one generation fails on another unless it
// follows the cause's signature.
type Scenario struct {
	Name        string
	Description string
	// Cause is the planted cause id of the scenario's main finding ("" for
	// storm scenarios that must raise nothing).
	Cause string
	// Signature is how the cause shows in the data; Rows the rows of
	// domain.md section 1 (or the section) it stands for.
	Signature, Rows string
	// Heavy scenarios are too big for every test run (the four-hour
	// steady host): tests run them on request.
	Heavy bool
	build func(w *world)
}

// ScenarioSet is one generation of a scenario: its files and its truth.
type ScenarioSet struct {
	Name  string
	Seed  uint64
	Files []ScenarioFile
	Truth ScenarioTruth
}

// ScenarioFile is one log of a scenario. Small files carry their bytes;
// big ones (the four-hour steady storm) are written on demand by WriteTo,
// the same bytes every time.
type ScenarioFile struct {
	// Name is the input name to read the file under (hostless logs take
	// their origin from it).
	Name   string
	Format string // parser name, as File.Format
	Data   []byte // nil for streamed files
	stream func(io.Writer) error
}

// StreamedFile is a scenario file written on demand by write, which must
// write the same bytes on every call.
func StreamedFile(name, format string, write func(io.Writer) error) ScenarioFile {
	return ScenarioFile{Name: name, Format: format, stream: write}
}

// WriteTo writes the file's bytes to w.
func (f ScenarioFile) WriteTo(w io.Writer) (int64, error) {
	if f.stream == nil {
		n, err := w.Write(f.Data)
		if err != nil {
			return int64(n), fmt.Errorf("scenario file %s: %w", f.Name, err)
		}
		return int64(n), nil
	}
	cw := &countingWriter{w: w}
	if err := f.stream(cw); err != nil {
		return cw.n, fmt.Errorf("scenario file %s: %w", f.Name, err)
	}
	return cw.n, nil
}

// Bytes returns the file's content (generated now for streamed files).
func (f ScenarioFile) Bytes() []byte {
	if f.stream == nil {
		return f.Data
	}
	var b bytes.Buffer
	_, _ = f.WriteTo(&b) // a bytes.Buffer never fails
	return b.Bytes()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ScenarioTruth is what the engine and the default cause rules should make
// of a scenario.
type ScenarioTruth struct {
	// Expected are findings that must exist, each with its planted cause.
	Expected []ExpectedFinding
	// Quiet are origin and status pairs that must raise no storm or burst
	// of severity warning or above outside the expected findings' spans
	// (steady error rates, background noise).
	Quiet []QuietOrigin
}

// ExpectedFinding is one planted burst or storm.
type ExpectedFinding struct {
	Kind   string // "burst_520" or "burst_5xx"
	Origin string // host, or the input name for hostless logs
	Status int
	// Cause is the cause id (DIAGNOSIS.md / rules/causes/default.yaml).
	Cause string
	// Dimension names the contrast dimension whose Values separate the
	// failures (colo, upstream, route, connection, header_wait, ...);
	// "" when the cause is not told by one dimension (zone-change,
	// crash-overload, malformed-reply, origin-not-reached, relayed-520,
	// many-origins, origin-wide).
	Dimension string
	Values    []string
	// StepAt is when a step cause (zone-change, origin-not-reached) began:
	// before it about none failed, from it about all.
	StepAt time.Time `json:",omitzero"`
	// Start and End are the first and last planted failure; Failures counts
	// them and Requests the origin-bound requests of the origin in between.
	Start, End time.Time
	Failures   int
	Requests   int
	// Note says how the signature shows in the data, for people.
	Note string
}

// QuietOrigin is an origin whose status must not be reported as a burst
// or storm of severity warning or above, except over the span of one of
// the scenario's expected findings.
type QuietOrigin struct {
	Origin string
	Status int
	Note   string
}

// Scenarios lists the generated scenarios: one or more per documented 520
// cause, noise scenarios, and the storm scenarios of burst_5xx.
func Scenarios() []Scenario { return slices.Clone(scenarioList) }

// ScenarioByName returns the named scenario.
func ScenarioByName(name string) (Scenario, bool) {
	for _, s := range scenarioList {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Generate builds the scenario for seed (0 = DefaultSeed). Same seed, same
// bytes and truth.
func (s Scenario) Generate(seed uint64) *ScenarioSet {
	if seed == 0 {
		seed = DefaultSeed
	}
	w := newWorld(s.Name, seed)
	s.build(w)
	w.finish()
	slices.SortStableFunc(w.truth.Expected, func(a, b ExpectedFinding) int { return a.Start.Compare(b.Start) })
	return &ScenarioSet{Name: s.Name, Seed: seed, Files: w.files, Truth: w.truth}
}

// world is the scenario under construction: sites behind Cloudflare,
// their requests, the origin logs, the truth.
type world struct {
	name    string
	seed    uint64
	r       *rand.Rand
	base    time.Time
	end     time.Time
	style   TimeStyle
	clients []Client
	rays    map[string]bool
	reqs    []*Request
	servers []scenServer
	files   []ScenarioFile
	truth   ScenarioTruth
	faults  []*fault
}

// scenServer is an origin machine; with a log file, its nginx log is part
// of the scenario (joined to the edge by CF-Ray).
type scenServer struct {
	name, ip, upstream, file string
	loc                      *time.Location
}

func newWorld(name string, seed uint64) *world {
	r := rng(seed, "scenario/"+name)
	// A different morning for every seed, on a whole minute.
	base := DefaultBase.Add(time.Duration(r.IntN(8*60)) * time.Minute)
	w := &world{name: name, seed: seed, r: r, base: base, end: base.Add(40 * time.Minute), rays: map[string]bool{}}
	if r.IntN(2) == 0 {
		w.style = TimeUnixNano
	}
	w.clients = scenarioClients(r, 500)
	return w
}

func (w *world) at(d time.Duration) time.Time { return w.base.Add(d) }

// minutes returns a uniform duration in [lo, hi) minutes, on a second.
func (w *world) minutes(lo, hi float64) time.Duration {
	return time.Duration((lo + w.r.Float64()*(hi-lo)) * float64(time.Minute)).Truncate(time.Second)
}

// uniform returns a float in [lo, hi).
func (w *world) uniform(lo, hi float64) float64 { return lo + w.r.Float64()*(hi-lo) }

// scenarioClients spreads clients over several client networks (two IPv4
// /24s of the documentation ranges and many IPv6 /48s), user agents of
// every family, and the data centres by their weight.
func scenarioClients(r *rand.Rand, n int) []Client {
	weights := make([]int, len(colos))
	for i, c := range colos {
		weights[i] = c.weight
	}
	uas := slices.Concat(browserUAs, browserUAs, apiUAs, botUAs)
	out := make([]Client, n)
	for i := range out {
		c := colos[weighted(r, weights)]
		var ip string
		switch r.IntN(5) {
		case 0:
			ip = fmt.Sprintf("2001:db8:%x:%x::%x", 0x100+r.IntN(40), r.IntN(0xffff), 1+r.IntN(0xfff))
		case 1, 2:
			ip = fmt.Sprintf("203.0.113.%d", 1+r.IntN(254))
		default:
			ip = fmt.Sprintf("198.51.100.%d", 1+r.IntN(254))
		}
		out[i] = Client{IP: ip, UserAgent: pick(r, uas), Country: pick(r, c.countries), Colo: c.code}
	}
	return out
}

// server registers an origin machine; file "" means its log is not part
// of the scenario.
func (w *world) server(name, ip, upstream string, withLog bool) {
	s := scenServer{name: name, ip: ip, upstream: upstream, loc: time.UTC}
	if withLog {
		s.file = w.name + "/origin-" + name + ".log"
	}
	w.servers = append(w.servers, s)
}

func (w *world) serverFor(ip string) scenServer {
	for _, s := range w.servers {
		if s.ip == ip {
			return s
		}
	}
	return scenServer{}
}

// edge starts a request of client c at the edge.
func (w *world) edge(r *rand.Rand, t time.Time, c Client, host, method, path, query string) *Request {
	proto := "HTTP/2"
	switch n := r.IntN(10); {
	case n < 2:
		proto = "HTTP/1.1"
	case n < 4:
		proto = "HTTP/3"
	}
	var id string
	for id == "" || w.rays[id] {
		id = hexID(r, 16)
	}
	w.rays[id] = true
	req := &Request{
		Time: t.Truncate(time.Millisecond), Host: host, ClientIP: c.IP, Country: c.Country,
		UserAgent: c.UserAgent, Method: method, Path: path, Query: query, Protocol: proto,
		RayID: id, Colo: c.Colo,
		EdgeServerIP: fmt.Sprintf("172.68.%d.%d", 100+r.IntN(40), 1+r.IntN(254)),
	}
	w.reqs = append(w.reqs, req)
	return req
}

// finish applies the faults' truth and renders the files: the Logpush
// file (in the order Cloudflare finished the requests) and each origin
// server's log.
func (w *world) finish() {
	for _, f := range w.faults {
		f.record(w)
	}
	if len(w.reqs) == 0 {
		return
	}
	reqs := slices.Clone(w.reqs)
	slices.SortStableFunc(reqs, func(a, b *Request) int {
		if c := a.End().Compare(b.End()); c != 0 {
			return c
		}
		return strings.Compare(a.RayID, b.RayID)
	})
	edge := make([]byte, 0, 1200*len(reqs))
	for _, req := range reqs {
		edge = append(AppendCloudflare(edge, req, w.style), '\n')
	}
	files := []ScenarioFile{{Name: w.name + "/http_requests.log", Format: "cloudflare", Data: edge}}
	for _, srv := range w.servers {
		if srv.file != "" {
			files = append(files, ScenarioFile{Name: srv.file, Format: "nginx:" + OriginNginxFormat, Data: w.originLog(srv)})
		}
	}
	w.files = append(files, w.files...)
}

// originLog renders srv's nginx log: the requests that reached its logger
// plus the load balancer's health checks every 10 s (which show the log
// kept running while Cloudflare's requests did not arrive).
func (w *world) originLog(srv scenServer) []byte {
	var reqs []*Request
	for _, req := range w.reqs {
		if req.Server == srv.name && (req.Fate == FateLogged || req.Fate == FateEmpty200) {
			reqs = append(reqs, req)
		}
	}
	r := rng(w.seed, w.name+"/probes/"+srv.name)
	for t := w.base.Add(time.Duration(r.IntN(10000)) * time.Millisecond); t.Before(w.end); t = t.Add(10 * time.Second) {
		reqs = append(reqs, &Request{Time: t, Host: "localhost", ClientIP: "10.0.0.2", RemoteAddr: "10.0.0.2",
			UserAgent: "ELB-HealthChecker/2.0", Method: "GET", Path: "/healthz", OriginStatus: 200,
			OriginBytes: 2, OriginTime: time.Millisecond, Upstream: srv.upstream, Fate: FateLogged})
	}
	slices.SortStableFunc(reqs, func(a, b *Request) int { return a.OriginLogTime().Compare(b.OriginLogTime()) })
	var out []byte
	for _, req := range reqs {
		out = append(AppendOriginNginx(out, req, srv.loc), '\n')
	}
	return out
}
