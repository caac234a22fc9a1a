package cdn

// A Logpush line has 30-70 members, of which the parser reads about 20: the
// member key is looked up once per member, most often for a key it will
// skip. A switch on the string compares it several times (a binary search
// of lengths, then of contents); cfKeys finds its only candidate by a
// collision-free hash of the length and two bytes, then compares once.

// cfField is a member the parser reads.
type cfField uint8

const (
	cfOther cfField = iota // skipped, or a wrapper object (see member)
	cfStart
	cfEnd
	cfStatus
	cfOriginStatus
	cfHost
	cfEdgeHost
	cfOriginIP
	cfClientIP
	cfMethod
	cfPath
	cfURI
	cfProtocol
	cfReferer
	cfUserAgent
	cfBytes
	cfOriginHeaderTime
	cfOriginConnectTime
	cfRayID
	cfColo
	cfCacheStatus
	cfResponseHeaders
	cfIgnored // known objects never searched for a wrapped record
)

var cfFieldNames = []struct {
	name string
	f    cfField
}{
	{"EdgeStartTimestamp", cfStart},
	{"EdgeEndTimestamp", cfEnd},
	{"EdgeResponseStatus", cfStatus},
	{"OriginResponseStatus", cfOriginStatus},
	{"ClientRequestHost", cfHost},
	{"EdgeRequestHost", cfEdgeHost},
	{"OriginIP", cfOriginIP},
	{"ClientIP", cfClientIP},
	{"ClientRequestMethod", cfMethod},
	{"ClientRequestPath", cfPath},
	{"ClientRequestURI", cfURI},
	{"ClientRequestProtocol", cfProtocol},
	{"ClientRequestReferer", cfReferer},
	{"ClientRequestUserAgent", cfUserAgent},
	{"EdgeResponseBytes", cfBytes},
	{"OriginResponseHeaderReceiveDurationMs", cfOriginHeaderTime},
	{"OriginTCPHandshakeDurationMs", cfOriginConnectTime},
	{"RayID", cfRayID},
	{"EdgeColoCode", cfColo},
	{"CacheCacheStatus", cfCacheStatus},
	{"ResponseHeaders", cfResponseHeaders},
	{"ResponseFields", cfResponseHeaders},
	{"RequestHeaders", cfIgnored},
	{"Cookies", cfIgnored},
}

const keySlots = 64 // a power of two, at least twice the names

type keySlot struct {
	name string
	f    cfField
}

// keyTable maps the names above to their fields; any other key is cfOther.
type keyTable struct {
	a, b, c uint
	slots   [keySlots]keySlot
}

var cfKeys = newKeyTable()

// newKeyTable searches the multipliers that give every name its own slot:
// a deterministic search over a few thousand candidates, once at start.
func newKeyTable() *keyTable {
	t := &keyTable{}
	for t.a = 1; t.a < 64; t.a++ {
		for t.b = 1; t.b < 16; t.b++ {
			for t.c = 1; t.c < 16; t.c++ {
				if t.fill() {
					return t
				}
			}
		}
	}
	panic("cdn: no collision-free hash for the Cloudflare field names")
}

func (t *keyTable) fill() bool {
	t.slots = [keySlots]keySlot{}
	for _, n := range cfFieldNames {
		s := &t.slots[t.slot([]byte(n.name))]
		if s.name != "" {
			return false
		}
		*s = keySlot{n.name, n.f}
	}
	return true
}

// slot hashes a non-empty key.
func (t *keyTable) slot(k []byte) uint {
	return (uint(len(k))*t.a + uint(k[len(k)-1])*t.b + uint(k[len(k)/2])*t.c) & (keySlots - 1)
}

// field returns the field a member key names (keys are compared as
// written, still escaped: Cloudflare's names never need escapes).
func (t *keyTable) field(k []byte) cfField {
	if len(k) == 0 {
		return cfOther
	}
	if s := &t.slots[t.slot(k)]; string(k) == s.name {
		return s.f
	}
	return cfOther
}
