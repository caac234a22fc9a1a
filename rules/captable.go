package rules

import (
	"slices"
	"strings"
	"unsafe"
)

// Failure classes of a request as the contrast counts it: a 520, or any
// other 5xx. A burst_520 compares its 520s with the rest; a storm compares
// the origin's other 5xx with the rest (a 502 storm and a 504 storm of one
// origin at one time share that contrast).
const (
	class520 = iota
	class5xx
)

// valCount is one value's requests in a span: failing by class and total.
type valCount struct {
	v    string
	h    uint64 // fnv64(v): decides which values a full table keeps
	fail [2]int64
	tot  int64
}

func (c *valCount) addCounts(o *valCount) {
	c.fail[0] += o.fail[0]
	c.fail[1] += o.fail[1]
	c.tot += o.tot
}

// capTable counts values up to a cap. When it is full, a new value is kept
// only if its hash is smaller than the largest kept one, which then moves
// to Other: the values kept are always the cap values of smallest hash
// among all seen, whatever the order and the grouping of the input, so
// counts built record by record equal counts built from GROUP BY aggregates
// (parse.Record.Count) and from merged bucket summaries.
//
// The index is open addressing on the values' FNV hashes (a power-of-two
// array of entry numbers), cleared with one memclr: a minute's table costs
// no map and no hashing beyond the value's own hash.
type capTable struct {
	tab   []int32 // entry index + 1 by hash; 0 empty
	ents  []valCount
	other valCount
	limit int
	maxI  int32 // index of the largest hash while full; -1 unknown

	// the last values added (most recent first), to skip hashing for
	// fields with few values (method, protocol, input)
	mru [4]int32

	keep []bool    // scratch for summarize
	in   *interner // shares kept values' copies across buckets; nil: clone
	// gen changes on reset, so callers may cache value -> index (see
	// slot; they check valid against evictions).
	gen uint32
}

func newCapTable(limit int) capTable {
	return capTable{limit: limit, maxI: -1, mru: [4]int32{-1, -1, -1, -1}}
}

// add counts n requests of value v (a view: it is cloned when kept) with
// failing counts f520 and f5xx.
func (t *capTable) add(v string, n, f520, f5xx int64) {
	if v == "" {
		return
	}
	t.addAt(t.find(v), n, f520, f5xx)
}

// find is lookup behind the recently used entries.
func (t *capTable) find(v string) int32 {
	for k, i := range t.mru {
		if i >= 0 && t.ents[i].v == v {
			if k > 0 {
				copy(t.mru[1:k+1], t.mru[:k])
				t.mru[0] = i
			}
			return i
		}
	}
	i := t.lookup(v, fnv64(v))
	if i >= 0 {
		copy(t.mru[1:], t.mru[:3])
		t.mru[0] = i
	}
	return i
}

// addAt counts at an index lookup returned (-1: Other).
func (t *capTable) addAt(i int32, n, f520, f5xx int64) {
	if i < 0 {
		t.other.tot += n
		t.other.fail[0] += f520
		t.other.fail[1] += f5xx
		return
	}
	e := &t.ents[i]
	e.tot += n
	e.fail[0] += f520
	e.fail[1] += f5xx
}

// probe returns the table position of hash h with value v: its entry's
// (found) or the empty one where it would go.
func (t *capTable) probe(v string, h uint64) (pos int, found bool) {
	mask := len(t.tab) - 1
	for p := int(h) & mask; ; p = (p + 1) & mask {
		j := t.tab[p]
		if j == 0 {
			return p, false
		}
		if e := &t.ents[j-1]; e.h == h && e.v == v {
			return p, true
		}
	}
}

// lookup returns v's entry (h is fnv64(v)), inserting it if the cap lets
// it in, or -1.
func (t *capTable) lookup(v string, h uint64) int32 {
	if t.tab == nil {
		size := 16
		for size < 2*t.limit {
			size *= 2
		}
		t.tab = make([]int32, size)
	}
	p, found := t.probe(v, h)
	if found {
		return t.tab[p] - 1
	}
	if len(t.ents) < t.limit {
		t.ents = append(t.ents, valCount{v: t.keepString(v), h: h})
		i := int32(len(t.ents) - 1)
		t.tab[p] = i + 1
		return i
	}
	m := t.maxHash()
	if h >= t.ents[m].h {
		return -1
	}
	// evict the largest hash to Other, take its slot, rebuild the index
	t.other.addCounts(&t.ents[m])
	t.ents[m] = valCount{v: t.keepString(v), h: h}
	t.maxI = -1
	t.mru = [4]int32{-1, -1, -1, -1}
	t.reindex()
	return m
}

