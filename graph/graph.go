// Package graph computes what the Chrome DevTools Memory panel computes for
// every node of a heap snapshot: the retainer index, DOM detachedness,
// page-owned flags, distances from the roots, shallow sizes after DevTools'
// ownership transfer, dominators, retained sizes and class names.
//
// Each algorithm follows DevTools' heap snapshot worker
// (front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts in
// chrome-devtools-frontend), including its traversal orders where results
// depend on them, so that every number equals the one DevTools shows for
// the same file. Where they do not (dominators are unique, whatever the
// algorithm), faster algorithms compute the same numbers; docs/design.md
// lists them. All results are flat per-node arrays indexed by node ordinal.
package graph

import (
	"sync"

	"github.com/heapscope/heapscope/internal/overlap"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/snapshot"
)

// Distance constants, as in DevTools' HeapSnapshotModel.
const (
	// NoDistance marks a node that no path from the root reaches.
	NoDistance = -5
	// BaseSystemDistance is added to the distance of nodes reachable only
	// through system roots (not from a user root such as the global object).
	BaseSystemDistance = 100000000
	// BaseUnreachableDistance sorts unreachable retainers last.
	BaseUnreachableDistance = 2 * BaseSystemDistance
)

// Graph is a snapshot with DevTools' per-node analyses.
type Graph struct {
	S *snapshot.Snapshot

	// Retainer index (CSR): the retainers of node i are the slots
	// FirstRetainer[i] ≤ k < FirstRetainer[i+1]; RetainerEdge[k] is the
	// retaining edge and RetainerNode[k] its source node. Within a node the
	// slots are in the order DevTools' buildRetainers leaves them: reverse
	// (source ordinal, edge) order.
	FirstRetainer []uint32
	RetainerEdge  []snapshot.EdgeIndex
	RetainerNode  []snapshot.Ordinal

	// Detachedness after DevTools' propagation through native nodes. It
	// is the snapshot's own array where the propagation changes nothing.
	Detachedness []snapshot.Detachedness
	// Names is the name string of each node after "Detached " prefixes
	// (string ids as for String).
	Names []snapshot.StringID
	// pageOwned marks nodes reachable from the user globals (and
	// "(Document DOM trees)") over non-weak edges; see IsPageOwned.
	pageOwned bitset[snapshot.Ordinal]
	// Distance from the roots in DevTools' sense (NoDistance if unreachable,
	// ≥ BaseSystemDistance if reachable only through system roots).
	Distance []int32
	// Shallow is the self size after DevTools' ownership transfer: hidden and
	// array nodes owned by exactly one object move their size to it.
	Shallow []uint64
	// Dominator is the immediate dominator's ordinal (the root's is itself).
	Dominator []snapshot.Ordinal
	// Retained is the retained size.
	Retained []uint64
	// DominatorPreorder lists the nodes in a preorder of the dominator tree
	// (the root first); the subtree of the node at position k takes positions
	// k ≤ j < DominatorSubtreeEnd[k]. So a node dominates another exactly
	// when the other's position falls in its range.
	DominatorPreorder   []snapshot.Ordinal
	DominatorSubtreeEnd []uint32
	// FirstDominated/Dominated list the children of each node in the
	// dominator tree, in ordinal order (CSR, like the retainer index); built
	// on demand by BuildDominated.
	FirstDominated []uint32
	Dominated      []snapshot.Ordinal
	// Class is the class-name string of each node (string ids as for String).
	Class []snapshot.StringID
	// Interfaces are the inferred plain-object interface definitions, most
	// popular first.
	Interfaces []Interface

	// Unreachable counts nodes DevTools reports as unreachable from
	// the root (retained only weakly, or only by each other).
	Unreachable int

	// oneRetainer marks the nodes exactly one edge points to.
	oneRetainer bitset[snapshot.Ordinal]
	scripts     scriptIndex
	traceOnce   sync.Once
	traceByID   map[uint32]int32 // trace-tree node id → index in S.TraceTree

	retainersOnce sync.Once // BuildRetainers
	dominatedOnce sync.Once // BuildDominated

	extra       []string                  // strings added by the analyses
	locByNode   []LocatedNode             // sorted by node: the location of an object
	isEphemeron bitset[snapshot.StringID] // WeakMap ephemeron edge names
	// ephemeronTables marks the WeakMap tables that ephemeron names give
	// (nil when there are none).
	ephemeronTables bitset[snapshot.Ordinal]
	ephemeron       map[snapshot.StringID]ephemeronName
}

