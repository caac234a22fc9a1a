package parse

import "time"

// Counts is the line accounting of an input or of a whole run. Every line
// read lands in exactly one of Parsed, Ignored, Malformed or Overlong, so
// Parsed+Ignored+Malformed+Overlong == Lines always (see Balanced).
type Counts struct {
	Lines     int64 // lines read (a last line without a newline counts)
	Parsed    int64 // became a Record
	Ignored   int64 // blank lines and a format's own headers or comments
	Malformed int64 // did not fit the format (or was cut by a corrupt archive)
	Overlong  int64 // longer than the line limit: skipped without being held in memory
	Bytes     int64 // bytes read, after decompression
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Lines += o.Lines
	c.Parsed += o.Parsed
	c.Ignored += o.Ignored
	c.Malformed += o.Malformed
	c.Overlong += o.Overlong
	c.Bytes += o.Bytes
}

// Balanced reports whether every line read is accounted for.
func (c Counts) Balanced() bool {
	return c.Parsed+c.Ignored+c.Malformed+c.Overlong == c.Lines
}

// MalformedExample is one of the first malformed lines of an input, kept so
// a user can see what went wrong. Text is capped and may hold any bytes:
// sanitise it before printing to a terminal.
type MalformedExample struct {
	Line   int64
	Reason string
	Text   string
	Column int    // 1-based byte column where the line went wrong; 0 if the parser did not say
	Field  string // the field the parser expected there; "" if it did not say
}

// InputStats is the accounting of one input.
type InputStats struct {
	Path        string // as given by the user (or "-" for stdin)
	Format      string // the format name used, as the report prints it
	Compression string // "", "gzip", "zstd", "bzip2" or "xz"
	Counts
	First, Last       time.Time // time range of its parsed records (zero if none)
	MalformedExamples []MalformedExample
	Err               error // why reading stopped early, if it did (the file and line reached are in the message)
}

// Totals is the accounting across all inputs, after the merge.
type Totals struct {
	Counts
	Late      int64         // passed on later than the reorder bound allowed
	Duplicate int64         // dropped: request id already seen
	Filtered  int64         // parsed but outside --since/--until
	Status    map[int]int64 // status mix of the records passed on
}
