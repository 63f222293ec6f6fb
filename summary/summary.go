// Package summary computes the aggregates of the Chrome DevTools Memory
// panel from an analysed heap graph: the Summary view (one row per class:
// count, distance, shallow and retained size), the Statistics view and the
// snapshot totals.
package summary

import (
	"math"
	"sort"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/overlap"
	"github.com/heapscope/heapscope/snapshot"
)

// Class is one row of the Summary view.
type Class struct {
	// Key identifies the class across snapshots as DevTools keys it:
	// ",Name", or "scriptId,line,column,Name" for objects whose constructor
	// has a source location (same-named constructors from different places
	// are different rows).
	Key      string `json:"key"`
	Name     string `json:"name"`
	Count    int    `json:"count"`
	Distance int32  `json:"distance"`
	Self     uint64 `json:"self"`
	Retained uint64 `json:"retained"`
	// Location is the constructor's location for location-keyed classes.
	Location *snapshot.Location `json:"-"`
}

// Statistics is DevTools' Statistics view.
type Statistics struct {
	Total  uint64 `json:"total"`
	Native struct {
		Total       uint64 `json:"total"`
		TypedArrays uint64 `json:"typedArrays"`
	} `json:"native"`
	V8Heap struct {
		Total    uint64 `json:"total"`
		Code     uint64 `json:"code"`
		JSArrays uint64 `json:"jsArrays"`
		Strings  uint64 `json:"strings"`
		System   uint64 `json:"system"`
	} `json:"v8heap"`
}

// Totals are the snapshot-wide numbers of the Summary header.
type Totals struct {
	NodeCount        int    `json:"nodeCount"`
	EdgeCount        int    `json:"edgeCount"`
	RootRetainedSize uint64 `json:"rootRetainedSize"`
	// TotalSize is what DevTools shows as the snapshot size: the root's
	// retained size plus extra_native_bytes.
	TotalSize        uint64     `json:"totalSize"`
	SumRawSelfSize   uint64     `json:"sumRawSelfSize"`
	NodesUnreachable int        `json:"nodesUnreachable"`
	SystemDistance   int        `json:"nodesWithSystemDistance"`
	Statistics       Statistics `json:"statistics"`
}

// ComputeTotals returns the totals and statistics of g.
func ComputeTotals(g *graph.Graph) Totals {
	t := totalsBeforeDominators(g)
	t.finish(treeOf(g))
	return t
}

// totalsBeforeDominators computes the totals except what needs the root's
// retained size.
func totalsBeforeDominators(g *graph.Graph) Totals {
	s := g.S
	t := Totals{NodeCount: s.NodeCount(), EdgeCount: s.EdgeCount()}
	for i := range s.NodeIDs {
		t.SumRawSelfSize += s.SelfSize(snapshot.Ordinal(i))
	}
	for _, d := range g.Distance {
		switch {
		case d == graph.NoDistance:
			t.NodesUnreachable++
		case d >= graph.BaseSystemDistance:
			t.SystemDistance++
		}
	}
	t.Statistics = computeStatistics(g)
	return t
}

// finish adds what needs the root's retained size.
func (t *Totals) finish(d dominatorTree) {
	t.RootRetainedSize = d.retained[d.root]
	t.TotalSize = t.RootRetainedSize + d.extraNative
	t.Statistics.Total = t.TotalSize
	t.Statistics.V8Heap.Total = t.TotalSize - t.Statistics.Native.Total
}

// computeStatistics is JSHeapSnapshot.calculateStatistics, on shallow sizes
// after the ownership transfer, except the two totals that need the root's
// retained size (Totals.finish).
func computeStatistics(g *graph.Graph) Statistics {
	s := g.S
	var st Statistics
	native := s.ExtraNativeBytes
	var arrays []snapshot.Ordinal
	for i := range s.NodeIDs {
		o := snapshot.Ordinal(i)
		size := g.Shallow[o]
		switch s.NodeTypes[o] {
		case snapshot.NodeHidden:
			st.V8Heap.System += size
		case snapshot.NodeNative:
			native += size
			if s.Name(o) == "system / JSArrayBufferData" {
				st.Native.TypedArrays += size
			}
		case snapshot.NodeCode:
			st.V8Heap.Code += size
		case snapshot.NodeString, snapshot.NodeConsString, snapshot.NodeSlicedString:
			st.V8Heap.Strings += size
		default:
			if s.Name(o) == "Array" {
				arrays = append(arrays, o)
			}
		}
	}
	st.V8Heap.JSArrays = arraysSize(g, arrays)
	st.Native.Total = native
	return st
}

// arraysSize sums the shallow sizes of the arrays plus each one's elements
// store where the array is the store's only retainer.
func arraysSize(g *graph.Graph, arrays []snapshot.Ordinal) uint64 {
	s := g.S
	var size uint64
	for _, o := range arrays {
		size += g.Shallow[o]
		for e := s.FirstEdge[o]; e < s.FirstEdge[o+1]; e++ {
			if s.EdgeTypes[e] == snapshot.EdgeInternal && s.Strings.At(s.EdgeNameID(e)) == "elements" {
				if el := s.EdgeTo[e]; g.HasOneRetainer(el) {
					size += g.Shallow[el]
				}
				break
			}
		}
	}
	return size
}

// Classes returns the Summary view: one row per DevTools class key, for the
// nodes that pass filter (nil for all). Nodes whose shallow size is 0 are
// not counted, as in DevTools. Rows come in DevTools' order of first
// appearance; use Sort to order them.
func Classes(g *graph.Graph, filter func(snapshot.Ordinal) bool) []Class {
	rows, _ := ClassesByNode(g, filter)
	return rows
}

