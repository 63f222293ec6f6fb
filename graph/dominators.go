package graph

import (
	"slices"
	"unsafe"

	"github.com/heapscope/heapscope/snapshot"
)

// isEssential is DevTools' computeIsEssentialEdge for edge e, of type t,
// from node v to node to; anyTarget says that v is the root or page-owned,
// so that the page-owned rule does not apply. Dropped are weak edges, self
// edges, the table→value edge of a WeakMap ephemeron, and (except from the
// root) shortcut edges and edges from a non-page-owned node into a
// page-owned one. The search tests the common edge types itself and calls
// this for the rest.
func (g *Graph) isEssential(v snapshot.Ordinal, e snapshot.EdgeIndex, to snapshot.Ordinal, t snapshot.EdgeType, anyTarget bool) bool {
	return t != snapshot.EdgeWeak && to != v && (anyTarget || !g.pageOwned.has(to)) &&
		(t != snapshot.EdgeShortcut || v == g.S.Root) &&
		(t != snapshot.EdgeInternal || !g.isEphemeronTableEdge(v, e))
}

// isEphemeronTableEdge reports whether internal edge e out of v is the
// WeakMap table's edge to an ephemeron value.
//
//go:noinline
func (g *Graph) isEphemeronTableEdge(v snapshot.Ordinal, e snapshot.EdgeIndex) bool {
	if g.ephemeronTables == nil || !g.ephemeronTables.has(v) {
		return false
	}
	m, ok := g.weakMapEdge(g.S.EdgeNameID(e))
	return ok && uint64(g.S.NodeIDs[v]) == m.tableID
}

// buildDominators computes the dominator of every node over the essential
// edges, with DevTools' treatment of nodes the root does not reach: orphans
// (nodes with no essential retainer) are hung under the root and searched
// from, in ordinal order; whatever is still unvisited (cliques retained only
// by each other) is hung under the root without a search.
//
// DevTools (calculateDominatorsAndRetainedSizes) runs Lengauer–Tarjan on
// such a spanning tree. Immediate dominators are unique, so any correct
// algorithm on any depth-first tree of the same graph gives the same ones;
// this runs the faster Semi-NCA algorithm (Georgiadis, "Linear-Time
// Algorithms for Dominators and Related Problems", 2005), which computes
// semidominators as Lengauer–Tarjan does and then each immediate dominator
// by walking up the tree built so far. The cliques, hung under the root
// without a search, are numbered after every searched node; their
// predecessors are cliques too, so they never lower a searched node's
// semidominator, and both algorithms give them the root.
//
// Vertices are numbered in preorder (1 is the root, 0 "none") and the
// predecessor lists hold these numbers, so a predecessor numbered below the
// vertex at hand, the common case, costs no memory access, and the
// per-vertex arrays are walked in order.
func (g *analyzer) buildDominators() {
	s := g.S
	n := uint32(s.NodeCount())
	d := &domSearch{
		g:      g.Graph,
		pre:    make([]uint32, n+1),           // ordinal → preorder number
		vertex: make([]snapshot.Ordinal, n+1), // preorder number → ordinal
		parent: make([]uint32, n+1),           // preorder number → parent's number
		seen:   newBitset[snapshot.Ordinal](int(n)),
		skip:   make([]uint64, (s.EdgeCount()+63)/64),
	}
	firstEdge, edgeTo, edgeTypes := s.FirstEdge, s.EdgeTo, s.EdgeTypes

	// The page-owned flags decide which edges out of nodes that are not
	// page-owned are essential, so DevTools computes them first, by a search
	// of its own. Dominators do not depend on the order of the search, so
	// this one starts with the root's edges to the page-owned roots: in this
	// first phase every node it reaches is page-owned, and every edge out of
	// one is essential or not whatever the flags are. The flags are then
	// what it reached plus what the page-owned edges it skipped lead to.
	root := d.visit(s.Root, 0, true)
	for _, r := range g.pageOwnedRoots() {
		if !d.seen.has(r) {
			d.run(d.visit(r, root.pv, true), true, true)
		}
	}
	owned := slices.Clone(d.seen)
	owned.clear(s.Root) // visited first, but page-owned only if reached
	g.inDegreeDone.Wait()
	if g.inDegree[s.Root+1] > 0 {
		for v := range snapshot.Ordinal(n) {
			if !owned.has(v) {
				continue
			}
			for e := firstEdge[v]; e < firstEdge[v+1]; e++ {
				if edgeTo[e] == s.Root && edgeTypes[e] != snapshot.EdgeWeak {
					d.ownedOnly = append(d.ownedOnly, s.Root)
				}
			}
		}
	}
	g.extendPageOwned(owned, d.ownedOnly)
	g.pageOwned, d.owned, d.ownedOnly = owned, owned, nil
	d.run(root, true, false)
	if d.cnt < n {
		// Classify the edges out of unvisited nodes, which the search did
		// not see, so that the orphans (no essential retainer) are known.
		for v := range snapshot.Ordinal(n) {
			if d.seen.has(v) {
				continue
			}
			anyTarget := owned.has(v)
			for e := s.FirstEdge[v]; e < s.FirstEdge[v+1]; e++ {
				if !g.isEssential(v, e, s.EdgeTo[e], s.EdgeTypes[e], anyTarget) {
					d.skip[e>>6] |= 1 << (e & 63)
					d.dropped = append(d.dropped, s.EdgeTo[e])
				}
			}
		}
	}
	// first[o+1] becomes the number of essential edges into o.
	first := g.inDegree
	g.inDegree = nil
	for _, to := range d.dropped {
		first[to+1]--
	}
	d.dropped = nil
	if d.cnt < n {
		// Orphans; their edges were classified above.
		for v := range snapshot.Ordinal(n) {
			if !d.seen.has(v) && first[v+1] == 0 {
				d.run(d.visit(v, 1, owned.has(v)), false, false)
			}
		}
	}
	g.Unreachable = int(n - d.cnt)
	for v := range snapshot.Ordinal(n) {
		if !d.seen.has(v) {
			d.visit(v, 1, false)
		}
	}
	pre, vertex, parent, skip := d.pre, d.vertex, d.parent, d.skip
	d = nil

	// Essential predecessor lists: CSR by ordinal (first[o] ≤ k <
	// first[o+1]), holding preorder numbers.
	for o := 1; o <= int(n); o++ {
		first[o] += first[o-1]
	}
	// The lists' pages later hold the dominator tree's preorder layout, so
	// that the chain's last step needs no fresh memory (the layout then
	// keeps the whole allocation: 168 MiB instead of 100 for 13 M nodes
	// and 44 M essential edges).
	predsMem := make([]uint32, max(first[n], 2*n))
	preds := predsMem[:first[n]]
	for src := range snapshot.Ordinal(n) {
		ps := pre[src]
		for e := s.FirstEdge[src]; e < s.FirstEdge[src+1]; e++ {
			if skip[e>>6]&(1<<(e&63)) != 0 {
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
	skip = nil

	// Semidominators, vertices in reverse preorder. A vertex numbered above
	// the one at hand is processed and linked to its tree parent; eval
	// follows those links with path compression. label holds the smallest
	// semidominator number on the compressed path, not a vertex, because
	// Semi-NCA only ever compares semidominators.
	// semi and label share one allocation that becomes Retained once they
	// are dead.
	g.lateDone.Wait()
	retained := g.late
	halves := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(retained))), 2*(n+1))
	semi, label := halves[:n+1:n+1], halves[n+1:]
	ancestor := pre // pre is dead
	pre = nil
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
	scratch := first // n+1 words, for the preorder layout
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

	dom := asOrdinals(parent[:n:n]) // parent is dead
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
	// The predecessor lists are dead: their pages hold the layout.
	g.preorderDominatorTree(vertex, idom, scratch, asOrdinals(predsMem[:n:n]), predsMem[n:2*n:2*n])
	g.late = nil
}

