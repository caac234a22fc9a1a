// Package clickhouse reads Cloudflare Logpush http_requests data from a
// ClickHouse table, pushing the scan down: it asks the server only for the
// rows an analysis needs one by one and for GROUP BY counts of the rest (a
// parse.Pushdown spec says which), and hands both on as parse.Records. It
// also loads NDJSON Logpush files into a Logpush-shaped table for trying it.
//
// The client is ClickHouse's HTTP interface through the standard library
// (FORMAT JSONEachRow / TSV): it works against 18.16 (the Debian package)
// and current servers alike, over http and https, streams results line by
// line in bounded memory, and adds no dependency. The official clickhouse-go
// v2 speaks the native protocol and is tested only against the currently
// supported server releases (18.x left support long ago); it was not tried.
package clickhouse

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Target is a table on a server, from a clickhouse:// URL.
type Target struct {
	Endpoint string // http(s)://host:port/
	User     string
	Password string
	Database string
	Table    string
}

// IsURL reports whether s names a ClickHouse table rather than a file.
func IsURL(s string) bool {
	for _, p := range schemes {
		if strings.HasPrefix(strings.ToLower(s), p.prefix) {
			return true
		}
	}
	return false
}

var schemes = []struct {
	prefix, scheme, port string
}{
	{"clickhouse+https://", "https", "8443"},
	{"clickhouses://", "https", "8443"},
	{"clickhouse+http://", "http", "8123"},
	{"clickhouse://", "http", "8123"},
}

// ParseURL reads clickhouse://[USER[:PASSWORD]@]HOST[:PORT]/DB.TABLE
// (http, port 8123) or clickhouse+https://... / clickhouses://... (https,
// port 8443); ?secure=1 also means https. Credentials missing from the URL
// come from CLICKHOUSE_USER and CLICKHOUSE_PASSWORD.
func ParseURL(raw string) (Target, error) {
	var t Target
	scheme, port := "", ""
	rest := raw
	for _, p := range schemes {
		if strings.HasPrefix(strings.ToLower(raw), p.prefix) {
			scheme, port = p.scheme, p.port
			rest = "http://" + raw[len(p.prefix):]
			break
		}
	}
	if scheme == "" {
		return t, fmt.Errorf("not a ClickHouse URL (want clickhouse://HOST:8123/DB.TABLE): %q", raw)
	}
	u, err := url.Parse(rest)
	if err != nil {
		return t, fmt.Errorf("bad ClickHouse URL: %w", err)
	}
	if s := u.Query().Get("secure"); s == "1" || s == "true" {
		scheme = "https"
		if u.Port() == "" {
			port = "8443"
		}
	}
	host := u.Hostname()
	if host == "" {
		return t, fmt.Errorf("ClickHouse URL %s has no host", Redact(raw))
	}
	if u.Port() != "" {
		port = u.Port()
	}
	t.Endpoint = scheme + "://" + net.JoinHostPort(host, port) + "/"
	name := strings.Trim(u.Path, "/")
	db, table, ok := strings.Cut(name, ".")
	if !ok || db == "" || table == "" || strings.Contains(table, "/") {
		return t, fmt.Errorf("ClickHouse URL %s must name DB.TABLE after the host (e.g. clickhouse://127.0.0.1:8123/default.http_requests)", Redact(raw))
	}
	t.Database, t.Table = db, table
	if u.User != nil {
		t.User = u.User.Username()
		t.Password, _ = u.User.Password()
	}
	if t.User == "" {
		t.User = os.Getenv("CLICKHOUSE_USER")
	}
	if _, set := u.User.Password(); u.User == nil || !set {
		if p := os.Getenv("CLICKHOUSE_PASSWORD"); p != "" {
			t.Password = p
		}
	}
	return t, nil
}

// Name is the target as the report prints it: no credentials.
func (t Target) Name() string {
	u, _ := url.Parse(t.Endpoint)
	scheme := "clickhouse"
	if u != nil && u.Scheme == "https" {
		scheme = "clickhouse+https"
	}
	host := ""
	if u != nil {
		host = u.Host
	}
	return scheme + "://" + host + "/" + t.Database + "." + t.Table
}

// Redact hides the password of a ClickHouse URL for messages.
func Redact(raw string) string {
	i := strings.Index(raw, "://")
	at := strings.LastIndexByte(raw, '@')
	if i < 0 || at < i {
		return raw
	}
	cred := raw[i+3 : at]
	if c := strings.IndexByte(cred, ':'); c >= 0 {
		return raw[:i+3] + cred[:c] + ":***" + raw[at:]
	}
	return raw
}

