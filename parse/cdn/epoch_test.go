package cdn

import (
	"strings"
	"testing"

	"github.com/edgetriage/edgetriage/parse"
)

// TestUnixNano19 checks the word-at-a-time reading against parse.Epoch:
// every byte value at every position of a 19-digit timestamp, the
// int64 limit and beyond, and other lengths (left to parse.Epoch).
func TestUnixNano19(t *testing.T) {
	cases := []string{
		"1763632800123000000", "0000000000000000000", "9223372036854775807", "9223372036854775808",
		"9999999999999999999", "1000000000000000000", "0123456789012345678", "176363280012300000", "17636328001230000000",
	}
	base := "1763632800123456789"
	for i := 0; i < len(base); i++ {
		for c := 0; c < 256; c++ {
			cases = append(cases, base[:i]+string([]byte{byte(c)})+base[i+1:])
		}
	}
	for d := '0'; d <= '9'; d++ {
		cases = append(cases, strings.Repeat(string(d), 19))
	}
	for _, c := range cases {
		got, ok := unixNano19([]byte(c))
		want, wantOK := parse.Epoch([]byte(c))
		if ok && (!wantOK || got != want) {
			t.Errorf("unixNano19(%q) = %d, true; parse.Epoch = %d, %v", c, got, want, wantOK)
		}
		if !ok && len(c) == 19 && wantOK && strings.Trim(c, "0123456789") == "" {
			t.Errorf("unixNano19(%q) refused 19 digits parse.Epoch reads as %d", c, want)
		}
	}
}
