package clickhouse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/cdn"
	"github.com/edgetriage/edgetriage/parse/jsonscan"
)

// Options configure a Source.
type Options struct {
	Columns ColumnMap
	Window  Window
	// Timeout bounds each query (client and server side; DefaultTimeout).
	Timeout time.Duration
	// MaxLine is the longest result line kept (default 1 MiB); longer ones
	// are counted as overlong, like file lines.
	MaxLine int
	// MaxRecords stops a run whose result has more records than this
	// (rows plus aggregate records; 0 = no limit) with an error, for a
	// pushdown that would pull far more than expected.
	MaxRecords int64
	// BatchSize is the largest batch handed to the sink (default 4096).
	BatchSize int
	// Insecure skips TLS certificate checks (https with a self-signed cert).
	Insecure bool
	// LogQueries asks the server to log the queries (system.query_log) under
	// QueryIDPrefix-rows and -aggregates, to measure their cost.
	LogQueries    bool
	QueryIDPrefix string
	// OnNote hears about optional fields the table lacks (each one, once).
	OnNote func(msg string)
}

// Source reads a table through a pushdown.
type Source struct {
	t    Target
	opt  Options
	spec parse.Pushdown
}

// New makes a source for table t; spec says which records come as rows
// and which as counts (rules.Pushdown fills it in).
func New(t Target, spec parse.Pushdown, opt Options) *Source {
	if opt.MaxLine <= 0 {
		opt.MaxLine = 1 << 20
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 4096
	}
	return &Source{t: t, opt: opt, spec: spec}
}

// Name is the input's name in reports (no credentials).
func (s *Source) Name() string { return s.t.Name() }

// Queries returns the two queries a run sends, for --explain and tests.
func (s *Source) Queries(ctx context.Context) (rows, aggregates string, err error) {
	c := newClient(s.t, s.opt.Timeout, s.opt.Insecure)
	sc, err := describe(ctx, c, s.opt.Columns)
	if err != nil {
		return "", "", err
	}
	b := newBuilder(sc, &s.spec, s.t.Database, s.t.Table, s.opt.Window)
	return b.rowsSQL(), b.aggregatesSQL(), nil
}

// Run streams the rows and the aggregates, merged in time order (rows
// first at equal times), to sink in batches, and returns the accounting:
// Lines counts the requests the records stand for.
func (s *Source) Run(ctx context.Context, sink func([]parse.Record)) (*parse.InputStats, *parse.Totals, error) {
	st := &parse.InputStats{Path: s.t.Name(), Format: "clickhouse"}
	tot := &parse.Totals{Status: map[int]int64{}}
	c := newClient(s.t, s.opt.Timeout, s.opt.Insecure)
	if s.opt.LogQueries {
		c.settings["log_queries"] = "1"
	}
	sc, err := describe(ctx, c, s.opt.Columns)
	if err != nil {
		return st, tot, err
	}
	s.notes(sc)
	err = s.runWindow(ctx, c, sc, s.opt.Window, sink, st, tot)
	return st, tot, err
}

func (s *Source) notes(sc *schema) {
	if s.opt.OnNote != nil {
		for _, f := range sc.lack {
			if f != colStartTime && f != colFile && f != colLine && f != colEdgeHost {
				s.opt.OnNote(fmt.Sprintf("%s has no column %s: findings go without it (--ch-column %s=COLUMN if it is named otherwise)", s.t.Name(), f, f))
			}
		}
	}
}

// runWindow reads one window, adding to the accounting st and tot.
func (s *Source) runWindow(ctx context.Context, c *client, sc *schema, w Window, sink func([]parse.Record), st *parse.InputStats, tot *parse.Totals) error {
	b := newBuilder(sc, &s.spec, s.t.Database, s.t.Table, w)
	rows, err := s.open(ctx, c, b.rowsSQL(), "rows")
	if err != nil {
		return err
	}
	defer rows.close()
	aggs, err := s.open(ctx, c, b.aggregatesSQL(), "aggregates")
	if err != nil {
		return err
	}
	defer aggs.close()

	m := merger{s: s, st: st, tot: tot, sink: sink}
	rows.row = true
	m.streams[0], m.streams[1] = *rows, *aggs
	err = m.run(ctx)
	st.Bytes += rows.r.bytes + aggs.r.bytes
	tot.Counts = st.Counts
	if err != nil {
		st.Err = err
	}
	return err
}

