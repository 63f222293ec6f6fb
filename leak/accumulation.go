package leak

import (
	"strings"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// accumulation finds the accumulation point of chain p: the deepest object
// on it, above the chain's target, that holds the growth as a container
// and whose retained size grows at every step of the series. A container
// is an object with at least minEntries entries allocated after the first
// snapshot, directly (an Array's elements, an object used as a dictionary)
// or through its backing store (a Map's or Set's table: the store is
// reported as its owner); or the head of a linked list on the chain (a
// TimersList before its Timeouts, a FinalizationRegistry before its
// WeakCells, the root of a listener list before its Listeners). An element
// of such a container is never the point, even when its own retained size
// grows (with two snapshots every new object's does). When no container on
// the chain grows, the point is the deepest ordinary object that exists in
// every snapshot and whose retained size grows; when there is none, there
// is no point: an object allocated after the first snapshot that is no
// container is as likely an element as the place the growth accumulates.
//
// It returns the point's index on p too (-1 with no point).
func accumulation(earlier []*earlier, ki *keyIndex, p paths.Path, minEntries int) (int, *Accumulation) {
	if len(p) < 2 {
		return -1, nil
	}
	last := ki.g
	var fallback *Accumulation
	fallbackAt := -1
	repeated := periodic(last, p)
	for j := len(p) - 2; j >= 0; j-- {
		i := p[j].Node
		if !ordinary(last, i) || inRun(last, p, j) || repeated[j] {
			continue
		}
		head := listHead(last, p, j) || repeated[j+1] || linkedHead(last, p, j)
		container := head || ki.entries(i, entryClass(last, p, j), minEntries) >= minEntries
		if !container && fallback != nil {
			continue
		}
		acc := accumulationAt(earlier, last, i)
		// A list whose newest entry is its head (each report chaining the
		// previous one) has a new head in every snapshot.
		replaced := head && ki.isNew(i)
		if !grows(acc.RetainedBySnapshot) && !replaced || !container && acc.RetainedBySnapshot[0] == 0 {
			continue
		}
		if container {
			return j, acc
		}
		fallback, fallbackAt = acc, j
	}
	return fallbackAt, fallback
}

// ordinary reports whether node i can be an accumulation point: an object,
// closure or native object, not one of V8's own (a backing store, a
// context, a code object); backing stores are reported as their owners.
func ordinary(g *graph.Graph, i snapshot.Ordinal) bool {
	switch g.S.NodeTypes[i] {
	case snapshot.NodeObject, snapshot.NodeClosure, snapshot.NodeNative:
		return !strings.HasPrefix(g.ClassName(i), "system / ")
	}
	return false
}

// accumulationAt describes node i of the last snapshot with its retained
// size in every snapshot.
func accumulationAt(earlier []*earlier, last *graph.Graph, i snapshot.Ordinal) *Accumulation {
	acc := &Accumulation{Ref: object.New(last, i, object.Brief)}
	id := last.S.NodeIDs[i]
	for _, e := range earlier {
		acc.RetainedBySnapshot = append(acc.RetainedBySnapshot, e.retainedOf(id))
	}
	acc.RetainedBySnapshot = append(acc.RetainedBySnapshot, last.Retained[i])
	return acc
}

// grows reports whether a retained-size series increases at every step.
func grows(rs []uint64) bool {
	for k := 1; k < len(rs); k++ {
		if rs[k] <= rs[k-1] {
			return false
		}
	}
	return len(rs) > 1
}

// entryClass is the class of the entry the chain takes out of p[j]: the
// next node, or the one after it when the next is p[j]'s backing store.
func entryClass(g *graph.Graph, p paths.Path, j int) snapshot.StringID {
	x := p[j+1].Node
	if backingStore(g.S, x) && j+2 < len(p) {
		x = p[j+2].Node
	}
	return g.Class[x]
}

// entries counts, up to limit, the new objects of class like that node i
// holds: the targets of its strong edges and of its backing stores' (the
// arrays and hidden objects it reaches over internal or hidden edges: a
// Map's table, an object's properties and elements). Entries are alike: an
// object with many new fields of many kinds is no container.
func (ki *keyIndex) entries(i snapshot.Ordinal, like snapshot.StringID, limit int) int {
	g := ki.g
	s := g.S
	n := 0
	var count func(x snapshot.Ordinal, stores bool)
	count = func(x snapshot.Ordinal, stores bool) {
		for e := s.FirstEdge[x]; e < s.FirstEdge[x+1] && n < limit; e++ {
			t := s.EdgeTo[e]
			switch s.EdgeTypes[e] {
			case snapshot.EdgeWeak, snapshot.EdgeShortcut:
				continue
			case snapshot.EdgeInternal, snapshot.EdgeHidden:
				if stores && backingStore(s, t) {
					count(t, false) // a store holds i's entries
					continue
				}
			}
			if g.Class[t] == like && ki.isNew(t) {
				n++
			}
		}
	}
	count(i, true)
	return n
}

// backingStore reports whether node x is V8's storage for another object's
// entries (a FixedArray, a hash table) rather than an object of its own.
func backingStore(s *snapshot.Snapshot, x snapshot.Ordinal) bool {
	t := s.NodeTypes[x]
	return t == snapshot.NodeArray || t == snapshot.NodeHidden
}

// link returns the name of the named edge into p[k] (a property or
// internal edge: `.next`, `._idlePrev`), or "" for an element, hidden or
// context edge, which does not link the nodes of a list.
func link(s *snapshot.Snapshot, p paths.Path, k int) string {
	e := p[k].Edge
	if e == paths.NoEdge {
		return ""
	}
	switch s.EdgeTypes[e] {
	case snapshot.EdgeProperty, snapshot.EdgeInternal:
		return s.Strings.At(s.EdgeNameID(e))
	}
	return ""
}

// inRun reports whether p[j] is an element of a linked list on the chain:
// it and the next node are alike objects (one class) linked by a named
// edge. Its head, the object before the run, is the container.
func inRun(g *graph.Graph, p paths.Path, j int) bool {
	if j+1 >= len(p) || link(g.S, p, j+1) == "" {
		return false
	}
	return g.Class[p[j].Node] == g.Class[p[j+1].Node]
}

// listHead reports whether p[j] is the head of a linked list on the chain:
// the next node, an object reached over a named edge, links on to an
// object of its own class over an edge of the same name (a TimersList's
// `._idlePrev` Timeout has an `_idlePrev` Timeout) or over the chain's
// next hop (a FinalizationRegistry's first WeakCell and its `next`
// WeakCell), and p[j] is not of that class (else it is an element itself).
// A closure is no list element: a bound function's `bound_function` is
// another Function, not a next entry.
func listHead(g *graph.Graph, p paths.Path, j int) bool {
	if j+1 >= len(p) {
		return false
	}
	in := link(g.S, p, j+1)
	s := g.S
	x := p[j+1].Node
	if in == "" || s.NodeTypes[x] != snapshot.NodeObject || internalClass(g.ClassName(x)) || g.Class[p[j].Node] == g.Class[x] {
		return false
	}
	if j+2 < len(p) && link(s, p, j+2) != "" && g.Class[p[j+2].Node] == g.Class[x] {
		return true
	}
	for e := s.FirstEdge[x]; e < s.FirstEdge[x+1]; e++ {
		switch s.EdgeTypes[e] {
		case snapshot.EdgeProperty, snapshot.EdgeInternal:
		default:
			continue
		}
		if t := s.EdgeTo[e]; t != x && g.Class[t] == g.Class[x] && s.Strings.At(s.EdgeNameID(e)) == in {
			return true
		}
	}
	return false
}

// maxPeriod is the longest repeated sequence of hops periodic looks for.
const maxPeriod = 4

// periodic marks the hops of p inside a sequence of 2 to maxPeriod hops
// repeated at least twice, alike hop for hop (class and edge shape): a
// linked list whose links pass through other objects, such as closures
// chaining each report to the previous one (`.describe Function →
// {context} → ->previous Report`, again and again). The object before
// such a run heads the list. Runs of single hops are inRun's.
func periodic(g *graph.Graph, p paths.Path) []bool {
	n := len(p)
	sig := make([]string, n)
	for j, h := range p {
		label := ""
		if h.Edge != paths.NoEdge {
			label = object.EdgeShape(graph.EdgeLabel(g.S, h.Edge))
		}
		sig[j] = g.ClassName(h.Node) + "\x00" + label
	}
	in := make([]bool, n)
	for k := 2; k <= maxPeriod; k++ {
		for s := 0; s+k < n; {
			t := s
			for t+k < n && sig[t] == sig[t+k] {
				t++
			}
			if t-s >= k {
				for j := s; j < t+k; j++ {
					in[j] = true
				}
			}
			s = max(t, s+1)
		}
	}
	return in
}

// linkedHead reports whether p[j] heads a list whose links pass through
// other objects: the chain goes from p[j] over 2 to maxPeriod hops to an
// object of p[j]'s class, the same edges lead on from that object to
// another of the class, and p[j] itself is reached otherwise than its
// successor (`->latestDashboard` against `->previous`). The graph, not
// the chain, shows the list: the chain may hold one link of it.
func linkedHead(g *graph.Graph, p paths.Path, j int) bool {
	s := g.S
	if j == 0 || g.S.NodeTypes[p[j].Node] != snapshot.NodeObject {
		return false
	}
	for k := 2; k <= maxPeriod && j+k < len(p); k++ {
		x := p[j+k].Node
		if g.Class[x] != g.Class[p[j].Node] || sameEdge(s, p[j].Edge, p[j+k].Edge) {
			continue
		}
		y, ok := x, true
		for h := 1; h <= k && ok; h++ {
			y, ok = follow(s, y, p[j+h].Edge)
		}
		if ok && y != x && g.Class[y] == g.Class[x] {
			return true
		}
	}
	return false
}

// sameEdge reports whether edges a and b have one type and one name.
func sameEdge(s *snapshot.Snapshot, a, b snapshot.EdgeIndex) bool {
	if a == paths.NoEdge || b == paths.NoEdge {
		return a == b
	}
	return s.EdgeTypes[a] == s.EdgeTypes[b] && s.EdgeNames[a] == s.EdgeNames[b]
}

// follow takes node i's edge of the type and name of edge e.
func follow(s *snapshot.Snapshot, i snapshot.Ordinal, e snapshot.EdgeIndex) (snapshot.Ordinal, bool) {
	if e == paths.NoEdge {
		return 0, false
	}
	for f := s.FirstEdge[i]; f < s.FirstEdge[i+1]; f++ {
		if sameEdge(s, f, e) {
			return s.EdgeTo[f], true
		}
	}
	return 0, false
}
