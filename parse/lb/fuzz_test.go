package lb

import (
	"errors"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// fuzzParser checks what must hold for any line: no panic, and a line is a
// record, ignored or malformed; a record has a status a server can send.
func fuzzParser(f *testing.F, p parse.Parser, files ...string) {
	for _, name := range files {
		for _, l := range readLines(f, name) {
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var rec parse.Record
		err := p.Parse(line, &rec)
		switch {
		case err == nil:
			if rec.Status < 100 || rec.Status > 999 || rec.Source != parse.SourceEdge {
				t.Fatalf("implausible record %+v from %q", rec, line)
			}
		case errors.Is(err, parse.ErrIgnored), parse.IsMalformed(err):
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func FuzzALB(f *testing.F) { fuzzParser(f, NewALB(), "aws_alb_elastic_test-alb.log") }

func FuzzHAProxy(f *testing.F) {
	fuzzParser(f, NewHAProxy(), "haproxy_lnav_logfile_haproxy.0.log", "haproxy_elastic_test-haproxy.log",
		"haproxy_elastic_test-httplog-no-headers.log", "haproxy_elastic_test-haproxy-bad-req.log", "haproxy_elastic_test-https.log")
}

func TestNoAllocs(t *testing.T) {
	for _, c := range []struct {
		p    parse.Parser
		file string
	}{{NewALB(), "aws_alb_elastic_test-alb.log"}, {NewHAProxy(), "haproxy_lnav_logfile_haproxy.0.log"}} {
		lines := readLines(t, c.file)
		var rec parse.Record
		n := testing.AllocsPerRun(20, func() {
			for _, l := range lines {
				_ = c.p.Parse(l, &rec)
			}
		})
		if n != 0 {
			t.Errorf("%s: %.1f allocations per file", c.p.Format(), n)
		}
	}
}

func BenchmarkHAProxy(b *testing.B) {
	lines := readLines(b, "haproxy_lnav_logfile_haproxy.0.log")[3:13]
	p := NewHAProxy()
	var rec parse.Record
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = p.Parse(lines[i%len(lines)], &rec)
	}
}

func BenchmarkALB(b *testing.B) {
	line := readLines(b, "aws_alb_elastic_test-alb.log")[0]
	p := NewALB()
	var rec parse.Record
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = p.Parse(line, &rec)
	}
}
