package rules

import "unsafe"

// The pending table's strings (paths, client addresses) live in an arena
// of fixed-size blocks, each counting the bytes of its live strings. A
// block whose strings have all left is reused as it is. Operations leave
// about in the order they came (judged, evicted by the cap), so on endless
// traffic the same few blocks go round: no copying, no fresh memory (an
// arena of one buffer, compacted into a new one twice its live size as it
// filled, copied every string once more and faulted in new pages each
// time). Operations that stay (judged ones kept for late polls) can pin
// blocks that are mostly dead; when the dead bytes outgrow the live ones,
// the live strings are compacted into new blocks (opTable.compact), which
// bounds the arena at about twice its live bytes and costs O(1) a byte.

const (
	arenaBlockBits = 16
	arenaBlock     = 1 << arenaBlockBits // bytes a block holds
	// a string longer than half a block gets a block of its own, dropped
	// when it leaves
	arenaLong = arenaBlock / 2
	// free blocks kept for reuse beyond this many are dropped, so that
	// memory follows the live strings
	arenaSpare = 8
)

// strRef is a string in the arena: (block<<arenaBlockBits | offset)<<24 |
// length; 0 is "".
type strRef uint64

// maxStrLen bounds a string kept in the arena (lines are at most 1 MiB).
const maxStrLen = 1<<24 - 1

func (r strRef) block() int32 { return int32(r >> (24 + arenaBlockBits)) }

type strArena struct {
	blocks  [][]byte
	live    []int32 // by block: bytes of live strings in it
	free    []int32 // blocks of arenaBlock bytes with no live string, to fill
	holes   []int32 // indexes of dropped blocks, for new ones
	cur     int32   // the block being filled, if any (see filling)
	filling bool
	pos     int // its fill
	nLive   int // bytes of live strings
	size    int // bytes in blocks
	made    int // blocks allocated, ever
}

// str is a view of an arena string, valid while the string is live (its
// block is reused once all its strings have left): what outlives the
// operation is cloned or interned.
func (a *strArena) str(r strRef) string {
	n := int(r & maxStrLen)
	if n == 0 {
		return ""
	}
	off := r >> 24
	return unsafe.String(&a.blocks[off>>arenaBlockBits][off&(arenaBlock-1)], n)
}

// put copies s (up to maxStrLen bytes) into the arena.
func (a *strArena) put(s string) strRef {
	n := min(len(s), maxStrLen)
	if n == 0 {
		return 0
	}
	if n > arenaLong {
		b := a.newBlock(n)
		copy(a.blocks[b], s[:n])
		a.live[b] = int32(n)
		a.nLive += n
		return strRef(uint64(b)<<(24+arenaBlockBits) | uint64(n))
	}
	if !a.filling || a.pos+n > arenaBlock {
		a.next()
	}
	b := a.cur
	copy(a.blocks[b][a.pos:], s[:n])
	r := strRef((uint64(b)<<arenaBlockBits|uint64(a.pos))<<24 | uint64(n))
	a.pos += n
	a.live[b] += int32(n)
	a.nLive += n
	return r
}

// crowded reports whether putting n bytes would take a new block while the
// dead bytes outweigh the live ones: then the live strings are compacted
// first.
func (a *strArena) crowded(n int) bool {
	if n == 0 || n > arenaLong || len(a.free) > 0 || a.filling && (a.pos+n <= arenaBlock || a.live[a.cur] == 0) {
		return false
	}
	return a.size+arenaBlock > 2*a.nLive+8*arenaBlock
}

// next moves filling to a free block, or a new one.
func (a *strArena) next() {
	if a.filling && a.live[a.cur] == 0 {
		a.pos = 0 // all its strings left: fill it again
		return
	}
	if k := len(a.free); k > 0 {
		a.cur, a.pos = a.free[k-1], 0
		a.free = a.free[:k-1]
		a.filling = true
		return
	}
	a.cur, a.pos = a.newBlock(arenaBlock), 0
	a.filling = true
}

func (a *strArena) newBlock(n int) int32 {
	var b int32
	if k := len(a.holes); k > 0 {
		b = a.holes[k-1]
		a.holes = a.holes[:k-1]
		a.blocks[b] = make([]byte, n)
	} else {
		b = int32(len(a.blocks))
		a.blocks = append(a.blocks, make([]byte, n))
		a.live = append(a.live, 0)
	}
	a.size += n
	a.made++
	return b
}

// retain counts one more holder of a live string r (its block stays until
// each holder has dropped it): operations linked to one status resource
// share its path.
func (a *strArena) retain(r strRef) {
	if n := int32(r & maxStrLen); n != 0 {
		a.live[r.block()] += n
		a.nLive += int(n)
	}
}

// drop releases a string.
func (a *strArena) drop(r strRef) {
	n := int32(r & maxStrLen)
	if n == 0 {
		return
	}
	b := r.block()
	a.live[b] -= n
	a.nLive -= int(n)
	if a.live[b] != 0 || a.filling && b == a.cur {
		return
	}
	if len(a.blocks[b]) == arenaBlock && len(a.free) < arenaSpare+a.nLive/(4*arenaBlock) {
		a.free = append(a.free, b)
		return
	}
	a.size -= len(a.blocks[b])
	a.blocks[b] = nil
	a.holes = append(a.holes, b)
}
