package rules

import (
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// The dimensions the contrast counts (DIAGNOSIS.md's table): each record
// of an origin gives at most one value per dimension; a dimension the record
// does not carry (no POP in a combined log) gives none, and a dimension no
// record of the span carried is reported Missing with the field to add.
const (
	dimColo = iota
	dimUpstream
	dimRoute
	dimSegment
	dimMethod
	dimClientNet
	dimUAFamily
	dimProtocol
	dimCache
	dimConnection
	dimHeaderWait
	dimInput
	numDims
)

// dimInfo names a dimension for rules (Name), for people (Label) and says
// which log field would give it (Missing; "" when every log has it).
type dimInfo struct {
	Name, Label, Missing string
}

var dimInfos = [numDims]dimInfo{
	dimColo:       {"colo", "data centre", "EdgeColoCode (Logpush)"},
	dimUpstream:   {"upstream", "origin IP", "OriginIP (Logpush) / $upstream_addr (nginx)"},
	dimRoute:      {"route", "route", ""},
	dimSegment:    {"segment", "first path segment", ""},
	dimMethod:     {"method", "method", ""},
	dimClientNet:  {"client_net", "client network", "ClientIP (Logpush) / $remote_addr (nginx)"},
	dimUAFamily:   {"ua_family", "user-agent family", "ClientRequestUserAgent (Logpush) / $http_user_agent (nginx)"},
	dimProtocol:   {"protocol", "client protocol", "ClientRequestProtocol (Logpush)"},
	dimCache:      {"cache", "cache status", "CacheCacheStatus (Logpush)"},
	dimConnection: {"connection", "origin connection", "OriginTCPHandshakeDurationMs (Logpush)"},
	dimHeaderWait: {"header_wait", "header wait", "OriginResponseHeaderReceiveDurationMs (Logpush)"},
	dimInput:      {"input", "input file", ""},
}

// DimensionNames lists the contrast's dimension names in a fixed order.
func DimensionNames() []string {
	out := make([]string, numDims)
	for i, d := range dimInfos {
		out[i] = d.Name
	}
	return out
}

// Small closed value sets are counted by index, not by string: a user-agent
// family, a connection kind and a header-wait bucket cost no map lookup.
var (
	uaFamilies  = parse.UAFamilies
	connKinds   = []string{"new", "reused"}
	headerWaits = []string{"<20ms", "20-500ms", "0.5-5s", ">=5s"}
)

// Common methods and protocols are counted by index too (parse works out
// the index); other values go to the dimension's table.
var (
	knownMethods   = parse.KnownMethods
	knownProtocols = parse.KnownProtocols
)

// closedDim: every value of the dimension is counted by index.
func closedDim(d int) bool {
	return d == dimUAFamily || d == dimConnection || d == dimHeaderWait
}

// enumValues returns the values a dimension counts by index (nil: none).
func enumValues(d int) []string {
	switch d {
	case dimMethod:
		return knownMethods
	case dimProtocol:
		return knownProtocols
	case dimUAFamily:
		return uaFamilies
	case dimConnection:
		return connKinds
	case dimHeaderWait:
		return headerWaits
	}
	return nil
}

// headerWaitBucket is the index in headerWaits of a header wait, -1 unknown.
func headerWaitBucket(d time.Duration) int {
	switch {
	case d < 0:
		return -1
	case d < 20*time.Millisecond:
		return 0
	case d < 500*time.Millisecond:
		return 1
	case d < 5*time.Second:
		return 2
	}
	return 3
}

// connKind is the index in connKinds, -1 unknown: a zero handshake means
// Cloudflare reused a connection to the origin.
func connKind(d time.Duration) int {
	switch {
	case d < 0:
		return -1
	case d == 0:
		return 1
	}
	return 0
}

// fnv64 is FNV-1a: stable across runs and platforms, so capped counts and
// the values they keep are the same on every run.
func fnv64(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func netLabel(v string) string {
	if strings.IndexByte(v, ':') >= 0 {
		return v + "::/48"
	}
	if strings.Count(v, ".") == 2 {
		return v + ".0/24"
	}
	return v
}
