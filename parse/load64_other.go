//go:build !(amd64 || arm64)

package parse

import (
	"encoding/binary"
	"unsafe"
)

// load64 is the 8 bytes of s at i (0 <= i <= len(s)-8), little-endian,
// without assuming the machine loads at any alignment.
func load64(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:i+8]), 8))
}
