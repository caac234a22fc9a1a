package rules

import (
	"fmt"
	"maps"
	"sort"
)

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

// asMap returns a copy of the counts (without the "other" bucket).
func (c *counter) asMap() map[string]int {
	c.flush()
	m := maps.Clone(c.m)
	if m == nil {
		m = map[string]int{}
	}
	return m
}
