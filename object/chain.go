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

// Alike reports whether hops j and k of c look the same to a reader: the
// same class, over edges of the same shape (EdgeShape: "[3]" and "[4]" are
// alike, so are the positions of a list). It is the test for the runs
// paths.Shorten folds.
func (c Chain) Alike(j, k int) bool {
	a, b := &c[j], &c[k]
	return a.Class == b.Class && (a.Edge == b.Edge || EdgeShape(a.Edge) == EdgeShape(b.Edge))
}

// EdgeShape is an edge label (graph.EdgeLabel) with the numbers that vary
// between alike references replaced by n: element and hidden indexes
// ("[312]" → "[n]", "{12}" → "{n}") and the ids in WeakMap ephemeron edge
// names ("@123" → "@n").
func EdgeShape(label string) string {
	if label == "" || (label[0] != '[' && label[0] != '{') {
		return label
	}
	b := make([]byte, 0, len(label))
	digits := false
	for i := 0; i < len(label); i++ {
		c := label[i]
		if c >= '0' && c <= '9' {
			// Numbers right after the bracket, or after an '@', or a
			// leading minus sign's.
			if digits {
				continue
			}
			if prev := b[len(b)-1]; prev == '[' || prev == '{' || prev == '@' || (prev == '-' && len(b) == 2) {
				b = append(b, 'n')
				digits = true
				continue
			}
		}
		digits = false
		b = append(b, c)
	}
	return string(b)
}

// Layout lays c out for people (paths.Shorten): each run of alike hops
// folded to its first and last hop and one row for those between, at most
// maxRows rows (0: no limit) by leaving out the middle. The object (the
// last hop) and the hops whose ids are in keep (an accumulation point) are
// never folded nor left out.
func (c Chain) Layout(maxRows int, keep ...snapshot.NodeID) []paths.Row {
	pinned := func(k int) bool {
		if k == len(c)-1 {
			return true
		}
		for _, id := range keep {
			if c[k].ID == id {
				return true
			}
		}
		return false
	}
	alike := func(j, k int) bool { return !pinned(j) && !pinned(k) && c.Alike(j, k) }
	return paths.Shorten(len(c), alike, maxRows, pinned)
}
