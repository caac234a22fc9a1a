package formats

import (
	"bytes"
	"strconv"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/jsonscan"
)

// Container runtimes wrap each line a program writes:
//
//	Docker json-file: {"log":"<line>\n","stream":"stdout","time":"2026-11-20T10:00:00.123456789Z"}
//	CRI (containerd, CRI-O, Kubernetes): 2026-11-20T10:00:00.123456789Z stdout F <line>
//	docker compose logs: <service>  | <line>
//
// Long lines are split: Docker writes pieces without the trailing "\n", CRI
// tags them P (partial) until the last piece, tagged F. The unwrapper joins
// the pieces and hands the whole line to the inner parser; each piece but
// the last is an ignored line, so the line accounting still adds up.
//
// Lines of the stderr stream that the inner format rejects are ignored
// rather than malformed: they are the program's error output (nginx's
// error log goes there in the official image), not access-log lines.

const (
	dockerPrefix  = "docker+"
	criPrefix     = "cri+"
	composePrefix = "compose+"
	kindDocker    = "docker"
	kindCRI       = "cri"
	kindCompose   = "compose"
)

// maxJoined bounds a line joined from partial pieces.
const maxJoined = 1 << 20

var (
	errNotDocker  = parse.Malformed("not a Docker json-file line")
	errNotCRI     = parse.Malformed("not a CRI log line")
	errNotCompose = parse.Malformed("not a docker compose log line")
	errJoinedLong = parse.Malformed("container line joined from partial pieces is over 1 MiB")
)

type unwrapper struct {
	kind    string
	inner   parse.Parser
	name    string
	partial []byte // pieces of a split line so far
	over    bool   // the pieces so far went over maxJoined
}

func newUnwrapper(kind string, inner parse.Parser) *unwrapper {
	return &unwrapper{kind: kind, inner: inner, name: kind + "+" + inner.Format()}
}

// Format is "docker+<inner>" or "cri+<inner>".
func (u *unwrapper) Format() string { return u.name }

// Label is Format with the inner parser's label: "docker+combined, 43% of
// sampled lines" when detection fitted only part of the sample.
func (u *unwrapper) Label() string { return u.kind + "+" + parse.FormatLabel(u.inner) }

func (u *unwrapper) Parse(line []byte, rec *parse.Record) error {
	var (
		content []byte
		stderr  bool
		full    bool
		ok      bool
	)
	content, stderr, full, ok = unwrapLine(u.kind, line)
	if !ok {
		rec.Reset()
		switch u.kind {
		case kindDocker:
			return parse.MalformedIn(errNotDocker, line, line)
		case kindCRI:
			return parse.MalformedIn(errNotCRI, line, line)
		}
		return parse.MalformedIn(errNotCompose, line, line)
	}
	if !full {
		rec.Reset()
		if len(u.partial)+len(content) > maxJoined {
			u.over = true
			u.partial = u.partial[:0]
			return parse.ErrIgnored
		}
		u.partial = append(u.partial, content...)
		return parse.ErrIgnored
	}
	if u.over || len(u.partial) > 0 {
		over := u.over || len(u.partial)+len(content) > maxJoined
		joined := make([]byte, 0, len(u.partial)+len(content))
		joined = append(append(joined, u.partial...), content...)
		u.partial, u.over = u.partial[:0], false
		if over {
			rec.Reset()
			return parse.MalformedIn(errJoinedLong, line, line)
		}
		content = joined // a new slice: records may keep views of it
	}
	if len(bytes.TrimSpace(content)) == 0 {
		rec.Reset()
		return parse.ErrIgnored
	}
	err := u.inner.Parse(content, rec)
	if err != nil && stderr && parse.IsMalformed(err) {
		rec.Reset()
		return parse.ErrIgnored
	}
	return innerAt(err, line, content)
}

// innerAt places the inner parser's error column in the wrapped line:
// shifted by where the content starts when it is a view of the line, or,
// when the content is a copy (unescaped JSON, joined pieces), named as a
// byte of the unwrapped message instead.
func innerAt(err error, line, content []byte) error {
	m, ok := err.(*parse.MalformedError)
	if !ok || m.Column == 0 {
		return err
	}
	if base := parse.ColumnIn(line, content); base > 0 {
		return m.At(base + m.Column - 1)
	}
	c := *m
	c.Reason = m.Reason + " (at byte " + strconv.Itoa(m.Column) + " of the unwrapped message)"
	c.Column = 0
	return &c
}