// client runs queries over the HTTP interface.
type client struct {
	t        Target
	http     *http.Client
	timeout  time.Duration
	settings map[string]string // dropped after the server says it is read-only
	noDB     bool              // queries name their database (setup, ping)
}

// DefaultTimeout bounds a query when the caller sets none.
const DefaultTimeout = 10 * time.Minute

func newClient(t Target, timeout time.Duration, insecure bool) *client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout, // ORDER BY sorts before the first byte
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
	}
	if insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for with --ch-insecure
	}
	secs := strconv.Itoa(int(timeout.Round(time.Second) / time.Second))
	return &client{t: t, http: &http.Client{Transport: tr}, timeout: timeout,
		settings: map[string]string{"max_execution_time": secs}}
}

// Error is an error the server sent, with its numeric code.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("ClickHouse error %d: %s", e.Code, e.Message) }

// Server error codes the client explains.
const (
	codeUnknownTable     = 60
	codeUnknownIdentifer = 47
	codeTimeout          = 159
	codeReadonly         = 164
	codeUnknownUser      = 192
	codeWrongPassword    = 193
	codeRequiredPassword = 194
	codeIPNotAllowed     = 195
	codeUnknownDatabase  = 81
	codeMemoryLimit      = 241
	codeAuthFailed       = 516
)

var codeRE = regexp.MustCompile(`Code: (\d+)`)

// parseError reads the server's error text ("Code: 60, e.displayText() = ...").
func parseError(status int, body string) error {
	body = strings.TrimSpace(body)
	if len(body) > 2000 {
		body = body[:2000] + "..."
	}
	code := 0
	if m := codeRE.FindStringSubmatch(body); m != nil {
		code, _ = strconv.Atoi(m[1])
	}
	if code == 0 && status != 0 {
		return &Error{Code: 0, Message: fmt.Sprintf("HTTP %d: %s", status, body)}
	}
	msg := body
	if i := strings.Index(msg, "e.displayText() = "); i >= 0 {
		msg = msg[i+len("e.displayText() = "):]
	} else if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "Code:") {
		msg = msg[i+2:]
	}
	msg = strings.TrimSuffix(strings.TrimSpace(msg), ", e.what() = DB::Exception")
	return &Error{Code: code, Message: msg}
}

// explain turns transport and server errors into what the user can do.
func (c *client) explain(err error, ctx context.Context) error {
	var ce *Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		return fmt.Errorf("ClickHouse query on %s timed out after %s (raise --ch-timeout or narrow --since/--until)", c.t.Name(), c.timeout)
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &ce):
		switch ce.Code {
		case codeUnknownUser, codeWrongPassword, codeRequiredPassword, codeAuthFailed:
			return fmt.Errorf("ClickHouse at %s rejected the credentials of user %q (give them in the URL, clickhouse://USER:PASSWORD@HOST/..., or in CLICKHOUSE_USER and CLICKHOUSE_PASSWORD): %s", c.t.Name(), c.userName(), ce.Message)
		case codeIPNotAllowed:
			return fmt.Errorf("ClickHouse at %s does not let user %q connect from this address: %s", c.t.Name(), c.userName(), ce.Message)
		case codeUnknownTable, codeUnknownDatabase:
			return fmt.Errorf("ClickHouse at %s has no table %s.%s (load one with 'edgetriage ch-load'): %s", c.t.Name(), c.t.Database, c.t.Table, ce.Message)
		case codeTimeout:
			return fmt.Errorf("ClickHouse query on %s timed out after %s (raise --ch-timeout or narrow --since/--until): %s", c.t.Name(), c.timeout, ce.Message)
		case codeMemoryLimit:
			return fmt.Errorf("ClickHouse ran out of memory for the query on %s (narrow --since/--until): %s", c.t.Name(), ce.Message)
		}
		return fmt.Errorf("ClickHouse at %s: %w", c.t.Name(), err)
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) {
		if ne != nil && ne.Timeout() {
			return fmt.Errorf("ClickHouse at %s did not answer in time: %w", c.t.Name(), err)
		}
		return fmt.Errorf("cannot reach ClickHouse at %s (is the server running and the port right?): %w", c.t.Name(), err)
	}
	return fmt.Errorf("ClickHouse at %s: %w", c.t.Name(), err)
}

func (c *client) userName() string {
	if c.t.User == "" {
		return "default"
	}
	return c.t.User
}

