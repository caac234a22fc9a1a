package accesslog

import (
	"reflect"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// TestResetRecord sets each field of a Record (every field of DimKeys too)
// in turn, on a record Reset left and on a zero one as a recycled batch
// holds, and checks that resetRecord leaves exactly what Reset does.
func TestResetRecord(t *testing.T) {
	var want parse.Record
	want.Reset()
	typ := reflect.TypeOf(want)
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		for _, start := range []string{"reset", "zero"} {
			var r parse.Record
			if start == "reset" {
				r.Reset()
			}
			setNonZero(t, reflect.ValueOf(&r).Elem().Field(i))
			resetRecord(&r)
			if !reflect.DeepEqual(r, want) {
				t.Errorf("%s record with %s set: resetRecord left %+v, Reset gives %+v", start, f.Name, r, want)
			}
		}
	}
}

// setNonZero gives v a value no reset leaves (every field of a struct).
func setNonZero(t testing.TB, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			setNonZero(t, v.Field(i))
		}
	default:
		t.Fatalf("field kind %s: teach setNonZero and resetRecord about it", v.Kind())
	}
}

// overwriteLines are NCSA lines of every shape scanNCSA writes fields for:
// vhost, forwarded lists with a peer, status "-", Traefik's tail, no
// request, common without referer and agent.
var overwriteLines = []string{
	`203.0.113.9 - - [01/May/2024:08:00:01 +0000] "POST /api/jobs?tenant=a HTTP/2.0" 202 0 "https://example.com/app" "curl/8"`,
	`shop.example.com:443 198.51.100.7 - - [31/Jul/2023:23:59:59 +0200] "GET / HTTP/1.1" 520 0 "-" "-"`,
	`example.com:80 "10.5.102.222, 199.96.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET / HTTP/1.1" 200 25 "-" "CF"`,
	`::1 - - [15/Apr/2024:13:04:10 +0000] "GET / HTTP/1.1" - - "-" "-" 27 "-" "-" 0ms`,
	`89.160.20.156 - - [28/Feb/2018:17:30:33 +0000] "GET /en/ HTTP/2.0" 200 2814 - "ua" 13 "r" "http://172.19.0.6:14008" 247ms`,
	`127.0.0.1 user-identity frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
	`10.0.0.1 - - [01/May/2024:08:00:01 +0000] "-" 400 0 "-" "-"`,
	`10.0.0.1 [01/May/2024:08:00:01 +0000] "GET /a HTTP/1.1" 200 -`,
}

// TestNCSAOverwrites checks that scanNCSA, which leaves the fields every
// line writes to be overwritten (resetUnscanned), gives on a record with
// every field set what it gives on a clean one, for every line it reads.
func TestNCSAOverwrites(t *testing.T) {
	lines := [][]byte{}
	for _, l := range overwriteLines {
		lines = append(lines, []byte(l))
	}
	for _, name := range []string{"nginx_combined_elastic_test-access.log", "apache_access_elastic_test-access-basic.log",
		"apache_combined_lnav_logfile_access_log.0.log", "nginx_vhost_xff_elastic_test-test-with-host.log",
		"traefik_clf_elastic_test-format-common.log"} {
		lines = append(lines, readLines(t, name)...)
	}
	parsed := 0
	for _, line := range lines {
		if checkOverwrites(t, line) {
			parsed++
		}
	}
	if parsed < len(lines)*9/10 {
		t.Errorf("only %d of %d lines parsed: the test checks little", parsed, len(lines))
	}
}

// checkOverwrites parses line into a clean and into a dirty record and
// fails if they differ; it reports whether the line parsed.
func checkOverwrites(t testing.TB, line []byte) bool {
	t.Helper()
	var clean, dirty parse.Record
	clean.Reset()
	setNonZero(t, reflect.ValueOf(&dirty).Elem())
	v1, err1 := scanNCSA(line, &clean, &clfCache{})
	v2, err2 := scanNCSA(line, &dirty, &clfCache{})
	if v1 != v2 || (err1 == nil) != (err2 == nil) {
		t.Fatalf("%s: clean record gives %q %v, dirty %q %v", line, v1, err1, v2, err2)
	}
	if err1 == nil && clean != dirty {
		t.Fatalf("%s: a field scanNCSA leaves kept its old value:%s", line, diffRecords(dirty, clean))
	}
	return err1 == nil
}