// Interface is an inferred plain-object shape, named like "{a, b, c}".
type Interface struct {
	Name       string
	Properties []string
}

// Options controls Analyze.
type Options struct {
	// Phase, if set, is called as each analysis phase starts.
	Phase func(name string)
	// Overlap, if set, runs once distances, shallow sizes and class names
	// are ready, while the dominator tree (Dominator, Retained) is still
	// being built on another goroutine, so that work needing only the
	// former overlaps it; Analyze returns when both are done. Its type is
	// internal to this module: package load sets it (see load.Summary).
	Overlap *overlap.Hook[*Graph]
	// Interfaces, if not nil, names plain objects after these definitions
	// (another snapshot's Graph.Interfaces, to compare like with like)
	// instead of inferring them from this snapshot.
	Interfaces []Interface
	// SkipDistances leaves Distance nil, for callers that need no
	// distances (a reduced earlier snapshot of a series).
	SkipDistances bool
}

// Analyze runs all of DevTools' per-node analyses on s, in DevTools' order.
func Analyze(s *snapshot.Snapshot, opt Options) *Graph {
	phase := func(string) {}
	if opt.Phase != nil {
		phase = opt.Phase
	}
	g := &analyzer{Graph: &Graph{S: s}, extraIdx: map[string]snapshot.StringID{}}
	g.shallowDone.Add(1)
	g.inDegreeDone.Add(1)
	g.lateDone.Add(1)
	g.late = make([]uint64, s.NodeCount()+1)
	g.parseEphemeronNames()
	// Two independent chains, one per core: the dominator tree needs the
	// page-owned flags, then the in-degrees and (at its very end) the
	// shallow sizes, which the other chain computes first; distances and
	// class names need the DOM state.
	dominators := panicerr.Go("graph: dominator tree", func() error {
		g.buildDominators()
		return nil
	})
	g.countInDegrees()
	g.inDegreeDone.Done()
	faultIn(g.late)
	g.lateDone.Done()
	phase("propagating DOM state")
	g.propagateDOMState()
	phase("calculating shallow sizes")
	g.calculateShallowSizes()
	g.shallowDone.Done()
	if !opt.SkipDistances {
		phase("calculating distances")
		g.calculateDistances()
	}
	phase("naming classes")
	g.buildLocationIndex()
	g.calculateClassNames()
	g.Interfaces = opt.Interfaces
	if g.Interfaces == nil {
		g.Interfaces = g.inferInterfaces()
	}
	applyInterfaces(g.Graph, g.Class, g.Interfaces, g.addStringUnique)
	opt.Overlap.Run(g.Graph)
	phase("finishing the dominator tree")
	// A panic in the dominator chain is raised again here, in the
	// caller's goroutine, whose own recover reports it.
	panicerr.Raise(<-dominators)
	return g.Graph
}

// analyzer is a Graph under construction, with the state that only
// Analyze needs: when it returns, the Graph holds plain results that
// goroutines may share without a lock.
type analyzer struct {
	*Graph
	shallowDone sync.WaitGroup // Shallow is ready
	// inDegree[i+1] counts the edges into node i (all of them); the
	// dominator tree turns it into its predecessor index.
	inDegree     []uint32
	inDegreeDone sync.WaitGroup
	// late is the dominator chain's array for semidominators, then
	// retained sizes, which it needs only after its search. It is allocated
	// up front so that the other chain, which has time to spare, faults its
	// pages in meanwhile (lateDone): 100 MiB for 13 M nodes, about 40 ms of
	// the kernel's time off the critical path.
	late     []uint64
	lateDone sync.WaitGroup
	extraIdx map[string]snapshot.StringID // dedup of extra, as DevTools' getIndexForString
}

// NodeCount returns the number of nodes.
func (g *Graph) NodeCount() int { return g.S.NodeCount() }

// String returns a string by id: snapshot strings first, then the strings
// the analyses added (class names such as "(system)" or "Detached <div>").
func (g *Graph) String(id snapshot.StringID) string {
	n := snapshot.StringID(g.S.Strings.Len())
	if id < n {
		return g.S.Strings.At(id)
	}
	return g.extra[id-n]
}

