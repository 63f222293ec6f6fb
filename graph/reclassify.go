package graph

import "slices"

// Classes is a class assignment of a graph's nodes: the graph's own
// (Graph.OwnClasses) or its plain objects named after another snapshot's
// interface definitions (Graph.Reclassify). It never changes the graph.
type Classes struct {
	g *Graph
	// Class is the class-name string of each node (string ids as for
	// Classes.String).
	Class []uint32
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
	n := uint32(s.NodeCount())
	for i := uint32(0); i < n; i++ {
		if g.isPlainObject(i) {
			c.Class[i] = s.NodeNames[i]
		}
	}
	base := uint32(s.Strings.Len() + len(g.extra))
	applyInterfaces(g, c.Class, defs, func(name string) uint32 {
		// Not deduplicated, as DevTools' addString.
		c.extra = append(c.extra, name)
		return base + uint32(len(c.extra)-1)
	})
	return c
}

// String returns a string by id: the graph's strings (Graph.String), then
// the names Reclassify added.
func (c *Classes) String(id uint32) string {
	if n := uint32(c.g.S.Strings.Len() + len(c.g.extra)); id >= n {
		return c.extra[id-n]
	}
	return c.g.String(id)
}

// Name returns the class name of node i.
func (c *Classes) Name(i uint32) string { return c.String(c.Class[i]) }
