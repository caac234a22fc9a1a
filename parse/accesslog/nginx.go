package accesslog

import (
	"fmt"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
)

// nginxVars maps the nginx variables edgetriage understands onto captures.
// Ranks decide between variables that fill the same field: the highest rank
// with a value (not "-") wins, whatever their order in the format.
var nginxVars = map[string]capture{
	"realip_remote_addr":    {kind: kClientIP, slot: slotClientIP, rank: 1, token: true},
	"remote_addr":           {kind: kClientIP, slot: slotClientIP, rank: 2, token: true},
	"http_x_real_ip":        {kind: kClientIP, slot: slotClientIP, rank: 3, token: true},
	"http_true_client_ip":   {kind: kClientIP, slot: slotClientIP, rank: 4, token: true},
	"http_cf_connecting_ip": {kind: kClientIP, slot: slotClientIP, rank: 5, token: true},

	"server_name": {kind: kHost, slot: slotHost, rank: 1, token: true},
	"http_host":   {kind: kHost, slot: slotHost, rank: 2, token: true},
	"host":        {kind: kHost, slot: slotHost, rank: 3, token: true},

	"time_local":   {kind: kTimeCLF, spaces: 1},
	"time_iso8601": {kind: kTimeISO, token: true},
	"msec":         {kind: kTimeEpoch, token: true},

	"request":         {kind: kRequest, rank: 1},
	"request_method":  {kind: kMethod, slot: slotMethod, rank: 2, token: true},
	"uri":             {kind: kPath, slot: slotPath, rank: 2},
	"document_uri":    {kind: kPath, slot: slotPath, rank: 2},
	"args":            {kind: kQuery, slot: slotQuery, rank: 2},
	"query_string":    {kind: kQuery, slot: slotQuery, rank: 2},
	"request_uri":     {kind: kURI, rank: 3},
	"server_protocol": {kind: kProtocol, slot: slotProtocol, rank: 2, token: true},

	"status":          {kind: kStatus, slot: slotStatus, rank: 1, token: true},
	"bytes_sent":      {kind: kBytes, slot: slotBytes, rank: 1, token: true},
	"body_bytes_sent": {kind: kBytes, slot: slotBytes, rank: 2, token: true},
	"request_time":    {kind: kSeconds, slot: slotDuration, rank: 2, token: true},

	"http_referer":    {kind: kReferer},
	"http_user_agent": {kind: kUserAgent},

	"upstream_addr":          {kind: kUpstream, token: true},
	"upstream_status":        {kind: kOriginStatus, token: true},
	"upstream_response_time": {kind: kUpstreamTime, token: true},
	"upstream_header_time":   {kind: kHeaderTime, token: true},
	"upstream_connect_time":  {kind: kConnectTime, token: true},
	"upstream_cache_status":  {kind: kCacheStatus, token: true},

	"request_id":        {kind: kRequestID, slot: slotRequestID, rank: 1, token: true},
	"req_id":            {kind: kRequestID, slot: slotRequestID, rank: 1, token: true},
	"http_x_request_id": {kind: kRequestID, slot: slotRequestID, rank: 2, token: true},
	"http_cf_ray":       {kind: kCFRay, slot: slotRequestID, rank: 3, token: true},

	"sent_http_content_location":         {kind: kStatusLocation, slot: slotStatusLocation, rank: 1},
	"sent_http_location":                 {kind: kStatusLocation, slot: slotStatusLocation, rank: 2},
	"sent_http_azure_asyncoperation":     {kind: kStatusLocation, slot: slotStatusLocation, rank: 3},
	"sent_http_operation_location":       {kind: kStatusLocation, slot: slotStatusLocation, rank: 4},
	"upstream_http_content_location":     {kind: kStatusLocation, slot: slotStatusLocation, rank: 1},
	"upstream_http_location":             {kind: kStatusLocation, slot: slotStatusLocation, rank: 2},
	"upstream_http_azure_asyncoperation": {kind: kStatusLocation, slot: slotStatusLocation, rank: 3},
	"upstream_http_operation_location":   {kind: kStatusLocation, slot: slotStatusLocation, rank: 4},

	// What the client was told wins over what the upstream said.
	"upstream_http_retry_after": {kind: kRetryAfter, slot: slotRetryAfter, rank: 1},
	"sent_http_retry_after":     {kind: kRetryAfter, slot: slotRetryAfter, rank: 2},
}

