package graph

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/snapshot"
)

// markPageOwnedPlain is DevTools' markPageOwnedNodes as written: a search of
// its own from the page-owned roots over edges that are not weak. The
// dominator search computes the flags as a by-product; this is the
// reference it is checked against.
func markPageOwnedPlain(g *Graph) bitset[snapshot.Ordinal] {
	s := g.S
	owned := newBitset[snapshot.Ordinal](s.NodeCount())
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
	for _, f := range corpustest.Glob(t, pattern, extra) {
		// Each graph is kept for the next test that needs it (tests only
		// read graphs; BuildDominated is idempotent).
		check(filepath.Base(f), corpustest.Analysed(t, f, func(s *snapshot.Snapshot) *Graph { return Analyze(s, Options{}) }))
	}
}

func countBits(b bitset[snapshot.Ordinal]) int {
	n := 0
	for _, w := range b {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// TestRetainerCountsAndEphemeronTables checks HasOneRetainer against a count
// of the edges into each node, and the WeakMap tables the dominator search
// looks names up for against the ids the ephemeron edge names give, on every
// corpus snapshot (some hold WeakMap entries, some none).
func TestRetainerCountsAndEphemeronTables(t *testing.T) {
	withTables := 0
	forCorpus(t, "*.heapsnapshot.gz", true, func(f string, g *Graph) {
		s := g.S
		in := make([]int, s.NodeCount())
		for _, to := range s.EdgeTo {
			in[to]++
		}
		ones := 0
		for o, c := range in {
			if g.HasOneRetainer(snapshot.Ordinal(o)) != (c == 1) {
				t.Fatalf("%s: node %d has %d retainers, HasOneRetainer says %v", f, o, c, g.HasOneRetainer(snapshot.Ordinal(o)))
			}
			if c == 1 {
				ones++
			}
		}
		if ones == 0 {
			t.Errorf("%s: no node with exactly one retainer", f)
		}

		tableIDs := map[uint64]bool{}
		for e := range s.EdgeTo {
			if s.EdgeTypes[e] != snapshot.EdgeInternal {
				continue
			}
			if m := ephemeronRE.FindStringSubmatch(s.EdgeName(snapshot.EdgeIndex(e))); m != nil {
				id, _ := strconv.ParseUint(m[2], 10, 64)
				tableIDs[id] = true
			}
		}
		marked := 0
		for o, id := range s.NodeIDs {
			want := tableIDs[uint64(id)]
			got := g.ephemeronTables != nil && g.ephemeronTables.has(snapshot.Ordinal(o))
			if got != want {
				t.Fatalf("%s: node %d (id %d): marked as WeakMap table %v, want %v", f, o, id, got, want)
			}
			if want {
				marked++
			}
		}
		if (g.ephemeronTables == nil) != (marked == 0) {
			t.Errorf("%s: %d WeakMap tables but ephemeronTables nil = %v", f, marked, g.ephemeronTables == nil)
		}
		if marked > 0 {
			withTables++
		}
	})
	if withTables == 0 {
		t.Error("no corpus snapshot has WeakMap tables: the name lookup path goes untested")
	}
}
