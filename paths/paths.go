// Package paths finds retainer paths: the shortest chains of references
// from the GC roots to an object, the answer to "why is this object still
// alive?".
//
// The first path Shortest returns is the chain Chrome DevTools' Retainers
// pane auto-expands: at each step the retainer with the smallest distance
// from the roots, ties broken by the retainer's display name and then by
// DevTools' retainer array order. Further paths are the next shortest
// distinct ones, found by best-first (A*) searches from the object towards
// the roots that use DevTools' distances as their estimate of the hops
// still to go. "Distinct" means more than "different", and is decided near
// the object: each further path leaves the earlier ones as near to the
// object as possible (through another retainer of the object when one
// leads to a root, else of the hop before it, and so on), the shortest such
// path first; and, unless it leaves them at the object itself, at a node
// where no other path left them. So the paths show the different ways the
// object is held (its second real retainer) rather than one route reached
// from every global function that shares it; variants at the root end come
// only when there is nothing nearer. The paths are listed shortest first.
//
// The search allocates only its frontier, never per node of the graph, and
// its work is bounded (Options.MaxWork), so it stays fast on snapshots of
// tens of millions of nodes; the first path alone needs no search at all in
// the usual case (a walk along decreasing distances).
package paths

import (
	"cmp"
	"slices"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

// NoEdge is the Edge of a path's first hop: the root's own edge to a GC root
// is not part of a path (DevTools' Retainers pane hides edges from the root).
const NoEdge = graph.NoEdge

// DefaultMaxWork is the work bound Shortest uses when Options.MaxWork is 0:
// retainer slots examined plus frontier entries taken.
const DefaultMaxWork = 1 << 22

// Hop is one node of a path and the edge that leads to it.
type Hop struct {
	// Node is the node.
	Node snapshot.Ordinal
	// Edge is the edge from the previous hop's node into Node, or NoEdge
	// for the first hop.
	Edge snapshot.EdgeIndex
}

// Path is a retainer path, root first: Path[0] is a GC root (a node the
// synthetic root holds directly, such as the global object) and the last hop
// is the object the path explains.
type Path []Hop

// Target returns the ordinal of the path's last node (^Ordinal(0) for an
// empty path).
func (p Path) Target() snapshot.Ordinal {
	if len(p) == 0 {
		return ^snapshot.Ordinal(0)
	}
	return p[len(p)-1].Node
}

// Options controls Shortest.
type Options struct {
	// All also considers paths through system roots ("(GC roots)", handle
	// scopes, the compilation cache…) when the object is reachable from a
	// user root such as the global object. Paths are then ranked by plain
	// hop count from the root, whatever kind of root they start at. Without
	// All those paths are only searched for objects that no user root
	// reaches, and user paths are ranked as DevTools ranks retainers.
	All bool
	// MaxWork bounds the search (retainer slots examined plus frontier
	// entries taken); 0 means DefaultMaxWork. When it runs out, Shortest
	// returns the paths found so far. (A first path first tries a walk
	// without search, with its own bound of the same size.)
	MaxWork int
}

// entry is one element of the search frontier: a suffix of a path, from
// node to the target, linked through parent.
type entry struct {
	node   snapshot.Ordinal
	edge   snapshot.EdgeIndex // from node into the parent entry's node; NoEdge for the target
	parent int32              // index into the entries arena; -1 for the target
	depth  uint32             // hops from node to the target
	f      int64              // depth + estimated hops from the root to node
	seq    uint32             // creation order, in DevTools' retainer order within one expansion
	minD   int32              // the smallest distance on the suffix
	trie   int32              // the suffix's node in the trie of accepted suffixes; -1 once it left them
	key    int32              // depth at which the suffix leaves the accepted ones (a lower bound while trie ≥ 0)
}

// candidate is a retainer of the node being expanded.
type candidate struct {
	h    int64  // estimated hops from the root
	slot uint32 // retainer slot
	name string // display name, only computed to break ties in h
}

// searcher holds the state of one Shortest call.
type searcher struct {
	g         *graph.Graph
	opt       Options
	userOnly  bool
	rootDist  int32
	entries   []entry
	heap      []int32
	pops      map[snapshot.Ordinal]uint32
	junctions map[snapshot.Ordinal]bool
	trie      map[trieKey]int32 // the accepted paths' suffixes, target first
	work      int
	maxWork   int
	cands     []candidate
}

// Shortest returns up to k distinct retainer paths from the GC roots to
// target, root first, shortest (by hop count) first. Weak edges never
// retain, and, as in DevTools' Retainers pane, invisible edges and the
// root's own edges are not followed. Unless opt.All is set, an object that a
// user root reaches is explained by user paths only.
//
// The first path is the chain DevTools' Retainers pane auto-expands (first
// retainer by distance, then name, then DevTools' retainer order). Each
// further path leaves the earlier ones as near to target as it can, at a
// node where none left them before (see the package documentation); the
// paths are then sorted by length, stably; several edges between the same two
// nodes count once, the one DevTools lists first. Shortest returns nil for
// the root itself, for an ordinal out of range and for objects that no path
// from the root reaches (retained only weakly or by unreachable objects).
//
// Shortest builds g's retainer index on first use (g.BuildRetainers); after
// that it only reads g, so calls may run concurrently once the index is
// built.
func Shortest(g *graph.Graph, target snapshot.Ordinal, k int, opt Options) []Path {
	ps, _ := shortest(g, target, k, opt)
	return ps
}

// shortest is Shortest, also returning the work done.
func shortest(g *graph.Graph, target snapshot.Ordinal, k int, opt Options) ([]Path, int) {
	if k <= 0 || int(target) >= g.NodeCount() || g.IsRoot(target) {
		return nil, 0
	}
	d := g.Distance[target]
	if d == graph.NoDistance {
		return nil, 0
	}
	g.BuildRetainers()
	sr := &searcher{
		g:         g,
		opt:       opt,
		userOnly:  !opt.All && d < graph.BaseSystemDistance,
		rootDist:  g.Distance[g.S.Root],
		pops:      map[snapshot.Ordinal]uint32{},
		junctions: map[snapshot.Ordinal]bool{},
		trie:      map[trieKey]int32{},
		maxWork:   opt.MaxWork,
	}
	if sr.maxWork <= 0 {
		sr.maxWork = DefaultMaxWork
	}
	if k == 1 {
		if p, ok := sr.greedy(target); ok {
			return []Path{p}, sr.work
		}
	}
	// The search gets its own bound: the greedy walk may have failed late.
	done := sr.work
	sr.work = 0
	ps := sr.run(target, k)
	return ps, done + sr.work
}

// retainer filters retainer slot slot of node v as DevTools' Retainers pane
// does (no weak or invisible edge, nothing from the root), drops self
// references and the retainers no path can come through, and returns the
// retainer's estimate.
func (sr *searcher) retainer(v snapshot.Ordinal, slot uint32) (int64, bool) {
	g := sr.g
	s := g.S
	switch s.EdgeTypes[g.RetainerEdge[slot]] {
	case snapshot.EdgeWeak, snapshot.EdgeInvisible:
		return 0, false
	}
	u := g.RetainerNode[slot]
	if u == s.Root || u == v {
		return 0, false
	}
	du := g.Distance[u]
	if du == graph.NoDistance || (sr.userOnly && du >= graph.BaseSystemDistance) {
		return 0, false
	}
	return sr.estimate(u), true
}

// greedy is the first path without a search: DevTools' auto-expansion, the
// first retainer in DevTools' order at each step, as long as each step gets
// strictly nearer to the roots (then no loop is possible, and the search
// would take the same steps). It fails when a step does not get nearer
// (edges DevTools' distance computation skips) or the work bound runs out;
// the search then takes over.
func (sr *searcher) greedy(target snapshot.Ordinal) (Path, bool) {
	g := sr.g
	var rev []Hop // target first; Edge is the edge into Node
	cur := target
	for !sr.isGoal(cur) {
		hCur := sr.estimate(cur)
		best, bestH, bestName, named := ^uint32(0), int64(0), "", false
		for slot := g.FirstRetainer[cur]; slot < g.FirstRetainer[cur+1]; slot++ {
			sr.work++
			h, ok := sr.retainer(cur, slot)
			if !ok || h >= hCur {
				continue
			}
			switch {
			case best == ^uint32(0) || h < bestH:
				best, bestH, named = slot, h, false
			case h == bestH && g.RetainerNode[slot] != g.RetainerNode[best]:
				// Equal distance: the smaller name wins, then the earlier slot.
				if !named {
					bestName, named = graph.DisplayName(g, g.RetainerNode[best]), true
				}
				if name := graph.DisplayName(g, g.RetainerNode[slot]); graph.LessUTF16(name, bestName) {
					best, bestName = slot, name
				}
			}
		}
		if best == ^uint32(0) || sr.work > sr.maxWork {
			return nil, false
		}
		// The retainers skipped (not nearer than cur) sort after best in
		// DevTools' order too, so best is DevTools' first retainer.
		rev = append(rev, Hop{Node: cur, Edge: g.RetainerEdge[best]})
		cur = g.RetainerNode[best]
	}
	p := make(Path, 0, len(rev)+1)
	p = append(p, Hop{Node: cur, Edge: NoEdge})
	for j := len(rev) - 1; j >= 0; j-- {
		p = append(p, rev[j])
	}
	return p, true
}

// trieKey is a child of a node of the trie of accepted suffixes: the
// parent trie node (0 is the target) and the retainer.
type trieKey struct {
	parent int32
	node   snapshot.Ordinal
}

// run finds up to k paths, one search each: each next path is the shortest
// of those that leave the accepted ones nearest to the target (see
// accept), and the paths are returned shortest first.
func (sr *searcher) run(target snapshot.Ordinal, k int) []Path {
	var out []Path
	for len(out) < k && sr.work < sr.maxWork && (len(out) == 0 || !sr.isGoal(target)) {
		p, ok := sr.next(target, k)
		if !ok {
			break
		}
		out = append(out, p)
		sr.addTrie(p)
	}
	slices.SortStableFunc(out, func(a, b Path) int { return cmp.Compare(len(a), len(b)) })
	return out
}

// next searches for the next path: best first by the depth (from the
// target) at which it leaves every accepted path, then by estimated
// length. With no path accepted yet this is the plain shortest path.
func (sr *searcher) next(target snapshot.Ordinal, k int) (Path, bool) {
	sr.entries, sr.heap = sr.entries[:0], sr.heap[:0]
	clear(sr.pops)
	sr.push(entry{node: target, edge: NoEdge, parent: -1, f: sr.estimate(target), minD: sr.g.Distance[target], trie: 0, key: 1})
	fanout := 2*k + 2
	for len(sr.heap) > 0 && sr.work < sr.maxWork {
		x := sr.pop()
		sr.work++
		en := sr.entries[x]
		if sr.pops[en.node] >= uint32(k) || sr.onSuffix(en.node, en.parent) {
			continue
		}
		if sr.isGoal(en.node) {
			if sr.accept(x) {
				return sr.path(x), true
			}
			continue
		}
		sr.pops[en.node]++
		sr.expand(x, fanout)
	}
	return nil, false
}

// accept decides whether the complete path starting at entry x is distinct
// enough from the accepted ones. It must leave them somewhere (the search
// makes that as near to the target as it can: another retainer of the
// target when one leads to a root, else of the hop after it, and so on),
// and, unless it leaves them at the target itself, the node where it
// leaves them (its junction) must not be the junction of an accepted path:
// without this rule the paths found after the nearest ones would mostly be
// one route reached from other globals (global.setTimeout,
// global.clearTimeout…).
func (sr *searcher) accept(x int32) bool {
	en := &sr.entries[x]
	if len(sr.trie) == 0 {
		return true // the first path
	}
	if en.trie >= 0 {
		return false // an accepted path again
	}
	// The junction is the last node of the suffix the path shares with
	// the accepted ones, en.key-1 hops from the target.
	at := x
	for sr.entries[at].depth > uint32(en.key-1) {
		at = sr.entries[at].parent
	}
	j := sr.entries[at].node
	if en.key > 1 {
		if sr.junctions[j] {
			return false
		}
		sr.junctions[j] = true
	}
	return true
}

// addTrie adds the suffixes of p to the trie of accepted ones.
func (sr *searcher) addTrie(p Path) {
	at := int32(0)
	for j := len(p) - 2; j >= 0; j-- {
		key := trieKey{parent: at, node: p[j].Node}
		next, ok := sr.trie[key]
		if !ok {
			next = int32(len(sr.trie) + 1)
			sr.trie[key] = next
		}
		at = next
	}
}

// isGoal reports whether node i is held by the root itself: a user root
// (distance 1), or a system root when paths through those are allowed.
func (sr *searcher) isGoal(i snapshot.Ordinal) bool {
	d := sr.g.Distance[i]
	return d == 1 || (!sr.userOnly && d == sr.rootDist+1)
}

// estimate is the number of hops from the root to node i: DevTools'
// distance for user nodes, and for system nodes their distance from the
// root (which DevTools offsets by BaseSystemDistance).
func (sr *searcher) estimate(i snapshot.Ordinal) int64 {
	d := int64(sr.g.Distance[i])
	if d >= graph.BaseSystemDistance && sr.opt.All {
		return d - int64(sr.rootDist)
	}
	return d
}

// onSuffix reports whether node occurs in the suffix that starts at entry
// at: taking it again would make a loop. A node nearer to the roots than
// every node of the suffix (entry.minD) cannot be on it, which spares the
// walk in the common case.
func (sr *searcher) onSuffix(node snapshot.Ordinal, at int32) bool {
	if at < 0 || sr.g.Distance[node] < sr.entries[at].minD {
		return false
	}
	for at >= 0 {
		e := &sr.entries[at]
		if e.node == node {
			return true
		}
		at = e.parent
	}
	return false
}

// path turns the suffix starting at entry x into a root-first Path.
func (sr *searcher) path(x int32) Path {
	p := Path{{Node: sr.entries[x].node, Edge: NoEdge}}
	for e := sr.entries[x]; e.parent >= 0; e = sr.entries[e.parent] {
		p = append(p, Hop{Node: sr.entries[e.parent].node, Edge: e.edge})
	}
	return p
}

// expand pushes the best retainers of entry x's node, in DevTools' order:
// by distance (the estimate), then by display name, then by retainer slot.
// Only the first fanout distinct retainer nodes are kept: with distances as
// exact estimates, the k shortest paths through this suffix use at most k
// of them, and the margin covers loops and retainers that lead nowhere.
func (sr *searcher) expand(x int32, fanout int) {
	g := sr.g
	en := sr.entries[x]
	from, to := g.FirstRetainer[en.node], g.FirstRetainer[en.node+1]
	cands := sr.cands[:0]
	for slot := from; slot < to; slot++ {
		sr.work++
		if h, ok := sr.retainer(en.node, slot); ok {
			cands = append(cands, candidate{h: h, slot: slot})
		}
	}
	sr.cands = cands
	if len(cands) == 0 {
		return
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.slot, b.slot)
	})
	// Keep the groups of equal estimate that hold the first fanout distinct
	// nodes (a node's slots are adjacent), then order each group by name.
	end, distinct := 0, 0
	for end < len(cands) && distinct < fanout {
		if end == 0 || g.RetainerNode[cands[end].slot] != g.RetainerNode[cands[end-1].slot] {
			distinct++
		}
		end++
	}
	for end < len(cands) && cands[end].h == cands[end-1].h {
		end++
	}
	cands = cands[:end]
	for lo := 0; lo < len(cands); {
		hi := lo + 1
		for hi < len(cands) && cands[hi].h == cands[lo].h {
			hi++
		}
		if hi-lo > 1 && g.RetainerNode[cands[lo].slot] != g.RetainerNode[cands[hi-1].slot] {
			group := cands[lo:hi]
			for j := range group {
				group[j].name = graph.DisplayName(g, g.RetainerNode[group[j].slot])
			}
			slices.SortFunc(group, func(a, b candidate) int {
				if a.name != b.name {
					if graph.LessUTF16(a.name, b.name) {
						return -1
					}
					return 1
				}
				return cmp.Compare(a.slot, b.slot)
			})
		}
		lo = hi
	}
	pushed := 0
	last := ^snapshot.Ordinal(0)
	for _, c := range cands {
		u := g.RetainerNode[c.slot]
		if u == last {
			continue // another edge from the same node: DevTools lists the first one first
		}
		last = u
		depth := en.depth + 1
		trie, key := int32(-1), en.key
		if en.trie >= 0 {
			if t, ok := sr.trie[trieKey{parent: en.trie, node: u}]; ok {
				trie, key = t, int32(depth)+1
			} else if en.depth > 0 && sr.junctions[en.node] {
				continue // a path leaving the accepted ones here was accepted: see accept
			} else {
				key = int32(depth)
			}
		}
		sr.push(entry{
			node:   u,
			edge:   g.RetainerEdge[c.slot],
			parent: x,
			depth:  depth,
			f:      int64(depth) + c.h,
			minD:   min(en.minD, g.Distance[u]),
			trie:   trie,
			key:    key,
		})
		if pushed++; pushed == fanout {
			break
		}
	}
	for j := range cands {
		cands[j].name = ""
	}
}

// less orders the frontier: the suffix that leaves the accepted paths
// nearest to the target first (key; the same for all while none is
// accepted), then the smallest estimated path length; among equals the
// longest suffix first (so that the search follows one chain, as DevTools'
// auto-expansion does), then creation order. A suffix's key only grows as
// it is extended, so the first complete path taken is the best.
func (sr *searcher) less(a, b int32) bool {
	x, y := &sr.entries[a], &sr.entries[b]
	if x.key != y.key {
		return x.key < y.key
	}
	if x.f != y.f {
		return x.f < y.f
	}
	if x.depth != y.depth {
		return x.depth > y.depth
	}
	return x.seq < y.seq
}

func (sr *searcher) push(e entry) {
	e.seq = uint32(len(sr.entries))
	sr.entries = append(sr.entries, e)
	h := append(sr.heap, int32(len(sr.entries)-1))
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !sr.less(h[i], h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	sr.heap = h
}

func (sr *searcher) pop() int32 {
	h := sr.heap
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && sr.less(h[r], h[l]) {
			m = r
		}
		if !sr.less(h[m], h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	sr.heap = h
	return top
}
