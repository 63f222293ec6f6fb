package graph

// bitset is a set of node ordinals, one bit each: 1.6 MB for 13 M nodes,
// small enough to stay in cache where a []bool or a word per node would not,
// which is what the random-access traversals over all edges need.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) has(i uint32) bool { return b[i>>6]&(1<<(i&63)) != 0 }

func (b bitset) set(i uint32) { b[i>>6] |= 1 << (i & 63) }

func (b bitset) clear(i uint32) { b[i>>6] &^= 1 << (i & 63) }
