package summary

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

// Deferred is the Summary rows of a graph whose plain objects are to be
// classified with interface definitions known only later (a series keys
// every snapshot with its last snapshot's definitions, and a live hunt
// learns those at the end), reduced to a fraction of the graph so that the
// graph itself can go.
//
// A plain object's class depends only on its property names, so the rows of
// every class a plain object cannot join are final; the objects that may
// change class (plain objects, and the nodes sharing a class string with
// their raw name "Object") are kept in a compact table, in dominator-tree
// preorder, with their shape (property names), location, sizes and subtree
// range. Classes then aggregates them exactly as Summary does.
type Deferred struct {
	fixed      []Class            // aggregates of the other nodes, creation order
	fixedFirst []snapshot.Ordinal // each fixed aggregate's first node
	nodes      []deferredNode
	shapes     [][]string // distinct property-name lists, in edge order
	classNames map[snapshot.StringID]string
	locs       []snapshot.Location
}

// deferredNode is a node whose class depends on the interface definitions.
type deferredNode struct {
	ord      snapshot.Ordinal
	pos, end uint32            // its preorder position; the end of its dominator subtree
	shape    int32             // index in shapes; -1 for a node that is not a plain object
	class    snapshot.StringID // its class string when no interface names it
	loc      int32             // index in locs for a location-keyed object, else -1
	distance int32
	self     uint64
	retained uint64
}

// Defer reduces the analysed graph g to a Deferred. g is not changed.
func Defer(g *graph.Graph) *Deferred {
	s := g.S
	// The class strings that plain objects fall back to ("Object"): every
	// node of such a class may share an aggregate with plain objects.
	// There are very few (one in V8's snapshots): a list beats a map.
	var variableClass []snapshot.StringID
	for i := range snapshot.Ordinal(s.NodeCount()) {
		if g.IsPlainObject(i) && !slices.Contains(variableClass, s.NodeNames[i]) {
			variableClass = append(variableClass, s.NodeNames[i])
		}
	}
	variable := func(i snapshot.Ordinal) bool {
		return g.IsPlainObject(i) || slices.Contains(variableClass, g.Class[i])
	}
	d := &Deferred{classNames: map[snapshot.StringID]string{}}

	own := g.OwnClasses()
	raw, first, perNode := aggregate(g, own, func(i snapshot.Ordinal) bool { return !variable(i) })
	for k := range raw {
		raw[k].Distance = math.MaxInt32
	}
	for i, a := range perNode {
		if a >= 0 {
			r := &raw[a]
			r.Count++
			r.Self += g.Shallow[i]
			if g.Distance != nil {
				r.Distance = min(r.Distance, g.Distance[i])
			}
		}
	}
	classRetained(treeOf(g), perNode, raw)
	d.fixed, d.fixedFirst = raw, first

	located := g.LocatedNodes()
	locIndex := map[[3]int32]int32{}
	// Shapes are looked up by their property names' string ids (the
	// string table holds each name once), without a string per object.
	shapeIndex := map[string]int32{}
	var props []string
	var key []byte
	k := 0
	for pos, o := range g.DominatorPreorder {
		if g.Shallow[o] == 0 || !variable(o) {
			continue
		}
		dn := deferredNode{ord: o, pos: uint32(pos), end: g.DominatorSubtreeEnd[pos], shape: -1, loc: -1,
			distance: math.MaxInt32, self: g.Shallow[o], retained: g.Retained[o], class: g.Class[o]}
		if g.Distance != nil {
			dn.distance = g.Distance[o]
		}
		if g.IsPlainObject(o) {
			dn.class = s.NodeNames[o]
			key = key[:0]
			for e := s.FirstEdge[o]; e < s.FirstEdge[o+1]; e++ {
				if s.EdgeTypes[e] == snapshot.EdgeProperty {
					key = binary.LittleEndian.AppendUint32(key, uint32(s.EdgeNameID(e)))
				}
			}
			sh, ok := shapeIndex[string(key)]
			if !ok {
				props = g.AppendPropertyNames(props[:0], o)
				sh = int32(len(d.shapes))
				shapeIndex[string(key)] = sh
				shape := make([]string, len(props))
				for j, p := range props {
					shape[j] = strings.Clone(p)
				}
				d.shapes = append(d.shapes, shape)
			}
			dn.shape = sh
		}
		if _, ok := d.classNames[dn.class]; !ok {
			d.classNames[dn.class] = strings.Clone(g.String(dn.class))
		}
		if s.NodeTypes[o] == snapshot.NodeObject {
			k, _ = slices.BinarySearchFunc(located, o, func(l graph.LocatedNode, o snapshot.Ordinal) int { return cmp.Compare(l.Node, o) })
			if k < len(located) && located[k].Node == o {
				l := s.Locations[located[k].Location]
				lk := [3]int32{int32(l.ScriptID), l.Line, l.Column}
				li, ok := locIndex[lk]
				if !ok {
					li = int32(len(d.locs))
					locIndex[lk] = li
					d.locs = append(d.locs, snapshot.Location{ScriptID: l.ScriptID, Line: l.Line, Column: l.Column})
				}
				dn.loc = li
			}
		}
		d.nodes = append(d.nodes, dn)
	}
	d.nodes = slices.Clip(d.nodes)
	return d
}

