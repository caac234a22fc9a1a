// Package parse turns access-log and CDN-log lines into one normalised
// Record. The root package holds the Record, the Parser contract and the
// allocation-free scalar helpers (timestamps, numbers) that the format
// packages below it share. It knows nothing of rules or the interface.
package parse

import (
	"errors"
	"strconv"
	"time"
	"unsafe"
)

// Source says whose log a record comes from.
type Source uint8

const (
	SourceUnknown Source = iota
	// SourceEdge is a CDN's log (Cloudflare, CloudFront): the client's view.
	SourceEdge
	// SourceOrigin is a web server's own log (nginx, Apache, Caddy...).
	SourceOrigin
)

func (s Source) String() string {
	switch s {
	case SourceEdge:
		return "edge"
	case SourceOrigin:
		return "origin"
	}
	return "unknown"
}

// Unknown marks an integer field the log did not carry (durations, bytes).
const Unknown = -1

// Record is one request, whatever format it was read from.
//
// Memory: a Parser fills the string fields with views of the line it was
// given (no copy), so they stay valid only as long as that line's bytes are
// not modified. The input readers in parse/input hand out lines from slabs
// that are never reused (unless the caller set input.Options.ReuseBuffers,
// as the rules driver does), so records from them may be kept as they are;
// code that parses into a reused buffer must call Clone before keeping a
// record.
type Record struct {
	Time   int64 // Unix nanoseconds, UTC: the log's own timestamp
	Source Source

	Host     string // the site asked for (Host header, ClientRequestHost)
	Upstream string // origin IP or upstream address that answered, if logged

	ClientIP  string // the real client: CF-Connecting-IP when logged, else the peer
	Method    string
	Path      string // without the query
	Query     string // without the leading '?'
	Protocol  string // HTTP/1.1, HTTP/2.0, ...
	UserAgent string
	Referer   string

	Status       int // status sent to the client (Cloudflare: EdgeResponseStatus)
	OriginStatus int // status the upstream returned (CDN logs, $upstream_status); 0 = none, Unknown = not logged

	Bytes    int64         // response bytes sent to the client; Unknown if not logged
	Duration time.Duration // total request time; Unknown if not logged

	// Origin timings from CDN logs; Unknown if not logged.
	OriginHeaderTime  time.Duration // request headers sent -> response headers received
	OriginConnectTime time.Duration // TCP handshake; 0 means a reused connection

	RequestID      string        // Cloudflare RayID, X-Request-ID, or CF-Ray logged at the origin
	StatusLocation string        // Location / Content-Location / Operation-Location / Azure-AsyncOperation of the response
	RetryAfter     time.Duration // Retry-After of the response (seconds form); Unknown if not logged
	POP            string        // CDN point of presence (EdgeColoCode, x-edge-location)
	CacheStatus    string        // hit, miss, dynamic, ... lower case as logged

	// Count is how many identical requests the record stands for; 0 and 1
	// both mean one. Sources that push the scan down (ClickHouse) send the
	// healthy traffic as GROUP BY aggregates this way; file readers never
	// set it. Every counter in the engine must add Count, so that findings
	// from rows plus aggregates equal findings from the raw rows.
	Count int64

	// Dims are the diagnosis contrast's keys of Path, ClientIP and
	// UserAgent, filled by the parse workers (DimKeyer, dims.go) so that
	// the engine's one goroutine does not scan those fields again; plain
	// numbers, nothing for the GC to follow. Reset clears them; whoever
	// changes those fields after filling must clear them too.
	Dims DimKeys
	// IDHash is a hash of (Source, RequestID) for the duplicate filter,
	// filled by parse/input's parse workers so that the merge's one
	// goroutine does not hash the id; 0 when not filled (then the filter
	// hashes it itself). Whoever changes those fields after filling must
	// clear it.
	IDHash uint64

	// Where it came from, so the raw line can be shown again.
	Raw    string // the line as read (a view of the reader's slab; set by the reader, not the parser)
	Input  string // the input's name as given (path, or "-" for stdin)
	Line   int64  // 1-based line number within the input
	Offset int64  // byte offset of the line's first byte within the (decompressed) input

	// Format-specific fields, after the shared ones.
	PeerIP  string // the connecting address, when ClientIP came from a forwarded list logged beside it
	Failure string // the format's own failure code: ALB error_reason, HAProxy termination state, CloudFront x-edge-detailed-result-type of an error; "" when none
}

// Reset clears every field, keeping nothing from the previous line.
func (r *Record) Reset() {
	*r = Record{Bytes: Unknown, Duration: Unknown, OriginStatus: Unknown,
		OriginHeaderTime: Unknown, OriginConnectTime: Unknown, RetryAfter: Unknown}
}

