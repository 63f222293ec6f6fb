package graph

// OrdinalOf returns the ordinal of the node with V8 object id id. Snapshots
// list nodes in no id order, so this is a scan: a few milliseconds on
// millions of nodes.
func (g *Graph) OrdinalOf(id uint32) (uint32, bool) {
	for i, x := range g.S.NodeIDs {
		if x == id {
			return uint32(i), true
		}
	}
	return 0, false
}