// asOrdinals returns a as ordinals, sharing its memory: the dominator
// chain reuses its dead scratch arrays for the results.
func asOrdinals(a []uint32) []snapshot.Ordinal {
	return unsafe.Slice((*snapshot.Ordinal)(unsafe.SliceData(a)), len(a))
}

// faultIn writes one (zero) word per page of a, so that the kernel maps
// its pages now rather than when a is first used.
func faultIn(a []uint64) {
	const page = 4096
	for i := 0; i < len(a); i += page / 8 {
		a[i] = 0
	}
}

// domSearch is buildDominators' depth-first search, in edge order. It
// numbers the vertices in preorder, records each one's tree parent, and
// classifies each edge out of a visited node exactly once, when it looks at
// it, marking in skip the few that are not essential.
type domSearch struct {
	g           *Graph
	pre, parent []uint32 // by ordinal, by preorder number
	vertex      []snapshot.Ordinal
	seen        bitset[snapshot.Ordinal]
	owned       bitset[snapshot.Ordinal] // nil in the first phase, which needs none
	skip        []uint64
	cnt         uint32
	stack       []searchFrame
	// dropped collects the targets of the edges found not essential, to be
	// taken off the in-degrees; ownedOnly, in the first phase, the targets
	// of those that still make their target page-owned.
	dropped, ownedOnly []snapshot.Ordinal
}

// searchFrame is an open vertex of the search: its ordinal and number, its
// next and end edge, and whether any target is allowed (the vertex is the
// root or page-owned).
type searchFrame struct {
	v         snapshot.Ordinal
	pv        uint32
	next, end snapshot.EdgeIndex
	anyTarget bool
}

// visit numbers v, with tree parent number p, and returns its frame.
func (d *domSearch) visit(v snapshot.Ordinal, p uint32, anyTarget bool) searchFrame {
	d.cnt++
	d.pre[v] = d.cnt
	d.vertex[d.cnt] = v
	d.parent[d.cnt] = p
	d.seen.set(v)
	fe := d.g.S.FirstEdge
	return searchFrame{v, d.cnt, fe[v], fe[v+1], anyTarget}
}