// Clone returns a copy whose strings no longer alias any line buffer. The
// strings share one new allocation (not one each): the interface's ring of
// recent requests clones every record read, and 17 allocations a record
// were most of its cost.
func (r *Record) Clone() Record {
	c := *r
	fields := [...]*string{&c.Host, &c.Upstream, &c.ClientIP, &c.Method, &c.Path, &c.Query,
		&c.Protocol, &c.UserAgent, &c.Referer, &c.RequestID, &c.StatusLocation, &c.POP,
		&c.CacheStatus, &c.Raw, &c.Input, &c.PeerIP, &c.Failure}
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	if n == 0 {
		return c
	}
	buf := make([]byte, 0, n)
	for _, f := range fields {
		buf = append(buf, *f...)
	}
	all := unsafe.String(&buf[0], n) // buf is never written again
	off := 0
	for _, f := range fields {
		if k := len(*f); k > 0 {
			*f = all[off : off+k]
			off += k
		}
	}
	return c
}

// N returns how many requests the record stands for (Count, at least 1).
func (r *Record) N() int64 {
	if r.Count > 1 {
		return r.Count
	}
	return 1
}

// TimeUTC returns the record's time as a time.Time in UTC.
func (r *Record) TimeUTC() time.Time { return time.Unix(0, r.Time).UTC() }

// Parser turns one line (without its line ending) into a Record.
//
// Parse resets rec, fills it from line and returns nil, ErrIgnored for a line
// the format itself defines as not a record (a header or comment), or a
// *MalformedError. It never panics, whatever the bytes. A Parser may keep
// state between lines (CloudFront's #Fields header), so each input uses its
// own, from one goroutine. Provenance fields (Input, Line, Offset) are the
// caller's to set.
type Parser interface {
	Format() string // the name the report prints: combined, cloudflare, nginx:<fmt>, ...
	Parse(line []byte, rec *Record) error
}

// Labeled is an optional Parser method: a longer description for the
// inputs list than Format, which must stay a name New can rebuild the
// parser from. Detection uses it to say how much of the sample fitted
// ("combined, 43% of sampled lines").
type Labeled interface {
	Label() string
}

// FormatLabel is p's Label if it has one, else its Format.
func FormatLabel(p Parser) string {
	if l, ok := p.(Labeled); ok {
		return l.Label()
	}
	return p.Format()
}

// ErrIgnored is returned for lines a format defines as non-records, such as
// CloudFront's "#Fields:" header. Blank lines are counted as ignored by the
// reader before any parser sees them.
var ErrIgnored = errors.New("ignored line")

// MalformedError says why a line does not fit its format and, when the
// parser knows, where: the field it expected and the byte column where the
// line stopped fitting. The reader adds the input and the line number (see
// MalformedExample and Locate), so a report can say
// "access.log:1207:58: expected status: ...".
type MalformedError struct {
	Reason string
	Field  string // the field expected where the line went wrong ("status"); "" if not known
	Column int    // 1-based byte column where it went wrong; 0 if not known
}

func (e *MalformedError) Error() string {
	s := "malformed"
	if e.Column > 0 {
		s += " at byte " + strconv.Itoa(e.Column)
	}
	if e.Field != "" {
		s += " (expected " + e.Field + ")"
	}
	return s + ": " + e.Reason
}

// Malformed builds a *MalformedError. The reason should be a constant string:
// Parse is on the hot path and must not allocate for good lines; the reasons
// below are preallocated for the common cases.
func Malformed(reason string) error { return &MalformedError{Reason: reason} }

// MalformedField is Malformed naming the field the parser expected, for the
// same preallocated errors.
func MalformedField(field, reason string) *MalformedError {
	return &MalformedError{Reason: reason, Field: field}
}

// At returns a copy of e that says at which byte (1-based) of the line it
// went wrong. It allocates, which is fine: only bad lines pay.
func (e *MalformedError) At(column int) *MalformedError {
	c := *e
	c.Column = column
	return &c
}

// Locate names a place in an input the way compilers do: input:line, with
// :column when it is known (> 0).
func Locate(input string, line int64, column int) string {
	s := input + ":" + strconv.FormatInt(line, 10)
	if column > 0 {
		s += ":" + strconv.Itoa(column)
	}
	return s
}

// IsMalformed reports whether err marks a malformed line.
func IsMalformed(err error) bool {
	var m *MalformedError
	return errors.As(err, &m)
}

// ColumnIn returns the 1-based byte column of line at which rest starts,
// where rest is a sub-slice of line (the part still to read, or the field
// that did not fit); 0 when it is not one. It compares capacities, so rest
// may end before line does (a trimmed field).
func ColumnIn(line, rest []byte) int {
	if rest == nil {
		return 0
	}
	off := cap(line) - cap(rest)
	if off < 0 || off > len(line) {
		return 0
	}
	// Capacities alone cannot tell a copy from a sub-slice; the address
	// can, but not for an empty rest at the end (Go does not advance the
	// pointer of a slice left with no capacity).
	if len(rest) > 0 && unsafe.SliceData(rest) != unsafe.SliceData(line[off:]) {
		return 0
	}
	return off + 1
}

// MalformedIn says where err, if it is a *MalformedError without a column,
// happened: at the start of rest within line (see ColumnIn). Other errors
// come back as they are. Only bad lines pay for the copy.
func MalformedIn(err error, line, rest []byte) error {
	m, ok := err.(*MalformedError)
	if !ok || m.Column > 0 {
		return err
	}
	if c := ColumnIn(line, rest); c > 0 {
		return m.At(c)
	}
	return err
}
