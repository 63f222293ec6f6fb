package graph_test

import (
	"slices"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/snapshot"
)

// TestIDIndex checks that the index finds every node as the scan does, and
// nothing for ids no node has.
func TestIDIndex(t *testing.T) {
	s, err := snapshot.ReadFile(corpustest.Snapshot("seed-leak-series__node-20.3.1__0"), snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := &graph.Graph{S: s}
	x := graph.NewIDIndex(s)
	if len(x) != s.NodeCount() {
		t.Fatalf("index has %d entries for %d nodes", len(x), s.NodeCount())
	}
	for o, id := range s.NodeIDs {
		got, ok := x.OrdinalOf(id)
		want, wok := g.OrdinalOf(id)
		if !ok || !wok || got != want || s.NodeIDs[got] != id {
			t.Fatalf("@%d (ordinal %d): index says %d, %v; scan says %d, %v", id, o, got, ok, want, wok)
		}
	}
	maxID := slices.Max(s.NodeIDs)
	for _, id := range []snapshot.NodeID{0, maxID + 1, ^snapshot.NodeID(0)} {
		if o, ok := x.OrdinalOf(id); ok {
			t.Errorf("@%d: index found ordinal %d", id, o)
		}
		if o, ok := g.OrdinalOf(id); ok {
			t.Errorf("@%d: scan found ordinal %d", id, o)
		}
	}
	if _, ok := graph.IDIndex(nil).OrdinalOf(1); ok {
		t.Error("an empty index found a node")
	}
}