// dockerLine unwraps a json-file line. content is a view of line unless
// the text had escapes (then a new slice); full is false for a piece of a
// split line (no trailing "\n").
func dockerLine(line []byte) (content []byte, stderr, full, ok bool) {
	m := jsonscan.MembersOf(line)
	var logv jsonscan.Value
	var haveLog, haveMeta bool
	for m.Next() {
		switch string(m.Key) {
		case "log":
			logv, haveLog = m.Val, m.Val.Kind == jsonscan.String
		case "stream":
			haveMeta = true
			stderr = string(m.Val.Raw) == "stderr"
		case "time":
			haveMeta = true
		}
	}
	if m.CheckEnd() != "" || !haveLog || !haveMeta {
		return nil, false, false, false
	}
	raw := logv.Raw
	// The line ending is an escape at the end: "\n", maybe after "\r".
	// It is one only if the backslash itself is not escaped.
	if n := len(raw); n >= 2 && raw[n-2] == '\\' && raw[n-1] == 'n' && trailingBackslashes(raw[:n-1])%2 == 1 {
		full = true
		raw = raw[:n-2]
		if n := len(raw); n >= 2 && raw[n-2] == '\\' && raw[n-1] == 'r' && trailingBackslashes(raw[:n-1])%2 == 1 {
			raw = raw[:n-2]
		}
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw, stderr, full, true
	}
	return jsonscan.Unescape(nil, raw), stderr, full, true
}

func trailingBackslashes(b []byte) int {
	n := 0
	for i := len(b) - 1; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n
}

// criLine unwraps "<RFC 3339 time> <stdout|stderr> <P|F> <line>".
func criLine(line []byte) (content []byte, stderr, full, ok bool) {
	sp := bytes.IndexByte(line, ' ')
	if sp < 20 {
		return nil, false, false, false
	}
	if _, ok := parse.RFC3339(line[:sp]); !ok {
		return nil, false, false, false
	}
	rest := line[sp+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("stdout ")):
		rest = rest[7:]
	case bytes.HasPrefix(rest, []byte("stderr ")):
		stderr = true
		rest = rest[7:]
	default:
		return nil, false, false, false
	}
	if len(rest) < 1 || (rest[0] != 'F' && rest[0] != 'P') {
		return nil, false, false, false
	}
	full = rest[0] == 'F'
	rest = rest[1:]
	switch {
	case len(rest) == 0:
	case rest[0] == ' ':
		rest = rest[1:]
	case rest[0] == ':': // newer tag lists such as "F:x"; skip to the space
		i := bytes.IndexByte(rest, ' ')
		if i < 0 {
			rest = nil
		} else {
			rest = rest[i+1:]
		}
	default:
		return nil, false, false, false
	}
	return rest, stderr, full, true
}

// unwrapLine unwraps one line of the given kind.
func unwrapLine(kind string, line []byte) (content []byte, stderr, full, ok bool) {
	switch kind {
	case kindDocker:
		return dockerLine(line)
	case kindCRI:
		return criLine(line)
	}
	content, ok = composeLine(line)
	return content, false, true, ok
}

// composeLine unwraps a line of "docker compose logs": the service name
// (letters, digits, "_.-"), padding spaces, "| ", then the line.
func composeLine(line []byte) ([]byte, bool) {
	bar := bytes.Index(line[:min(len(line), 80)], []byte(" | "))
	if bar <= 0 {
		if bar = bytes.Index(line[:min(len(line), 80)], []byte(" |")); bar <= 0 || bar+2 != len(line) {
			return nil, false
		}
	}
	name := bytes.TrimRight(line[:bar], " ")
	if len(name) == 0 {
		return nil, false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return nil, false
		}
	}
	if bar+3 > len(line) {
		return line[len(line):], true // an empty line
	}
	return line[bar+3:], true
}

// containerKind says whether most sample lines are container-wrapped.
func containerKind(lines [][]byte) string {
	var docker, cri, compose int
	for _, l := range lines {
		if _, _, _, ok := dockerLine(l); ok {
			docker++
		} else if _, _, _, ok := criLine(l); ok {
			cri++
		} else if _, ok := composeLine(l); ok {
			compose++
		}
	}
	switch {
	case docker*2 > len(lines) && docker >= cri:
		return kindDocker
	case cri*2 > len(lines):
		return kindCRI
	case compose*2 > len(lines):
		return kindCompose
	}
	return ""
}

// unwrapSample returns the whole inner lines of a wrapped sample, joining
// split pieces.
func unwrapSample(kind string, lines [][]byte) [][]byte {
	var out [][]byte
	var partial []byte
	for _, l := range lines {
		content, _, full, ok := unwrapLine(kind, l)
		if !ok {
			continue
		}
		if !full {
			partial = append(partial, content...)
			continue
		}
		if len(partial) > 0 {
			content = append(partial, content...)
			partial = nil
		}
		out = append(out, content)
	}
	return out
}
