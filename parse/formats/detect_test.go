package formats

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

func fileLines(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	return bytes.Split(data, []byte("\n"))
}

// counts parses every line as the reader would (blank lines ignored before
// the parser) and returns parsed, ignored and malformed counts.
func counts(t testing.TB, p parse.Parser, lines [][]byte) (parsed, ignored, malformed int, reasons []string) {
	t.Helper()
	var rec parse.Record
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 {
			ignored++
			continue
		}
		switch err := p.Parse(l, &rec); {
		case err == nil:
			parsed++
		case errors.Is(err, parse.ErrIgnored):
			ignored++
		default:
			malformed++
			reasons = append(reasons, err.Error())
		}
	}
	return
}

func TestDetectRealData(t *testing.T) {
	tests := []struct {
		file   string
		format string
	}{
		{"cloudflare_logpush_http_requests_elastic_tf_test-http-request.ndjson", "cloudflare"},
		{"cloudflare_logpull_http_elastic_test-http-json.ndjson", "cloudflare"},
		{"cloudflare_logpush_http_requests_lnav_logfile_cloudflare.json", "cloudflare"},
		{"aws_cloudfront_standard_elastic_test-cloudfront.log", "cloudfront"},
		{"nginx_combined_elastic_test-access.log", "combined"},
		{"apache_combined_lnav_logfile_access_log.0.log", "combined"},
		{"apache_access_elastic_test-access-basic.log", "combined"},
		{"nginx_ingress_controller_elastic_test-ingest-raw.log", "nginx:" + ingressNginx},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			lines := fileLines(t, tt.file)
			p, err := Detect(lines)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format() != tt.format {
				t.Fatalf("detected %q, want %q", p.Format(), tt.format)
			}
			if again, err := New(p.Format()); err != nil || again.Format() != p.Format() {
				t.Errorf("New(%q) does not rebuild the detected parser: %v", p.Format(), err)
			}
			parsed, ignored, malformed, reasons := counts(t, p, lines)
			if malformed != 0 || parsed == 0 {
				t.Errorf("parsed %d ignored %d malformed %d: %v", parsed, ignored, malformed, reasons)
			}
		})
	}
}

// TestDetectPartial: when no format parses every sampled line, the one that
// parses most is used if it parses at least 30%; its label gives its share.
func TestDetectPartial(t *testing.T) {
	combined := `192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`
	tests := []struct {
		name        string
		good, other int
		label       string // "" = not a known log
	}{
		{"3 of 7", 3, 4, "combined, 43% of sampled lines"},
		{"exactly 30%", 3, 7, "combined, 30% of sampled lines"},
		{"199 of 200", 199, 1, "combined, 99% of sampled lines"},
		{"2 of 7", 2, 5, ""},
		{"all", 5, 0, "combined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lines [][]byte
			for i := 0; i < tt.other; i++ {
				lines = append(lines, []byte("not a log line at all"))
			}
			for i := 0; i < tt.good; i++ {
				lines = append(lines, []byte(combined))
			}
			p, err := Detect(lines)
			if tt.label == "" {
				if err == nil || !strings.Contains(err.Error(), "not a known log") {
					t.Fatalf("detected %v, err %v; want not a known log", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := parse.FormatLabel(p); got != tt.label {
				t.Errorf("label %q, want %q", got, tt.label)
			}
			if p.Format() != "combined" {
				t.Errorf("Format %q: must stay a name New rebuilds", p.Format())
			}
			parsed, _, malformed, _ := counts(t, p, lines)
			if parsed != tt.good || malformed != tt.other {
				t.Errorf("parsed %d malformed %d, want %d and %d", parsed, malformed, tt.good, tt.other)
			}
		})
	}
}

// TestDetectNotALog: files that are not access logs stay unknown, and the
// error says what was tried.
func TestDetectNotALog(t *testing.T) {
	_, err := Detect(fileLines(t, "PROVENANCE.md"))
	if err == nil {
		t.Fatal("a Markdown file detected as a log")
	}
	for _, want := range []string{"not a known log", "cloudfront (0 of", "cloudflare (0 of", "json (0 of", "alb (0 of", "haproxy (0 of"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
