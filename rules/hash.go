package rules

import (
	"fmt"
	"hash/maphash"
)

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