// ClassesByNode is Classes that also returns each node's row (-1 for the
// nodes the Summary does not count), as NodeKeys does, from one pass.
func ClassesByNode(g *graph.Graph, filter func(snapshot.Ordinal) bool) ([]Class, []int32) {
	return ClassesByNodeAs(g, g.OwnClasses(), filter)
}

// ClassesByNodeAs is ClassesByNode with g's nodes classified as cl (from
// g.Reclassify: DevTools' Comparison view keys a base snapshot with the
// target's interface definitions) instead of g's own classes.
func ClassesByNodeAs(g *graph.Graph, cl *graph.Classes, filter func(snapshot.Ordinal) bool) ([]Class, []int32) {
	rows, perNode := classesBeforeDominators(g, cl, filter)
	classRetained(treeOf(g), perNode, rows)
	return rows, perNode
}

// classesBeforeDominators is ClassesByNodeAs without the retained sizes.
func classesBeforeDominators(g *graph.Graph, cl *graph.Classes, filter func(snapshot.Ordinal) bool) ([]Class, []int32) {
	rows, perNode := index(g, cl, filter)
	for k := range rows {
		rows[k].Distance = math.MaxInt32
	}
	dist := g.Distance // nil without distances
	for i, a := range perNode {
		if a < 0 {
			continue
		}
		r := &rows[a]
		r.Count++
		r.Self += g.Shallow[i]
		if dist != nil {
			r.Distance = min(r.Distance, dist[i])
		}
	}
	return rows, perNode
}

// Pending is the Summary view and the totals of a graph whose dominator
// tree may not be built yet: Begin computes all that does not need it, so
// that, called from graph.Options.Overlap, that work overlaps the dominator
// tree; Finish, once the graph is analysed, adds the rest. Only package
// load makes one (load.Summary).
type Pending struct {
	rows    []Class
	perNode []int32
	totals  Totals
	tree    dominatorTree // set by Detach
}

// dominatorTree is what the Summary needs of a graph once the rows are
// begun: the dominator tree's preorder layout and the retained sizes.
type dominatorTree struct {
	order       []snapshot.Ordinal
	end         []uint32
	retained    []uint64
	root        snapshot.Ordinal
	extraNative uint64
}

func treeOf(g *graph.Graph) dominatorTree {
	return dominatorTree{g.DominatorPreorder, g.DominatorSubtreeEnd, g.Retained, g.S.Root, g.S.ExtraNativeBytes}
}

// Begin computes the Summary rows (without retained sizes) and the totals
// (without the root's retained size) of g; it reads only distances,
// shallow sizes and class names. On a graph without distances
// (graph.Options.SkipDistances) the distance columns stay unset. The key,
// internal to this module, keeps Begin for package load.
func Begin(_ overlap.Key, g *graph.Graph) *Pending {
	p := &Pending{totals: totalsBeforeDominators(g)}
	p.rows, p.perNode = classesBeforeDominators(g, g.OwnClasses(), nil)
	return p
}

// Finish completes p on the fully analysed g: the rows as ClassesByNode
// returns them (all nodes) and the totals as ComputeTotals does. Call it
// once: it adds the retained sizes to the rows.
func (p *Pending) Finish(g *graph.Graph) ([]Class, []int32, Totals) {
	p.Detach(g)
	return p.Result()
}

// Detach keeps in p the little that Result needs of the fully analysed g
// (the dominator tree's preorder layout and the retained sizes: a tenth of
// the graph), so that a caller done with g can drop it and let its memory
// go while Result completes the Summary.
func (p *Pending) Detach(g *graph.Graph) { p.tree = treeOf(g) }

// Result is Finish for a detached p. Call it once.
func (p *Pending) Result() ([]Class, []int32, Totals) {
	classRetained(p.tree, p.perNode, p.rows)
	p.totals.finish(p.tree)
	p.tree = dominatorTree{}
	return p.rows, p.perNode, p.totals
}

// classRetained adds to each class the retained sizes of its instances that
// have no instance of the same class above them in the dominator tree
// (DevTools' calculateClassesRetainedSize). DevTools walks the tree marking
// the classes on the current path; walking its preorder instead, an
// instance lies below another of its class exactly when it falls in the
// subtree range of the last one counted.
func classRetained(d dominatorTree, agg []int32, rows []Class) {
	openEnd := make([]uint32, len(rows)) // end of the last counted instance's subtree
	for k, o := range d.order {
		a := agg[o]
		if a < 0 || uint32(k) < openEnd[a] {
			continue
		}
		rows[a].Retained += d.retained[o]
		openEnd[a] = d.end[k]
	}
}

// SortBy names a Summary order.
type SortBy string

// The Summary orders.
const (
	ByRetained SortBy = "retained"
	BySelf     SortBy = "self"
	ByCount    SortBy = "count"
	ByDistance SortBy = "distance"
)

// Sort orders rows by the given column, biggest first (smallest distance
// first), breaking ties like the oracle: retained, self, name, key.
func Sort(rows []Class, by SortBy) {
	tie := func(a, b *Class) bool {
		if a.Retained != b.Retained {
			return a.Retained > b.Retained
		}
		if a.Self != b.Self {
			return a.Self > b.Self
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Key < b.Key
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		switch by {
		case BySelf:
			if a.Self != b.Self {
				return a.Self > b.Self
			}
		case ByCount:
			if a.Count != b.Count {
				return a.Count > b.Count
			}
		case ByDistance:
			if a.Distance != b.Distance {
				return a.Distance < b.Distance
			}
		}
		return tie(a, b)
	})
}
