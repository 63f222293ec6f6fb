package graph

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/heapscope/heapscope/snapshot"
)

// TestSortByNode checks the radix sort of located nodes against a stable
// comparison sort, for node ranges of one, two and three passes.
func TestSortByNode(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, maxNode := range []snapshot.Ordinal{0, 1, 4095, 4096, 1 << 20, 1<<24 + 7, 1<<32 - 1} {
		refs := make([]LocatedNode, 5000)
		for i := range refs {
			refs[i] = LocatedNode{Node: snapshot.Ordinal(r.Uint64N(uint64(maxNode) + 1)), Location: uint32(i)}
		}
		refs[0].Node = maxNode
		want := slices.Clone(refs)
		slices.SortStableFunc(want, func(a, b LocatedNode) int { return int(int64(a.Node) - int64(b.Node)) })
		if got := sortByNode(refs, maxNode); !slices.Equal(got, want) {
			t.Errorf("maxNode %d: radix sort differs from a stable sort", maxNode)
		}
	}
}
