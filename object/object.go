// Package object is the vocabulary the front ends share to describe what a
// heap snapshot holds: a reference to one object (Ref), a source location
// (Location) and a chain of references (Hop, Chain). The leak findings, the
// retainers and dominators reports, the HTML report and the web API all
// speak it, so an object reads the same in each of them.
//
// Front ends differ in how much they say about an object: a leak finding
// names it and gives its sizes, a retainer path adds its distance from the
// roots, the web API also its type and degree. The Detail a Ref is made
// with decides which optional parts it carries; parts left out are nil
// pointers, which encoding/json leaves out, so one type gives each front
// end exactly its JSON.
package object

import (
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

// Detail selects the optional parts of a Ref.
type Detail uint8

// The details, each adding to the one before.
const (
	// Brief is class, name, id and sizes: leak findings.
	Brief Detail = iota
	// WithDistance adds Reach: retainer paths and the dominator tree.
	WithDistance
	// Full adds Links: the web API.
	Full
)

// Ref describes one object of a snapshot as DevTools lists it.
type Ref struct {
	// Class is the class name, as in the Summary view.
	Class string `json:"class"`
	// Name is the name DevTools shows (graph.DisplayName).
	Name string `json:"name"`
	// ID is the V8 object id.
	ID snapshot.NodeID `json:"id"`
	// Self and Retained are DevTools' shallow and retained sizes.
	Self     uint64 `json:"self"`
	Retained uint64 `json:"retained"`
	// Reach is set from detail WithDistance on, Links with Full; nil parts
	// are left out of JSON.
	*Reach
	*Links
}

// Reach is where an object sits relative to the roots.
type Reach struct {
	// Distance is DevTools' distance from the roots: ≥ 100000000
	// (graph.BaseSystemDistance) when only system roots reach the object,
	// -5 (graph.NoDistance) when nothing does.
	Distance int32 `json:"distance"`
}

// Links is an object's node type and how it is linked in the graph.
type Links struct {
	// Type is the node type ("object", "closure", "string", …).
	Type string `json:"type"`
	// Edges and Dominated count the object's outgoing references and its
	// children in the dominator tree (graph.BuildDominated must have run).
	Edges     uint32 `json:"edges"`
	Dominated uint32 `json:"dominated"`
	// Detached is set for DOM objects DevTools calls detached.
	Detached bool `json:"detached,omitempty"`
}

// New describes node i of g with the given detail. Strings are as the
// snapshot holds them; see Displayed.
func New(g *graph.Graph, i snapshot.Ordinal, d Detail) Ref {
	s := g.S
	r := Ref{
		Class:    g.ClassName(i),
		Name:     graph.DisplayName(g, i),
		ID:       s.NodeIDs[i],
		Self:     g.Shallow[i],
		Retained: g.Retained[i],
	}
	if d >= WithDistance {
		r.Reach = &Reach{Distance: g.Distance[i]}
	}
	if d >= Full {
		r.Links = &Links{
			Type:     s.TypeName(i),
			Edges:    uint32(s.FirstEdge[i+1] - s.FirstEdge[i]),
			Detached: g.Detachedness != nil && g.Detachedness[i] == snapshot.Detached,
		}
		if g.FirstDominated != nil {
			r.Dominated = g.FirstDominated[i+1] - g.FirstDominated[i]
		}
	}
	return r
}

// Displayed returns r with its class and name as a browser should get them
// (snapshot.Display: lone surrogates replaced) and the name cut to at most
// maxName bytes, for front ends that send any string a heap holds.
func (r Ref) Displayed(maxName int) Ref {
	r.Class = snapshot.Display(r.Class)
	r.Name = Cut(snapshot.Display(r.Name), maxName)
	return r
}

// Cut shortens s to at most n bytes without splitting a character, marking
// the cut with "…".
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
