package graph

import (
	"slices"
	"strings"

	"github.com/heapscope/heapscope/snapshot"
)

// propagateDOMState is DevTools' propagateDOMState: native nodes of unknown
// state reachable (over edges that are not hidden, invisible or weak, and
// through native nodes only) from attached nodes become attached, then those
// reachable from detached nodes become detached; detached native nodes get a
// "Detached " name prefix. Without a detachedness field, native nodes named
// "Detached …" are marked detached.
func (g *analyzer) propagateDOMState() {
	s := g.S
	n := s.NodeCount()
	g.Names = s.NodeNames
	if s.Detachedness == nil {
		g.Detachedness = make([]snapshot.Detachedness, n)
		for i := 0; i < n; i++ {
			if s.NodeTypes[i] == snapshot.NodeNative && strings.HasPrefix(s.Strings.At(s.NodeNames[i]), "Detached ") {
				g.Detachedness[i] = snapshot.Detached
			}
		}
		return
	}
	// The snapshot's states, shared until the propagation changes one (in
	// a Node.js heap, which has no DOM, it never does).
	g.Detachedness = s.Detachedness
	shared := true
	visited := make([]bool, n)
	var attached, detached []snapshot.Ordinal
	renamed := map[snapshot.StringID]snapshot.StringID{}
	process := func(i snapshot.Ordinal, state snapshot.Detachedness) {
		if visited[i] {
			return
		}
		if s.NodeTypes[i] != snapshot.NodeNative {
			visited[i] = true
			return
		}
		if g.Detachedness[i] != state {
			if shared {
				g.Detachedness, shared = slices.Clone(s.Detachedness), false
			}
			g.Detachedness[i] = state
		}
		switch state {
		case snapshot.Attached:
			attached = append(attached, i)
		case snapshot.Detached:
			if len(renamed) == 0 && &g.Names[0] == &s.NodeNames[0] {
				g.Names = slices.Clone(s.NodeNames)
			}
			old := g.Names[i]
			id, ok := renamed[old]
			if !ok {
				id = g.addStringUnique("Detached " + g.String(old))
				renamed[old] = id
			}
			g.Names[i] = id
			detached = append(detached, i)
		}
		visited[i] = true
	}
	propagate := func(parent snapshot.Ordinal, state snapshot.Detachedness) {
		for e := s.FirstEdge[parent]; e < s.FirstEdge[parent+1]; e++ {
			switch s.EdgeTypes[e] {
			case snapshot.EdgeHidden, snapshot.EdgeInvisible, snapshot.EdgeWeak:
				continue
			}
			process(s.EdgeTo[e], state)
		}
	}
	for i := range snapshot.Ordinal(n) {
		if st := s.Detachedness[i]; st != snapshot.Unknown {
			process(i, st)
		}
	}
	for len(attached) > 0 {
		i := attached[len(attached)-1]
		attached = attached[:len(attached)-1]
		propagate(i, snapshot.Attached)
	}
	for len(detached) > 0 {
		i := detached[len(detached)-1]
		detached = detached[:len(detached)-1]
		if g.Detachedness[i] == snapshot.Attached {
			continue
		}
		propagate(i, snapshot.Detached)
	}
}

// pageOwnedRoots returns where DevTools' markPageOwnedNodes starts: the
// targets of the root's shortcut edges (the user globals) and of its element
// edges to "(Document DOM trees)". Page-owned is everything reachable from
// them over edges that are not weak.
func (g *Graph) pageOwnedRoots() []snapshot.Ordinal {
	s := g.S
	var roots []snapshot.Ordinal
	r := s.Root
	for e := s.FirstEdge[r]; e < s.FirstEdge[r+1]; e++ {
		to := s.EdgeTo[e]
		switch s.EdgeTypes[e] {
		case snapshot.EdgeElement:
			if g.isDocumentDOMTreesRoot(to) {
				roots = append(roots, to)
			}
		case snapshot.EdgeShortcut:
			roots = append(roots, to)
		}
	}
	return roots
}

// extendPageOwned adds to owned what is reachable from the nodes in from
// over edges that are not weak.
func (g *Graph) extendPageOwned(owned bitset[snapshot.Ordinal], from []snapshot.Ordinal) {
	s := g.S
	stack := from
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if owned.has(i) {
			continue
		}
		owned.set(i)
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			if to := s.EdgeTo[e]; !owned.has(to) && s.EdgeTypes[e] != snapshot.EdgeWeak {
				stack = append(stack, to)
			}
		}
	}
}

// calculateShallowSizes is DevTools' JSHeapSnapshot.calculateShallowSizes:
// hidden and array nodes (and native "system / ExternalStringData") start
// unowned, every other node owns itself; ownership flows over non-weak
// edges; a node with exactly one owner moves its size to that owner unless
// the owner is synthetic or the root. Skipped without user roots.
func (g *Graph) calculateShallowSizes() {
	s := g.S
	n := s.NodeCount()
	g.Shallow = make([]uint64, n)
	for i := 0; i < n; i++ {
		g.Shallow[i] = s.SelfSize(snapshot.Ordinal(i))
	}
	if !g.HasUserRoots() {
		return
	}
	const (
		unvisited      = 0xffffffff
		multipleOwners = 0xfffffffe
	)
	owners := make([]snapshot.Ordinal, n)
	for i := 0; i < n; i++ {
		t := s.NodeTypes[i]
		if t == snapshot.NodeHidden || t == snapshot.NodeArray ||
			(t == snapshot.NodeNative && s.Strings.At(s.NodeNames[i]) == "system / ExternalStringData") {
			owners[i] = unvisited
		} else {
			owners[i] = snapshot.Ordinal(i)
		}
	}
	// DevTools pushes every owner on one stack first. An owner's value
	// never changes, and the others only move up from unvisited to one
	// owner to multipleOwners, so the result does not depend on the order:
	// here each owner is propagated in turn, in DevTools' (reverse) order,
	// and the stack holds only the unowned nodes it reaches.
	var work []snapshot.Ordinal
	types := s.NodeTypes
	for i := n - 1; i >= 0; i-- {
		if owners[i] != snapshot.Ordinal(i) {
			continue
		}
		work = append(work[:0], snapshot.Ordinal(i))
		for len(work) > 0 {
			id := work[len(work)-1]
			work = work[:len(work)-1]
			owner := owners[id]
			for e := s.FirstEdge[id]; e < s.FirstEdge[id+1]; e++ {
				if s.EdgeTypes[e] == snapshot.EdgeWeak {
					continue
				}
				t := s.EdgeTo[e]
				if nt := types[t]; nt != snapshot.NodeHidden && nt != snapshot.NodeArray && nt != snapshot.NodeNative {
					continue // an owner (a one-byte read where owners has four)
				}
				switch o := owners[t]; {
				case o == unvisited:
					owners[t] = owner
					work = append(work, t)
				case o == t || o == owner || o == multipleOwners:
				default:
					owners[t] = multipleOwners
					work = append(work, t)
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		o := owners[i]
		if o == unvisited || o == multipleOwners || o == snapshot.Ordinal(i) {
			continue
		}
		if s.NodeTypes[o] == snapshot.NodeSynthetic || o == s.Root {
			continue
		}
		g.Shallow[o] += g.Shallow[i]
		g.Shallow[i] = 0
	}
}
