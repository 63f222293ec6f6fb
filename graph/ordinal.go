package graph

import (
	"slices"

	"github.com/heapscope/heapscope/snapshot"
)

// OrdinalOf returns the ordinal of the node with V8 object id id. Snapshots
// list nodes in no id order, so this is a scan: a few milliseconds on
// millions of nodes, fine for one lookup. Callers that look up many ids
// build an IDIndex.
func (g *Graph) OrdinalOf(id snapshot.NodeID) (snapshot.Ordinal, bool) {
	if k := slices.Index(g.S.NodeIDs, id); k >= 0 {
		return snapshot.Ordinal(k), true
	}
	return 0, false
}

// IDIndex finds nodes by V8 object id in logarithmic time: the nodes as
// id<<32 | ordinal, sorted. It costs 8 bytes a node and a sort to build,
// which pays off over many lookups (a server answering requests by id).
type IDIndex []uint64

// NewIDIndex indexes the nodes of s by id.
func NewIDIndex(s *snapshot.Snapshot) IDIndex {
	x := make(IDIndex, len(s.NodeIDs))
	for o, id := range s.NodeIDs {
		x[o] = uint64(id)<<32 | uint64(o)
	}
	slices.Sort(x)
	return x
}

// OrdinalOf returns the ordinal of the node with id id, as
// Graph.OrdinalOf does (the first node with that id, should ids repeat).
func (x IDIndex) OrdinalOf(id snapshot.NodeID) (snapshot.Ordinal, bool) {
	k, _ := slices.BinarySearch(x, uint64(id)<<32)
	if k < len(x) && snapshot.NodeID(x[k]>>32) == id {
		return snapshot.Ordinal(x[k]), true
	}
	return 0, false
}
