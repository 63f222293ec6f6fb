package graph

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/heapscope/heapscope/snapshot"
)

// ephemeronName is a parsed WeakMap ephemeron edge name:
// "<n> / part of key (<K> @<id>) -> value (<V> @<id>) pair in WeakMap (table @<tableId>)".
type ephemeronName struct {
	pair    string // the name without its leading number: the same for both edges of a pair
	tableID uint64
}

// The expression DevTools uses (HeapSnapshot.tryParseWeakMapEdgeName).
var ephemeronRE = regexp.MustCompile(`^\d+( / part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\))$`)

// parseEphemeronNames finds the WeakMap ephemeron edge names among the
// strings once, so that the analyses running in parallel only read.
func (g *Graph) parseEphemeronNames() {
	st := &g.S.Strings
	g.isEphemeron = newBitset[snapshot.StringID](st.Len())
	g.ephemeron = map[snapshot.StringID]ephemeronName{}
	for id := range snapshot.StringID(st.Len()) {
		name := st.At(id)
		if !strings.Contains(name, " pair in WeakMap (table @") {
			continue
		}
		if m := ephemeronRE.FindStringSubmatch(name); m != nil {
			t, err := strconv.ParseUint(m[2], 10, 64)
			if err != nil {
				t = ^uint64(0) // no node has this id
			}
			g.isEphemeron.set(id)
			g.ephemeron[id] = ephemeronName{pair: m[1], tableID: t}
		}
	}
	g.findEphemeronTables()
}

// findEphemeronTables marks the nodes whose id some ephemeron edge name
// gives as its WeakMap table (g.ephemeronTables; nil when there are none),
// so that the dominator search reads an edge's name only for the edges out
// of those few nodes instead of for every internal edge.
func (g *Graph) findEphemeronTables() {
	ids := map[snapshot.NodeID]bool{}
	var maybe [1 << 10]uint64 // a filter over the low id bits (V8 ids are odd)
	for _, m := range g.ephemeron {
		if m.tableID <= 1<<32-1 {
			id := snapshot.NodeID(m.tableID)
			ids[id] = true
			maybe[id>>7&(1<<10-1)] |= 1 << (id >> 1 & 63)
		}
	}
	if len(ids) == 0 {
		return
	}
	g.ephemeronTables = newBitset[snapshot.Ordinal](g.NodeCount())
	for o, id := range g.S.NodeIDs {
		if maybe[id>>7&(1<<10-1)]&(1<<(id>>1&63)) != 0 && ids[id] {
			g.ephemeronTables.set(snapshot.Ordinal(o))
		}
	}
}

// weakMapEdge returns the parsed ephemeron name of string id, if it is one.
// It is asked for every internal edge; the bitset answers from cache.
func (g *Graph) weakMapEdge(id snapshot.StringID) (ephemeronName, bool) {
	if !g.isEphemeron.has(id) {
		return ephemeronName{}, false
	}
	return g.ephemeron[id], true
}

// calculateDistances is DevTools' calculateDistances with JSHeapSnapshot's
// filter: BFS from the user roots (distance 1), then from the root for the
// rest (system distances ≥ BaseSystemDistance when user roots exist).
func (g *Graph) calculateDistances() {
	s := g.S
	n := s.NodeCount()
	dist := make([]int32, n)
	for i := range dist {
		dist[i] = NoDistance
	}
	queue := make([]snapshot.Ordinal, 0, n)
	// reached mirrors dist[i] != NoDistance: asked once per edge, at random,
	// it answers from cache where dist would not.
	reached := newBitset[snapshot.Ordinal](n)
	r := s.Root
	for e := s.FirstEdge[r]; e < s.FirstEdge[r+1]; e++ {
		to := s.EdgeTo[e]
		if g.isUserRoot(to) {
			dist[to] = 1
			reached.set(to)
			queue = append(queue, to)
		}
	}
	pending := map[string]struct{}{}
	hadUserRoots := len(queue) > 0
	g.bfs(queue, dist, reached, pending)
	if hadUserRoots {
		dist[r] = BaseSystemDistance
	} else {
		dist[r] = 0
	}
	reached.set(r)
	g.bfs(append(queue[:0], r), dist, reached, pending)
	g.Distance = dist
}

func (g *Graph) bfs(queue []snapshot.Ordinal, dist []int32, reached bitset[snapshot.Ordinal], pending map[string]struct{}) {
	s := g.S
	edgeTo, edgeTypes, firstEdge := s.EdgeTo, s.EdgeTypes, s.FirstEdge
	for head := 0; head < len(queue); head++ {
		i := queue[head]
		d := dist[i] + 1
		// The filter only ever drops edges out of hidden and array nodes,
		// and internal (WeakMap) edges.
		nt := s.NodeTypes[i]
		filtered := nt == snapshot.NodeHidden || nt == snapshot.NodeArray
		for e := firstEdge[i]; e < firstEdge[i+1]; e++ {
			t := edgeTypes[e]
			if t == snapshot.EdgeWeak {
				continue
			}
			to := edgeTo[e]
			if reached.has(to) {
				continue
			}
			if (filtered || t == snapshot.EdgeInternal) && !g.distanceFilter(i, e, pending) {
				continue
			}
			dist[to] = d
			reached.set(to)
			queue = append(queue, to)
		}
	}
}

// distanceFilter is the edge filter of JSHeapSnapshot.calculateDistances.
func (g *Graph) distanceFilter(i snapshot.Ordinal, e snapshot.EdgeIndex, pending map[string]struct{}) bool {
	s := g.S
	switch s.NodeTypes[i] {
	case snapshot.NodeHidden:
		if s.EdgeName(e) == "sloppy_function_map" && s.Strings.At(s.NodeNames[i]) == "system / NativeContext" {
			return false
		}
	case snapshot.NodeArray:
		if s.Strings.At(s.NodeNames[i]) == "(map descriptors)" {
			// Descriptor arrays: [0] count, [1] enum cache, then key/type/
			// descriptor triples; skip the descriptor links (crbug 413608).
			index, ok := parseIntPrefix(s.EdgeName(e))
			if !ok {
				return true
			}
			return index < 2 || index%3 != 1
		}
	}
	if s.EdgeTypes[e] == snapshot.EdgeInternal && len(g.ephemeron) > 0 {
		// A WeakMap value has two edges, from the table and from the key:
		// skip the first one met so the distance comes from the second
		// (crbug 1290800).
		if m, ok := g.weakMapEdge(s.EdgeNameID(e)); ok {
			if _, seen := pending[m.pair]; seen {
				delete(pending, m.pair)
			} else {
				pending[m.pair] = struct{}{}
				return false
			}
		}
	}
	return true
}

// parseIntPrefix mimics JavaScript's parseInt(s, 10) for the cases that
// matter here: optional white space and sign, then decimal digits.
func parseIntPrefix(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v int64
	k := 0
	for ; k < len(s) && s[k] >= '0' && s[k] <= '9'; k++ {
		if v < 1<<53 {
			v = v*10 + int64(s[k]-'0')
		}
	}
	if k == 0 {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}
