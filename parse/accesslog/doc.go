// Package accesslog parses web-server access logs: the NCSA family
// (common, combined, vhost_combined) and user-defined nginx log_format and
// Apache LogFormat strings, compiled into matchers.
//
// # NCSA
//
// New("combined" | "common" | "vhost_combined") returns a hand-written
// scanner for
//
//	[vhost[:port] ]host ident user [time] "request" status bytes ["referer" "agent"] [extra...]
//
// The name only sets Format(); every NCSA parser reads every variant, line
// by line, because real files mix them. Variant names the variant of one
// line, or "" when the line is not NCSA (detection uses it). Each step has
// a fast path for the usual line and a fallback, run only for lines the
// fast path rejects, for the relatives real nginx files mix in (forwarded.go):
//
//	a, b, c - - [...]                      an X-Forwarded-For list: ClientIP a
//	vhost "a, b" peer - - [...]            a quoted list, then the connecting address (PeerIP)
//	vhost a, b peer - - [...]              the same unquoted
//	unix: - - [...], localhost - - [...]   as logged
//	client [...]                           ident and user left out
//	... "GET / HTTP/1.1" - - ...           status "-": Status 0 (no response sent)
//	... 200 12 - "agent" ...               an unquoted "-" referer (Traefik)
//	... "agent" 13 "router" "http://10.0.0.6:80" 247ms
//	                                       Traefik CLF: Upstream 10.0.0.6:80, Duration 247ms
//
// Decisions:
//   - Host is the leading vhost without its :port; ClientIP is %h as logged,
//     or the first address of a forwarded list (a trailing
//     X-Forwarded-For="..." is an ignored extra, like any other field after
//     the agent, or unquoted fields before the referer).
//   - Bytes "-" is 0: for %b a dash means no body was sent.
//   - A request line that is "-", empty or garbage (escaped TLS bytes, "\n",
//     a probe) gives a record with Method, Path, Query and Protocol empty.
//   - The status must be three digits from 100 to 999; a line that does not
//     fit (JSON, text, a bad timestamp, a two-digit status) is malformed with
//     a short constant reason, never guessed.
//
// # nginx log_format and Apache LogFormat
//
// NewNginx and NewApache compile a format into fixed text and captures (no
// regexp on the hot path): each value ends where the format's next text
// starts; between quotes it ends at an unescaped quote followed by that text,
// so \x22 (nginx default escaping) and \" (escape=json, Apache) never end
// it. nginx upstream lists ("a:80, b:80" retries, "a : b" redirects to
// another group) are read whole and their last entry, the one that
// answered, is kept. Text after the end of the format is ignored. A line
// whose shape does not fit the format (its fixed text is missing) is read
// as NCSA if it can be: files in an nginx format often hold plain combined
// lines from before the format was set. Strict gives the parser without
// that fallback, for detection to score the format alone. Unknown
// variables and directives are matched and skipped. A format must hold a
// time and a status, or it does not compile.
//
// Where several variables fill one field, the most specific one with a
// value (not "-") wins, whatever their order:
//
//	ClientIP        CF-Connecting-IP > True-Client-IP > X-Real-IP > $remote_addr / %a > %h > $realip_remote_addr / %{c}a
//	                (X-Forwarded-For is not used: it is client-controlled)
//	Host            $host > $http_host > $server_name; %{Host}i > %V > %v (a :port is dropped)
//	RequestID       CF-Ray (split: the "-COLO" suffix goes to POP, the ray id is
//	                how Cloudflare's own logs write RayID, for the join) > X-Request-ID >
//	                $request_id / $req_id / %L
//	StatusLocation  Operation-Location > Azure-AsyncOperation > Location > Content-Location
//	                ($sent_http_* or $upstream_http_*; %{...}o)
//	Path, Query     $request_uri > $uri + $args > $request; %U%q > %r
//	Bytes           $body_bytes_sent > $bytes_sent; %b / %B > %O ("-" is 0)
//	Duration        $request_time; %D (µs) / %{us}T > %{ms}T > %T (s); without
//	                $request_time the sum of $upstream_response_time (all attempts)
//	Upstream        $upstream_addr (last entry)
//	OriginStatus    $upstream_status (last entry; "-" = 0, no upstream)
//	OriginHeaderTime, OriginConnectTime
//	                $upstream_header_time, $upstream_connect_time (last entry)
//	RetryAfter      $sent_http_retry_after > $upstream_http_retry_after; %{Retry-After}o
//	                (seconds form only: an HTTP-date leaves it Unknown, not malformed)
//	CacheStatus     $upstream_cache_status, known values as lower-case constants
//	                (hit, miss, bypass, expired, stale, updating, revalidated),
//	                others as logged
//	Time            $time_local, $time_iso8601, $msec; %t, %{strftime}t (with
//	                %{msec_frac}t / %{usec_frac}t pieces), %{sec|msec|usec}t
//
// Values are views of the line as logged: escapes are not decoded. Source is
// always parse.SourceOrigin. Times outside 1678-2261 (what Unix nanoseconds
// in an int64 can hold) are malformed.
//
// Speed: no allocation per line; the last CLF timestamp is cached, since
// consecutive lines mostly share their second (a 26-byte stamp is compared
// with it as words). The NCSA scanner's fast paths each hand anything
// unusual to the general code they shortcut, and tests check the two
// agree (fastpath_test.go): "client - - [" and "vhost client - - [" found
// with one search for a space, a byte count of up to 7 digits read as one
// word, referer and agent found by index with bytes.IndexByte, and only the
// fields a line may leave out reset. See bench_test.go.
package accesslog
