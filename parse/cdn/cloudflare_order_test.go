package cdn

import (
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse/internal/parsertest"
)

// orderLines are records whose keys agree with each other's order in part:
// the same job's line, a key missing, added, renamed, escaped or moved,
// whitespace, and cut short, so that a parser warmed on one meets
// predictions that hold, fail half-way and fail at the last byte.
func orderLines(t testing.TB) []string {
	typical := strings.TrimSpace(typicalLogpush)
	lines := []string{
		typical,
		strings.Replace(typical, `"BotScore":30,`, ``, 1),
		strings.Replace(typical, `"ClientIP":"203.0.113.50",`, `"ClientIP":"203.0.113.50","Extra":1,`, 1),
		strings.Replace(typical, `"EdgeResponseStatus":520`, `"EdgeResponseStatu":520`, 1),
		strings.Replace(typical, `"EdgeResponseStatus":520`, `"EdgeResponse\u0053tatus":520,"EdgeResponseStatus":502`, 1),
		strings.Replace(typical, `"EdgeResponseStatus":520`, `"EdgeResponseStatus" : 520`, 1),
		strings.Replace(typical, `"EdgeResponseStatus":520`, `"EdgeResponseStatus":"520"`, 1),
		strings.Replace(typical, `"EdgeStartTimestamp":1763632800123000000`, `"EdgeStartTimestamp":"2025-11-20T10:00:00.123Z"`, 1),
		strings.Replace(typical, `"RayID":"8f3a2b1c4d5e6f70"`, `"RayID":"8f3a\"2b1c"`, 1),
		strings.Replace(typical, `"ClientRequestHost":"api.example.com"`, `"ClientRequestHost":"api.exa\u006dple.com"`, 1),
		`{"EdgeResponseStatus":200,"EdgeStartTimestamp":1}`,
		`{"EdgeStartTimestamp":1,"EdgeResponseStatus":200}`,
		`{"cf":` + typical + `}`,
		`[` + typical + `,`,
	}
	for _, cut := range []int{1, 2, 20, 21, 22, 40, len(typical) / 2, len(typical) - 2, len(typical) - 1} {
		lines = append(lines, typical[:cut])
	}
	for _, name := range []string{
		"cloudflare_logpush_http_requests_elastic_tf_test-http-request.ndjson",
		"cloudflare_logpull_http_elastic_test-http-json.ndjson",
		"cloudflare_logpush_http_requests_lnav_logfile_cloudflare.json",
	} {
		for _, l := range readLines(t, name) {
			lines = append(lines, string(l))
		}
	}
	return lines
}

// TestCloudflareOrderIsOnlyAGuess: a parser that has seen other lines
// (and so predicts their keys) decides every line exactly as a new one.
func TestCloudflareOrderIsOnlyAGuess(t *testing.T) {
	parsertest.WarmedLikeFresh(t, NewCloudflare, orderLines(t))
}

// FuzzCloudflareOrder is TestCloudflareOrderIsOnlyAGuess for any line:
// after a typical record, and after itself.
func FuzzCloudflareOrder(f *testing.F) {
	for _, l := range orderLines(f) {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		parsertest.AfterAndTwice(t, NewCloudflare, typicalLogpush, line)
	})
}
