package graph

// ApplyInterfaces re-classifies the plain objects of g (type object, raw name
// "Object") with the interface definitions defs instead of the ones inferred
// from g, as DevTools' applyInterfaceDefinitions: each plain object gets the
// matching definition with the most properties (earlier definitions win
// ties), and keeps its raw name "Object" when none matches. It sets
// g.Interfaces to defs.
//
// DevTools' Comparison view classifies the base snapshot with the target
// snapshot's definitions (aggregatesForDiff). ApplyInterfaces modifies g;
// see WithInterfaces for a temporary re-classification.
func (g *Graph) ApplyInterfaces(defs []Interface) {
	s := g.S
	n := uint32(s.NodeCount())
	for i := uint32(0); i < n; i++ {
		if g.isPlainObject(i) {
			g.Class[i] = s.NodeNames[i]
		}
	}
	g.applyInterfaces(defs)
	g.Interfaces = defs
}

// WithInterfaces calls fn while g's plain objects are classified with defs
// (see ApplyInterfaces), then restores g.Class and g.Interfaces. Inside fn,
// g.Class, ClassName and everything built on them (summary.Classes) see the
// re-classification. g must not be used concurrently meanwhile.
func (g *Graph) WithInterfaces(defs []Interface, fn func()) {
	class, ifaces := g.Class, g.Interfaces
	g.Class = append([]uint32(nil), class...)
	defer func() { g.Class, g.Interfaces = class, ifaces }()
	g.ApplyInterfaces(defs)
	fn()
}
