package graph

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/heapscope/heapscope/snapshot"
)

// markPageOwnedPlain is DevTools' markPageOwnedNodes as written: a search of
// its own from the page-owned roots over edges that are not weak. The
// dominator search computes the flags as a by-product; this is the
// reference it is checked against.
func markPageOwnedPlain(g *Graph) bitset {
	s := g.S
	owned := newBitset(s.NodeCount())
	stack := g.pageOwnedRoots()
	for _, r := range stack {
		owned.set(r)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			to := s.EdgeTo[e]
			if owned.has(to) || s.EdgeTypes[e] == snapshot.EdgeWeak {
				continue
			}
			stack = append(stack, to)
			owned.set(to)
		}
	}
	return owned
}

// TestPageOwnedByDominatorSearch checks the page-owned flags that the
// dominator search derives against the plain search, on every snapshot of
// the project's corpus (Node.js 16–26 and Chromium; those with WeakMaps and
// DOM trees included) and HEAPSCOPE_EXTRA_CORPUS.
func TestPageOwnedByDominatorSearch(t *testing.T) {
	forCorpus(t, "*.heapsnapshot.gz", true, func(f string, g *Graph) {
		want := markPageOwnedPlain(g)
		if !slices.Equal(g.pageOwned, want) {
			t.Errorf("%s: page-owned flags differ from DevTools' search", f)
		}
		if n := countBits(want); n == 0 && len(g.pageOwnedRoots()) > 0 {
			t.Errorf("%s: no page-owned node despite page-owned roots", f)
		}
	})
}

// forCorpus analyses the project's corpus snapshots matching pattern (and,
// with extra, those of HEAPSCOPE_EXTRA_CORPUS) and calls check with each
// file's name and graph.
func forCorpus(t *testing.T, pattern string, extra bool, check func(name string, g *Graph)) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("../testdata/corpus", pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("project corpus missing: %v", err)
	}
	if dir := os.Getenv("HEAPSCOPE_EXTRA_CORPUS"); extra && dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, pattern))
		files = append(files, more...)
	}
	for _, f := range files {
		s, err := snapshot.ReadFile(f, snapshot.Options{})
		if err != nil {
			t.Fatal(err)
		}
		check(filepath.Base(f), Analyze(s, Options{}))
	}
}

func countBits(b bitset) int {
	n := 0
	for _, w := range b {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}
