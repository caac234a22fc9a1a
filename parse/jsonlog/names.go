package jsonlog

import (
	"strings"
)

type fieldSpec struct {
	name  string
	field field
	how   how
}

var fieldNames = func() map[string]fieldSpec {
	m := map[string]fieldSpec{}
	for _, s := range []fieldSpec{
		{"Time", fTime, hTime}, {"Host", fHost, hString}, {"Upstream", fUpstream, hAddr},
		{"ClientIP", fClientIP, hString}, {"Method", fMethod, hString}, {"Path", fPath, hString},
		{"Query", fQuery, hString}, {"Protocol", fProtocol, hString}, {"UserAgent", fUserAgent, hString},
		{"Referer", fReferer, hString}, {"Status", fStatus, hStatus}, {"OriginStatus", fOriginStatus, hStatus},
		{"Bytes", fBytes, hInt}, {"Duration", fDuration, hSeconds}, {"DurationMs", fDuration, hMillis},
		{"DurationUs", fDuration, hMicros}, {"DurationNs", fDuration, hNanos},
		{"OriginHeaderTime", fOriginHeaderTime, hSeconds}, {"OriginConnectTime", fOriginConnectTime, hSeconds},
		{"RequestID", fRequestID, hString}, {"CFRay", fRequestID, hRay}, {"POP", fPOP, hString},
		{"StatusLocation", fStatusLocation, hString}, {"CacheStatus", fCacheStatus, hString},
		{"RetryAfter", fRetryAfter, hString}, {"Failure", fFailure, hString},
		{"Request", fRequest, hString}, {"URI", fURI, hString},
	} {
		m[strings.ToLower(s.name)] = s
	}
	return m
}()

// defaults lists the built-in names per field, best first; see New.
type def struct {
	key  string
	f    field
	h    how
	list bool
}

