package object

import (
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// Hop is one step of a chain of references: the edge from the previous
// object, as DevTools writes it (graph.EdgeLabel; "" for a chain's first
// hop, and for an object its dominator does not hold directly), and the
// object it leads to.
type Hop struct {
	Edge string `json:"edge"`
	Ref
}

// NewHop describes node i of g reached over edge e (paths.NoEdge for none).
func NewHop(g *graph.Graph, e snapshot.EdgeIndex, i snapshot.Ordinal, d Detail) Hop {
	h := Hop{Ref: New(g, i, d)}
	if e != paths.NoEdge {
		h.Edge = graph.EdgeLabel(g.S, e)
	}
	return h
}

// Chain is a chain of references, root first: a retainer path.
type Chain []Hop

// NewChain describes the retainer path p of g.
func NewChain(g *graph.Graph, p paths.Path, d Detail) Chain {
	c := make(Chain, len(p))
	for k, h := range p {
		c[k] = NewHop(g, h.Edge, h.Node, d)
	}
	return c
}

// Alike reports whether hops j and k of c look the same to a reader (edge,
// class and name): the test for the runs paths.Shorten shortens.
func (c Chain) Alike(j, k int) bool {
	a, b := &c[j], &c[k]
	return a.Edge == b.Edge && a.Class == b.Class && a.Name == b.Name
}
