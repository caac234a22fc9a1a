package rules

import (
	"sort"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

type opt func(*parse.Record)

func host(h string) opt        { return func(r *parse.Record) { r.Host = h } }
func edge() opt                { return func(r *parse.Record) { r.Source = parse.SourceEdge } }
func loc(l string) opt         { return func(r *parse.Record) { r.StatusLocation = l } }
func client(ip string) opt     { return func(r *parse.Record) { r.ClientIP = ip } }
func ua(u string) opt          { return func(r *parse.Record) { r.UserAgent = u } }
func originStatus(s int) opt   { return func(r *parse.Record) { r.OriginStatus = s } }
func rid(id string) opt        { return func(r *parse.Record) { r.RequestID = id } }
func cacheStatus(c string) opt { return func(r *parse.Record) { r.CacheStatus = c } }
func upstream(u string) opt    { return func(r *parse.Record) { r.Upstream = u } }
func pop(p string) opt         { return func(r *parse.Record) { r.POP = p } }
func bytesSent(n int64) opt    { return func(r *parse.Record) { r.Bytes = n } }
func input(in string) opt      { return func(r *parse.Record) { r.Input = in } }
func timing(connect, header time.Duration) opt {
	return func(r *parse.Record) { r.OriginConnectTime, r.OriginHeaderTime = connect, header }
}

var lineNo int64

// mk builds a record at t0+at.
func mk(at time.Duration, method, path string, status int, opts ...opt) parse.Record {
	var r parse.Record
	r.Reset()
	r.Time = t0.Add(at).UnixNano()
	r.Source = parse.SourceOrigin
	r.Host = "api.example.com"
	r.Method = method
	r.Path = path
	r.Status = status
	r.ClientIP = "10.0.0.1"
	r.UserAgent = "curl/8"
	r.Input = "access.log"
	lineNo++
	r.Line = lineNo
	for _, o := range opts {
		o(&r)
	}
	return r
}

// sortRecords orders records by time as parse's merge does (stable).
func sortRecords(recs []parse.Record) {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time < recs[j].Time })
}

func run(t *testing.T, cfg Config, recs []parse.Record) *Snapshot {
	t.Helper()
	sortRecords(recs)
	e := NewEngine(cfg)
	e.Add(recs)
	return e.Finish()
}

func testConfig() Config {
	c := DefaultConfig()
	return c
}

func findingsOf(s *Snapshot, kind Kind) []Finding {
	var out []Finding
	for _, f := range s.Findings {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

func subtypeCounts(s *Snapshot) map[string]int {
	m := map[string]int{}
	for _, f := range s.Findings {
		if f.Kind == KindIncomplete202 {
			m[f.Subtype] += f.Count
		}
	}
	return m
}

// times builds 520s (or another status) at the given offsets.
func errorsAt(status int, offsets []time.Duration, opts ...opt) []parse.Record {
	var out []parse.Record
	for _, d := range offsets {
		out = append(out, mk(d, "GET", "/api/items", status, opts...))
	}
	return out
}

func secs(v ...float64) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, s := range v {
		out[i] = time.Duration(s * float64(time.Second))
	}
	return out
}

func every(start, step time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = start + time.Duration(i)*step
	}
	return out
}
