package accesslog

import (
	"fmt"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
)

// apacheHeadersIn maps request headers (%{Name}i, lower case) onto captures.
var apacheHeadersIn = map[string]capture{
	"host":             {kind: kHost, slot: slotHost, rank: 3, token: true},
	"referer":          {kind: kReferer},
	"user-agent":       {kind: kUserAgent},
	"x-request-id":     {kind: kRequestID, slot: slotRequestID, rank: 2, token: true},
	"cf-ray":           {kind: kCFRay, slot: slotRequestID, rank: 3, token: true},
	"x-real-ip":        {kind: kClientIP, slot: slotClientIP, rank: 4, token: true},
	"true-client-ip":   {kind: kClientIP, slot: slotClientIP, rank: 5, token: true},
	"cf-connecting-ip": {kind: kClientIP, slot: slotClientIP, rank: 6, token: true},
}

// apacheHeadersOut maps response headers (%{Name}o, lower case).
var apacheHeadersOut = map[string]capture{
	"content-location":     {kind: kStatusLocation, slot: slotStatusLocation, rank: 1},
	"location":             {kind: kStatusLocation, slot: slotStatusLocation, rank: 2},
	"azure-asyncoperation": {kind: kStatusLocation, slot: slotStatusLocation, rank: 3},
	"operation-location":   {kind: kStatusLocation, slot: slotStatusLocation, rank: 4},
	"retry-after":          {kind: kRetryAfter, slot: slotRetryAfter, rank: 1},
}

// NewApache compiles an Apache LogFormat string, such as
// `%h %l %u %t \"%r\" %>s %b`, into a parser. The format may be given as in
// httpd.conf (quotes escaped as \", or the whole LogFormat line with its
// nickname). Directives edgetriage does not use are matched and skipped.
// Format returns "apache:" + logFormat.
func NewApache(logFormat string) (parse.Parser, error) {
	body := apacheBody(logFormat)
	if body == "" {
		return nil, fmt.Errorf("apache LogFormat: empty format")
	}
	var c compiler
	for i := 0; i < len(body); i++ {
		ch := body[i]
		if ch != '%' {
			c.literal(string(ch))
			continue
		}
		j := i + 1
		param := ""
		redirected := false // %>s: the final status after internal redirects
		// Modifiers: status conditions (%!200,304r), < and >, {param}.
		for j < len(body) {
			m := body[j]
			if m == '!' || m == ',' || (m >= '0' && m <= '9') || m == '<' {
				j++
				continue
			}
			if m == '>' {
				redirected = true
				j++
				continue
			}
			if m == '{' {
				end := strings.IndexByte(body[j:], '}')
				if end < 0 {
					return nil, fmt.Errorf("apache LogFormat: unterminated %%{ in %q", body[i:])
				}
				param = body[j+1 : j+end]
				j += end + 1
				continue
			}
			break
		}
		if j >= len(body) {
			return nil, fmt.Errorf("apache LogFormat: format ends inside a directive")
		}
		d := body[j]
		if d == '%' {
			c.literal("%")
			i = j
			continue
		}
		name := body[i : j+1]
		if d == '^' { // %^ti, %^to: trailers
			if j+2 >= len(body) {
				return nil, fmt.Errorf("apache LogFormat: format ends inside %s", name)
			}
			j += 2
			name = body[i : j+1]
			d = 0
		}
		i = j
		cp, err := apacheDirective(d, param, redirected)
		if err != nil {
			return nil, fmt.Errorf("apache LogFormat: %s: %w", name, err)
		}
		cp.name = name
		if cp.kind == kTimeCLFBracketed {
			// %t writes "[...]": match the brackets as text.
			c.literal("[")
			cp.kind, cp.spaces = kTimeCLF, 1
			c.capture(cp)
			c.literal("]")
			continue
		}
		c.capture(cp)
	}
	pat, err := c.finish("apache LogFormat")
	if err != nil {
		return nil, err
	}
	return &patternParser{format: "apache:" + logFormat, pat: pat}, nil
}