var defaults = []def{
	{key: "time_iso8601", f: fTime, h: hTime}, {key: "time_local", f: fTime, h: hTime},
	{key: "msec", f: fTime, h: hTime}, {key: "StartUTC", f: fTime, h: hTime}, {key: "StartLocal", f: fTime, h: hTime},
	{key: "timestamp", f: fTime, h: hTime}, {key: "time", f: fTime, h: hTime},
	{key: "@timestamp", f: fTime, h: hTime}, {key: "ts", f: fTime, h: hTime},

	{key: "host", f: fHost}, {key: "http_host", f: fHost}, {key: "RequestHost", f: fHost},
	{key: "request.host", f: fHost}, {key: "server_name", f: fHost}, {key: "vhost", f: fHost},

	{key: "upstream_addr", f: fUpstream, h: hAddr, list: true}, {key: "upstream", f: fUpstream, h: hAddr, list: true},
	{key: "ServiceAddr", f: fUpstream, h: hAddr}, {key: "ServiceURL", f: fUpstream, h: hAddr},
	{key: "BackendAddr", f: fUpstream, h: hAddr}, // Traefik v1

	{key: "http_cf_connecting_ip", f: fClientIP}, {key: "request_Cf-Connecting-Ip", f: fClientIP},
	{key: "request.headers.Cf-Connecting-Ip", f: fClientIP}, {key: "request.client_ip", f: fClientIP},
	{key: "client_ip", f: fClientIP}, {key: "remote_addr", f: fClientIP}, {key: "request.remote_ip", f: fClientIP},
	{key: "ClientHost", f: fClientIP}, {key: "remote_ip", f: fClientIP}, {key: "ip", f: fClientIP},
	{key: "ClientAddr", f: fClientIP, h: hHostPort}, // Traefik, when ClientHost is not logged

	{key: "request_method", f: fMethod}, {key: "method", f: fMethod}, {key: "RequestMethod", f: fMethod},
	{key: "request.method", f: fMethod},

	{key: "request_uri", f: fURI}, {key: "RequestPath", f: fURI}, {key: "request.uri", f: fURI},
	{key: "path", f: fURI}, {key: "url", f: fURI}, {key: "request", f: fRequest}, {key: "uri", f: fURI},
	{key: "args", f: fQuery}, {key: "query_string", f: fQuery}, {key: "query", f: fQuery},

	{key: "server_protocol", f: fProtocol}, {key: "protocol", f: fProtocol},
	{key: "RequestProtocol", f: fProtocol}, {key: "request.proto", f: fProtocol},

	{key: "http_user_agent", f: fUserAgent}, {key: "user_agent", f: fUserAgent},
	{key: "request_User-Agent", f: fUserAgent}, {key: "request.headers.User-Agent", f: fUserAgent},
	{key: "useragent", f: fUserAgent}, {key: "agent", f: fUserAgent},

	{key: "http_referer", f: fReferer}, {key: "referer", f: fReferer}, {key: "referrer", f: fReferer},
	{key: "http_referrer", f: fReferer},
	{key: "request_Referer", f: fReferer}, {key: "request.headers.Referer", f: fReferer},

	{key: "status", f: fStatus, h: hStatus}, {key: "DownstreamStatus", f: fStatus, h: hStatus},
	{key: "status_code", f: fStatus, h: hStatus}, {key: "response_status", f: fStatus, h: hStatus},

	{key: "upstream_status", f: fOriginStatus, h: hStatus, list: true},
	{key: "OriginStatus", f: fOriginStatus, h: hStatus},

	{key: "body_bytes_sent", f: fBytes, h: hInt}, {key: "bytes_sent", f: fBytes, h: hInt},
	{key: "size", f: fBytes, h: hInt}, {key: "DownstreamContentSize", f: fBytes, h: hInt},
	{key: "bytes", f: fBytes, h: hInt}, {key: "response_size", f: fBytes, h: hInt},

	{key: "request_time", f: fDuration, h: hSeconds}, {key: "duration", f: fDuration, h: hSeconds},
	{key: "Duration", f: fDuration, h: hNanos},
	{key: "upstream_response_time", f: fDuration, h: hSeconds, list: true},

	{key: "upstream_header_time", f: fOriginHeaderTime, h: hSeconds, list: true},
	{key: "upstream_connect_time", f: fOriginConnectTime, h: hSeconds, list: true},

	{key: "http_cf_ray", f: fRequestID, h: hRay}, {key: "request_Cf-Ray", f: fRequestID, h: hRay},
	{key: "request.headers.Cf-Ray", f: fRequestID, h: hRay}, {key: "cf_ray", f: fRequestID, h: hRay},
	{key: "http_x_request_id", f: fRequestID}, {key: "request_X-Request-Id", f: fRequestID},
	{key: "request.headers.X-Request-Id", f: fRequestID}, {key: "request_id", f: fRequestID},
	{key: "req_id", f: fRequestID}, {key: "x_request_id", f: fRequestID},

	{key: "pop", f: fPOP}, {key: "colo", f: fPOP},

	{key: "sent_http_location", f: fStatusLocation}, {key: "sent_http_operation_location", f: fStatusLocation},
	{key: "sent_http_azure_asyncoperation", f: fStatusLocation},
	{key: "sent_http_content_location", f: fStatusLocation},
	{key: "upstream_http_location", f: fStatusLocation}, {key: "upstream_http_operation_location", f: fStatusLocation},
	{key: "upstream_http_azure_asyncoperation", f: fStatusLocation},
	{key: "upstream_http_content_location", f: fStatusLocation},
	{key: "downstream_Location", f: fStatusLocation}, {key: "downstream_Operation-Location", f: fStatusLocation},
	{key: "downstream_Azure-Asyncoperation", f: fStatusLocation},
	{key: "downstream_Content-Location", f: fStatusLocation},
	{key: "resp_headers.Location", f: fStatusLocation}, {key: "resp_headers.Operation-Location", f: fStatusLocation},
	{key: "resp_headers.Azure-Asyncoperation", f: fStatusLocation},
	{key: "resp_headers.Content-Location", f: fStatusLocation}, {key: "location", f: fStatusLocation},

	{key: "upstream_cache_status", f: fCacheStatus}, {key: "cache_status", f: fCacheStatus},

	{key: "sent_http_retry_after", f: fRetryAfter}, {key: "upstream_http_retry_after", f: fRetryAfter, list: true},
	{key: "downstream_Retry-After", f: fRetryAfter}, {key: "resp_headers.Retry-After", f: fRetryAfter},
	{key: "retry_after", f: fRetryAfter},

	// Akamai DataStream 2: every value a string, reqTimeSec in seconds with
	// a fraction.
	{key: "reqTimeSec", f: fTime, h: hTime}, {key: "reqHost", f: fHost}, {key: "cliIP", f: fClientIP},
	{key: "reqMethod", f: fMethod}, {key: "reqPath", f: fPath}, {key: "queryStr", f: fQuery},
	{key: "UA", f: fUserAgent}, {key: "statusCode", f: fStatus, h: hStatus},
	{key: "totalBytes", f: fBytes, h: hInt}, {key: "reqId", f: fRequestID}, {key: "errorCode", f: fFailure},

	// Fastly's JSON log format as its documentation writes it.
	{key: "request_protocol", f: fProtocol}, {key: "request_referer", f: fReferer},
	{key: "request_user_agent", f: fUserAgent}, {key: "response_body_size", f: fBytes, h: hInt},
	{key: "response_state", f: fCacheStatus},

	// Elastic Common Schema, nested or with flattened dotted keys.
	{key: "http.request.method", f: fMethod}, {key: "url.original", f: fURI}, {key: "url.path", f: fPath},
	{key: "url.query", f: fQuery}, {key: "url.domain", f: fHost}, {key: "client.ip", f: fClientIP},
	{key: "source.ip", f: fClientIP}, {key: "http.response.status_code", f: fStatus, h: hStatus},
	{key: "http.response.body.bytes", f: fBytes, h: hInt}, {key: "event.duration", f: fDuration, h: hNanos},
	{key: "user_agent.original", f: fUserAgent}, {key: "http.request.referrer", f: fReferer},
	{key: "http.request.id", f: fRequestID},
}

// defaultTable builds the key table of the built-in names. Ranks start at 1
// (0 is a user mapping) and grow down each field's list; the request line
// ranks on its own.
func defaultTable() *table {
	t := newTable(false)
	next := map[field]uint8{}
	for _, d := range defaults {
		next[d.f]++
		a := action{field: d.f, how: d.h, list: d.list, rank: next[d.f]}
		t.add(d.key, a) // also as a flattened dotted key
		if strings.Contains(d.key, ".") {
			t.addPath(strings.Split(d.key, "."), a)
		}
	}
	return t
}
