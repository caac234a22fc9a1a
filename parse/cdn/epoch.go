package cdn

import "encoding/binary"

// unixNano19 reads the timestamp a Logpush job writes by default: 19
// digits of Unix nanoseconds, eight at a time. It says ok only for exactly
// that form, with parse.Epoch's answer (a value past the int64 range is
// not a time); anything else is left to parse.Epoch.
func unixNano19(b []byte) (int64, bool) {
	if len(b) != 19 {
		return 0, false
	}
	hi, mid := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	lo := binary.LittleEndian.Uint64(b[11:]) // overlaps mid: its last 3 bytes are digits 17-19
	if nonDigits(hi)|nonDigits(mid)|nonDigits(lo) != 0 {
		return 0, false
	}
	n := eightDigits(hi)*100_000_000_000 + eightDigits(mid)*1000 + eightDigits(lo)%1000
	return int64(n), int64(n) >= 0
}

// nonDigits is non-zero unless all eight bytes of x are ASCII digits.
func nonDigits(x uint64) uint64 {
	const highs, threes, sixes = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	// A digit has the high nibble 3, and adding 6 keeps it 3 (a carry
	// out of a byte only comes from a byte that is itself not a digit).
	return (x&highs ^ threes) | ((x+sixes)&highs ^ threes)
}

// eightDigits is the value of eight ASCII digits loaded little-endian
// (the first digit in the lowest byte), by pairs, then fours, then eight.
func eightDigits(x uint64) uint64 {
	x -= 0x3030303030303030
	x = x*10 + x>>8
	x = ((x&0x000000FF000000FF)*(100+(1000000<<32)) + (x>>16&0x000000FF000000FF)*(1+(10000<<32))) >> 32
	return x
}
