package paths

import (
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

// Runs of hops that look alike, from RunElide hops on, are shortened for
// display to their first and last RunKeep hops.
const (
	RunElide = 6
	RunKeep  = 2
)

// Row is one row of a shortened chain: hop Hop of the chain, or, when
// Elided > 0, a stand-in for the Elided hops from Hop on, which look like
// it.
type Row struct {
	Hop    int
	Elided int
}

// Shorten lays out a chain of n hops for people, as a long linked list
// would otherwise fill screens: each run of at least RunElide hops that
// look alike becomes its first RunKeep hops, a stand-in for the others and
// its last RunKeep hops. alike(j, k) reports whether hop k continues the
// run that starts at hop j (k > j). The JSON reports keep every hop.
func Shorten(n int, alike func(j, k int) bool) []Row {
	out := make([]Row, 0, n)
	for j := 0; j < n; {
		end := j + 1
		for end < n && alike(j, end) {
			end++
		}
		if end-j < RunElide {
			for ; j < end; j++ {
				out = append(out, Row{Hop: j})
			}
			continue
		}
		for k := j; k < j+RunKeep; k++ {
			out = append(out, Row{Hop: k})
		}
		out = append(out, Row{Hop: j + RunKeep, Elided: end - j - 2*RunKeep})
		for k := end - RunKeep; k < end; k++ {
			out = append(out, Row{Hop: k})
		}
		j = end
	}
	return out
}

// NoPathReason says why Shortest found no path to node i of g.
func NoPathReason(g *graph.Graph, i snapshot.Ordinal) string {
	switch {
	case g.IsRoot(i):
		return "this is the root"
	case g.Distance[i] == graph.NoDistance:
		return "no chain of strong references from the roots reaches this object: it is retained only weakly, or only by unreachable objects"
	}
	return "no path found within the search bound"
}
