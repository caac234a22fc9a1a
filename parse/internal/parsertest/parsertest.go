// Package parsertest holds checks that the parsers' tests share: a parser
// that remembers what earlier lines looked like (to predict their keys)
// must still decide every line exactly as a fresh parser does.
package parsertest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// Result is what one Parse call decides: the record, or the reason, field
// and column of a malformed line, or another error.
func Result(p parse.Parser, line string) string {
	var r parse.Record
	err := p.Parse([]byte(line), &r)
	var me *parse.MalformedError
	if errors.As(err, &me) {
		return fmt.Sprintf("malformed %q field %q column %d", me.Reason, me.Field, me.Column)
	}
	if err != nil {
		return "error " + err.Error()
	}
	return fmt.Sprintf("%+v", r)
}

// WarmedLikeFresh checks every line of lines after every line of lines
// (and twice), each time with a parser new from fresh that read the
// earlier line first, against what a new parser decides.
func WarmedLikeFresh(t testing.TB, fresh func() parse.Parser, lines []string) {
	t.Helper()
	for i, line := range lines {
		want := Result(fresh(), line)
		for j, before := range lines {
			p := fresh()
			Result(p, before)
			if got := Result(p, line); got != want {
				t.Fatalf("line %d after line %d:\n got %s\nwant %s", i, j, got, want)
			}
			if got := Result(p, line); got != want {
				t.Fatalf("line %d twice after line %d:\n got %s\nwant %s", i, j, got, want)
			}
		}
	}
}

// AfterAndTwice checks line after warm and then after itself, with one
// parser new from fresh, against what a new parser decides (a fuzz
// target's body).
func AfterAndTwice(t testing.TB, fresh func() parse.Parser, warm, line string) {
	t.Helper()
	want := Result(fresh(), line)
	p := fresh()
	Result(p, warm)
	if got := Result(p, line); got != want {
		t.Fatalf("after the warming line:\n got %s\nwant %s", got, want)
	}
	if got := Result(p, line); got != want {
		t.Fatalf("after itself:\n got %s\nwant %s", got, want)
	}
}
