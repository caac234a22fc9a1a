package parse

import (
	"testing"
)

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GET /index.html", "GET /index.html"},
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"a\tb\r\n", `a\tb\x0d\x0a`},
		{"caf\xc3\xa9", "café"},
		{"bad\xff", `bad\xff`},
		{"c1\xc2\x9b31m", `c1\u009b31m`},
		{"nul\x00", `nul\x00`},
		{"\u202eevil", `\u202eevil`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"\ufeffbom", `\ufeffbom`},
		{"soft\u00adhyphen", `soft\u00adhyphen`},
		{"tag\U000e0041", `tag\U000e0041`},
		{"line\u2028sep", `line\u2028sep`},
		{"emoji 😀 ok", "emoji 😀 ok"},
	}
	for _, tt := range tests {
		if got := Printable(tt.in); got != tt.want {
			t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzPrintable(f *testing.F) {
	f.Add("\x1b[31mred\x1b[0m")
	f.Add("\xc2\x9b\xff\x00")
	f.Fuzz(func(t *testing.T, s string) {
		out := Printable(s)
		for _, c := range []byte(out) {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("control byte %#x survived in %q", c, out)
			}
		}
		for _, r := range out {
			if Hidden(r) {
				t.Fatalf("hidden character %U survived in %q", r, out)
			}
		}
	})
}