// FollowOptions configure Follow.
type FollowOptions struct {
	// Interval is the time between polls (default 5 s).
	Interval time.Duration
	// Lag is how far behind the wall clock reading stays (default 30 s):
	// rows that reach the table later than that after their time are
	// missed. It bounds how late a finding shows.
	Lag time.Duration
	// From is where reading starts (zero: the window's From, else now-Lag).
	From time.Time
	// Lookback is how far back a GET's 202 may be (default 1 h).
	Lookback time.Duration
	// MaxWindow caps one poll's window (default 10 min): catching up on
	// a long stretch goes in steps of bounded cost.
	MaxWindow time.Duration
	// OnWindow, called from the sink's goroutine after each window, says
	// that no record before t will come: the place for Engine.Advance.
	OnWindow func(t time.Time)
}

// Follow reads the table window by window as it fills, until ctx ends or
// the source's Window.To is reached. Windows end on whole seconds, so no
// second (the pushdown's finest cell) is split between two; an error after
// the first window is reported through OnNote and retried.
func (s *Source) Follow(ctx context.Context, sink func([]parse.Record), fo FollowOptions) (*parse.InputStats, *parse.Totals, error) {
	if fo.Interval <= 0 {
		fo.Interval = 5 * time.Second
	}
	if fo.Lag <= 0 {
		fo.Lag = 30 * time.Second
	}
	if fo.Lookback <= 0 {
		fo.Lookback = time.Hour
	}
	if fo.MaxWindow <= 0 {
		fo.MaxWindow = 10 * time.Minute
	}
	st := &parse.InputStats{Path: s.t.Name(), Format: "clickhouse"}
	tot := &parse.Totals{Status: map[int]int64{}}
	c := newClient(s.t, s.opt.Timeout, s.opt.Insecure)
	sc, err := describe(ctx, c, s.opt.Columns)
	if err != nil {
		return st, tot, err
	}
	s.notes(sc)
	from := fo.From
	if from.IsZero() {
		from = s.opt.Window.From
	}
	if from.IsZero() {
		from = time.Now().Add(-fo.Lag)
	}
	from = from.Truncate(time.Second)
	var origin int64
	first := true
	for {
		to := time.Now().Add(-fo.Lag).Truncate(time.Second)
		end := s.opt.Window.To
		if !end.IsZero() && !to.Before(end) {
			to = end
		}
		if to.Sub(from) > fo.MaxWindow {
			to = from.Add(fo.MaxWindow)
		}
		if to.After(from) {
			w := Window{From: from, To: to, Lookback: fo.Lookback, GridOrigin: origin}
			handed := 0
			err := s.runWindow(ctx, c, sc, w, func(b []parse.Record) {
				if origin == 0 && len(b) > 0 {
					origin = b[0].Time
				}
				handed += len(b)
				sink(b)
			}, st, tot)
			switch {
			case err != nil && ctx.Err() != nil:
				return st, tot, nil
			case err != nil && first:
				return st, tot, err
			case err != nil:
				st.Err = nil
				what := "retrying"
				if handed > 0 { // reading it again would count its first records twice
					what = fmt.Sprintf("the rest of %s to %s is skipped", from.Format(time.RFC3339), to.Format(time.RFC3339))
					from = to
				}
				if s.opt.OnNote != nil {
					s.opt.OnNote(fmt.Sprintf("polling %s: %v (%s)", s.t.Name(), err, what))
				}
			default:
				first = false
				from = to
				if fo.OnWindow != nil {
					fo.OnWindow(to)
				}
			}
		}
		if !end.IsZero() && !from.Before(end) {
			return st, tot, nil
		}
		select {
		case <-ctx.Done():
			return st, tot, nil
		case <-time.After(fo.Interval):
		}
	}
}

// open sends one query; c.query retries without settings for a read-only user.
func (s *Source) open(ctx context.Context, c *client, sql, what string) (*stream, error) {
	if s.opt.LogQueries && s.opt.QueryIDPrefix != "" && c.settings != nil {
		c.settings["query_id"] = s.opt.QueryIDPrefix + "-" + what
	}
	r, err := c.query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %w", what, s.t.Name(), err)
	}
	return &stream{r: r}, nil
}

// stream is one query's result with its next record read ahead.
type stream struct {
	r    *response
	row  bool
	have bool
	done bool
	rec  parse.Record
	n    int64
}

func (st *stream) close() {
	if st != nil && st.r != nil {
		st.r.close()
	}
}

// merger interleaves the rows and the aggregates by time.
type merger struct {
	s       *Source
	st      *parse.InputStats
	tot     *parse.Totals
	sink    func([]parse.Record)
	streams [2]stream
	batch   []parse.Record
	slab    []byte
	records int64
	line    int64
	p       parse.Parser
	hdr     []byte
}

const slabSize = 256 << 10

