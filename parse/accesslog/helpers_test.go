package accesslog

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// expect builds the record a test wants: an origin record with every
// unknown field as Reset leaves it, changed by set.
func expect(set func(r *parse.Record)) parse.Record {
	var r parse.Record
	r.Reset()
	r.Source = parse.SourceOrigin
	set(&r)
	return r
}

// ts is a UTC timestamp for expectations.
func ts(layout, v string) int64 {
	t, err := time.Parse(layout, v)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

func clf(v string) int64 { return ts("02/Jan/2006:15:04:05 -0700", v) }

// diffRecords lists the fields in which got differs from want.
func diffRecords(got, want parse.Record) string {
	var b strings.Builder
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < gv.NumField(); i++ {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			fmt.Fprintf(&b, "\n  %s: got %#v, want %#v", gv.Type().Field(i).Name, g, w)
		}
	}
	return b.String()
}

// reasonOf returns a malformed error's reason, "" for nil, or fails.
func reasonOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	m, ok := err.(*parse.MalformedError)
	if !ok {
		t.Fatalf("error %v is not a *parse.MalformedError", err)
	}
	return m.Reason
}

// viewsOfLine fails if a string field of rec is not a view into line (or a
// constant, for CacheStatus): parsers must not copy.
func viewsOfLine(rec *parse.Record, line []byte) bool {
	ok := true
	for _, s := range []string{rec.Host, rec.Upstream, rec.ClientIP, rec.Method, rec.Path, rec.Query,
		rec.Protocol, rec.UserAgent, rec.Referer, rec.RequestID, rec.StatusLocation, rec.POP, rec.PeerIP, rec.Failure} {
		if s != "" && !strings.Contains(string(line), s) {
			ok = false
		}
	}
	return ok
}
