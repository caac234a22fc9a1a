package rules

import (
	"slices"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
)

// Failure classes of a request as the contrast counts it: a burst or storm
// compares the failures of its own status's class with the rest (a 521
// storm the 521-524s), so background 5xx of other statuses do not blur it.
const (
	class520 = iota
	class502
	class504
	class52x   // 521-524
	classOther // any other 5xx
	numClasses
)

// classOf is the failure class of a status, -1 when it is no failure.
func classOf(status int) int {
	switch {
	case status == 520:
		return class520
	case status == 502:
		return class502
	case status == 504:
		return class504
	case status >= 521 && status <= 524:
		return class52x
	case status >= 500 && status <= 599:
		return classOther
	}
	return -1
}

// otherFailing is the failures of every class but cls (precursors: other
// 5xx before a 520 burst, 520s and other 5xx before a storm).
func otherFailing(c *valCount, cls int) int64 {
	var n int64
	for i, f := range c.fail {
		if i != cls {
			n += f
		}
	}
	return n
}

// valCount is one value's requests in a span: failing by class and total.
type valCount struct {
	v    string
	h    uint64 // fnv64(v): decides which values a full table keeps
	id   uint64 // parse.DimHash(v): says which entry is v's
	fail [numClasses]int64
	tot  int64
}

func (c *valCount) addCounts(o *valCount) {
	for i := range c.fail {
		c.fail[i] += o.fail[i]
	}
	c.tot += o.tot
}

// capTable counts values up to a cap. When it is full, a new value is kept
// only if its hash is smaller than the largest kept one, which then moves
// to Other: the values kept are always the cap values of smallest hash
// among all seen, whatever the order and the grouping of the input, so
// counts built record by record equal counts built from GROUP BY aggregates
// (parse.Record.Count) and from merged bucket summaries.
//
// The index is open addressing on the values' ids (parse.DimHash, which
// the parse workers compute for most values: see parse.DimKeys), a
// power-of-two array of entry numbers cleared with one memclr: a lookup is
// one probe by a number, no string hashing and no string compare.
type capTable struct {
	tab   []int32 // entry index + 1 by id; 0 empty
	ents  []valCount
	other valCount
	limit int
	maxI  int32 // index of the largest hash while full; -1 unknown

	// the last values added by string (most recent first), to skip hashing
	// fields with few values (method, protocol, input)
	mru [4]int32

	keep []bool    // scratch for summarize
	in   *interner // shares kept values' copies across buckets; nil: clone
}

func newCapTable(limit int) capTable {
	return capTable{limit: limit, maxI: -1, mru: [4]int32{-1, -1, -1, -1}}
}

// add counts n requests of value v (a view: it is cloned when kept) with
// failure class cls (-1: not failing).
func (t *capTable) add(v string, n int64, cls int) {
	if v == "" {
		return
	}
	t.addAt(t.find(v), n, cls)
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
	i := t.lookup(v, fnv64(v), parse.DimHash(v))
	if i >= 0 {
		copy(t.mru[1:], t.mru[:3])
		t.mru[0] = i
	}
	return i
}

// addAt counts at an index lookup returned (-1: Other).
func (t *capTable) addAt(i int32, n int64, cls int) {
	if i < 0 {
		t.other.tot += n
		if cls >= 0 {
			t.other.fail[cls] += n
		}
		return
	}
	e := &t.ents[i]
	e.tot += n
	if cls >= 0 {
		e.fail[cls] += n
	}
}

// probe returns the table position of id: its entry's (i >= 0) or the
// empty one where it would go (i == -1).
func (t *capTable) probe(id uint64) (pos int, i int32) {
	if t.tab == nil {
		size := 16
		for size < 2*t.limit {
			size *= 2
		}
		t.tab = make([]int32, size)
	}
	mask := len(t.tab) - 1
	for p := int(id>>1) & mask; ; p = (p + 1) & mask {
		j := t.tab[p]
		if j == 0 {
			return p, -1
		}
		if t.ents[j-1].id == id {
			return p, j - 1
		}
	}
}

