// Package samplelogs holds the demo logs that ship inside the edgetriage
// binary and the deterministic generator that writes them.
//
// The demo is one incident morning (2026-11-20, 09:00–09:50 UTC) on a
// Cloudflare zone with three hosts — shop.example.com, api.example.com and
// static.example.com — seen from the edge (Logpush http_requests) and from
// the origins' own nginx logs (which carry CF-Ray, so the two can be
// joined), plus one small file per other supported format. Every kind of
// trouble the rules engine looks for is in it, and Truth describes exactly
// what is in it, so scenario tests can assert findings against known truth.
//
// The generator is pure: a seeded PCG per scenario piece and a fixed base
// time, no wall clock, so the same Options give the same bytes. `go run
// ./sample-logs/gen` rewrites the committed files; a test fails if they
// drift from a fresh generation.
package samplelogs
