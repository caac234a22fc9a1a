package clickhouse

import (
	"strconv"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The SQL below sticks to what ClickHouse 18.16 and current releases both
// accept: no DateTime64, no window functions, no JSON* functions; tuples
// IN subqueries, intDiv, extractAll, cutIPv6, ARRAY JOIN.

// Window limits the records read: From inclusive, To exclusive (zero: open).
type Window struct {
	From, To time.Time
	// Lookback widens the search for the 202s a GET may poll to before
	// From: when following a table window by window, an operation opened
	// in an earlier window is polled in this one.
	Lookback time.Duration
	// GridOrigin, if set, is the first record's time (Unix ns) of the
	// whole run, which grids from the first record count from; else the
	// window's first record.
	GridOrigin int64
}

// builder writes the two queries of a pushdown against one table.
type builder struct {
	s     *schema
	p     *parse.Pushdown
	table string // quoted db.table
	where string // the window
	polls string // the window for the 202s a GET may poll (Lookback)
	w     Window
}

func newBuilder(s *schema, p *parse.Pushdown, db, table string, w Window) *builder {
	b := &builder{s: s, p: p, table: quoteIdent(db) + "." + quoteIdent(table), w: w}
	b.where = b.window(w)
	b.polls = b.where
	if w.Lookback > 0 && !w.From.IsZero() {
		pw := w
		pw.From = w.From.Add(-w.Lookback)
		b.polls = b.window(pw)
	}
	return b
}

// ts is the start time in Unix nanoseconds: an Int64 column as it is
// (seconds, below 1e11, scaled), a DateTime column in whole seconds.
func (b *builder) ts() string { return b.nanos(colStart) }

func (b *builder) nanos(f string) string {
	c := b.s.ident(f)
	if strings.Contains(b.s.typ[f], "DateTime") {
		return "(toInt64(toUInt32(" + c + ")) * 1000000000)"
	}
	return "toInt64(if(" + c + " < 100000000000, " + c + " * 1000000000, " + c + "))"
}

// str is field f as a String ("" when the table lacks it or it is NULL).
func (b *builder) str(f string) string {
	if !b.s.has(f) {
		return "''"
	}
	c, t := b.s.ident(f), b.s.typ[f]
	switch {
	case t == "String" || t == "LowCardinality(String)":
		return c
	case strings.HasPrefix(t, "Nullable("):
		return "ifNull(toString(" + c + "), '')"
	}
	return "toString(" + c + ")"
}

func (b *builder) window(w Window) string {
	conds := []string{"1"}
	if !w.From.IsZero() {
		conds = append(conds, b.ts()+" >= "+strconv.FormatInt(w.From.UnixNano(), 10))
		if b.s.has(colStartTime) {
			conds = append(conds, b.s.ident(colStartTime)+" >= toDateTime("+strconv.FormatInt(w.From.Unix(), 10)+")")
		}
	}
	if !w.To.IsZero() {
		conds = append(conds, b.ts()+" < "+strconv.FormatInt(w.To.UnixNano(), 10))
		if b.s.has(colStartTime) {
			conds = append(conds, b.s.ident(colStartTime)+" <= toDateTime("+strconv.FormatInt(w.To.Unix()+1, 10)+")")
		}
	}
	return strings.Join(conds, " AND ")
}

func (b *builder) status() string { return "toInt32(" + b.s.ident(colStatus) + ")" }

// host is the record's Host: ClientRequestHost, else EdgeRequestHost.
func (b *builder) host() string {
	if b.s.has(colEdgeHost) {
		return "if(" + b.str(colHost) + " != '', " + b.str(colHost) + ", " + b.str(colEdgeHost) + ")"
	}
	return b.str(colHost)
}

// path is the record's Path: ClientRequestPath, else the URI up to '?'.
func (b *builder) path() string {
	uri := b.str(colURI)
	cut := "if(position(" + uri + ", '?') > 0, substring(" + uri + ", 1, position(" + uri + ", '?') - 1), " + uri + ")"
	switch {
	case b.s.has(colPath) && b.s.has(colURI):
		return "if(" + b.str(colPath) + " != '', " + b.str(colPath) + ", " + cut + ")"
	case b.s.has(colPath):
		return b.str(colPath)
	case b.s.has(colURI):
		return cut
	}
	return "''"
}

// originKey is the key the engine groups a record by.
func (b *builder) originKey() string {
	if b.p.OriginKeyUpstream && b.s.has(colOriginIP) {
		return "if(" + b.str(colOriginIP) + " != '', " + b.str(colOriginIP) + ", " + b.host() + ")"
	}
	return b.host()
}

func (b *builder) rowStatuses() string {
	var s []string
	for _, st := range b.p.RowStatuses {
		if st < b.p.RowStatusFrom {
			s = append(s, strconv.Itoa(st))
		}
	}
	if len(s) == 0 {
		return ""
	}
	return b.status() + " IN (" + strings.Join(s, ", ") + ")"
}

// sub is a subquery over the window.
func (b *builder) sub(cols, cond string) string {
	return "(SELECT " + cols + " FROM " + b.table + " WHERE " + b.where + " AND " + cond + ")"
}

// pollSub is a subquery over the 202s a GET of the window may poll.
func (b *builder) pollSub(cols, cond string) string {
	return "(SELECT " + cols + " FROM " + b.table + " WHERE " + b.polls + " AND " + cond + ")"
}

// locationPaths extracts every path-like string value of a response
// headers object (Location, Operation-Location, ...): a superset of the
// status resources a 202 names, absolute URLs cut to their path.
const locationPathRE = `"(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/"]*)?(/[^"?#]*)`

// isRow is the pushdown's row condition in SQL (see parse.Pushdown).
func (b *builder) isRow() string {
	st := b.status()
	conds := []string{st + " >= " + strconv.Itoa(b.p.RowStatusFrom)}
	if rs := b.rowStatuses(); rs != "" {
		conds = append(conds, rs)
		if len(b.p.PollMethods) > 0 && b.s.has(colMethod) {
			var ms []string
			for _, m := range b.p.PollMethods {
				ms = append(ms, quoteString(strings.ToUpper(m)))
			}
			var polls []string
			p := b.path()
			polls = append(polls, p+" IN "+b.pollSub(p, rs))
			if b.s.has(colHeaders) {
				polls = append(polls, p+" IN "+b.pollSub("arrayJoin(extractAll("+b.str(colHeaders)+", "+quoteString(locationPathRE)+"))", rs))
			}
			client := "(" + b.str(colClientIP) + ", " + b.str(colUA) + ")"
			polls = append(polls, client+" IN "+b.pollSub(b.str(colClientIP)+", "+b.str(colUA), rs))
			conds = append(conds, "(upper("+b.str(colMethod)+") IN ("+strings.Join(ms, ", ")+") AND ("+strings.Join(polls, " OR ")+"))")
		}
	}
	if b.p.SplitAtErrors { // a request at the very time of an error of its origin
		key := "(" + b.originKey() + ", " + b.ts() + ")"
		conds = append(conds, key+" IN "+b.sub(b.originKey()+", "+b.ts(), st+" >= "+strconv.Itoa(b.p.RowStatusFrom)))
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// rowFields are the fields rows return, in order, with their expressions.
func (b *builder) rowFields() (names, exprs []string) {
	for _, f := range known {
		if !b.s.has(f) || f == colStartTime {
			continue
		}
		e := b.s.ident(f)
		switch f {
		case colStart, colEnd:
			e = b.nanos(f)
		case colHost:
			e = b.host()
		case colEdgeHost:
			continue // folded into ClientRequestHost
		}
		names, exprs = append(names, f), append(exprs, e)
	}
	return names, exprs
}

// rowsSQL selects the rows, in time order.
func (b *builder) rowsSQL() string {
	names, exprs := b.rowFields()
	inner := make([]string, len(exprs))
	outer := make([]string, len(names))
	for i := range exprs {
		inner[i] = exprs[i] + " AS _f" + strconv.Itoa(i)
		outer[i] = "_f" + strconv.Itoa(i) + " AS " + quoteIdent(names[i])
	}
	order := "_f0"
	for i, n := range names {
		if n == colFile || n == colLine {
			order += ", _f" + strconv.Itoa(i)
		}
	}
	return "SELECT " + strings.Join(outer, ", ") + " FROM (SELECT " + strings.Join(inner, ", ") +
		" FROM " + b.table + " WHERE " + b.where + " AND " + b.isRow() + " ORDER BY " + order + ") FORMAT JSONEachRow"
}

// aggField is one kept field of the aggregates: its output name and SQL.
type aggField struct{ name, expr string }

func (b *builder) aggFields() []aggField {
	var out []aggField
	add := func(name, expr string) { out = append(out, aggField{name, expr}) }
	for _, f := range []parse.Field{parse.FieldHost, parse.FieldUpstream, parse.FieldClientIP, parse.FieldMethod,
		parse.FieldPath, parse.FieldProtocol, parse.FieldUserAgent, parse.FieldStatus, parse.FieldOriginStatus,
		parse.FieldCacheStatus, parse.FieldPOP, parse.FieldOriginConnectTime, parse.FieldOriginHeaderTime, parse.FieldInput} {
		how, keep := b.p.Keep[f]
		if !keep {
			continue
		}
		switch f {
		case parse.FieldHost:
			add(colHost, b.host())
		case parse.FieldPath:
			if b.s.has(colPath) || b.s.has(colURI) {
				add(colPath, b.path())
			}
		case parse.FieldStatus:
			add(colStatus, b.s.ident(colStatus))
		case parse.FieldClientIP:
			if b.s.has(colClientIP) {
				e := b.str(colClientIP)
				if how == parse.Network {
					e = networkSQL(e)
				}
				add(colClientIP, e)
			}
		case parse.FieldOriginConnectTime, parse.FieldOriginHeaderTime:
			name := colConnectMs
			if f == parse.FieldOriginHeaderTime {
				name = colHeaderMs
			}
			if b.s.has(name) {
				add(name, durationSQL(b.s.ident(name), how, b.p.Cuts[f]))
			}
		default:
			if name := fieldColumn[f]; b.s.has(name) {
				add(name, b.s.ident(name))
			}
		}
	}
	return out
}

// fieldColumn is the Logpush field of the Record fields kept as they are.
var fieldColumn = map[parse.Field]string{
	parse.FieldUpstream: colOriginIP, parse.FieldMethod: colMethod, parse.FieldProtocol: colProtocol,
	parse.FieldUserAgent: colUA, parse.FieldOriginStatus: colOriginStatus, parse.FieldCacheStatus: colCache,
	parse.FieldPOP: colColo, parse.FieldInput: colFile,
}

// durationSQL is parse.ReduceDuration in SQL for a millisecond column.
func durationSQL(ms string, how parse.Reduce, cuts []time.Duration) string {
	switch how {
	case parse.Sign:
		return "if(" + ms + " > 0, toInt64(1), toInt64(" + ms + "))"
	case parse.Pow2:
		floor := "toInt64(intExp2(toUInt8(floor(log2(" + ms + ")))))"
		cut := "toInt64(0)"
		for _, c := range cuts { // the largest cut at or below the value
			v := strconv.FormatInt(c.Milliseconds(), 10)
			cut = "if(" + ms + " >= " + v + ", toInt64(" + v + "), " + cut + ")"
		}
		return "if(" + ms + " <= 0, toInt64(" + ms + "), greatest(" + floor + ", " + cut + "))"
	}
	return ms
}

// networkSQL is parse.ReduceNetwork in SQL, textually like it: IPv6 up to
// the third ':' or the first "::" then "::", else up to the last '.' then
// ".0", else as it is.
func networkSQL(ip string) string {
	v6 := "extract(" + ip + ", '^[^:]*(?::[^:]+){0,2}')"
	return "multiIf(position(" + ip + ", ':') > 0, if(" + v6 + " = " + ip + ", " + ip + ", concat(" + v6 + ", '::')), " +
		"replaceRegexpOne(" + ip + `, '^(.+)\\.[^.]*$', '\\1.0'))`
}

// aggregatesSQL selects the GROUP BY counts of every record that is not a
// row, as records of Count n-1 at a group's first time and 1 at its last.
func (b *builder) aggregatesSQL() string {
	fields := b.aggFields()
	var inner, keys, outer []string
	for i, f := range fields {
		k := "_k" + strconv.Itoa(i)
		inner = append(inner, f.expr+" AS "+k)
		keys = append(keys, k)
		outer = append(outer, k+" AS "+quoteIdent(f.name))
	}
	group := append([]string(nil), keys...)
	for _, g := range b.p.Grids {
		w := strconv.FormatInt(int64(g.Width), 10)
		if g.Width <= 0 {
			continue
		}
		if g.FromFirst {
			origin := b.sub("min("+b.ts()+")", "1")
			if b.w.GridOrigin != 0 {
				origin = strconv.FormatInt(b.w.GridOrigin, 10)
			}
			group = append(group, "intDiv("+b.ts()+" - "+origin+", "+w+")")
		} else {
			group = append(group, "intDiv("+b.ts()+", "+w+")")
		}
	}
	inner = append(inner, "min("+b.ts()+") AS _lo", "max("+b.ts()+") AS _hi", "toInt64(count()) AS _c")
	outer = append(outer, "tupleElement(_tc, 1) AS "+quoteIdent(colStart), "tupleElement(_tc, 2) AS _n")
	order := append([]string{quoteIdent(colStart)}, keys...)
	from := b.table + " WHERE " + b.where + " AND NOT " + b.isRow()
	if b.p.SplitAtErrors {
		// Cut an origin's seconds that have errors at each error: the
		// segment is how many of that second's errors came earlier.
		okey, sec := b.originKey(), "intDiv("+b.ts()+", 1000000000)"
		from = "(SELECT *, " + okey + " AS _ok, " + sec + " AS _os FROM " + from + ") ANY LEFT JOIN (SELECT " +
			okey + " AS _ok, " + sec + " AS _os, groupArray(" + b.ts() + ") AS _errs FROM " + b.table + " WHERE " + b.where +
			" AND " + b.status() + " >= " + strconv.Itoa(b.p.RowStatusFrom) + " GROUP BY _ok, _os) USING (_ok, _os)"
		group = append(group, "arrayCount(x -> x < "+b.ts()+", _errs)")
	}
	return "SELECT " + strings.Join(outer, ", ") + " FROM (SELECT " + strings.Join(inner, ", ") +
		" FROM " + from +
		" GROUP BY " + strings.Join(group, ", ") + ")" +
		" ARRAY JOIN if(_c > 1, [(_lo, _c - 1), (_hi, toInt64(1))], [(_lo, toInt64(1))]) AS _tc" +
		" ORDER BY " + strings.Join(order, ", ") + " FORMAT JSONEachRow"
}
