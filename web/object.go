package web

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/snapshot"
)

// Name lengths, in bytes: lists cut long names (strings are names), the
// object page shows more.
const (
	listNameLen   = 300
	objectNameLen = 10000
)

// ref describes node i of sn for the API: object.Full, strings as a
// browser should get them, the name cut to nameLen bytes.
func ref(sn *snap, i snapshot.Ordinal, nameLen int) object.Ref {
	return object.New(sn.g, i, object.Full).Displayed(nameLen)
}

// refPage is the page [lo, hi) of the objects nodes of sn.
func refPage(sn *snap, nodes []snapshot.Ordinal, lo, hi int) Page[object.Ref] {
	out := Page[object.Ref]{Total: len(nodes), Offset: lo, Items: []object.Ref{}}
	for _, o := range nodes[lo:hi] {
		out.Items = append(out.Items, ref(sn, o, listNameLen))
	}
	return out
}

// Edge is a reference: its kind, its label as DevTools writes it (".name",
// "[0]", "->context", "{internal}", "[[weak]]") and the object at its other
// end (the target for edges, the source for retainers).
type Edge struct {
	Type string     `json:"type"`
	Name string     `json:"name"`
	Node object.Ref `json:"node"`
}

func newEdge(sn *snap, e snapshot.EdgeIndex, other snapshot.Ordinal) Edge {
	return Edge{
		Type: sn.g.S.EdgeTypes[e].String(),
		Name: object.Cut(snapshot.Display(graph.EdgeLabel(sn.g.S, e)), listNameLen),
		Node: ref(sn, other, listNameLen),
	}
}

// --- /api/snapshots/{s}/objects/{id}

// chainHead and chainTail bound the dominator chain an object page shows:
// the first hops from the root and the last hops above the object.
const (
	chainHead = 8
	chainTail = 40
)

// dominatorChain is the dominator chain of an object page.
type dominatorChain struct {
	// Depth is the number of dominators above the object.
	Depth int `json:"depth"`
	// Head are the dominators nearest to the root (root first), Tail those
	// nearest to the object; Elided counts those between.
	Head   []object.Ref `json:"head"`
	Elided int          `json:"elided"`
	Tail   []object.Ref `json:"tail"`
}

func (s *Server) apiObject(w http.ResponseWriter, r *http.Request) (any, error) {
	sn, o, err := s.objectParams(r)
	if err != nil {
		return nil, err
	}
	g := sn.g
	out := struct {
		Snapshot        int              `json:"snapshot"`
		Node            object.Ref       `json:"node"`
		Retainers       uint32           `json:"retainers"`
		Detachedness    string           `json:"detachedness"`
		Location        *object.Location `json:"location"`
		AllocationStack []graph.Frame    `json:"allocationStack"`
		Dominators      dominatorChain   `json:"dominators"`
	}{Snapshot: sn.index, Node: ref(sn, o, objectNameLen)}
	from, to := g.Retainers(o)
	out.Retainers = to - from
	out.Detachedness = "unknown"
	if g.Detachedness != nil {
		switch g.Detachedness[o] {
		case snapshot.Attached:
			out.Detachedness = "attached"
		case snapshot.Detached:
			out.Detachedness = "detached"
		}
	}
	if l, ok := object.At(g, o); ok {
		l = l.Displayed()
		out.Location = &l
	}
	out.AllocationStack = g.AllocationStack(o)
	if out.AllocationStack == nil {
		out.AllocationStack = []graph.Frame{}
	}
	doms := g.DominatorChain(o)
	ch := dominatorChain{Depth: len(doms), Head: []object.Ref{}, Tail: []object.Ref{}}
	head, tail := doms, []snapshot.Ordinal(nil)
	if len(doms) > chainHead+chainTail {
		head, tail = doms[:chainHead], doms[len(doms)-chainTail:]
		ch.Elided = len(doms) - chainHead - chainTail
	}
	for _, i := range head {
		ch.Head = append(ch.Head, ref(sn, i, listNameLen))
	}
	for _, i := range tail {
		ch.Tail = append(ch.Tail, ref(sn, i, listNameLen))
	}
	out.Dominators = ch
	return out, nil
}

// --- /api/snapshots/{s}/objects/{id}/edges

func (s *Server) apiEdges(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.objectPage(r, func(sn *snap, o snapshot.Ordinal, offset, limit int) (any, error) {
		st := sn.g.S
		first, n := int(st.FirstEdge[o]), int(st.FirstEdge[o+1]-st.FirstEdge[o])
		lo, hi := window(n, offset, limit)
		out := Page[Edge]{Total: n, Offset: lo, Items: []Edge{}}
		for k := lo; k < hi; k++ {
			e := snapshot.EdgeIndex(first + k)
			out.Items = append(out.Items, newEdge(sn, e, st.EdgeTo[e]))
		}
		return out, nil
	})
}

// --- /api/snapshots/{s}/objects/{id}/retainers

// maxSortedRetainers bounds the retainer lists sorted by distance; longer
// ones (the undefined value, say) are listed in snapshot order.
const maxSortedRetainers = 1 << 20

func (s *Server) apiRetainers(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.objectPage(r, func(sn *snap, o snapshot.Ordinal, offset, limit int) (any, error) {
		g := sn.g
		from, to := g.Retainers(o)
		n := int(to - from)
		slots := make([]uint32, 0, n)
		for k := from; k < to; k++ {
			slots = append(slots, k)
		}
		if n <= maxSortedRetainers {
			// DevTools lists retainers nearest to the roots first.
			slices.SortStableFunc(slots, func(a, b uint32) int {
				return cmp.Compare(g.Distance[g.RetainerNode[a]], g.Distance[g.RetainerNode[b]])
			})
		}
		lo, hi := window(n, offset, limit)
		out := Page[Edge]{Total: n, Offset: lo, Items: []Edge{}}
		for _, k := range slots[lo:hi] {
			out.Items = append(out.Items, newEdge(sn, g.RetainerEdge[k], g.RetainerNode[k]))
		}
		return out, nil
	})
}
