package paths

import (
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

// RunFold is the shortest run of hops that look alike that Shorten folds:
// the run's first hop, one row for the hops between, and its last hop.
const RunFold = 4

// MaxRows is the most rows the text and HTML reports print for one chain,
// so that a finding fits a screen.
const MaxRows = 25

// Row is one printed row of a chain laid out by Shorten: N hops of the
// chain from hop Hop on. A row with N == 1 is hop Hop itself; with N > 1
// it is a folded run of N hops that look like hop Hop (a linked list:
// ".next Listener ×312"), or, when Gap is set, N hops of any kind left out
// of a chain too long to print whole.
type Row struct {
	Hop int
	N   int
	Gap bool
}

// Folded reports whether r stands for a run of hops alike.
func (r Row) Folded() bool { return r.N > 1 && !r.Gap }

// Shorten lays out a chain of n hops for people, as a long linked list
// would otherwise fill screens. Each run of at least RunFold hops that look
// alike keeps its first and last hop (their ids and sizes tell where the
// run begins and ends) and folds the hops between into one row. alike(j, k)
// reports whether hop k continues the run that starts at hop j (k > j); a
// hop that must stay visible (the object, an accumulation point) is alike
// to none.
//
// When maxRows > 0 and the folded chain still has more rows, its middle
// becomes one Gap row, keeping the rows at the root end and, a few more,
// at the object's end; rows for which keep(hop) is true (nil: none) stay
// visible inside the gap too, each splitting it. The JSON reports keep
// every hop.
func Shorten(n int, alike func(j, k int) bool, maxRows int, keep func(hop int) bool) []Row {
	out := make([]Row, 0, min(n, 64))
	for j := 0; j < n; {
		end := j + 1
		for end < n && alike(j, end) {
			end++
		}
		if end-j < RunFold {
			for ; j < end; j++ {
				out = append(out, Row{Hop: j, N: 1})
			}
			continue
		}
		out = append(out, Row{Hop: j, N: 1}, Row{Hop: j + 1, N: end - j - 2}, Row{Hop: end - 1, N: 1})
		j = end
	}
	if maxRows <= 0 || len(out) <= maxRows {
		return out
	}
	return elide(out, maxRows, keep)
}

// elide replaces the middle rows of rows by gaps so that at most maxRows
// remain (maxRows ≥ 3; a kept row inside the gap costs two rows more).
func elide(rows []Row, maxRows int, keep func(hop int) bool) []Row {
	maxRows = max(maxRows, 3)
	// The object's end gets the extra row: it is what the chain explains.
	head := (maxRows - 1) / 2
	tail := maxRows - 1 - head
	kept := func(r Row) bool { return keep != nil && !r.Gap && r.N == 1 && keep(r.Hop) }
	// Each kept row in the middle costs itself and one more gap.
	for {
		extra := 0
		for _, r := range rows[head : len(rows)-tail] {
			if kept(r) {
				extra += 2
			}
		}
		if head+tail+1+extra <= maxRows || head+tail <= 2 {
			break
		}
		if head > tail/2 {
			head--
		} else {
			tail--
		}
	}
	out := make([]Row, 0, maxRows)
	out = append(out, rows[:head]...)
	gap := Row{Gap: true}
	flush := func() {
		if gap.N > 0 {
			out = append(out, gap)
		}
		gap = Row{Gap: true}
	}
	for _, r := range rows[head : len(rows)-tail] {
		if kept(r) {
			flush()
			out = append(out, r)
			continue
		}
		if gap.N == 0 {
			gap.Hop = r.Hop
		}
		gap.N += r.N
	}
	flush()
	return append(out, rows[len(rows)-tail:]...)
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