func (t *capTable) reindex() {
	clear(t.tab)
	for i := range t.ents {
		p, _ := t.probe(t.ents[i].v, t.ents[i].h)
		t.tab[p] = int32(i) + 1
	}
}

func (t *capTable) keepString(v string) string {
	if t.in != nil {
		return t.in.get(v)
	}
	return strings.Clone(v)
}

// valid says whether index i (from lookup, cached by a caller) still
// holds the value whose hash is h: an eviction reuses indexes.
func (t *capTable) valid(i int32, h uint64) bool {
	return i < 0 || (int(i) < len(t.ents) && t.ents[i].h == h)
}

func (t *capTable) maxHash() int32 {
	if t.maxI >= 0 {
		return t.maxI
	}
	m := int32(0)
	for i := range t.ents {
		if t.ents[i].h > t.ents[m].h {
			m = int32(i)
		}
	}
	t.maxI = m
	return m
}

// merge adds a counted value (from a bucket summary or another table).
func (t *capTable) merge(c *valCount) {
	if c.v == "" {
		return
	}
	i := t.lookup(c.v, c.h)
	if i < 0 {
		t.other.addCounts(c)
		return
	}
	t.ents[i].addCounts(c)
}

func (t *capTable) reset() {
	clear(t.tab)
	t.ents = t.ents[:0]
	t.other = valCount{}
	t.maxI, t.mru = -1, [4]int32{-1, -1, -1, -1}
	t.gen++
}

func (t *capTable) empty() bool { return len(t.ents) == 0 && t.other.tot == 0 }

// clone copies the table (for a snapshot that adds unsettled buckets).
func (t *capTable) clone() capTable {
	c := newCapTable(t.limit)
	c.in = t.in
	c.ents = slices.Clone(t.ents)
	c.tab = slices.Clone(t.tab)
	c.other = t.other
	return c
}

// summarize appends to dst the values worth keeping past the bucket: the
// top k by requests and the top k by failing requests (of either class),
// ties broken by value; everything else is added to other. dst comes out
// sorted by value, so merging summaries is deterministic.
func (t *capTable) summarize(dst []valCount, other *valCount, k int) []valCount {
	*other = t.other
	start := len(dst)
	if len(t.ents) <= k {
		dst = append(dst, t.ents...)
	} else {
		if cap(t.keep) < len(t.ents) {
			t.keep = make([]bool, len(t.ents))
		}
		keep := t.keep[:len(t.ents)]
		clear(keep)
		t.markTop(keep, k, func(c *valCount) int64 { return c.tot })
		t.markTop(keep, k, func(c *valCount) int64 { return c.fail[0] + c.fail[1] })
		for i := range t.ents {
			if keep[i] {
				dst = append(dst, t.ents[i])
			} else {
				other.addCounts(&t.ents[i])
			}
		}
	}
	slices.SortFunc(dst[start:], func(a, b valCount) int { return strings.Compare(a.v, b.v) })
	return dst
}

// markTop marks the k entries of largest key (> 0), ties by value, with
// a bounded insertion list: one pass, no sort of the whole table.
func (t *capTable) markTop(keep []bool, k int, key func(*valCount) int64) {
	var top [32]int32
	k = min(k, len(top))
	n := 0
	better := func(i, j int32) bool {
		a, b := &t.ents[i], &t.ents[j]
		ka, kb := key(a), key(b)
		if ka != kb {
			return ka > kb
		}
		return a.v < b.v
	}
	for i := range t.ents {
		if key(&t.ents[i]) <= 0 {
			continue
		}
		ii := int32(i)
		if n == k && !better(ii, top[n-1]) {
			continue
		}
		j := min(n, k-1)
		for j > 0 && better(ii, top[j-1]) {
			top[j] = top[j-1]
			j--
		}
		top[j] = ii
		if n < k {
			n++
		}
	}
	for _, i := range top[:n] {
		keep[i] = true
	}
}

func cmpDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// bytesView is b as a string without a copy, for map lookups; it must not
// be kept (capTable clones what it keeps).
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
