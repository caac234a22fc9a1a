package causes

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edgetriage/edgetriage/rules"
)

// Placeholders for values a suggested command needs but the log does not
// give. They hold no shell metacharacters, so a command that carries one
// is still a single, harmless command.
const (
	hostPlaceholder     = "YOUR_HOST"
	originIPPlaceholder = "ORIGIN_IP"
)

// shq quotes s for a POSIX shell: as is when it is made only of characters
// no shell treats specially, else in single quotes, each single quote
// inside closed, escaped and reopened. The result is always one word.
func shq(s string) string {
	if s == "" {
		return "''"
	}
	if shellSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellSafe reports whether s needs no quoting: letters, digits and
// @%+=:,./_- only (the set Python's shlex.quote leaves bare).
func shellSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("@%+=:,./_-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// urlPath makes a logged request path fit a URL: it starts with "/" and
// bytes that cannot appear in a URL (controls, space, non-ASCII, "<>\^`{|}
// and the double quote) are percent-encoded, so the URL survives copying and
// cannot break a command line however it is quoted. Other characters,
// percent signs included, are kept: the path is what the client sent.
func urlPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			if b.Len() == 0 {
				b.Grow(len(p) + 8)
				b.WriteString(p[:i])
			}
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return p
	}
	return b.String()
}

// validHostname reports whether s is a DNS host name (RFC 1123 labels of
// letters, digits and inner hyphens, at most 253 bytes, a trailing dot
// allowed) that is neither an IP address nor a file name.
func validHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	if strings.Trim(last, "0123456789") == "" {
		return false // an IPv4 address or a rotation suffix (access.log.1)
	}
	return !slices.Contains(fileSuffixes, strings.ToLower(last))
}

// fileSuffixes are file name extensions of logs: a name ending in one is a
// file (the origin of a log without a host), not a host, even though
// "nasty.log" is a well-formed host name.
var fileSuffixes = []string{
	"log", "logs", "txt", "out", "err", "gz", "tgz", "zst", "zstd", "bz2", "xz", "lz4", "json", "jsonl",
	"ndjson", "csv", "tsv", "old", "bak", "tmp", "gzip",
}

// hostOf returns a host name the finding's commands may use, or "" when the
// log names none: the engine's "host" context value or the origin when it
// is a valid host name and not one of the finding's input files (plain
// logs are grouped by their file name or --origin).
func hostOf(f *rules.Finding) string {
	for _, h := range []string{contextString(f.Context, "host"), f.Origin} {
		if h != "" && validHostname(h) && !isInputName(f, h) {
			return h
		}
	}
	return ""
}

func contextString(ctx map[string]any, key string) string {
	s, _ := ctx[key].(string)
	return s
}

// isInputName reports whether name is the path or base name (rotation and
// compression suffixes aside) of an input behind the finding.
func isInputName(f *rules.Finding, name string) bool {
	for _, s := range f.Samples {
		if s.Input == "" {
			continue
		}
		base := filepath.Base(s.Input)
		for _, cand := range []string{s.Input, base, strings.TrimSuffix(base, filepath.Ext(base))} {
			if strings.EqualFold(cand, name) {
				return true
			}
		}
	}
	return false
}

// originIP returns an address to send requests to the origin directly: the
// origin itself when grouping by IP, else the first failing upstream; ""
// when neither is an IP address.
func originIP(f *rules.Finding) string {
	if ip := bareIP(f.Origin); ip != "" {
		return ip
	}
	for _, u := range contextList(f.Context, "upstreams_failed") {
		if ip := bareIP(stripCount(u)); ip != "" {
			return ip
		}
	}
	return ""
}

// bareIP returns s as an IP address without port or zone (a zone is free
// text), or "".
func bareIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").String()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").String()
	}
	return ""
}
