package summary

import (
	"strconv"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

// NodeKeys returns the Summary view's class key of every node: keys lists
// the keys in the order of Classes(g, nil) (DevTools' order of first
// appearance), and perNode[i] is the row of node i in keys, or -1 for nodes
// the Summary does not count (shallow size 0).
//
// Like DevTools, which stores its aggregates in an object keyed by the key
// string, when two distinct classes print to the same key the later one
// replaces the earlier: the nodes of the replaced class are -1 too, so the
// nodes of each row are exactly DevTools' aggregate for that key (the
// instances the Comparison view matches by id).
func NodeKeys(g *graph.Graph) (keys []string, perNode []int32) {
	rows, perNode := index(g, g.OwnClasses(), nil)
	keys = make([]string, len(rows))
	for k, r := range rows {
		keys[k] = r.Key
	}
	return keys, perNode
}

type locKey struct {
	class  snapshot.StringID
	script uint32
	line   int32
	col    int32
}

// index assigns each node that passes filter (nil for all) and has a
// non-zero shallow size its Summary row under the classification cl; rows
// carry Key, Name and Location.
func index(g *graph.Graph, cl *graph.Classes, filter func(snapshot.Ordinal) bool) (rows []Class, perNode []int32) {
	raw, _, perNode := aggregate(g, cl, filter)
	rows, rowOf := collide(raw)
	for i, a := range perNode {
		if a >= 0 {
			perNode[i] = rowOf[a]
		}
	}
	return rows, perNode
}

// aggregate is DevTools' per-class aggregation before the aggregates are
// keyed by string: each node that passes filter (nil for all) and has a
// non-zero shallow size gets its aggregate in perNode (-1 for the others);
// raw lists the aggregates in creation order, first the ordinal of each
// one's first node. Most nodes are keyed by class string alone, through a
// dense table; objects with a constructor location are keyed by (class,
// location), and locations are merged in node order rather than looked up.
func aggregate(g *graph.Graph, cl *graph.Classes, filter func(snapshot.Ordinal) bool) (raw []Class, first []snapshot.Ordinal, perNode []int32) {
	s := g.S
	n := snapshot.Ordinal(s.NodeCount())
	byClass := make([]int32, s.Strings.Len()+64)
	for i := range byClass {
		byClass[i] = -1
	}
	byLoc := map[locKey]int32{}
	perNode = make([]int32, n)
	located := g.LocatedNodes()
	k := 0
	for i := range n {
		for k < len(located) && located[k].Node < i {
			k++
		}
		perNode[i] = -1
		if g.Shallow[i] == 0 || (filter != nil && !filter(i)) {
			continue
		}
		c := cl.Class[i]
		var a int32
		if s.NodeTypes[i] == snapshot.NodeObject && k < len(located) && located[k].Node == i {
			l := s.Locations[located[k].Location]
			key := locKey{c, l.ScriptID, l.Line, l.Column}
			var ok bool
			if a, ok = byLoc[key]; !ok {
				a = int32(len(raw))
				raw = append(raw, locatedClass(cl.Name(i), l))
				first = append(first, i)
				byLoc[key] = a
			}
		} else {
			for int(c) >= len(byClass) {
				byClass = append(byClass, -1)
			}
			if a = byClass[c]; a < 0 {
				a = int32(len(raw))
				name := cl.Name(i)
				raw = append(raw, Class{Name: name, Key: "," + name})
				first = append(first, i)
				byClass[c] = a
			}
		}
		perNode[i] = a
	}
	return raw, first, perNode
}

// locatedClass is the row of the objects of class name constructed at l.
func locatedClass(name string, l snapshot.Location) Class {
	return Class{Name: name, Location: &l, Key: strconv.FormatUint(uint64(l.ScriptID), 10) + "," +
		strconv.FormatInt(int64(l.Line), 10) + "," + strconv.FormatInt(int64(l.Column), 10) + "," + name}
}

// collide keys the aggregates raw (in creation order) by their key string,
// as DevTools stores them in an object: when two aggregates print to the
// same key, the key keeps its first position and the last aggregate
// replaces the earlier one. It returns the rows and the row of each
// aggregate (-1 for a replaced one). A row is the surviving aggregate,
// numbers included.
func collide(raw []Class) (rows []Class, rowOf []int32) {
	pos := make(map[string]int32, len(raw))
	rowOf = make([]int32, len(raw))
	winner := map[int32]int32{} // row -> surviving aggregate, only where keys collide
	for a, c := range raw {
		if p, ok := pos[c.Key]; ok {
			rowOf[a] = p
			winner[p] = int32(a)
			rows[p] = c
			continue
		}
		pos[c.Key] = int32(len(rows))
		rowOf[a] = int32(len(rows))
		rows = append(rows, c)
	}
	for a, p := range rowOf {
		if w, ok := winner[p]; ok && w != int32(a) {
			rowOf[a] = -1
		}
	}
	return rows, rowOf
}
