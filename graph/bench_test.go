package graph_test

import (
	"os"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/snapshot"
)

// BenchmarkAnalyze measures all of DevTools' per-node analyses on a real
// snapshot; set HEAPSCOPE_BENCH_SNAPSHOT to measure a big one.
func BenchmarkAnalyze(b *testing.B) {
	path := os.Getenv("HEAPSCOPE_BENCH_SNAPSHOT")
	if path == "" {
		path = corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")
	}
	s, err := snapshot.ReadFile(path, snapshot.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		graph.Analyze(s, graph.Options{})
	}
	b.ReportMetric(float64(s.NodeCount()), "nodes")
}
