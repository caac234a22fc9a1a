package accesslog

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// checkParsed asserts what every parser promises about a line's result.
func checkParsed(t *testing.T, rec *parse.Record, line []byte, err error) {
	t.Helper()
	if err != nil {
		var m *parse.MalformedError
		if !errors.As(err, &m) || m.Reason == "" {
			t.Fatalf("error %v is not a malformed reason", err)
		}
		return
	}
	if (rec.Status != 0 && rec.Status < 100) || rec.Status > 999 { // 0: logged as "-"
		t.Fatalf("status %d out of range for %q", rec.Status, line)
	}
	if rec.Source != parse.SourceOrigin {
		t.Fatalf("source %v", rec.Source)
	}
	if !viewsOfLine(rec, line) {
		t.Fatalf("a field is not taken from the line %q: %+v", line, rec)
	}
	if rec.Bytes < parse.Unknown || rec.OriginStatus < parse.Unknown || rec.OriginStatus > 999 ||
		(rec.RetryAfter != parse.Unknown && (rec.RetryAfter < 0 || rec.RetryAfter%time.Second != 0)) {
		t.Fatalf("implausible numbers %+v", rec)
	}
}

func addFileSeeds(f *testing.F, add func(line []byte)) {
	for _, name := range []string{"nginx_combined_elastic_test-access.log", "apache_access_elastic_test-access-basic.log",
		"apache_combined_lnav_logfile_access_log.0.log", "nginx_ingress_controller_elastic_test-ingest-raw.log",
		"nginx_vhost_xff_elastic_test-test-with-host.log", "traefik_clf_elastic_test-format-common.log",
		"ncsa_lnav_logfile_bad_access_log.0.log"} {
		for _, l := range readLines(f, name) {
			add(l)
		}
	}
}

func FuzzNCSA(f *testing.F) {
	addFileSeeds(f, func(l []byte) { f.Add(l) })
	f.Add([]byte(`a b c [10/Oct/2000:13:55:36.5 -0700] "GET /a\"b?c HTTP/1.1" 200 - "-" "\"" x`))
	// The fast paths' edges: a "[" right after the vhost, a byte count of
	// 7, 8 and more digits and one at the line's end, escapes next to the
	// closing quotes of referer and agent, a stamp that differs from the
	// last only in its zone.
	f.Add([]byte(`a.example [::1] - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "-"`))
	f.Add([]byte(`a.example:80 ::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1234567 "\"" "ua\\"`))
	f.Add([]byte(`::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12345678 "r\\\"" "a \"b\" c" 9`))
	f.Add([]byte(`::1 - - [10/Oct/2000:13:55:36 -0730] "GET /a?b HTTP/1.1" 304 1234`))
	f.Add([]byte(`::1, 10.0.0.1 - - [10/Oct/2000:13:55:37 -0700] "GET / HTTP/1.1" 200 12/4567 "-" "-"`))
	p, _ := New(Combined)
	f.Fuzz(func(t *testing.T, line []byte) {
		var rec parse.Record
		err := p.Parse(line, &rec)
		checkParsed(t, &rec, line, err)
		if v := Variant(line); (v != "") != (err == nil) {
			t.Fatalf("Variant %q disagrees with Parse error %v", v, err)
		}
		checkOverwrites(t, line)
		// Differential check of the timestamp against the time package.
		open, end := bytes.Index(line, []byte(" [")), bytes.IndexByte(line, ']')
		if open < 0 || end < open {
			return
		}
		want, terr := time.Parse("02/Jan/2006:15:04:05 -0700", string(line[open+2:end]))
		if terr != nil || err != nil || bytes.Count(line[:open], []byte(" ")) > 3 {
			return
		}
		if y := want.UTC().Year(); y >= parse.MinYear && y <= parse.MaxYear && rec.Time != want.UnixNano() {
			t.Fatalf("time %d, want %d (%v) for %q", rec.Time, want.UnixNano(), want, line)
		}
	})
}

func FuzzNginx(f *testing.F) {
	addFileSeeds(f, func(l []byte) { f.Add(ingressUpstreamInfo, l) })
	f.Add(cfFormat, []byte(`1.1.1.1 - - [01/May/2024:08:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "-" host=a cfip=- ray=a-b rid=- xrid=- ua="a, b : c" us="502, 200" rt=- urt="1, 2" uht="-" uct="-" cs=HIT loc="-" oploc="-"`))
	f.Add(`$time_iso8601 $scheme://$host$request_uri $status`, []byte(`2024-05-01T08:00:01Z https://a/p?x 200`))
	f.Add(`{"t":"${msec}","s":$status,"u":"$http_user_agent"}`, []byte(`{"t":"1714550401.250","s":200,"u":"a\"b"}`))
	f.Add(`[$time_local] $status ra="$sent_http_retry_after" ura=$upstream_http_retry_after`, []byte(`[01/May/2024:08:00:01 +0000] 503 ra="Wed, 21 Oct 2015 07:28:00 GMT" ura=-, 120`))
	f.Add(`$time_local $status $sent_http_retry_after`, []byte(`01/May/2024:08:00:01 +01:30 429 99999999999999999999`))
	f.Fuzz(func(t *testing.T, format string, line []byte) {
		p, err := NewNginx(format)
		if err != nil {
			return
		}
		var rec parse.Record
		err = p.Parse(line, &rec)
		checkParsed(t, &rec, line, err)
	})
}

func FuzzApache(f *testing.F) {
	const combined = `%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"`
	addFileSeeds(f, func(l []byte) { f.Add(combined, l) })
	f.Add(`[%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] %s %{us}T \"%m %U%q %H\"`, []byte(`[10/Oct/2000 13:55:36.042 -0700] 500 1234 "GET /a?b HTTP/1.1"`))
	f.Add(`%{sec}t %{%Y-%m-%dT%H:%M:%S}t %!200,304{Referer}i %400,501>s %{CF-Ray}i`, []byte(`971211336 2000-10-10T20:55:36 - 404 abc-DEF`))
	f.Add(`%{%I:%M:%S %p %e %B %y}t %s`, []byte(`01:02:03 PM  5 March 24 200`))
	f.Add(`%t %>s \"%{Retry-After}o\" %{%s}t`, []byte(`[10/Oct/2000:13:55:36 Z] 503 "120" 9999999999`))
	f.Fuzz(func(t *testing.T, format string, line []byte) {
		p, err := NewApache(format)
		if err != nil {
			return
		}
		var rec parse.Record
		err = p.Parse(line, &rec)
		checkParsed(t, &rec, line, err)
	})
}
