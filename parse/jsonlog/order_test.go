package jsonlog

import (
	"os"
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/internal/parsertest"
)

// orderLines are JSON access lines whose keys agree with each other's
// order in part (the same shipper's line, a key missing, added, escaped,
// in another case inside a header map, cut short), for a parser warmed on
// one to meet predictions that hold and predictions that fail.
func orderLines(t testing.TB) []string {
	lines := []string{nginxUpstream, nginxCombined, caddy, traefik,
		strings.Replace(caddy, `"status":`, `"st\u0061tus":500,"status":`, 1),
		strings.Replace(caddy, `"User-Agent"`, `"user-agent"`, 1),
		strings.Replace(caddy, `"headers":{`, `"headers":{"Cf-Ray":["8f3a2b1c4d5e6f70-FRA"],`, 1),
		strings.Replace(nginxUpstream, `"status"`, `"Status"`, 1),
		strings.Replace(nginxUpstream, `"status"`, `"extra":1,"status"`, 1),
		`{"ts":1,"status":200}`, `{"status":200,"ts":1}`, `{"t":1,"a":{"b":200}}`, `{"a":{"c":1,"b":201},"t":2,"d":5}`, `{"ts":1,"status":200,"request":{"headers":{"CF-RAY":["-x"]}}}`,
	}
	for _, l := range []string{nginxUpstream, caddy} {
		for _, cut := range []int{1, 10, len(l) / 2, len(l) - 1} {
			lines = append(lines, l[:cut])
		}
	}
	data, err := os.ReadFile("testdata/traefik_json_elastic_test-format-json.log")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

var orderMapping = map[string]string{"Status": "a.b", "Time": "t", "DurationUs": "d", "CFRay": "r", "RetryAfter": "rc"}

// TestOrderIsOnlyAGuess: a parser that has read other lines (and so
// predicts their keys) decides every line exactly as a new one.
func TestOrderIsOnlyAGuess(t *testing.T) {
	lines := orderLines(t)
	for _, mapping := range []map[string]string{nil, orderMapping} {
		parsertest.WarmedLikeFresh(t, func() parse.Parser { return New(mapping) }, lines)
	}
}

// FuzzJSONOrder is TestOrderIsOnlyAGuess for any line: after a Caddy
// line (nested header maps), and after itself.
func FuzzJSONOrder(f *testing.F) {
	for _, l := range orderLines(f) {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, mapping := range []map[string]string{nil, orderMapping} {
			parsertest.AfterAndTwice(t, func() parse.Parser { return New(mapping) }, caddy, line)
		}
	})
}