// Classes returns the Summary rows of the reduced graph with its plain
// objects classified by defs, as ClassesByNodeAs(g, g.Reclassify(defs),
// nil) returns them for the graph itself. It may be called more than once.
func (d *Deferred) Classes(defs []graph.Interface) []Class {
	m := graph.NewInterfaceMatcher(defs)
	shapeIface := make([]int32, len(d.shapes))
	var props []string
	for k, sh := range d.shapes {
		props = append(props[:0], sh...)
		shapeIface[k] = int32(m.Match(props))
	}
	// The aggregate of each node: by class (an interface, or the node's
	// own class string) and location.
	type aggKey struct {
		iface int32 // interface index, or -1
		class snapshot.StringID
		loc   int32
	}
	index := map[aggKey]int32{}
	var vars []Class
	var varFirst []snapshot.Ordinal
	perNode := make([]int32, len(d.nodes))
	for k := range d.nodes {
		dn := &d.nodes[k]
		key := aggKey{iface: -1, class: dn.class, loc: dn.loc}
		if dn.shape >= 0 && shapeIface[dn.shape] >= 0 {
			key.iface, key.class = shapeIface[dn.shape], 0
		}
		a, ok := index[key]
		if !ok {
			a = int32(len(vars))
			index[key] = a
			name := d.classNames[dn.class]
			if key.iface >= 0 {
				name = defs[key.iface].Name
			}
			c := Class{Name: name, Key: "," + name}
			if dn.loc >= 0 {
				c = locatedClass(name, d.locs[dn.loc])
			}
			c.Distance = math.MaxInt32
			vars = append(vars, c)
			varFirst = append(varFirst, dn.ord)
		}
		perNode[k] = a
		c := &vars[a]
		c.Count++
		c.Self += dn.self
		c.Distance = min(c.Distance, dn.distance)
		varFirst[a] = min(varFirst[a], dn.ord)
	}
	// Class retained sizes, as classRetained: the nodes are in preorder.
	openEnd := make([]uint32, len(vars))
	for k := range d.nodes {
		dn := &d.nodes[k]
		a := perNode[k]
		if dn.pos < openEnd[a] {
			continue
		}
		vars[a].Retained += dn.retained
		openEnd[a] = dn.end
	}
	// All aggregates in creation order (by first node), then keyed.
	raw := make([]Class, 0, len(d.fixed)+len(vars))
	i, j := 0, 0
	vi := make([]int, len(vars))
	for x := range vi {
		vi[x] = x
	}
	slices.SortFunc(vi, func(a, b int) int { return int(int64(varFirst[a]) - int64(varFirst[b])) })
	for i < len(d.fixed) || j < len(vi) {
		if j == len(vi) || (i < len(d.fixed) && d.fixedFirst[i] < varFirst[vi[j]]) {
			raw = append(raw, d.fixed[i])
			i++
		} else {
			raw = append(raw, vars[vi[j]])
			j++
		}
	}
	rows, _ := collide(raw)
	return rows
}