// run searches from root, an already visited vertex. recordDropped collects
// the targets of edges found not essential; ownedPhase is the first phase,
// from the page-owned roots. The hot loop works on local copies of the
// search's state (visit inlined by hand).
func (d *domSearch) run(root searchFrame, recordDropped, ownedPhase bool) {
	s := d.g.S
	edgeTo, edgeTypes, firstEdge := s.EdgeTo, s.EdgeTypes, s.FirstEdge
	pre, vertex, parent := d.pre, d.vertex, d.parent
	seen, owned := d.seen, d.owned
	// Internal edges need the general test only when WeakMap tables exist.
	general := snapshot.EdgeInternal
	if d.g.ephemeronTables == nil {
		general = snapshot.EdgeShortcut
	}
	cnt := d.cnt
	stack := append(d.stack[:0], root)
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		v, e, end := top.v, top.next, top.end
		for ; e < end; e++ {
			to := edgeTo[e]
			t := edgeTypes[e]
			var ok bool
			if t < snapshot.EdgeShortcut && t != general {
				// The common types, inlined: only the general rules apply.
				ok = to != v && (top.anyTarget || !owned.has(to))
			} else {
				ok = d.g.isEssential(v, e, to, t, top.anyTarget)
			}
			if !ok {
				d.notEssential(e, to, t, v, recordDropped, ownedPhase)
				continue
			}
			if !seen.has(to) {
				break
			}
		}
		if e == end {
			stack = stack[:len(stack)-1]
			continue
		}
		top.next = e + 1
		to := edgeTo[e]
		cnt++
		pre[to] = cnt
		vertex[cnt] = to
		parent[cnt] = top.pv
		seen.set(to)
		stack = append(stack, searchFrame{to, cnt, firstEdge[to], firstEdge[to+1], ownedPhase || owned.has(to)})
	}
	d.cnt, d.stack = cnt, stack
}

// notEssential records edge e (of type t, from v to to) as not essential.
func (d *domSearch) notEssential(e snapshot.EdgeIndex, to snapshot.Ordinal, t snapshot.EdgeType, v snapshot.Ordinal, recordDropped, ownedPhase bool) {
	d.skip[e>>6] |= 1 << (e & 63)
	if recordDropped {
		d.dropped = append(d.dropped, to)
	}
	if ownedPhase && t != snapshot.EdgeWeak && to != v {
		d.ownedOnly = append(d.ownedOnly, to)
	}
}

// preorderDominatorTree lays the dominator tree out in preorder, children in
// search order (DominatorPreorder, DominatorSubtreeEnd), from the immediate
// dominators in search numbering (a dominator is numbered below what it
// dominates): subtree sizes are summed up, then each node is placed in its
// dominator's range, parents first. Both passes walk the numbering in order.
// size, of n+1 words, is scratch memory; order and end, of n words each,
// receive the layout.
func (g *Graph) preorderDominatorTree(vertex []snapshot.Ordinal, idom, size []uint32, order []snapshot.Ordinal, end []uint32) {
	n := uint32(len(vertex) - 1)
	// size[i] is the subtree size of i until i is placed, then the next free
	// position for i's children.
	for i := range size {
		size[i] = 1
	}
	for i := n; i >= 2; i-- {
		size[idom[i]] += size[i]
	}
	order[0], end[0], size[1] = vertex[1], n, 1
	for i := uint32(2); i <= n; i++ {
		p := idom[i]
		k := size[p]
		size[p] = k + size[i]
		order[k] = vertex[i]
		end[k] = k + size[i]
		size[i] = k + 1
	}
	g.DominatorPreorder, g.DominatorSubtreeEnd = order, end
}

// BuildDominated builds the children lists of the dominator tree
// (FirstDominated, Dominated) if they are not built yet. Like
// BuildRetainers it is safe to call concurrently.
func (g *Graph) BuildDominated() { g.dominatedOnce.Do(g.buildDominated) }

func (g *Graph) buildDominated() {
	n := g.NodeCount()
	r := g.S.Root
	// Counts at first[d], summed to the ends of the lists; filling each
	// list from its end leaves first[d] at its start, in ordinal order.
	first := make([]uint32, n+1)
	for o := range snapshot.Ordinal(n) {
		if o != r {
			first[g.Dominator[o]]++
		}
	}
	for i := 1; i <= n; i++ {
		first[i] += first[i-1]
	}
	children := make([]snapshot.Ordinal, first[n])
	for o := snapshot.Ordinal(n); o > 0; {
		o--
		if o == r {
			continue
		}
		d := g.Dominator[o]
		first[d]--
		children[first[d]] = o
	}
	g.FirstDominated, g.Dominated = first, children
}

// countInDegrees counts the edges into each node (g.inDegree) and marks the
// nodes with exactly one (g.oneRetainer).
func (g *analyzer) countInDegrees() {
	n := g.NodeCount()
	deg := make([]uint32, n+1)
	for _, to := range g.S.EdgeTo {
		deg[to+1]++
	}
	g.inDegree = deg
	one := newBitset[snapshot.Ordinal](n)
	for o, d := range deg[1:] {
		if d == 1 {
			one.set(snapshot.Ordinal(o))
		}
	}
	g.oneRetainer = one
}
