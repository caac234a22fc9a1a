package cdn

import (
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func TestCloudFrontRealSample(t *testing.T) {
	lines := readLines(t, "aws_cloudfront_standard_elastic_test-cloudfront.log")
	p := NewCloudFront()
	if p.Format() != "cloudfront" {
		t.Fatalf("Format() = %q", p.Format())
	}
	var r parse.Record
	for i := 0; i < 2; i++ {
		if err := p.Parse(lines[i], &r); err != parse.ErrIgnored {
			t.Fatalf("header line %d: %v", i+1, err)
		}
	}
	recs := parseAll(t, p, lines[2:])
	if len(recs) != len(lines)-2 {
		t.Fatalf("%d records from %d lines", len(recs), len(lines)-2)
	}
	r = recs[0]
	want := parse.Record{
		Time: ts("2019-12-04T21:02:31Z"), Source: parse.SourceEdge,
		Host: "d111111abcdef8.cloudfront.net", ClientIP: "89.160.20.112", Method: "GET", Path: "/index.html",
		Protocol:  "HTTP/2.0",
		UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",
		Status:    200, OriginStatus: parse.Unknown, Bytes: 392, Duration: time.Millisecond,
		OriginHeaderTime: parse.Unknown, RetryAfter: parse.Unknown, OriginConnectTime: parse.Unknown,
		RequestID: "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==", POP: "LAX1", CacheStatus: "hit",
	}
	if r != want {
		t.Errorf("line 3:\n got %+v\nwant %+v", r, want)
	}
	// 502 with x-host-header differing from cs(Host).
	r = recs[3]
	if r.Status != 502 || r.Host != "www.example.com" || r.Referer != "http://www.example.com/" ||
		r.CacheStatus != "error" || r.POP != "SEA19-C1" || r.Protocol != "HTTP/1.1" || r.Failure != "OriginDnsError" {
		t.Errorf("502 line: %+v", r)
	}
	for i, r := range recs {
		if r.Failure != "" && r.CacheStatus != "error" {
			t.Errorf("line %d: Failure %q on a %q", i+3, r.Failure, r.CacheStatus)
		}
	}
	// Query and status 000.
	if r := recs[6]; r.Query != "source=global" || r.Status != 200 || r.CacheStatus != "miss" || r.Method != "POST" {
		t.Errorf("query line: %+v", r)
	}
	if r := recs[7]; r.Status != 0 {
		t.Errorf("000 line: %+v", r)
	}
	// Last line: fewer columns than the header.
	last := recs[len(recs)-1]
	if last.Path != "/en(test)" || last.Status != 404 || last.Host != "domain.tld" ||
		!strings.HasPrefix(last.UserAgent, "User-Agent: Mozilla/4.0 (compatible;") || last.Bytes != 198083 {
		t.Errorf("short last line: %+v", last)
	}
}

func TestCloudFrontColumns(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		check func(t *testing.T, r parse.Record)
	}{
		{
			name:  "default order before any header",
			lines: []string{"2026-11-20\t10:00:00\tFRA56-P1\t123\t192.0.2.9\tGET\td1.cloudfront.net\t/a\t520\t-\tcurl/8.0\tx=1\t-\tError\tID1==\t-\thttps\t10\t0.250\t-\tTLSv1.3\t-\tError\tHTTP/1.1"},
			check: func(t *testing.T, r parse.Record) {
				if r.Status != 520 || r.Host != "d1.cloudfront.net" || r.Query != "x=1" || r.Duration != 250*time.Millisecond ||
					r.UserAgent != "curl/8.0" || r.Referer != "" || r.RequestID != "ID1==" || r.CacheStatus != "error" {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "own header order, response result type only, CRLF",
			lines: []string{
				"#Version: 1.0\r",
				"#Fields: sc-status time date cs(Host) x-edge-response-result-type unknown-field cs-uri-stem\r",
				"202\t23:59:59.5\t2026-11-20\texample.org\tRefreshHit\tzzz\t/jobs\r",
			},
			check: func(t *testing.T, r parse.Record) {
				if r.Status != 202 || r.Time != ts("2026-11-20T23:59:59.5Z") || r.Host != "example.org" ||
					r.CacheStatus != "refreshhit" || r.Path != "/jobs" || r.Bytes != parse.Unknown {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "unknown result type is lower-cased",
			lines: []string{
				"#Fields: date time sc-status x-edge-result-type",
				"2026-11-20\t10:00:00\t200\tSomethingNew",
			},
			check: func(t *testing.T, r parse.Record) {
				if r.CacheStatus != "somethingnew" {
					t.Errorf("%+v", r)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewCloudFront()
			var r parse.Record
			var err error
			for i, l := range tt.lines {
				err = p.Parse([]byte(l), &r)
				if i < len(tt.lines)-1 && err != parse.ErrIgnored {
					t.Fatalf("line %d: %v", i+1, err)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
}

func TestCloudFrontMalformed(t *testing.T) {
	tests := []struct {
		name   string
		header string
		line   string
		reason string
	}{
		{"too few columns", "", "2026-11-20\t10:00:00\tFRA", "fewer columns"},
		{"bad status", "", "2026-11-20\t10:00:00\tFRA\t1\tip\tGET\th\t/\tOK\t-", "bad sc-status"},
		{"bad date", "", "2026-13-20\t10:00:00\tFRA\t1\tip\tGET\th\t/\t200\t-", "bad date"},
		{"not tab separated", "", "2026-11-20 10:00:00 FRA 1 ip GET h / 200 -", "fewer columns"},
		{"header without status", "#Fields: date time cs-uri-stem", "2026-11-20\t10:00:00\t/", "fewer columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewCloudFront()
			var r parse.Record
			if tt.header != "" {
				err := p.Parse([]byte(tt.header), &r)
				if !parse.IsMalformed(err) {
					t.Fatalf("header: %v", err)
				}
			}
			err := p.Parse([]byte(tt.line), &r)
			if !parse.IsMalformed(err) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err %v, want malformed %q", err, tt.reason)
			}
		})
	}
}

func TestCloudFrontZeroAllocs(t *testing.T) {
	lines := readLines(t, "aws_cloudfront_standard_elastic_test-cloudfront.log")
	p := NewCloudFront()
	var r parse.Record
	line := lines[7] // curl UA: nothing to URL-decode
	allocs := testing.AllocsPerRun(100, func() {
		if err := p.Parse(line, &r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocs per line, want 0", allocs)
	}
}

func BenchmarkCloudFront(b *testing.B) {
	lines := readLines(b, "aws_cloudfront_standard_elastic_test-cloudfront.log")[2:]
	p := NewCloudFront()
	var total int
	for _, l := range lines {
		total += len(l) + 1
	}
	var rec parse.Record
	b.ReportAllocs()
	b.SetBytes(int64(total))
	for b.Loop() {
		for _, l := range lines {
			if err := p.Parse(l, &rec); err != nil {
				b.Fatal(err)
			}
		}
	}
}
