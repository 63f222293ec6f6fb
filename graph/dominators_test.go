package graph

import (
	"testing"

	"github.com/heapscope/heapscope/snapshot"
)

// TestDominatorPreorder checks the preorder layout of the dominator tree
// against its children lists on real snapshots: every node sits inside its
// dominator's range, and each range holds exactly the node and its
// children's ranges.
func TestDominatorPreorder(t *testing.T) {
	forCorpus(t, "*__0.heapsnapshot.gz", false, func(f string, g *Graph) {
		g.BuildDominated()
		n := uint32(g.NodeCount())
		pos := make([]uint32, n)
		placed := newBitset[snapshot.Ordinal](int(n))
		for k, o := range g.DominatorPreorder {
			if placed.has(o) {
				t.Fatalf("%s: node %d placed twice", f, o)
			}
			placed.set(o)
			pos[o] = uint32(k)
		}
		if g.DominatorPreorder[0] != g.S.Root || g.DominatorSubtreeEnd[0] != n {
			t.Fatalf("%s: the root does not span the tree", f)
		}
		for o := range snapshot.Ordinal(n) {
			k := pos[o]
			size := uint32(1)
			for _, c := range g.Dominated[g.FirstDominated[o]:g.FirstDominated[o+1]] {
				size += g.DominatorSubtreeEnd[pos[c]] - pos[c]
				if pos[c] <= k || g.DominatorSubtreeEnd[pos[c]] > g.DominatorSubtreeEnd[k] {
					t.Fatalf("%s: child %d of %d lies outside its range", f, c, o)
				}
			}
			if got := g.DominatorSubtreeEnd[k] - k; got != size {
				t.Fatalf("%s: node %d spans %d positions, its subtree has %d nodes", f, o, got, size)
			}
		}
	})
}
