package web

import (
	"net/http"
	"slices"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// Hop is one step of a retainer path, or a child in the dominator tree: the
// edge from the previous hop or the dominator ("" for a path's first hop,
// and for a child its dominator does not hold directly) and the object. A
// hop with Elided > 0 stands for that many hops like it, itself the first
// (a run of a long linked list folded; see paths.Shorten); its Edge is the
// run's edge shape ("[n]") when the edges differ.
//
// The API nests the object under "node", where the CLI's object.Hop has
// its fields inline: the UI reads hops and edges alike.
type Hop struct {
	Edge   string     `json:"edge"`
	Node   object.Ref `json:"node"`
	Elided int        `json:"elided,omitempty"`
}

// edgeLabel is edge e as the API shows it; "" for paths.NoEdge.
func edgeLabel(g *graph.Graph, e snapshot.EdgeIndex) string {
	if e == paths.NoEdge {
		return ""
	}
	return snapshot.Display(graph.EdgeLabel(g.S, e))
}

// --- /api/snapshots/{s}/objects/{id}/paths

func (s *Server) apiPaths(w http.ResponseWriter, r *http.Request) (any, error) {
	if _, err := s.snapParam(r, "s"); err != nil {
		return nil, err
	}
	k, err := intParam(r, "k", 3, 1, 20)
	if err != nil {
		return nil, err
	}
	sn, o, err := s.objectParams(r)
	if err != nil {
		return nil, err
	}
	ps := paths.Shortest(sn.g, o, k, paths.Options{All: boolParam(r, "all")})
	out := struct {
		Paths [][]Hop `json:"paths"`
		// Note says why there is no path.
		Note string `json:"note,omitempty"`
	}{Paths: [][]Hop{}}
	for _, p := range ps {
		out.Paths = append(out.Paths, hops(sn, p))
	}
	if len(ps) == 0 {
		out.Note = paths.NoPathReason(sn.g, o)
	}
	return out, nil
}

// hops turns a path into API hops, folding runs of hops alike (same class,
// edges of the same shape: object.Chain.Alike) as paths.Shorten does: a
// run keeps its first and last hop, and the hop between stands for the
// Elided hops it folds. The object is never folded.
func hops(sn *snap, p paths.Path) []Hop {
	g := sn.g
	labels := make([]string, len(p))
	for k, h := range p {
		labels[k] = edgeLabel(g, h.Edge)
	}
	alike := func(j, k int) bool {
		return k != len(p)-1 && g.Class[p[j].Node] == g.Class[p[k].Node] &&
			(labels[j] == labels[k] || object.EdgeShape(labels[j]) == object.EdgeShape(labels[k]))
	}
	out := []Hop{}
	for _, row := range paths.Shorten(len(p), alike, 0, nil) {
		h := Hop{Edge: labels[row.Hop], Node: ref(sn, p[row.Hop].Node, listNameLen)}
		if row.Folded() {
			h.Elided = row.N
			if labels[row.Hop+row.N-1] != h.Edge {
				h.Edge = object.EdgeShape(h.Edge)
			}
		}
		out = append(out, h)
	}
	return out
}

// --- /api/snapshots/{s}/objects/{id}/dominated

func (s *Server) apiDominated(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.objectPage(r, func(sn *snap, o snapshot.Ordinal, offset, limit int) (any, error) {
		g := sn.g
		kids := slices.Clone(g.Dominated[g.FirstDominated[o]:g.FirstDominated[o+1]])
		sortNodes(g, kids, "retained", false)
		lo, hi := window(len(kids), offset, limit)
		shown := kids[lo:hi]
		edges := graph.DirectEdges(g.S, o, shown)
		out := Page[Hop]{Total: len(kids), Offset: lo, Items: []Hop{}}
		for k, c := range shown {
			out.Items = append(out.Items, Hop{Edge: edgeLabel(g, edges[k]), Node: ref(sn, c, listNameLen)})
		}
		return out, nil
	})
}
