package jsonlog

import (
	"testing"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/cputime"
)

// BenchmarkJSONOneShipper parses the nginx, Caddy and Traefik lines of the tests
// over and over, each with its own parser (as each input has), so keys are
// predicted as in a file of one shipper's lines.
func BenchmarkJSONOneShipper(b *testing.B) {
	for _, bc := range []struct{ name, line string }{
		{"nginx", nginxUpstream}, {"caddy", caddy}, {"traefik", traefik},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := New(nil)
			line := []byte(bc.line)
			var rec parse.Record
			b.ReportAllocs()
			b.SetBytes(int64(len(line) + 1))
			done := cputime.Thread(b)
			for b.Loop() {
				if err := p.Parse(line, &rec); err != nil {
					b.Fatal(err)
				}
			}
			done()
		})
	}
}