// NewNginx compiles an nginx log_format string, such as
// `$remote_addr - $remote_user [$time_local] "$request" $status ...`, into a
// parser. The text between variables must match each line exactly; a value
// between quotes ends at an unescaped quote (so both the default \x22 and
// escape=json's \" escaping work); upstream lists ("a:80, b:80", "a : b")
// are read whole and their last entry kept. Unknown variables are matched
// and skipped. The string may also be pasted from nginx.conf as
// `log_format name [escape=...] '...' '...';`.
// Format returns "nginx:" + logFormat.
func NewNginx(logFormat string) (parse.Parser, error) {
	body, err := nginxBody(logFormat)
	if err != nil {
		return nil, fmt.Errorf("nginx log_format: %w", err)
	}
	var c compiler
	for i := 0; i < len(body); i++ {
		ch := body[i]
		if ch != '$' {
			c.literal(string(ch))
			continue
		}
		name, n := nginxVarName(body[i+1:])
		if n == 0 {
			c.literal("$")
			continue
		}
		i += n
		cp, ok := nginxVars[name]
		if !ok {
			cp = capture{kind: kSkip}
		}
		cp.name = "$" + name
		// Every $upstream_* variable may hold a retry list.
		cp.list = strings.HasPrefix(name, "upstream_")
		c.capture(cp)
	}
	pat, err := c.finish("nginx log_format")
	if err != nil {
		return nil, err
	}
	return &patternParser{format: "nginx:" + logFormat, pat: pat}, nil
}

// nginxVarName reads a variable name after '$': "name" or "{name}". It
// returns the name and the bytes consumed (0 if there is none).
func nginxVarName(s string) (string, int) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end <= 1 {
			return "", 0
		}
		return strings.ToLower(s[1:end]), end + 1
	}
	n := 0
	for n < len(s) && isVarChar(s[n]) {
		n++
	}
	return strings.ToLower(s[:n]), n
}

func isVarChar(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// nginxBody accepts the format either as the bare string or as written in
// nginx.conf (optional "log_format name", "escape=...", quoted pieces that
// nginx concatenates, a final ';').
func nginxBody(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("empty format")
	}
	conf := false // written as in nginx.conf: quoted pieces
	if rest, ok := strings.CutPrefix(s, "log_format "); ok {
		conf = true
		rest = strings.TrimSpace(rest)
		if sp := strings.IndexAny(rest, " \t\n"); sp > 0 {
			s = strings.TrimSpace(rest[sp:])
		}
	}
	if strings.HasPrefix(s, "escape=") {
		conf = true
		if sp := strings.IndexAny(s, " \t\n"); sp > 0 {
			s = strings.TrimSpace(s[sp:])
		}
	}
	if s[0] != '\'' && !(conf && s[0] == '"') {
		return s, nil
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), ";")
	var b strings.Builder
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		q := s[0]
		if q != '\'' && q != '"' {
			return "", fmt.Errorf("unexpected %q between quoted parts", s)
		}
		i := 1
		for ; i < len(s) && s[i] != q; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				case 'r':
					b.WriteByte('\r')
				default:
					b.WriteByte(s[i])
				}
				continue
			}
			b.WriteByte(s[i])
		}
		if i == len(s) {
			return "", fmt.Errorf("unterminated quoted part")
		}
		s = s[i+1:]
	}
	return b.String(), nil
}
