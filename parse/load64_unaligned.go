//go:build amd64 || arm64

package parse

import "unsafe"

// load64 is the 8 bytes of s at i (0 <= i <= len(s)-8), in the machine's
// order: one load, which these machines do at any alignment, cheap
// enough for uaPrint to be inlined (a fingerprint: the order does not
// matter).
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), i))
}
