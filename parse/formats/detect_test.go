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

func TestDetectRejectsALB(t *testing.T) {
	// ALB/NLB lines are a format for later: nothing here may claim them.
	_, err := Detect(fileLines(t, "aws_alb_elastic_test-alb.log"))
	if err == nil {
		t.Fatal("ALB log detected as a known format")
	}
	for _, want := range []string{"no known format fits", "cloudfront (0 of", "cloudflare (0 of", "json (0 of"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
