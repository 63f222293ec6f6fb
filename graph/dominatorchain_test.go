package graph_test

import (
	"path/filepath"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

func TestDominatorChainDirectEdgesOrdinalOf(t *testing.T) {
	s, err := snapshot.ReadFile(filepath.Join("..", "testdata", "corpus", "seed-leak-series__node-20.3.1__0.heapsnapshot.gz"), snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := graph.Analyze(s, graph.Options{})
	g.BuildDominated()
	if c := g.DominatorChain(s.Root); c != nil {
		t.Errorf("the root's chain is %v", c)
	}
	for i := snapshot.Ordinal(0); int(i) < g.NodeCount(); i += 97 {
		if o, ok := g.OrdinalOf(s.NodeIDs[i]); !ok || o != i {
			t.Fatalf("OrdinalOf(@%d) = %d, %v; want %d", s.NodeIDs[i], o, ok, i)
		}
		c := g.DominatorChain(i)
		if g.IsRoot(i) {
			continue
		}
		if len(c) == 0 || !g.IsRoot(c[0]) || c[len(c)-1] != g.Dominator[i] {
			t.Fatalf("chain of %d = %v: want the root first and %d last", i, c, g.Dominator[i])
		}
		for k := 1; k < len(c); k++ {
			if g.Dominator[c[k]] != c[k-1] {
				t.Fatalf("chain of %d: %d is not dominated by %d", i, c[k], c[k-1])
			}
		}
	}
	if _, ok := g.OrdinalOf(0); ok {
		t.Error("OrdinalOf(0) found a node")
	}
	kids := g.Dominated[g.FirstDominated[s.Root]:g.FirstDominated[s.Root+1]]
	direct := 0
	for k, e := range graph.DirectEdges(s, s.Root, kids) {
		if e == graph.NoEdge {
			continue
		}
		direct++
		if s.EdgeTo[e] != kids[k] || e < s.FirstEdge[s.Root] || e >= s.FirstEdge[s.Root+1] {
			t.Fatalf("edge %d for child %d is not the root's edge to it", e, kids[k])
		}
		if et := s.EdgeTypes[e]; et == snapshot.EdgeWeak || et == snapshot.EdgeInvisible {
			t.Fatalf("edge %d for child %d is %v", e, kids[k], et)
		}
	}
	if direct == 0 {
		t.Error("the root holds none of the objects it dominates directly")
	}
}
