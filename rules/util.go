package rules

import (
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

// interner keeps one copy of repeated strings (hosts, methods, paths,
// inputs) so that records' views into input slabs are not retained. It is
// bounded: past maxEntries it starts over (strings already handed out stay
// valid; only the sharing is lost).
type interner struct {
	m          map[string]string
	maxEntries int
	// recent is a small direct-mapped cache in front of the map: runs of
	// the same method, path or input skip the hashing.
	recent [64]string
}

func newInterner(max int) interner { return interner{m: make(map[string]string), maxEntries: max} }

func (in *interner) get(s string) string {
	n := len(s)
	if n == 0 {
		return ""
	}
	slot := &in.recent[(n*7+int(s[n-1])+int(s[n>>1])*3)&63]
	if *slot == s {
		return *slot
	}
	v, ok := in.m[s]
	if !ok {
		if len(in.m) >= in.maxEntries {
			in.m = make(map[string]string)
		}
		v = strings.Clone(s)
		in.m[v] = v
	}
	*slot = v
	return v
}

// counter counts distinct strings up to a cap; later new keys go to "other".
type counter struct {
	m     map[string]int
	other int
	// last/lastN buffer a run of one key (errors of a burst often repeat
	// their path, method and POP); flush folds them into m.
	last  string
	lastN int
}

func (c *counter) flush() {
	if c.lastN != 0 {
		k, n := c.last, c.lastN
		c.last, c.lastN = "", 0
		c.put(k, n)
	}
}

const counterCap = 512

func (c *counter) add(k string, n int) {
	if k == "" {
		return
	}
	if k == c.last && c.lastN != 0 {
		c.lastN += n
		return
	}
	c.flush()
	c.last, c.lastN = k, n
}

func (c *counter) put(k string, n int) {
	if c.m == nil {
		c.m = make(map[string]int)
	}
	if _, ok := c.m[k]; ok || len(c.m) < counterCap {
		c.m[k] += n
		return
	}
	c.other += n
}

func (c *counter) distinct() int {
	c.flush()
	d := len(c.m)
	if c.other > 0 {
		d++
	}
	return d
}

func (c *counter) total() int {
	c.flush()
	t := c.other
	for _, v := range c.m {
		t += v
	}
	return t
}

type kv struct {
	k string
	v int
}

// sorted returns the entries, largest count first, then by key.
func (c *counter) sorted() []kv {
	c.flush()
	out := make([]kv, 0, len(c.m))
	for k, v := range c.m {
		out = append(out, kv{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].v != out[j].v {
			return out[i].v > out[j].v
		}
		return out[i].k < out[j].k
	})
	return out
}

// top returns up to n entries formatted "key (count)".
func (c *counter) top(n int) []string {
	s := c.sorted()
	if len(s) > n {
		s = s[:n]
	}
	out := make([]string, len(s))
	for i, e := range s {
		out[i] = fmt.Sprintf("%s (%d)", e.k, e.v)
	}
	return out
}

func (c *counter) keys(n int) []string {
	s := c.sorted()
	if len(s) > n {
		s = s[:n]
	}
	out := make([]string, len(s))
	for i, e := range s {
		out[i] = e.k
	}
	return out
}

func (c *counter) topShare() float64 {
	s := c.sorted()
	t := c.total()
	if len(s) == 0 || t == 0 {
		return -1
	}
	return float64(s[0].v) / float64(t)
}

// sample keeps up to cap values for quantiles; when full it drops every
// other value (sorted), so quantiles stay close while memory stays flat.
type sample struct {
	v   []int64
	cap int
	n   int64
	// stride: after each decimation only every stride-th new value is kept.
	stride, skip int64
}

func (s *sample) add(x int64) {
	s.n++
	if s.cap == 0 {
		s.cap = 2048
	}
	if s.stride > 1 {
		s.skip++
		if s.skip%s.stride != 0 {
			return
		}
	}
	s.v = append(s.v, x)
	if len(s.v) >= s.cap {
		slices.Sort(s.v)
		k := 0
		for i := 0; i < len(s.v); i += 2 {
			s.v[k] = s.v[i]
			k++
		}
		s.v = s.v[:k]
		if s.stride == 0 {
			s.stride = 1
		}
		s.stride *= 2
	}
}

// quantile returns the q-quantile (nearest rank) or -1 when empty.
func (s *sample) quantile(q float64) int64 {
	if len(s.v) == 0 {
		return -1
	}
	c := slices.Clone(s.v)
	slices.Sort(c)
	return quantileSorted(c, q)
}

func quantileSorted(c []int64, q float64) int64 {
	if len(c) == 0 {
		return -1
	}
	// nearest-rank, with the median of an even count the lower middle
	// averaged with the upper one.
	if q == 0.5 {
		n := len(c)
		if n%2 == 1 {
			return c[n/2]
		}
		return (c[n/2-1] + c[n/2]) / 2
	}
	i := int(q*float64(len(c))+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(c) {
		i = len(c) - 1
	}
	return c[i]
}

func medianInt64(v []int64) int64 {
	c := slices.Clone(v)
	slices.Sort(c)
	return quantileSorted(c, 0.5)
}

func seconds(ns int64) float64 { return float64(ns) / float64(time.Second) }

func share(n, d int) float64 {
	if d <= 0 {
		return -1
	}
	return float64(n) / float64(d)
}

func ts(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// sampleRef is the compact form of a retained request.
type sampleRef struct {
	input     string
	line      int64
	offset    int64
	t         int64
	status    int
	method    string
	path      string
	requestID string
	raw       string
	role      string
}

func (s *sampleRef) sample() Sample {
	return Sample{Input: s.input, Line: s.line, Offset: s.offset, Time: ts(s.t), RequestID: s.requestID,
		Method: s.method, Path: s.path, Status: s.status, Role: s.role, Raw: s.raw}
}

// rawCap bounds a retained raw line.
const rawCap = 1024

// archiveSuffixes mark inputs whose lines cannot be read again cheaply by
// offset: their raw lines are retained with the sample.
var archiveSuffixes = []string{".gz", ".bz2", ".xz", ".zst", ".zstd", ".zip", ".tar", ".tgz", ".lz4"}

func keepRaw(input string) bool {
	if input == "-" || input == "" {
		return true
	}
	l := strings.ToLower(input)
	for _, s := range archiveSuffixes {
		if strings.HasSuffix(l, s) || strings.Contains(l, s+"!") || strings.Contains(l, s+":") {
			return true
		}
	}
	return false
}

func (e *Engine) sampleOf(r *parse.Record, role string, path string) sampleRef {
	s := sampleRef{input: e.inputName(r.Input), line: r.Line, offset: r.Offset, t: r.Time, status: r.Status,
		method: e.in.get(r.Method), path: path, role: role}
	if r.RequestID != "" {
		s.requestID = strings.Clone(r.RequestID)
	}
	if r.Raw != "" && e.rawKept {
		s.raw = cappedRaw(r.Raw)
	}
	return s
}

// inputName interns a record's input name and decides once per input
// whether its raw lines are retained (keepRaw), since records of one input
// come in runs.
func (e *Engine) inputName(in string) string {
	if e.lastRefInOK && in == e.lastRefIn {
		return e.lastRefIn
	}
	e.lastRefIn = e.in.get(in)
	e.lastRefInOK = true
	e.rawKept = keepRaw(in)
	return e.lastRefIn
}

// inputNamePtr is inputName as a pointer shared by every operation opened
// from that input: 8 bytes per operation instead of a 16-byte string.
func (e *Engine) inputNamePtr(in string) *string {
	name := e.inputName(in)
	if p := e.lastRefInP; p != nil && *p == name {
		return p
	}
	p := e.inputPtrs[name]
	if p == nil {
		if e.inputPtrs == nil || len(e.inputPtrs) >= 4096 {
			e.inputPtrs = make(map[string]*string) // old pointers stay valid
		}
		p = &name
		e.inputPtrs[name] = p
	}
	e.lastRefInP = p
	return p
}

func cappedRaw(raw string) string {
	if len(raw) > rawCap {
		raw = raw[:rawCap]
	}
	return strings.Clone(raw)
}

var hashSeed = maphash.MakeSeed()

func hashStrings(a, b, c string) uint64 {
	var h maphash.Hash
	h.SetSeed(hashSeed)
	h.WriteString(a)
	h.WriteByte(0)
	h.WriteString(b)
	h.WriteByte(0)
	h.WriteString(c)
	return h.Sum64()
}

func statusKey(s int) string { return strconv.Itoa(s) }

// stableID builds a short stable id from its parts.
func stableID(prefix string, parts ...string) string {
	// FNV-1a 64: stable across runs and platforms (maphash is not).
	var h uint64 = 14695981039346656037
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			h ^= uint64(p[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	return fmt.Sprintf("%s-%016x", prefix, h)
}

func timeDur(ns int64) time.Duration { return time.Duration(ns) }

// asMap returns a copy of the counts (without the "other" bucket).
func (c *counter) asMap() map[string]int {
	c.flush()
	m := maps.Clone(c.m)
	if m == nil {
		m = map[string]int{}
	}
	return m
}
