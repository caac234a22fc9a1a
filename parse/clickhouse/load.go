package clickhouse

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/input"
)

// CreateTableSQL is the Logpush-shaped table the loader makes: the fields
// edgetriage reads under their Logpush names, EdgeStartTimestamp as Int64
// nanoseconds (18.16 has no DateTime64) and EdgeStartTime, a DateTime
// computed from it, for partitions and the sort key (host, time).
// Integers a log may lack are Nullable (NULL reads as "not logged").
func CreateTableSQL(db, table string) string {
	return "CREATE TABLE IF NOT EXISTS " + quoteIdent(db) + "." + quoteIdent(table) + ` (
  EdgeStartTimestamp Int64,
  EdgeStartTime DateTime MATERIALIZED toDateTime(intDiv(EdgeStartTimestamp, 1000000000)),
  EdgeEndTimestamp Int64,
  EdgeResponseStatus UInt16,
  OriginResponseStatus Nullable(Int32),
  ClientRequestHost String,
  OriginIP String,
  ClientIP String,
  ClientRequestMethod String,
  ClientRequestPath String,
  ClientRequestURI String,
  ClientRequestProtocol String,
  ClientRequestReferer String,
  ClientRequestUserAgent String,
  EdgeResponseBytes Nullable(Int64),
  OriginResponseHeaderReceiveDurationMs Nullable(Int64),
  OriginTCPHandshakeDurationMs Nullable(Int64),
  RayID String,
  EdgeColoCode String,
  CacheCacheStatus String,
  ResponseHeaders String,
  SourceFile String,
  SourceLine UInt64
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(EdgeStartTime)
ORDER BY (ClientRequestHost, EdgeStartTime)`
}

// LoadResult is what a load read and inserted.
type LoadResult struct {
	Inserted int64
	Read     *input.Result
}

// Load creates the table if needed and inserts the Cloudflare records read
// by the pipeline options in (NDJSON Logpush files, compressed or not):
// what `edgetriage report FILES` would analyse, merged by time and
// deduplicated the same way, so a report on the table matches one on the
// files. Lines that are not Cloudflare records are counted, not inserted.
func Load(ctx context.Context, t Target, timeout time.Duration, in input.Options) (*LoadResult, error) {
	c := newClient(t, timeout, false)
	c.noDB = true // the database may not exist yet; every statement names it
	if err := c.exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(t.Database)); err != nil {
		return nil, fmt.Errorf("ch-load: %w", err)
	}
	if err := c.exec(ctx, CreateTableSQL(t.Database, t.Table)); err != nil {
		return nil, fmt.Errorf("ch-load: %w", err)
	}
	if len(in.Formats) == 0 {
		in.Formats = []string{"cloudflare"}
	}
	p, err := input.New(in)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	res := &LoadResult{}
	insertDone := make(chan error, 1)
	go func() {
		r, err := c.send(ctx, "INSERT INTO "+quoteIdent(t.Database)+"."+quoteIdent(t.Table)+" FORMAT JSONEachRow", pr)
		if err == nil {
			_, err = io.Copy(io.Discard, r.body)
			r.close()
		}
		pr.CloseWithError(err) // unblocks the writer if the insert failed early
		insertDone <- err
	}()
	bw := bufio.NewWriterSize(pw, 256<<10)
	var buf []byte
	var werr error
	read, runErr := p.Run(ctx, func(batch []parse.Record) {
		for i := range batch {
			if werr != nil {
				return
			}
			buf = AppendRow(buf[:0], &batch[i])
			if _, werr = bw.Write(buf); werr == nil {
				res.Inserted++
			}
		}
	})
	if werr == nil {
		werr = bw.Flush()
	}
	pw.CloseWithError(werr)
	insErr := <-insertDone
	res.Read = read
	switch {
	case runErr != nil:
		return res, runErr
	case insErr != nil:
		return res, fmt.Errorf("ch-load: inserting into %s.%s: %w", t.Database, t.Table, insErr)
	case werr != nil && !errors.Is(werr, io.ErrClosedPipe):
		return res, fmt.Errorf("ch-load: %w", werr)
	}
	return res, nil
}

// AppendRow appends r as one JSONEachRow line of the loader's table.
func AppendRow(b []byte, r *parse.Record) []byte {
	b = append(b, `{"EdgeStartTimestamp":`...)
	b = strconv.AppendInt(b, r.Time, 10)
	end := int64(0)
	if r.Duration >= 0 {
		end = r.Time + int64(r.Duration)
	}
	b = append(b, `,"EdgeEndTimestamp":`...)
	b = strconv.AppendInt(b, end, 10)
	b = append(b, `,"EdgeResponseStatus":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, `,"OriginResponseStatus":`...)
	b = appendOptInt(b, int64(r.OriginStatus))
	uri := r.Path
	if r.Query != "" {
		uri += "?" + r.Query
	}
	for _, kv := range [...]struct{ k, v string }{
		{"ClientRequestHost", r.Host}, {"OriginIP", r.Upstream}, {"ClientIP", r.ClientIP},
		{"ClientRequestMethod", r.Method}, {"ClientRequestPath", r.Path}, {"ClientRequestURI", uri},
		{"ClientRequestProtocol", r.Protocol}, {"ClientRequestReferer", r.Referer},
		{"ClientRequestUserAgent", r.UserAgent}, {"RayID", r.RequestID}, {"EdgeColoCode", r.POP},
		{"CacheCacheStatus", r.CacheStatus}, {"SourceFile", r.Input},
	} {
		b = append(b, ',', '"')
		b = append(b, kv.k...)
		b = append(b, '"', ':')
		b = appendJSONString(b, kv.v)
	}
	b = append(b, `,"EdgeResponseBytes":`...)
	b = appendOptInt(b, r.Bytes)
	b = append(b, `,"OriginResponseHeaderReceiveDurationMs":`...)
	b = appendOptInt(b, msOf(r.OriginHeaderTime))
	b = append(b, `,"OriginTCPHandshakeDurationMs":`...)
	b = appendOptInt(b, msOf(r.OriginConnectTime))
	b = append(b, `,"ResponseHeaders":`...)
	b = appendJSONString(b, string(responseHeaders(r)))
	b = append(b, `,"SourceLine":`...)
	b = strconv.AppendInt(b, r.Line, 10)
	return append(b, "}\n"...)
}

func msOf(d time.Duration) int64 {
	if d < 0 {
		return parse.Unknown
	}
	return int64(d / time.Millisecond)
}

func appendOptInt(b []byte, n int64) []byte {
	if n < 0 {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, n, 10)
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// responseHeaders is the custom-fields object the parser reads back: the
// status location and Retry-After a record carries.
func responseHeaders(r *parse.Record) []byte {
	h := map[string]string{}
	if r.StatusLocation != "" {
		h["location"] = r.StatusLocation
	}
	if r.RetryAfter >= 0 {
		h["retry-after"] = strconv.FormatInt(int64(r.RetryAfter/time.Second), 10)
	}
	if len(h) == 0 {
		return []byte("{}")
	}
	b, _ := json.Marshal(h)
	return b
}
