package web

import (
	"cmp"
	"fmt"
	"slices"
	"sync"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// snap is one served snapshot with what the UI asks of it precomputed.
type snap struct {
	index   int
	name    string
	g       *graph.Graph
	totals  summary.Totals
	maxJSID snapshot.NodeID
	// ids finds objects by id for the requests that name one; built on
	// the first such request (8 bytes a node).
	ids func() graph.IDIndex

	// classes are the Summary rows in DevTools' order of first appearance;
	// a class's id in the API is its index here. The instances of class c
	// are inst[first[c]:first[c+1]], in ordinal order.
	classes []summary.Class
	first   []uint32
	inst    []snapshot.Ordinal

	sortMu sync.Mutex
	// orders caches sorted copies of instance lists, by class and order.
	orders     map[orderKey][]snapshot.Ordinal
	orderSlots int // number of ordinals held by orders
}

type orderKey struct {
	class   int
	by      string
	reverse bool
}

// maxOrderSlots bounds the ordinals held by the instance-order cache.
const maxOrderSlots = 1 << 24

func newSnap(index int, name string, g *graph.Graph) (*snap, error) {
	sn := &snap{index: index, name: name, g: g, orders: map[orderKey][]snapshot.Ordinal{}}
	sn.ids = sync.OnceValue(func() graph.IDIndex { return graph.NewIDIndex(g.S) })
	// The retainer index and the dominated lists are the parts of a graph
	// built on demand: build them now, alongside the Summary, so that no
	// request writes the graph.
	built := panicerr.Go("web: retainer index", func() error {
		g.BuildRetainers()
		g.BuildDominated()
		return nil
	})
	sn.classes = summary.Classes(g, nil)
	keys, perNode := summary.NodeKeys(g)
	sn.totals = summary.ComputeTotals(g)
	sn.maxJSID = g.S.MaxJSNodeID()
	if err := <-built; err != nil {
		return nil, err
	}
	if len(keys) != len(sn.classes) {
		return nil, fmt.Errorf("summary has %d classes but %d class keys", len(sn.classes), len(keys))
	}
	for k := range keys {
		if keys[k] != sn.classes[k].Key {
			return nil, fmt.Errorf("summary class %d is %q but its key is %q", k, sn.classes[k].Key, keys[k])
		}
	}
	sn.first = make([]uint32, len(keys)+1)
	for _, c := range perNode {
		if c >= 0 {
			sn.first[c+1]++
		}
	}
	for c := 1; c < len(sn.first); c++ {
		sn.first[c] += sn.first[c-1]
	}
	sn.inst = make([]snapshot.Ordinal, sn.first[len(keys)])
	fill := slices.Clone(sn.first[:len(keys)])
	for i, c := range perNode {
		if c >= 0 {
			sn.inst[fill[c]] = snapshot.Ordinal(i)
			fill[c]++
		}
	}
	return sn, nil
}

// ordinalOf returns the ordinal of the object with id id.
func (sn *snap) ordinalOf(id snapshot.NodeID) (snapshot.Ordinal, bool) { return sn.ids().OrdinalOf(id) }

// instances returns the instances of class c in the order by ("retained",
// "self", "distance" or "id"; see sortNodes), reversed with reverse; the
// slice must not be modified. Sorted lists are cached.
func (sn *snap) instances(c int, by string, reverse bool) []snapshot.Ordinal {
	sn.sortMu.Lock()
	defer sn.sortMu.Unlock()
	key := orderKey{c, by, reverse}
	if o, ok := sn.orders[key]; ok {
		return o
	}
	o := slices.Clone(sn.inst[sn.first[c]:sn.first[c+1]])
	sortNodes(sn.g, o, by, reverse)
	if sn.orderSlots+len(o) > maxOrderSlots {
		clear(sn.orders)
		sn.orderSlots = 0
	}
	sn.orders[key] = o
	sn.orderSlots += len(o)
	return o
}

// sortNodes orders ordinals by a node column: sizes biggest first,
// distances and ids smallest first, ties to the bigger retained size, then
// the smaller id; reverse flips the whole order.
func sortNodes(g *graph.Graph, o []snapshot.Ordinal, by string, reverse bool) {
	ids := g.S.NodeIDs
	tie := func(a, b snapshot.Ordinal) int {
		if c := cmp.Compare(g.Retained[b], g.Retained[a]); c != 0 {
			return c
		}
		return cmp.Compare(ids[a], ids[b])
	}
	var col func(a, b snapshot.Ordinal) int
	switch by {
	case "self":
		col = func(a, b snapshot.Ordinal) int { return cmp.Compare(g.Shallow[b], g.Shallow[a]) }
	case "distance":
		col = func(a, b snapshot.Ordinal) int { return cmp.Compare(g.Distance[a], g.Distance[b]) }
	case "id":
		col = func(a, b snapshot.Ordinal) int { return cmp.Compare(ids[a], ids[b]) }
	default:
		col = func(a, b snapshot.Ordinal) int { return cmp.Compare(g.Retained[b], g.Retained[a]) }
	}
	slices.SortFunc(o, func(a, b snapshot.Ordinal) int {
		if c := col(a, b); c != 0 {
			return c
		}
		return tie(a, b)
	})
	if reverse {
		slices.Reverse(o)
	}
}
