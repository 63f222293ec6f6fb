package graph

import (
	"unsafe"

	"github.com/heapscope/heapscope/snapshot"
)

// essentialEdges returns a bit set over edges: the edges DevTools' dominator
// computation follows (computeIsEssentialEdge). Dropped are weak edges, self
// edges, the table→value edge of a WeakMap ephemeron, and (except from the
// root) shortcut edges and edges from a non-page-owned node into a
// page-owned one. It also returns, in the same pass, the number of
// essential edges into each node, at first[to+1].
func (g *Graph) essentialEdges() (bits []uint64, first []uint32) {
	s := g.S
	bits = make([]uint64, (s.EdgeCount()+63)/64)
	n := uint32(s.NodeCount())
	first = make([]uint32, n+1)
	for i := uint32(0); i < n; i++ {
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			if g.isEssential(i, e) {
				bits[e>>6] |= 1 << (e & 63)
				first[s.EdgeTo[e]+1]++
			}
		}
	}
	return bits, first
}

func (g *Graph) isEssential(i, e uint32) bool {
	s := g.S
	t := s.EdgeTypes[e]
	if t == snapshot.EdgeInternal {
		if m, ok := g.weakMapEdge(s.EdgeNames[e]); ok && uint64(s.NodeIDs[i]) == m.tableID {
			return false
		}
	}
	if t == snapshot.EdgeWeak {
		return false
	}
	to := s.EdgeTo[e]
	if to == i {
		return false
	}
	if i != s.Root {
		if t == snapshot.EdgeShortcut {
			return false
		}
		if g.pageOwned.has(to) && !g.pageOwned.has(i) {
			return false
		}
	}
	return true
}

// buildDominators is DevTools' calculateDominatorsAndRetainedSizes: the
// Lengauer–Tarjan algorithm (simple eval/link with path compression) over
// the essential edges, with vertices numbered ordinal+1 and 0 as "none".
// Orphans (nodes with no essential retainer) are hung under the root, then
// any node still unvisited (a clique retained only by itself) too, exactly
// in DevTools' order, so the tree is the one DevTools builds.
//
// Memory: besides the essential predecessor lists it needs six arrays of
// n+1 words. Two of them do double duty: a vertex's bucket link lives in
// parent[] (parent[w] is dead once w is processed) and a bucket's head in
// dom[] (a bucket is empty before its owner gets its dominator).
func (g *Graph) buildDominators() {
	s := g.S
	n := s.NodeCount()
	ess, firstPred := g.essentialEdges()
	isEss := func(e uint32) bool { return ess[e>>6]&(1<<(e&63)) != 0 }
	preds := g.essentialPredecessors(isEss, firstPred)

	size := n + 1
	parent := make([]uint32, size)
	ancestor := make([]uint32, size)
	vertex := make([]uint32, size)
	// semi and label share one allocation that becomes Retained once they
	// are dead, which saves touching 8 more bytes per node of fresh memory.
	retained := make([]uint64, size)
	halves := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(retained))), 2*size)
	semi, label := halves[:size:size], halves[size:]
	var cnt uint32

	// Iterative DFS in edge order; the stack holds each open vertex's next
	// edge. Whether a vertex was visited is asked once per essential edge, at
	// random: a bitset answers from cache where semi[] would not.
	type open struct{ v, next uint32 }
	var stack []open
	seen := newBitset(size)
	dfs := func(root uint32) {
		if semi[root] == 0 {
			cnt++
			semi[root] = cnt
			vertex[cnt] = root
			label[root] = root
			seen.set(root)
		}
		stack = append(stack[:0], open{root, s.FirstEdge[root-1]})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			vo := top.v - 1
			end := s.FirstEdge[vo+1]
			pushed := false
			for e := top.next; e < end; e++ {
				if !isEss(e) {
					continue
				}
				wo := s.EdgeTo[e]
				w := wo + 1
				if !seen.has(w) {
					seen.set(w)
					top.next = e + 1
					parent[w] = top.v
					cnt++
					semi[w] = cnt
					vertex[cnt] = w
					label[w] = w
					stack = append(stack, open{w, s.FirstEdge[wo]})
					pushed = true
					break
				}
			}
			if !pushed {
				stack = stack[:len(stack)-1]
			}
		}
	}

	r := s.Root + 1
	dfs(r)
	if int(cnt) < n {
		for v := uint32(1); v <= uint32(n); v++ {
			if semi[v] == 0 && firstPred[v-1] == firstPred[v] {
				parent[v] = r
				dfs(v)
			}
		}
	}
	g.Unreachable = n - int(cnt)
	if int(cnt) < n {
		for v := uint32(1); v <= uint32(n); v++ {
			if semi[v] == 0 {
				parent[v] = r
				cnt++
				semi[v] = cnt
				vertex[cnt] = v
				label[v] = v
			}
		}
	}
	stack = nil

	var cstack []uint32
	compress := func(v uint32) {
		cstack = cstack[:0]
		for ancestor[ancestor[v]] != 0 {
			cstack = append(cstack, v)
			v = ancestor[v]
		}
		for k := len(cstack) - 1; k >= 0; k-- {
			w := cstack[k]
			if semi[label[ancestor[w]]] < semi[label[w]] {
				label[w] = label[ancestor[w]]
			}
			ancestor[w] = ancestor[ancestor[w]]
		}
	}
	eval := func(v uint32) uint32 {
		if ancestor[v] == 0 {
			return v
		}
		compress(v)
		return label[v]
	}

	dom := make([]uint32, size)
	bucketHead, bucketNext := dom, parent
	for i := cnt; i >= 2; i-- {
		w := vertex[i]
		wo := w - 1
		if firstPred[wo] == firstPred[wo+1] {
			// No essential retainer: the root is the only predecessor.
			semi[w] = semi[r]
		}
		for k := firstPred[wo]; k < firstPred[wo+1]; k++ {
			if u := eval(preds[k] + 1); semi[u] < semi[w] {
				semi[w] = semi[u]
			}
		}
		p := parent[w]
		b := vertex[semi[w]]
		bucketNext[w] = bucketHead[b]
		bucketHead[b] = w
		// Whatever is in w's own bucket now is never processed: its
		// semidominator w is not a tree ancestor (a clique hung under the
		// root). DevTools leaves their dom 0, which resolves to the root, and
		// w's own dom must start at 0 too.
		bucketHead[w] = 0
		ancestor[w] = p // link
		v := bucketHead[p]
		bucketHead[p] = 0
		for v != 0 {
			nv := bucketNext[v]
			if u := eval(v); semi[u] < semi[v] {
				dom[v] = u
			} else {
				dom[v] = p
			}
			v = nv
		}
	}
	firstPred, preds, parent, ancestor = nil, nil, nil, nil
	dom[0], dom[r] = r, r
	for i := uint32(2); i <= cnt; i++ {
		w := vertex[i]
		if dom[w] != vertex[semi[w]] {
			dom[w] = dom[dom[w]]
		}
	}

	// dom becomes the ordinal-indexed dominator array in place.
	for o := 0; o < n; o++ {
		dom[o] = dom[o+1] - 1
	}
	g.Dominator = dom[:n:n]
	g.shallowDone.Wait()
	g.Retained = retained[:n:n] // semi and label are dead from here on
	copy(g.Retained, g.Shallow)
	for i := cnt; i > 1; i-- {
		o := vertex[i] - 1
		g.Retained[g.Dominator[o]] += g.Retained[o]
	}
}