func (m *merger) run(ctx context.Context) error {
	m.p = cdn.NewCloudflare()
	m.batch = make([]parse.Record, 0, m.s.opt.BatchSize)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range m.streams {
			if err := m.fill(&m.streams[i]); err != nil {
				return err
			}
		}
		a, b := &m.streams[0], &m.streams[1]
		var next *stream
		switch {
		case a.have && (!b.have || a.rec.Time <= b.rec.Time):
			next = a
		case b.have:
			next = b
		default:
			m.flush()
			return nil
		}
		m.emit(next)
		if max := m.s.opt.MaxRecords; max > 0 && m.records > max {
			m.flush()
			return fmt.Errorf("%s returned more than %d records (--ch-max-records): narrow --since/--until", m.s.t.Name(), max)
		}
	}
}

// fill reads the stream's next record if it has none.
func (m *merger) fill(st *stream) error {
	for !st.have && !st.done {
		line, overlong, err := st.r.next(m.s.opt.MaxLine)
		if err == io.EOF {
			st.done = true
			return nil
		}
		if err != nil {
			return err
		}
		m.line++
		if overlong {
			m.st.Lines++
			m.st.Overlong++
			continue
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := m.parse(st, line); err != nil {
			m.st.Lines++
			m.st.Malformed++
			if len(m.st.MalformedExamples) < 5 {
				m.st.MalformedExamples = append(m.st.MalformedExamples, parse.MalformedExample{Line: m.line, Reason: err.Error(), Text: string(line[:min(len(line), 200)])})
			}
			continue
		}
		st.have = true
	}
	return nil
}

// parse reads one result line with the Cloudflare parser (the same field
// semantics as a Logpush file) into st.rec. The line is copied into the
// current slab first: records keep views of it.
func (m *merger) parse(st *stream, line []byte) error {
	if st.row {
		line = m.spliceHeaders(line)
	}
	if len(m.slab)+len(line) > cap(m.slab) {
		m.slab = make([]byte, 0, max(slabSize, len(line)))
	}
	off := len(m.slab)
	m.slab = append(m.slab, line...)
	line = m.slab[off:len(m.slab):len(m.slab)]
	if err := m.p.Parse(line, &st.rec); err != nil {
		return err
	}
	st.n = 1
	mem := jsonscan.MembersOf(line)
	for mem.Next() {
		switch string(mem.Key) {
		case "_n":
			if n, ok := mem.Val.Int(); ok && n > 0 {
				st.n = n
			}
		case colFile:
			st.rec.Input = mem.Val.Text()
		case colLine:
			if n, ok := mem.Val.Int(); ok {
				st.rec.Line = n
			}
		}
	}
	if st.rec.Input == "" {
		st.rec.Input = m.st.Path
	}
	if st.rec.Line == 0 {
		st.rec.Line = m.line
	}
	if st.row {
		st.rec.Raw = string(line)
	} else {
		st.rec.Count = st.n
	}
	return nil
}

// spliceHeaders turns the ResponseHeaders string (the table keeps the JSON
// object as text, selected last) back into an object, so the parser reads
// its Location and Retry-After as in a Logpush file.
func (m *merger) spliceHeaders(line []byte) []byte {
	const key = `,"ResponseHeaders":"`
	i := bytes.LastIndex(line, []byte(key))
	if i < 0 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return line
	}
	raw := line[i+len(key) : len(line)-2]
	m.hdr = jsonscan.Unescape(m.hdr[:0], raw)
	obj := bytes.TrimSpace(m.hdr)
	if len(obj) == 0 || obj[0] != '{' {
		return line
	}
	out := make([]byte, 0, len(line))
	out = append(out, line[:i]...)
	out = append(out, `,"ResponseHeaders":`...)
	out = append(out, obj...)
	return append(out, '}')
}

// emit moves the stream's record into the batch and accounts for it.
func (m *merger) emit(st *stream) {
	r := st.rec
	st.have = false
	n := r.N()
	m.st.Lines += n
	m.st.Parsed += n
	m.tot.Status[r.Status] += n
	t := r.TimeUTC()
	if m.st.First.IsZero() || t.Before(m.st.First) {
		m.st.First = t
	}
	if t.After(m.st.Last) {
		m.st.Last = t
	}
	m.records++
	m.batch = append(m.batch, r)
	if len(m.batch) == cap(m.batch) {
		m.flush()
	}
}

func (m *merger) flush() {
	if len(m.batch) == 0 {
		return
	}
	m.sink(m.batch)
	m.batch = make([]parse.Record, 0, m.s.opt.BatchSize)
}

// ErrNoServer marks a server that could not be reached (tests skip on it).
var ErrNoServer = errors.New("ClickHouse server not reachable")

// Ping checks that the server answers (SELECT 1) within timeout.
func Ping(ctx context.Context, t Target, timeout time.Duration) error {
	c := newClient(t, timeout, false)
	c.settings, c.noDB = nil, true
	r, err := c.query(ctx, "SELECT 1 FORMAT TSV")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoServer, err)
	}
	r.close()
	return nil
}
