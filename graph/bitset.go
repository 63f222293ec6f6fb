package graph

// bitset is a set of node ordinals (or string ids), one bit each: 1.6 MB
// for 13 M nodes, small enough to stay in cache where a []bool or a word per
// node would not, which is what the random-access traversals over all edges
// need.
type bitset[T ~uint32] []uint64

func newBitset[T ~uint32](n int) bitset[T] { return make(bitset[T], (n+63)/64) }

func (b bitset[T]) has(i T) bool { return b[i>>6]&(1<<(i&63)) != 0 }

func (b bitset[T]) set(i T) { b[i>>6] |= 1 << (i & 63) }

func (b bitset[T]) clear(i T) { b[i>>6] &^= 1 << (i & 63) }