// apacheDirective maps one % directive to a capture.
func apacheDirective(d byte, param string, redirected bool) (capture, error) {
	lower := strings.ToLower(param)
	switch d {
	case 'a':
		if lower == "c" {
			return capture{kind: kClientIP, slot: slotClientIP, rank: 1, token: true}, nil
		}
		return capture{kind: kClientIP, slot: slotClientIP, rank: 3, token: true}, nil
	case 'h':
		return capture{kind: kClientIP, slot: slotClientIP, rank: 2, token: true}, nil
	case 'b', 'B':
		return capture{kind: kBytes, slot: slotBytes, rank: 2, token: true}, nil
	case 'O':
		// Bytes with headers: only when the body size is not logged
		// (Debian's default "combined" uses %O).
		return capture{kind: kBytes, slot: slotBytes, rank: 1, token: true}, nil
	case 'D':
		return capture{kind: kMicros, slot: slotDuration, rank: 4, token: true}, nil
	case 'T':
		switch lower {
		case "ms":
			return capture{kind: kMillis, slot: slotDuration, rank: 3, token: true}, nil
		case "us":
			return capture{kind: kMicros, slot: slotDuration, rank: 4, token: true}, nil
		}
		return capture{kind: kWholeSeconds, slot: slotDuration, rank: 1, token: true}, nil
	case 'H':
		return capture{kind: kProtocol, slot: slotProtocol, rank: 2, token: true}, nil
	case 'm':
		return capture{kind: kMethod, slot: slotMethod, rank: 2, token: true}, nil
	case 'U':
		return capture{kind: kPath, slot: slotPath, rank: 2}, nil
	case 'q':
		return capture{kind: kQuery, slot: slotQuery, rank: 2}, nil
	case 'r':
		return capture{kind: kRequest, rank: 1}, nil
	case 's':
		if redirected {
			return capture{kind: kStatus, slot: slotStatus, rank: 2, token: true}, nil
		}
		return capture{kind: kStatus, slot: slotStatus, rank: 1, token: true}, nil
	case 'v':
		return capture{kind: kHost, slot: slotHost, rank: 1, token: true}, nil
	case 'V':
		return capture{kind: kHost, slot: slotHost, rank: 2, token: true}, nil
	case 'L':
		return capture{kind: kRequestID, slot: slotRequestID, rank: 1, token: true}, nil
	case 'i':
		if cp, ok := apacheHeadersIn[lower]; ok {
			return cp, nil
		}
		return capture{kind: kSkip}, nil
	case 'o':
		if cp, ok := apacheHeadersOut[lower]; ok {
			return cp, nil
		}
		return capture{kind: kSkip}, nil
	case 't':
		return apacheTime(param)
	case 'A', 'C', 'e', 'f', 'I', 'k', 'l', 'n', 'p', 'P', 'R', 'S', 'u', 'X', 0:
		return capture{kind: kSkip, token: d != 'C' && d != 'e' && d != 'n' && d != 'f'}, nil
	}
	return capture{}, fmt.Errorf("unknown directive")
}

// apacheTime maps %t and its %{...}t forms.
func apacheTime(param string) (capture, error) {
	if param == "" {
		return capture{kind: kTimeCLFBracketed}, nil
	}
	param = strings.TrimPrefix(strings.TrimPrefix(param, "begin:"), "end:")
	switch param {
	case "sec":
		return capture{kind: kTimeEpoch, token: true}, nil
	case "msec":
		return capture{kind: kTimeEpochMillis, token: true}, nil
	case "usec":
		return capture{kind: kTimeEpochMicros, token: true}, nil
	case "msec_frac":
		return capture{kind: kTimeFracMillis, token: true}, nil
	case "usec_frac":
		return capture{kind: kTimeFracMicros, token: true}, nil
	}
	if param == "%d/%b/%Y:%H:%M:%S %z" {
		return capture{kind: kTimeCLF, spaces: 1}, nil
	}
	s, err := compileStrftime(param)
	if err != nil {
		return capture{}, err
	}
	return capture{kind: kTimeStrftime, strf: s, spaces: s.spaces, token: s.spaces == 0}, nil
}

// apacheBody accepts the format bare or as written in httpd.conf: a
// `LogFormat "..." nickname` line, or one quoted string with \" inside.
// Backslash escapes (\" \\ \t \n) are decoded as httpd does.
func apacheBody(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "LogFormat "); ok {
		s = strings.TrimSpace(rest)
	}
	if len(s) >= 2 && s[0] == '"' {
		// A quoted string, possibly followed by a nickname.
		for i := 1; i < len(s); i++ {
			if s[i] == '\\' {
				i++
				continue
			}
			if s[i] == '"' {
				// Unwrap only when what follows is nothing or a nickname.
				if tail := strings.TrimSpace(s[i+1:]); !strings.ContainsAny(tail, "%\" \t") {
					s = s[1:i]
				}
				break
			}
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
