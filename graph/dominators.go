package graph

import (
	"unsafe"

	"github.com/heapscope/heapscope/snapshot"
)

// isEssentialFrom is DevTools' computeIsEssentialEdge for an edge e out of
// node i, where owned says whether i is page-owned. Dropped are weak edges,
// self edges, the table→value edge of a WeakMap ephemeron, and (except from
// the root) shortcut edges and edges from a non-page-owned node into a
// page-owned one.
func (g *Graph) isEssentialFrom(i uint32, owned bool, e uint32) bool {
	s := g.S
	switch s.EdgeTypes[e] {
	case snapshot.EdgeWeak:
		return false
	case snapshot.EdgeInternal:
		if m, ok := g.weakMapEdge(s.EdgeNames[e]); ok && uint64(s.NodeIDs[i]) == m.tableID {
			return false
		}
	case snapshot.EdgeShortcut:
		if i != s.Root {
			return false
		}
	}
	to := s.EdgeTo[e]
	if to == i {
		return false
	}
	return owned || i == s.Root || !g.pageOwned.has(to)
}

// buildDominators computes the dominator of every node over the essential
// edges, with DevTools' treatment of nodes the root does not reach: orphans
// (nodes with no essential retainer) are hung under the root and searched
// from, in ordinal order; whatever is still unvisited (cliques retained only
// by each other) is hung under the root without a search.
//
// DevTools (calculateDominatorsAndRetainedSizes) runs Lengauer–Tarjan on
// that spanning tree. Dominators are unique, so this uses the faster
// Semi-NCA algorithm (Georgiadis, "Linear-Time Algorithms for Dominators and
// Related Problems", 2005) on the same tree and computes the same
// semidominators the same way; the cliques, whose tree edges are not real
// search edges, then also get the same answer: their semidominator is never
// below the root's children, so both algorithms give them the root.
//
// Vertices are numbered in preorder (1 is the root, 0 "none") and the
// predecessor lists hold these numbers, so a predecessor numbered below the
// vertex at hand, the common case, costs no memory access, and the
// per-vertex arrays are walked in order.
func (g *Graph) buildDominators() {
	s := g.S
	n := uint32(s.NodeCount())
	owned := g.pageOwned

	pre := make([]uint32, n+1)    // ordinal → preorder number
	vertex := make([]uint32, n+1) // preorder number → ordinal
	parent := make([]uint32, n+1) // preorder number → parent's number
	ess := make([]uint64, (s.EdgeCount()+63)/64)
	// The other chain counts all edges into each node while this one runs
	// the search; the few edges the search finds not essential (in a Node.js
	// heap about one in a thousand) are then taken off.
	var dropped []uint32
	seen := newBitset(int(n))
	var cnt uint32

	// Iterative DFS in edge order; the stack holds each open vertex's next
	// edge. Each edge of a visited node is looked at exactly once, which is
	// when it is classified.
	type open struct{ v, next uint32 }
	var stack []open
	visit := func(v, p uint32) {
		cnt++
		pre[v] = cnt
		vertex[cnt] = v
		parent[cnt] = p
		seen.set(v)
	}
	dfs := func(root uint32, first bool) {
		stack = append(stack[:0], open{root, s.FirstEdge[root]})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			v := top.v
			vOwned := owned.has(v)
			end := s.FirstEdge[v+1]
			pushed := false
			for e := top.next; e < end; e++ {
				to := s.EdgeTo[e]
				if !g.isEssentialFrom(v, vOwned, e) {
					if first {
						dropped = append(dropped, to)
					}
					continue
				}
				ess[e>>6] |= 1 << (e & 63)
				if !seen.has(to) {
					visit(to, pre[v])
					top.next = e + 1
					stack = append(stack, open{to, s.FirstEdge[to]})
					pushed = true
					break
				}
			}
			if !pushed {
				stack = stack[:len(stack)-1]
			}
		}
	}

	visit(s.Root, 0)
	dfs(s.Root, true)
	if cnt < n {
		// Classify the edges out of unvisited nodes, which the search did
		// not see, so that the orphans (no essential retainer) are known.
		for v := uint32(0); v < n; v++ {
			if seen.has(v) {
				continue
			}
			vOwned := owned.has(v)
			for e := s.FirstEdge[v]; e < s.FirstEdge[v+1]; e++ {
				if g.isEssentialFrom(v, vOwned, e) {
					ess[e>>6] |= 1 << (e & 63)
				} else {
					dropped = append(dropped, s.EdgeTo[e])
				}
			}
		}
	}
	// first[o+1] becomes the number of essential edges into o.
	g.inDegreeDone.Wait()
	first := g.inDegree
	g.inDegree = nil
	for _, to := range dropped {
		first[to+1]--
	}
	dropped = nil
	if cnt < n {
		for v := uint32(0); v < n; v++ {
			if !seen.has(v) && first[v+1] == 0 {
				visit(v, 1)
				dfs(v, false)
			}
		}
	}
	g.Unreachable = int(n - cnt)
	for v := uint32(0); v < n; v++ {
		if !seen.has(v) {
			visit(v, 1)
		}
	}
	stack, seen = nil, nil

	// Essential predecessor lists: CSR by ordinal (first[o] ≤ k <
	// first[o+1]), holding preorder numbers.
	for o := uint32(1); o <= n; o++ {
		first[o] += first[o-1]
	}
	preds := make([]uint32, first[n])
	for src := uint32(0); src < n; src++ {
		ps := pre[src]
		for e := s.FirstEdge[src]; e < s.FirstEdge[src+1]; e++ {
			if ess[e>>6]&(1<<(e&63)) == 0 {
				continue
			}
			t := s.EdgeTo[e]
			k := first[t]
			preds[k] = ps
			first[t] = k + 1
		}
	}
	// first[o] now holds the end of o's list, which is the start of o+1's.
	copy(first[1:], first[:n])
	first[0] = 0
	ess = nil

	// Semidominators, vertices in reverse preorder. A vertex numbered above
	// the one at hand is processed and linked to its tree parent; eval
	// follows those links with path compression. label holds the smallest
	// semidominator number on the compressed path, not a vertex, because
	// Semi-NCA only ever compares semidominators.
	// semi and label share one allocation that becomes Retained once they
	// are dead.
	pre = nil
	retained := make([]uint64, n+1)
	halves := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(retained))), 2*(n+1))
	semi, label := halves[:n+1:n+1], halves[n+1:]
	ancestor := make([]uint32, n+1)
	copy(ancestor, parent)
	var path []uint32
	for i := n; i >= 2; i-- {
		sd := i
		o := vertex[i]
		lo, hi := first[o], first[o+1]
		if lo == hi {
			sd = 1 // an orphan: the root is its only predecessor
		}
		for k := lo; k < hi; k++ {
			u := preds[k]
			if u < i {
				sd = min(sd, u)
				continue
			}
			if ancestor[u] > i {
				path = path[:0]
				for x := u; ancestor[x] > i; x = ancestor[x] {
					path = append(path, x)
				}
				for j := len(path) - 1; j >= 0; j-- {
					w := path[j]
					a := ancestor[w]
					if label[a] < label[w] {
						label[w] = label[a]
					}
					ancestor[w] = ancestor[a]
				}
			}
			sd = min(sd, label[u])
		}
		semi[i] = sd
		label[i] = sd
	}
	first, preds, label = nil, nil, nil

	// Immediate dominators: the nearest dominator-tree ancestor of the
	// parent numbered no higher than the semidominator.
	idom := ancestor
	idom[1] = 1
	for i := uint32(2); i <= n; i++ {
		x := parent[i]
		for x > semi[i] {
			x = idom[x]
		}
		idom[i] = x
	}

	dom := parent[:n:n] // parent is dead
	for i := uint32(1); i <= n; i++ {
		dom[vertex[i]] = vertex[idom[i]]
	}
	g.Dominator = dom
	g.shallowDone.Wait()
	g.Retained = retained[:n:n]
	copy(g.Retained, g.Shallow)
	for i := n; i >= 2; i-- {
		o := vertex[i]
		g.Retained[dom[o]] += g.Retained[o]
	}
}

// buildDominated builds the children lists of the dominator tree.
func (g *Graph) buildDominated() {
	n := g.NodeCount()
	r := g.S.Root
	// Counts at first[d], summed to the ends of the lists; filling each
	// list from its end leaves first[d] at its start, in ordinal order.
	first := make([]uint32, n+1)
	for o := 0; o < n; o++ {
		if uint32(o) != r {
			first[g.Dominator[o]]++
		}
	}
	for i := 1; i <= n; i++ {
		first[i] += first[i-1]
	}
	children := make([]uint32, first[n])
	for o := n - 1; o >= 0; o-- {
		if uint32(o) == r {
			continue
		}
		d := g.Dominator[o]
		first[d]--
		children[first[d]] = uint32(o)
	}
	g.FirstDominated, g.Dominated = first, children
}

// countInDegrees counts the edges into each node (g.inDegree).
func (g *Graph) countInDegrees() {
	deg := make([]uint32, g.NodeCount()+1)
	for _, to := range g.S.EdgeTo {
		deg[to+1]++
	}
	g.inDegree = deg
}