// lookup returns v's entry (h is fnv64(v), id parse.DimHash(v)), inserting
// it (a copy) if the cap lets it in, or -1.
func (t *capTable) lookup(v string, h, id uint64) int32 {
	p, i := t.probe(id)
	if i >= 0 {
		return i
	}
	return t.insertAt(p, v, h, id, false)
}

// lookupKept is lookup for a value that is already a kept copy.
func (t *capTable) lookupKept(v string, h, id uint64) int32 {
	p, i := t.probe(id)
	if i >= 0 {
		return i
	}
	return t.insertAt(p, v, h, id, true)
}

// insertAt inserts a value probe did not find at position p, if the cap
// lets it in; it returns the value's entry or -1.
func (t *capTable) insertAt(p int, v string, h, id uint64, kept bool) int32 {
	if len(t.ents) < t.limit {
		if !kept {
			v = t.keepString(v)
		}
		t.ents = append(t.ents, valCount{v: v, h: h, id: id})
		i := int32(len(t.ents) - 1)
		t.tab[p] = i + 1
		return i
	}
	m := t.maxHash()
	if h >= t.ents[m].h {
		return -1
	}
	// evict the largest hash to Other, take its slot, rebuild the index
	if !kept {
		v = t.keepString(v)
	}
	t.other.addCounts(&t.ents[m])
	t.ents[m] = valCount{v: v, h: h, id: id}
	t.maxI = -1
	t.mru = [4]int32{-1, -1, -1, -1}
	t.reindex()
	return m
}

func (t *capTable) reindex() {
	clear(t.tab)
	for i := range t.ents {
		p, _ := t.probe(t.ents[i].id)
		t.tab[p] = int32(i) + 1
	}
}

func (t *capTable) keepString(v string) string {
	if t.in != nil {
		return t.in.get(v)
	}
	return strings.Clone(v)
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
	i := t.lookupKept(c.v, c.h, c.id)
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
// sorted by stable hash: one order whatever the input's (merging does not
// depend on it, see capTable).
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
		t.markTop(keep, k, false)
		if t.failing() {
			t.markTop(keep, k, true)
		}
		for i := range t.ents {
			if keep[i] {
				dst = append(dst, t.ents[i])
			} else {
				other.addCounts(&t.ents[i])
			}
		}
	}
	sortByHash(dst[start:])
	return dst
}

// markTop marks the k entries of largest key (> 0; requests, or failing
// requests when byFail), ties by value, with a bounded insertion list: one
// pass, no sort of the whole table.
func (t *capTable) markTop(keep []bool, k int, byFail bool) {
	var top [32]int32
	var keys [32]int64
	k = min(k, len(top))
	n := 0
	for i := range t.ents {
		e := &t.ents[i]
		key := e.tot
		if byFail {
			key = otherFailing(e, -1)
		}
		if key <= 0 || n == k && (key < keys[n-1] || key == keys[n-1] && e.v >= t.ents[top[n-1]].v) {
			continue
		}
		j := min(n, k-1)
		for j > 0 && (key > keys[j-1] || key == keys[j-1] && e.v < t.ents[top[j-1]].v) {
			top[j], keys[j] = top[j-1], keys[j-1]
			j--
		}
		top[j], keys[j] = int32(i), key
		if n < k {
			n++
		}
	}
	for _, i := range top[:n] {
		keep[i] = true
	}
}

// sortByHash sorts counted values by their stable hash (fnv64 of distinct
// values: no ties), cheaper than by the strings.
func sortByHash(vs []valCount) {
	slices.SortFunc(vs, func(a, b valCount) int {
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return 0
	})
}

func (t *capTable) failing() bool {
	for i := range t.ents {
		if t.ents[i].fail != [numClasses]int64{} {
			return true
		}
	}
	return false
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
