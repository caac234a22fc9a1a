package rules

import (
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// Pushdown is the split between the records this engine needs one by one
// and those it needs only as counts, for a source that scans where the data
// lives (ClickHouse) or for the file path (parse.Pushdown.Split). It is
// decided here, once, from what the engine's code reads:
//
//   - rows: every 5xx (the burst detectors keep error records), every 202
//     and every GET/HEAD that can poll one (the lifecycle follows
//     operations request by request);
//   - counts, for the rest: the origin key (host, origin IP), status and
//     cache status (origin-bound counts, the status history before a burst),
//     the timeline, and every field a contrast dimension reads (data
//     centre, method, path for the route, client network, protocol, user
//     agent, new/reused connection, header wait's power-of-two bin and
//     bucket, input), in cells that
//     no counter's bucket straddles: the timeline's seconds from the first
//     record, the status history's W/16 and whole seconds (minutes, hours),
//     and cut at each 5xx of the origin (each error reads the origin's
//     origin-bound request count so far, so no aggregate may straddle one).
//
// Adding a counter that reads another field of healthy requests means
// adding that field here; the equality tests (rows + aggregates against
// raw records) catch a field left out.
func Pushdown(cfg Config) parse.Pushdown {
	cfg = cfg.withDefaults()
	histWidth := cfg.BurstWindow / 16
	if histWidth < time.Second {
		histWidth = time.Second
	}
	return parse.Pushdown{
		RowStatusFrom:     500,
		RowStatuses:       []int{202},
		PollMethods:       []string{"GET", "HEAD"},
		SplitAtErrors:     true,
		OriginKeyUpstream: cfg.GroupBy != "host",
		Grids: []parse.Grid{
			{Width: time.Duration(timelineStep0), FromFirst: true},
			{Width: histWidth},
			{Width: time.Second},
		},
		Keep: map[parse.Field]parse.Reduce{
			parse.FieldHost:              parse.Exact,
			parse.FieldUpstream:          parse.Exact,
			parse.FieldStatus:            parse.Exact,
			parse.FieldOriginStatus:      parse.Exact,
			parse.FieldCacheStatus:       parse.Exact,
			parse.FieldPOP:               parse.Exact,
			parse.FieldMethod:            parse.Exact,
			parse.FieldPath:              parse.Exact,
			parse.FieldProtocol:          parse.Exact,
			parse.FieldUserAgent:         parse.Exact,
			parse.FieldClientIP:          parse.Network,
			parse.FieldOriginConnectTime: parse.Sign,
			parse.FieldOriginHeaderTime:  parse.Pow2,
			parse.FieldInput:             parse.Exact,
		},
		// the contrast's header-wait buckets (headerWaitBucket); its
		// histogram bins by bit length (hwBin)
		Cuts: map[parse.Field][]time.Duration{
			parse.FieldOriginHeaderTime: {20 * time.Millisecond, 500 * time.Millisecond, 5 * time.Second},
		},
	}
}
