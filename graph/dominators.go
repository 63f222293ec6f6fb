package graph

import (
	"github.com/heapscope/heapscope/snapshot"
)

// essentialEdges returns a bit set over edges: the edges DevTools' dominator
// computation follows (computeIsEssentialEdge). Dropped are weak edges, self
// edges, the table→value edge of a WeakMap ephemeron, and (except from the
// root) shortcut edges and edges from a non-page-owned node into a
// page-owned one.
func (g *Graph) essentialEdges() []uint64 {
	s := g.S
	bits := make([]uint64, (s.EdgeCount()+63)/64)
	n := uint32(s.NodeCount())
	for i := uint32(0); i < n; i++ {
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			if g.isEssential(i, e) {
				bits[e>>6] |= 1 << (e & 63)
			}
		}
	}
	return bits
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
		if g.PageOwned[to] && !g.PageOwned[i] {
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
func (g *Graph) buildDominators() {
	s := g.S
	n := s.NodeCount()
	ess := g.essentialEdges()
	isEss := func(e uint32) bool { return ess[e>>6]&(1<<(e&63)) != 0 }

	size := n + 1
	parent := make([]uint32, size)
	ancestor := make([]uint32, size)
	vertex := make([]uint32, size)
	label := make([]uint32, size)
	semi := make([]uint32, size)
	next := make([]uint32, size) // DFS cursor per vertex, later the compression stack
	var cnt uint32

	dfs := func(root uint32) {
		next[root-1] = s.FirstEdge[root-1]
		v := root
		for v != 0 {
			if semi[v] == 0 {
				cnt++
				semi[v] = cnt
				vertex[cnt] = v
				label[v] = v
			}
			vNext := parent[v]
			vo := v - 1
			for end := s.FirstEdge[vo+1]; next[vo] < end; next[vo]++ {
				e := next[vo]
				if !isEss(e) {
					continue
				}
				wo := s.EdgeTo[e]
				w := wo + 1
				if semi[w] == 0 {
					parent[w] = v
					next[wo] = s.FirstEdge[wo]
					vNext = w
					break
				}
			}
			v = vNext
		}
	}

	r := s.Root + 1
	dfs(r)
	if int(cnt) < n {
		for v := uint32(1); v <= uint32(n); v++ {
			if semi[v] == 0 && g.hasOnlyNonEssentialRetainers(v-1, isEss) {
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

	stack := next // the DFS is done; reuse its cursor array
	compress := func(v uint32) {
		sp := 0
		for ancestor[ancestor[v]] != 0 {
			sp++
			stack[sp] = v
			v = ancestor[v]
		}
		for sp > 0 {
			w := stack[sp]
			sp--
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

	// Buckets are FIFO lists (DevTools uses insertion-ordered Sets) threaded
	// through bucketNext; each vertex is in at most one bucket.
	dom := make([]uint32, size)
	bucketHead := make([]uint32, size)
	bucketTail := make([]uint32, size)
	bucketNext := make([]uint32, size)
	for i := cnt; i >= 2; i-- {
		w := vertex[i]
		wo := w - 1
		orphan := true
		for k := g.FirstRetainer[wo]; k < g.FirstRetainer[wo+1]; k++ {
			if !isEss(g.RetainerEdge[k]) {
				continue
			}
			orphan = false
			u := eval(g.RetainerNode[k] + 1)
			if semi[u] < semi[w] {
				semi[w] = semi[u]
			}
		}
		if orphan {
			semi[w] = semi[r]
		}
		b := vertex[semi[w]]
		bucketNext[w] = 0
		if bucketHead[b] == 0 {
			bucketHead[b] = w
		} else {
			bucketNext[bucketTail[b]] = w
		}
		bucketTail[b] = w
		p := parent[w]
		ancestor[w] = p // link
		for v := bucketHead[p]; v != 0; v = bucketNext[v] {
			u := eval(v)
			if semi[u] < semi[v] {
				dom[v] = u
			} else {
				dom[v] = p
			}
		}
		bucketHead[p], bucketTail[p] = 0, 0
	}
	dom[0], dom[r] = r, r
	for i := uint32(2); i <= cnt; i++ {
		w := vertex[i]
		if dom[w] != vertex[semi[w]] {
			dom[w] = dom[dom[w]]
		}
	}

	g.Dominator = make([]uint32, n)
	g.Retained = make([]uint64, n)
	for o := 0; o < n; o++ {
		g.Dominator[o] = dom[o+1] - 1
		g.Retained[o] = g.Shallow[o]
	}
	for i := cnt; i > 1; i-- {
		o := vertex[i] - 1
		g.Retained[g.Dominator[o]] += g.Retained[o]
	}
}

// hasOnlyNonEssentialRetainers is DevTools' hasOnlyWeakRetainers.
func (g *Graph) hasOnlyNonEssentialRetainers(o uint32, isEss func(uint32) bool) bool {
	for k := g.FirstRetainer[o]; k < g.FirstRetainer[o+1]; k++ {
		if isEss(g.RetainerEdge[k]) {
			return false
		}
	}
	return true
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
