// Package input is edgetriage's ingestion pipeline: it turns the paths a
// user gives into one time-ordered stream of parse.Record batches, and
// accounts for every line on the way.
//
// # Use
//
//	p, err := input.New(input.Options{
//		Paths:   []string{"/var/log/nginx/", "cf/*.log.gz", "-"},
//		Stdin:   os.Stdin,
//		Formats: []string{"*.log.gz=cloudflare"}, // or "combined" for all inputs
//		Since:   since,
//	})
//	if err != nil { ... }                 // a usage error: unknown format, bad glob
//	go func() { for { show(p.Progress(), p.Inputs(), p.Totals()); ... } }() // live, from any goroutine
//	res, err := p.Run(ctx, engine.Add)    // sink: called from one goroutine
//	// res.Inputs[i]: parse.InputStats per input (Err set if it failed: exit 2)
//	// res.Totals: parse.Totals (Late, Duplicate, Filtered, Status)
//
// input.Run(ctx, opts, sink) does New and Run in one call.
//
// # What it does
//
//   - Paths: a file; a glob; a directory (its log files, not hidden, not
//     error logs or obvious non-logs; rotated families such as access.log,
//     access.log.1, access.log.2.gz, access.log-20261120.gz oldest first);
//     with Recursive a whole tree (a Logpush bucket of dated folders);
//     "-" for Options.Stdin; Options.Sources for inputs that are not files
//     (the embedded sample logs: a name and an Open func). A path that
//     cannot be read is an input with an error; the others are read.
//   - Compression is recognised by magic bytes, never by name: gzip (also
//     concatenated members), zstd, bzip2, xz. A truncated or corrupt archive
//     ends its input with an error naming the file and the line reached;
//     what came before counts.
//   - Lines are cut from 128 KiB slabs, and records view them without
//     copying (a line crossing a slab boundary is copied into the next
//     slab). A slab is read into again only with Options.ReuseBuffers (the
//     sink copies what it keeps), once every record viewing it has been
//     through the sink; otherwise slabs are never reused. CRLF is handled; blank lines are ignored; a line
//     over MaxLine (1 MiB) is counted as overlong and skipped without being
//     held whole. Any bytes are safe.
//   - Each input's format comes from Options.Formats (NAME, or GLOB=NAME,
//     first match wins) or is detected from its first 16 non-blank lines.
//     An input whose format cannot be detected is an input error.
//   - Parsing runs per input in parallel, and one big input is cut into
//     chunks parsed by Workers goroutines (default GOMAXPROCS), order
//     restored (not for CloudFront, whose #Fields header is state). The
//     workers take chunks straight from the reader and the one that
//     finishes the oldest outstanding chunk passes it on, so reading,
//     parsing and the sink (on the merge goroutine) overlap without a
//     dispatcher in between; at most 2 chunks per worker are outstanding.
//   - Merge: the inputs become one stream in time order. Disorder up to
//     ReorderWindow (2 min; at most ReorderMax records held) is repaired;
//     a record later than that is passed on and counted Late. A record
//     whose (Source, RequestID) was passed on within the window is dropped
//     and counted Duplicate (an edge record and the origin record of one
//     request are not duplicates). Since/Until drop records as Filtered.
//     Files are started lazily in order of their first timestamp (read
//     from their first 64 KiB), so of a tree of thousands of archives only
//     those overlapping in time are open, plus the next one, prefetched.
//   - Follow (tail -F, via parse/tail; Sources are not followed): files
//     and stdin are read as they grow, from
//     the end (or FromStart); a record waits at most FollowLatency for
//     reordering, so an idle input never holds the others back. Rotation,
//     truncation, polling fallback and errors arrive through OnEvent; OnTick
//     runs on the sink's goroutine a few times a second (advance the engine
//     there). Run returns when ctx ends (or, for stdin alone, at its end).
//     A directory or glob is expanded when following starts: its live
//     files are followed (rotated-away members such as access.log.1 and
//     compressed files are left out, as rotation renames them), each
//     through its rotations and re-creations by name. It is scanned again
//     every PollInterval (spaced out further if a scan of a big tree is
//     slow): a log file that appears later (a new dated file, a new
//     virtual host's log) is followed from its start, with an "opened"
//     event, and shows up in Inputs. A new name that rotation gives a
//     followed file (the same file moved, or a dated copy such as
//     access.log-20261121 beside a followed access.log) is not read again.
//     An empty directory or a glob without matches is "waiting", not an
//     input error. Limitation: a file created and renamed away between two
//     scans is seen under its final name only.
//
// # Accounting
//
// Pipeline.Inputs and Pipeline.Totals return copies of the accounting so
// far (per input: path, format as detected, counts, time range, malformed
// examples, error; in total: counts, late, duplicate, filtered and the status
// mix), safe to call from any goroutine while Run goes, in batch and follow
// mode alike. Each input's stats are locked once per chunk of lines and the
// merge's counts are published once per batch handed to the sink, so a few
// calls a second cost nothing measurable; after Run they equal its Result.
//
// For every input and in total, Parsed + Ignored + Malformed + Overlong ==
// Lines (parse.Counts.Balanced); Bytes are decompressed bytes. A line cut
// off by a broken archive is Malformed. Records passed to the sink are
// Totals.Parsed - Filtered - Duplicate.
//
// # Memory
//
// The sink gets a batch slice that is reused after it returns (parsed
// records live in pooled arrays); copy a Record value to keep it. Its strings stay valid for good (they view
// slabs), but a kept record pins its 128 KiB slab: Clone records kept for
// long. State that grows with the input is capped: the reorder buffer
// (ReorderMax records), the duplicate window (DedupeMax 64-bit hashes), the
// lines in flight (a few slabs per input).
package input