// addString interns s among the added strings, like DevTools'
// getIndexForString: added strings are not deduplicated against the
// snapshot's own strings.
func (g *analyzer) addString(s string) snapshot.StringID {
	if id, ok := g.extraIdx[s]; ok {
		return id
	}
	id := snapshot.StringID(g.S.Strings.Len() + len(g.extra))
	g.extra = append(g.extra, s)
	g.extraIdx[s] = id
	return id
}

// addStringUnique appends s without deduplication, as DevTools' addString.
func (g *analyzer) addStringUnique(s string) snapshot.StringID {
	id := snapshot.StringID(g.S.Strings.Len() + len(g.extra))
	g.extra = append(g.extra, s)
	return id
}

// IsPageOwned reports whether node i is reachable from the user globals
// (and "(Document DOM trees)") over non-weak edges: DevTools' page-owned
// flag, which decides essential edges.
func (g *Graph) IsPageOwned(i snapshot.Ordinal) bool { return g.pageOwned.has(i) }

// HasOneRetainer reports whether exactly one edge (of any type) points to
// node i: DevTools' test for an array's elements store that belongs to the
// array alone.
func (g *Graph) HasOneRetainer(i snapshot.Ordinal) bool { return g.oneRetainer.has(i) }

// ClassName returns the class name of node i.
func (g *Graph) ClassName(i snapshot.Ordinal) string { return g.String(g.Class[i]) }

// Name returns the name of node i (with a "Detached " prefix where DevTools
// adds one).
func (g *Graph) Name(i snapshot.Ordinal) string { return g.String(g.Names[i]) }

// IsRoot reports whether i is the synthetic root.
func (g *Graph) IsRoot(i snapshot.Ordinal) bool { return i == g.S.Root }

// isUserRoot is DevTools' JSHeapSnapshot.isUserRoot: a child of the root
// that is not synthetic, or is the synthetic "(Document DOM trees)".
func (g *Graph) isUserRoot(i snapshot.Ordinal) bool {
	s := g.S
	if s.NodeTypes[i] != snapshot.NodeSynthetic {
		return true
	}
	return s.Strings.At(s.NodeNames[i]) == "(Document DOM trees)"
}

func (g *Graph) isDocumentDOMTreesRoot(i snapshot.Ordinal) bool {
	s := g.S
	return s.NodeTypes[i] == snapshot.NodeSynthetic && s.Strings.At(s.NodeNames[i]) == "(Document DOM trees)"
}

// HasUserRoots reports whether the root has a user root child. Snapshots
// taken with exposeInternals (and Chromium's) have none; DevTools then skips
// the shallow-size transfer and counts distances from the root.
func (g *Graph) HasUserRoots() bool {
	s := g.S
	r := s.Root
	for e := s.FirstEdge[r]; e < s.FirstEdge[r+1]; e++ {
		if g.isUserRoot(s.EdgeTo[e]) {
			return true
		}
	}
	return false
}

// BuildRetainers builds the retainer index (FirstRetainer, RetainerEdge,
// RetainerNode) if it is not built yet. Analyze does not need it; retainer
// paths and the Retainers view do. It is safe to call concurrently: the
// index is built once, and every caller returns once it is.
func (g *Graph) BuildRetainers() { g.retainersOnce.Do(g.buildRetainers) }

func (g *Graph) buildRetainers() {
	s := g.S
	n, m := s.NodeCount(), s.EdgeCount()
	first := make([]uint32, n+1)
	for _, to := range s.EdgeTo {
		first[to]++
	}
	var sum uint32
	for i := 0; i < n; i++ {
		c := first[i]
		first[i] = sum
		sum += c
	}
	first[n] = sum
	redge := make([]snapshot.EdgeIndex, m)
	rnode := make([]snapshot.Ordinal, m)
	// Fill each node's slots from the end, as DevTools does, so retainers
	// come out in reverse (source, edge) order. fill[i] counts down.
	fill := make([]uint32, n)
	copy(fill, first[1:])
	for src := range snapshot.Ordinal(n) {
		for e := s.FirstEdge[src]; e < s.FirstEdge[src+1]; e++ {
			to := s.EdgeTo[e]
			fill[to]--
			k := fill[to]
			redge[k] = e
			rnode[k] = src
		}
	}
	g.FirstRetainer, g.RetainerEdge, g.RetainerNode = first, redge, rnode
}

// Retainers returns the retainer slots of node i; see BuildRetainers.
func (g *Graph) Retainers(i snapshot.Ordinal) (from, to uint32) {
	g.BuildRetainers()
	return g.FirstRetainer[i], g.FirstRetainer[i+1]
}
