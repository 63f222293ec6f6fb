package graph

import (
	"slices"

	"github.com/heapscope/heapscope/snapshot"
)

// Classes is a class assignment of a graph's nodes: the graph's own
// (Graph.OwnClasses) or its plain objects named after another snapshot's
// interface definitions (Graph.Reclassify). It never changes the graph.
type Classes struct {
	g *Graph
	// Class is the class-name string of each node (string ids as for
	// Classes.String).
	Class []snapshot.StringID
	// Interfaces are the definitions that named the plain objects.
	Interfaces []Interface
	extra      []string // names beyond the graph's strings
}

// OwnClasses returns g's own class assignment (Graph.Class, named after
// g.Interfaces).
func (g *Graph) OwnClasses() *Classes {
	return &Classes{g: g, Class: g.Class, Interfaces: g.Interfaces}
}

// Reclassify returns the class assignment of g with its plain objects (type
// object, raw name "Object") named after the interface definitions defs
// instead of the ones inferred from g, as DevTools' applyInterfaceDefinitions:
// each plain object gets the matching definition with the most properties
// (earlier definitions win ties), and keeps its raw name "Object" when none
// matches. g is not changed: the new names live in the result.
//
// DevTools' Comparison view classifies the base snapshot with the target
// snapshot's definitions (aggregatesForDiff), and so does a leak series.
func (g *Graph) Reclassify(defs []Interface) *Classes {
	c := &Classes{g: g, Class: slices.Clone(g.Class), Interfaces: defs}
	s := g.S
	for i := range snapshot.Ordinal(s.NodeCount()) {
		if g.isPlainObject(i) {
			c.Class[i] = s.NodeNames[i]
		}
	}
	base := snapshot.StringID(s.Strings.Len() + len(g.extra))
	applyInterfaces(g, c.Class, defs, func(name string) snapshot.StringID {
		// Not deduplicated, as DevTools' addString.
		c.extra = append(c.extra, name)
		return base + snapshot.StringID(len(c.extra)-1)
	})
	return c
}

// String returns a string by id: the graph's strings (Graph.String), then
// the names Reclassify added.
func (c *Classes) String(id snapshot.StringID) string {
	if n := snapshot.StringID(c.g.S.Strings.Len() + len(c.g.extra)); id >= n {
		return c.extra[id-n]
	}
	return c.g.String(id)
}

// Name returns the class name of node i.
func (c *Classes) Name(i snapshot.Ordinal) string { return c.String(c.Class[i]) }
