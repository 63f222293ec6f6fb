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
	rows, perNode := index(g, nil)
	keys = make([]string, len(rows))
	for k, r := range rows {
		keys[k] = r.Key
	}
	return keys, perNode
}

type locKey struct {
	class  uint32
	script uint32
	line   int32
	col    int32
}

// index assigns each node that passes filter (nil for all) and has a
// non-zero shallow size its Summary row; rows carry Key, Name and Location.
// Most nodes are keyed by class string alone, through a dense table;
// objects with a constructor location are keyed by (class, location), and
// locations are merged in node order rather than looked up.
func index(g *graph.Graph, filter func(uint32) bool) (rows []Class, perNode []int32) {
	s := g.S
	n := uint32(s.NodeCount())
	byClass := make([]int32, s.Strings.Len()+64)
	for i := range byClass {
		byClass[i] = -1
	}
	byLoc := map[locKey]int32{}
	var raw []Class // one per internal aggregate, in creation order
	perNode = make([]int32, n)
	located := g.LocatedNodes()
	k := 0
	for i := uint32(0); i < n; i++ {
		for k < len(located) && located[k].Node < i {
			k++
		}
		perNode[i] = -1
		if g.Shallow[i] == 0 || (filter != nil && !filter(i)) {
			continue
		}
		c := g.Class[i]
		var a int32
		if s.NodeTypes[i] == snapshot.NodeObject && k < len(located) && located[k].Node == i {
			l := s.Locations[located[k].Location]
			key := locKey{c, l.ScriptID, l.Line, l.Column}
			var ok bool
			if a, ok = byLoc[key]; !ok {
				a = int32(len(raw))
				name := g.ClassName(i)
				raw = append(raw, Class{Name: name, Location: &l, Key: strconv.FormatUint(uint64(l.ScriptID), 10) + "," +
					strconv.FormatInt(int64(l.Line), 10) + "," + strconv.FormatInt(int64(l.Column), 10) + "," + name})
				byLoc[key] = a
			}
		} else {
			for int(c) >= len(byClass) {
				byClass = append(byClass, -1)
			}
			if a = byClass[c]; a < 0 {
				a = int32(len(raw))
				name := g.ClassName(i)
				raw = append(raw, Class{Name: name, Key: "," + name})
				byClass[c] = a
			}
		}
		perNode[i] = a
	}
	// DevTools stores aggregates in an object keyed by the key string: when
	// two aggregates print to the same key, the key keeps its first position
	// and the last aggregate replaces the earlier one.
	pos := make(map[string]int32, len(raw))
	row := make([]int32, len(raw))
	winner := map[int32]int32{} // row -> surviving aggregate, only where keys collide
	for a, c := range raw {
		if p, ok := pos[c.Key]; ok {
			row[a] = p
			winner[p] = int32(a)
			rows[p] = c
			continue
		}
		pos[c.Key] = int32(len(rows))
		row[a] = int32(len(rows))
		rows = append(rows, c)
	}
	for i, a := range perNode {
		if a < 0 {
			continue
		}
		r := row[a]
		if len(winner) > 0 {
			if w, ok := winner[r]; ok && w != a {
				r = -1
			}
		}
		perNode[i] = r
	}
	return rows, perNode
}
