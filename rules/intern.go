package rules

import "strings"

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
