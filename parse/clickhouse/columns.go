package clickhouse

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Logpush field names the source reads. A table whose columns are named
// otherwise maps them with ColumnMap (--ch-column EdgeResponseStatus=status).
const (
	colStart        = "EdgeStartTimestamp" // Int64 Unix nanoseconds (a DateTime column works too)
	colStartTime    = "EdgeStartTime"      // DateTime of the start: partitions and order (optional)
	colEnd          = "EdgeEndTimestamp"
	colStatus       = "EdgeResponseStatus"
	colOriginStatus = "OriginResponseStatus"
	colHost         = "ClientRequestHost"
	colEdgeHost     = "EdgeRequestHost"
	colOriginIP     = "OriginIP"
	colClientIP     = "ClientIP"
	colMethod       = "ClientRequestMethod"
	colPath         = "ClientRequestPath"
	colURI          = "ClientRequestURI"
	colProtocol     = "ClientRequestProtocol"
	colReferer      = "ClientRequestReferer"
	colUA           = "ClientRequestUserAgent"
	colBytes        = "EdgeResponseBytes"
	colHeaderMs     = "OriginResponseHeaderReceiveDurationMs"
	colConnectMs    = "OriginTCPHandshakeDurationMs"
	colRayID        = "RayID"
	colColo         = "EdgeColoCode"
	colCache        = "CacheCacheStatus"
	colHeaders      = "ResponseHeaders" // String holding the custom-fields JSON object
	// Provenance the loader stores, so findings name the file and line a
	// request came from; tables without them name the table.
	colFile = "SourceFile"
	colLine = "SourceLine"
)

// required columns: without them no finding can be made.
var required = []string{colStart, colStatus, colHost}

// known lists every field the source maps, in the order rows select them
// (ResponseHeaders last: the reader splices its JSON text back in).
var known = []string{colStart, colStartTime, colEnd, colStatus, colOriginStatus, colHost, colEdgeHost,
	colOriginIP, colClientIP, colMethod, colPath, colURI, colProtocol, colReferer, colUA, colBytes,
	colHeaderMs, colConnectMs, colRayID, colColo, colCache, colFile, colLine, colHeaders}

// ColumnMap maps Logpush field names to the table's column names.
type ColumnMap map[string]string

// ParseColumnMap reads "EdgeResponseStatus=status,OriginIP=origin_ip"
// (repeatable specs are joined by the caller).
func ParseColumnMap(specs []string) (ColumnMap, error) {
	m := ColumnMap{}
	for _, spec := range specs {
		for _, kv := range strings.Split(spec, ",") {
			kv = strings.TrimSpace(kv)
			if kv == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" || v == "" {
				return nil, fmt.Errorf("bad --ch-column %q: want LOGPUSH_FIELD=COLUMN, e.g. EdgeResponseStatus=status", kv)
			}
			if !isKnown(k) {
				return nil, fmt.Errorf("--ch-column %q: %s is not a field edgetriage reads (one of %s)", kv, k, strings.Join(sortedKnown(), ", "))
			}
			m[k] = v
		}
	}
	return m, nil
}

func isKnown(k string) bool {
	for _, f := range known {
		if f == k {
			return true
		}
	}
	return false
}

func sortedKnown() []string {
	s := append([]string(nil), known...)
	sort.Strings(s)
	return s
}

// schema is what the source found in the table: field -> column and type.
type schema struct {
	col  map[string]string // Logpush field -> column name, for the fields present
	typ  map[string]string // Logpush field -> ClickHouse type
	lack []string          // optional fields the table does not have
}

func (s *schema) has(f string) bool { _, ok := s.col[f]; return ok }

// ident is the quoted column of field f.
func (s *schema) ident(f string) string { return quoteIdent(s.col[f]) }

// describe reads the table's columns and resolves the map against them: a
// missing required field, or a mapped column that does not exist, is an
// error naming the --ch-column to set.
func describe(ctx context.Context, c *client, m ColumnMap) (*schema, error) {
	r, err := c.query(ctx, "DESCRIBE TABLE "+quoteIdent(c.t.Database)+"."+quoteIdent(c.t.Table)+" FORMAT TSV")
	if err != nil {
		return nil, err
	}
	defer r.close()
	types := map[string]string{}
	for {
		line, _, err := r.next(1 << 20)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		f := strings.Split(string(line), "\t")
		if len(f) >= 2 {
			types[unescapeTSV(f[0])] = unescapeTSV(f[1])
		}
	}
	s := &schema{col: map[string]string{}, typ: map[string]string{}}
	for _, f := range known {
		name, mapped := m[f]
		if !mapped {
			name = f
		}
		typ, ok := types[name]
		if !ok {
			if mapped {
				return nil, fmt.Errorf("table %s.%s has no column %q (mapped to %s by --ch-column %s=%s); its columns: %s",
					c.t.Database, c.t.Table, name, f, f, name, strings.Join(sortedKeys(types), ", "))
			}
			s.lack = append(s.lack, f)
			continue
		}
		s.col[f], s.typ[f] = name, typ
	}
	for _, f := range required {
		if !s.has(f) {
			return nil, fmt.Errorf("table %s.%s has no column %s; if it is named otherwise, set --ch-column %s=COLUMN", c.t.Database, c.t.Table, f, f)
		}
	}
	return s, nil
}

func sortedKeys(m map[string]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

func unescapeTSV(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n", `\\`, `\`, `\'`, `'`).Replace(s)
}