// essentialPredecessors lists, for every node, the sources of its essential
// retaining edges (CSR over first, which holds the counts at first[to+1] on
// entry and the offsets on return), in the order of DevTools' retainer
// index: reverse (source, edge) order.
func (g *Graph) essentialPredecessors(isEss func(uint32) bool, first []uint32) []uint32 {
	s := g.S
	n := s.NodeCount()
	for i := 1; i <= n; i++ {
		first[i] += first[i-1]
	}
	preds := make([]uint32, first[n])
	// Fill each node's slots from the end, counting first[to+1] down; when
	// done, first[to+1] holds the start of node to, so shift it back.
	for src := 0; src < n; src++ {
		for e := s.FirstEdge[src]; e < s.FirstEdge[src+1]; e++ {
			if !isEss(e) {
				continue
			}
			to := s.EdgeTo[e]
			first[to+1]--
			preds[first[to+1]] = uint32(src)
		}
	}
	copy(first[:n], first[1:])
	first[n] = uint32(len(preds))
	return preds
}

// buildDominated builds the children lists of the dominator tree.
func (g *Graph) buildDominated() {
	n := g.NodeCount()
	first := make([]uint32, n+1)
	for o := 0; o < n; o++ {
		if uint32(o) != g.S.Root {
			first[g.Dominator[o]]++
		}
	}
	var sum uint32
	for i := 0; i < n; i++ {
		c := first[i]
		first[i] = sum
		sum += c
	}
	first[n] = sum
	children := make([]uint32, sum)
	fill := make([]uint32, n)
	copy(fill, first[:n])
	for o := 0; o < n; o++ {
		if uint32(o) == g.S.Root {
			continue
		}
		d := g.Dominator[o]
		children[fill[d]] = uint32(o)
		fill[d]++
	}
	g.FirstDominated, g.Dominated = first, children
}
