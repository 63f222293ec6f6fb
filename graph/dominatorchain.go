package graph

import (
	"slices"

	"github.com/heapscope/heapscope/snapshot"
)

// NoEdge stands for "no edge" where an edge index is expected (paths.NoEdge
// is the same value).
const NoEdge = ^snapshot.EdgeIndex(0)

// DominatorChain returns the dominators of node i, the root first and i's
// immediate dominator last; nil for the root. A bound guards against a
// malformed cycle.
func (g *Graph) DominatorChain(i snapshot.Ordinal) []snapshot.Ordinal {
	var doms []snapshot.Ordinal
	for !g.IsRoot(i) && len(doms) <= g.NodeCount() {
		i = g.Dominator[i]
		doms = append(doms, i)
	}
	slices.Reverse(doms)
	return doms
}

// DirectEdges returns, for each of the nodes to, the first strong edge
// (neither weak nor invisible) from node from to it, or NoEdge when from
// holds it only indirectly: the edge by which a dominator holds the
// objects it dominates, when it does. One pass over from's edges.
func DirectEdges(s *snapshot.Snapshot, from snapshot.Ordinal, to []snapshot.Ordinal) []snapshot.EdgeIndex {
	at := make(map[snapshot.Ordinal]int, len(to))
	out := make([]snapshot.EdgeIndex, len(to))
	for k, c := range to {
		at[c] = k
		out[k] = NoEdge
	}
	for e := s.FirstEdge[from]; e < s.FirstEdge[from+1]; e++ {
		switch s.EdgeTypes[e] {
		case snapshot.EdgeWeak, snapshot.EdgeInvisible:
			continue
		}
		if k, ok := at[s.EdgeTo[e]]; ok && out[k] == NoEdge {
			out[k] = e
		}
	}
	return out
}
