package formats

import "testing"

func BenchmarkDetect(b *testing.B) {
	files := []string{
		"cloudflare_logpull_http_elastic_test-http-json.ndjson",
		"aws_cloudfront_standard_elastic_test-cloudfront.log",
		"nginx_combined_elastic_test-access.log",
		"aws_alb_elastic_test-alb.log",
	}
	var inputs [][][]byte
	for _, f := range files {
		inputs = append(inputs, fileLines(b, f))
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range inputs {
			_, _ = Detect(in)
		}
	}
}