// response is a streaming result: read lines with next, then close.
type response struct {
	body  io.ReadCloser
	br    *bufio.Reader
	bytes int64
	c     *client
	ctx   context.Context
	stop  context.CancelFunc
}

// query sends sql (SELECT ... FORMAT ...) and returns the streaming result.
// A read-only user may not change settings: the query is then sent again
// without them, and so are later ones.
func (c *client) query(ctx context.Context, sql string) (*response, error) {
	r, err := c.send(ctx, sql, nil)
	var ce *Error
	if errors.As(err, &ce) && ce.Code == codeReadonly && len(c.settings) > 0 {
		c.settings = nil
		r, err = c.send(ctx, sql, nil)
	}
	return r, err
}

// send posts sql with body appended after it (an INSERT's data), or the
// query alone when body is nil.
func (c *client) send(ctx context.Context, sql string, body io.Reader) (*response, error) {
	qctx, stop := context.WithTimeout(ctx, c.timeout)
	q := url.Values{}
	if c.t.Database != "" && !c.noDB {
		q.Set("database", c.t.Database)
	}
	for k, v := range c.settings {
		q.Set(k, v)
	}
	var payload io.Reader = strings.NewReader(sql)
	if body != nil {
		q.Set("query", sql)
		payload = body
	}
	req, err := http.NewRequestWithContext(qctx, http.MethodPost, c.t.Endpoint+"?"+q.Encode(), payload)
	if err != nil {
		stop()
		return nil, err
	}
	if c.t.User != "" || c.t.Password != "" {
		req.SetBasicAuth(c.userName(), c.t.Password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		stop()
		return nil, c.explain(err, qctx)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		stop()
		return nil, c.explain(parseError(resp.StatusCode, string(b)), qctx)
	}
	return &response{body: resp.Body, br: bufio.NewReaderSize(resp.Body, 256<<10), c: c, ctx: qctx, stop: stop}, nil
}

// exec runs a statement and discards its result.
func (c *client) exec(ctx context.Context, sql string) error {
	r, err := c.query(ctx, sql)
	if err != nil {
		return err
	}
	defer r.close()
	_, err = io.Copy(io.Discard, r.body)
	return r.c.explain(err, r.ctx)
}

// next returns the next line of the result (without its newline), valid
// until the next call; io.EOF at the end. A line longer than max is
// skipped and reported with overlong. An error the server appends to a
// result it had started ("Code: ...") is returned as an error.
func (r *response) next(max int) (line []byte, overlong bool, err error) {
	var buf []byte
	for {
		frag, err := r.br.ReadSlice('\n')
		r.bytes += int64(len(frag))
		if err == bufio.ErrBufferFull {
			if len(buf)+len(frag) <= max {
				buf = append(buf, frag...)
			} else {
				overlong = true
			}
			continue
		}
		if err != nil && err != io.EOF {
			return nil, false, r.c.explain(err, r.ctx)
		}
		if buf != nil || overlong {
			if len(buf)+len(frag) > max {
				overlong = true
			}
			buf = append(buf, frag...)
			frag = buf
		}
		if len(frag) == 0 && err == io.EOF {
			return nil, false, io.EOF
		}
		frag = trimEOL(frag)
		if len(frag) > 0 && frag[0] != '{' && (strings.HasPrefix(string(frag), "Code: ") || strings.Contains(string(frag), "DB::Exception")) {
			return nil, false, r.c.explain(parseError(0, string(frag)), r.ctx)
		}
		if overlong {
			return nil, true, nil
		}
		return frag, false, nil
	}
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func (r *response) close() {
	r.body.Close()
	r.stop()
}

// quoteIdent quotes a table or column name for SQL.
func quoteIdent(s string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(s) + "`"
}

// quoteString quotes a string literal for SQL.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// QueryText runs one statement and returns its whole result as text (for
// small results: setup, measurements). At most 16 MiB are read.
func QueryText(ctx context.Context, t Target, sql string) (string, error) {
	c := newClient(t, time.Minute, false)
	c.settings, c.noDB = nil, true
	r, err := c.query(ctx, sql)
	if err != nil {
		return "", err
	}
	defer r.close()
	b, err := io.ReadAll(io.LimitReader(r.br, 16<<20))
	if err != nil {
		return "", c.explain(err, r.ctx)
	}
	if s := string(b); strings.Contains(s, "DB::Exception") {
		return "", c.explain(parseError(0, s), r.ctx)
	}
	return string(b), nil
}
