package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns s with everything a terminal could interpret made
// visible and inert: C0 control characters (ESC, BEL, CR, ...) and DEL
// become \xNN escapes, tabs become \t, invalid UTF-8 bytes become \xNN,
// and the characters Hidden names (C1 controls, bidi overrides, zero-width
// and other invisible format characters) become \uNNNN.
// Log text is untrusted: it goes through Printable before it is rendered.
func Printable(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20 || c == 0x7f:
				writeHex(&b, c)
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeHex(&b, c)
		case Hidden(r):
			writeU(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func writeHex(b *strings.Builder, c byte) {
	const hex = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

// Hidden reports whether r must not reach a terminal (or a JSON reader's
// terminal) as itself: C1 controls (U+009B is a CSI on some terminals),
// the line and paragraph separators, and format characters (Unicode Cf):
// bidi overrides and isolates such as U+202E, zero-width characters such as
// U+200B, the byte order mark U+FEFF, soft hyphens, tag characters. They
// reorder or hide what is shown, so they are shown as escapes instead.
func Hidden(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case r <= 0x9f, r == 0x2028, r == 0x2029:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// writeU writes r as \uNNNN (or \UNNNNNNNN beyond the BMP).
func writeU(b *strings.Builder, r rune) {
	const hex = "0123456789abcdef"
	n := 4
	if r > 0xffff {
		b.WriteString(`\U`)
		n = 8
	} else {
		b.WriteString(`\u`)
	}
	for i := n - 1; i >= 0; i-- {
		b.WriteByte(hex[(r>>(4*uint(i)))&0xf])
	}
}
