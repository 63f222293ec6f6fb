package paths

import (
	"cmp"
	"slices"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

// DefaultSamples is the number of instances ForClass examines when
// ClassOptions.Samples is 0.
const DefaultSamples = 100

// sampleBudget is the work ForClass may spend, in units of one search's
// bound (Options.MaxWork): with the default, a few seconds at worst.
const sampleBudget = 16

// nearestTries bounds how many of the instances nearest to the roots
// ForClass examines to find the nearest one of the dominant shape.
const nearestTries = 32

// ClassOptions controls ForClass.
type ClassOptions struct {
	Options
	// Samples is the number of instances whose first path is computed,
	// spread evenly over the class; 0 means DefaultSamples.
	Samples int
}

// ShapeGroup is the sampled instances of a class whose first paths have the
// same Shape.
type ShapeGroup struct {
	// Shape is the common path shape ("" for instances no path reaches).
	Shape string
	// Count is the number of sampled instances with this shape.
	Count int
	// Retained is their total retained size.
	Retained uint64
	// Example is the group's instance nearest to the roots.
	Example snapshot.Ordinal
}

// ClassSample describes the instances of a class and the one chosen to
// represent them.
type ClassSample struct {
	// Class is the class name.
	Class string
	// Instances is the number of objects of the class (DevTools' Summary
	// count: objects with a non-zero shallow size).
	Instances int
	// Sampled is the number of instances whose first path was computed
	// (fewer than asked when the work bound runs out).
	Sampled int
	// Groups are the shapes of the sampled instances' first paths, most
	// common first (then by total retained size).
	Groups []ShapeGroup
	// Representative is the instance chosen to explain the class; see
	// ForClass.
	Representative snapshot.Ordinal
}

// ForClass finds the instances of the class named class (a name as
// Graph.ClassName gives it) and chooses the one whose retainer paths best
// explain why the class's objects are alive. It returns false when the
// class has no instance.
//
// The choice: a leak is many objects kept alive by one cause, and their
// first paths then share a shape (Shape normalizes indexes, list positions
// and link directions away). So ForClass computes the first path of a
// sample of instances spread evenly over the class, groups them by shape,
// takes the most common shape (ties: the one retaining more), and picks the
// instance of that shape nearest to the roots, whose path is the shortest
// and easiest to read; among the nearest, the one with the largest retained
// size, then the smallest id. This is the choice DevTools' leak-report
// oracle makes (its most common "head", then minimum distance). The
// largest retained size alone would be a poor guide: leaked objects are
// often each small, and the biggest instance is usually a legitimate one.
func ForClass(g *graph.Graph, class string, opt ClassOptions) (ClassSample, bool) {
	cs := ClassSample{Class: class}
	var all, reachable []snapshot.Ordinal
	for i := range g.Class {
		o := snapshot.Ordinal(i)
		if g.Shallow[o] == 0 || g.ClassName(o) != class {
			continue
		}
		all = append(all, o)
		if g.Distance[o] != graph.NoDistance {
			reachable = append(reachable, o)
		}
	}
	if len(all) == 0 {
		// Only objects DevTools does not count (shallow size 0): still
		// explain them rather than claim the class does not exist.
		for i := range g.Class {
			if o := snapshot.Ordinal(i); g.ClassName(o) == class {
				all = append(all, o)
				if g.Distance[o] != graph.NoDistance {
					reachable = append(reachable, o)
				}
			}
		}
	}
	if len(all) == 0 {
		return cs, false
	}
	cs.Instances = len(all)
	pool := reachable
	if len(pool) == 0 {
		cs.Representative = all[0]
		return cs, true
	}
	samples := opt.Samples
	if samples <= 0 {
		samples = DefaultSamples
	}
	// The whole choice gets sampleBudget times one search's bound; each
	// path at most one search's bound.
	perPath := min(opt.MaxWork, 1<<40)
	if perPath <= 0 {
		perPath = DefaultMaxWork
	}
	budget := sampleBudget * perPath
	shapeOf := func(o snapshot.Ordinal) (string, bool) {
		popt := opt.Options
		popt.MaxWork = max(1, min(perPath, budget/2))
		ps, work := shortest(g, o, 1, popt)
		budget -= work
		if len(ps) == 0 {
			return "", false
		}
		return Shape(g, ps[0]), true
	}
	step := max(1, len(pool)/samples)
	index := map[string]int{}
	for k := 0; k < len(pool) && cs.Sampled < samples && budget > 0; k += step {
		o := pool[k]
		sh, _ := shapeOf(o)
		cs.Sampled++
		gi, ok := index[sh]
		if !ok {
			gi = len(cs.Groups)
			index[sh] = gi
			cs.Groups = append(cs.Groups, ShapeGroup{Shape: sh, Example: o})
		}
		grp := &cs.Groups[gi]
		grp.Count++
		grp.Retained += g.Retained[o]
		if nearer(g, o, grp.Example) {
			grp.Example = o
		}
	}
	slices.SortStableFunc(cs.Groups, func(a, b ShapeGroup) int {
		// Groups without a path ("") come last.
		if (a.Shape == "") != (b.Shape == "") {
			if a.Shape == "" {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Retained, a.Retained); c != 0 {
			return c
		}
		return cmp.Compare(a.Shape, b.Shape)
	})
	best := &cs.Groups[0]
	// The sample may have missed the instances nearest to the roots: try
	// the nearest few of the whole class.
	near := slices.Clone(pool)
	slices.SortFunc(near, func(a, b snapshot.Ordinal) int {
		if nearer(g, a, b) {
			return -1
		}
		if nearer(g, b, a) {
			return 1
		}
		return 0
	})
	for _, o := range near[:min(len(near), nearestTries)] {
		if !nearer(g, o, best.Example) || budget <= 0 {
			break
		}
		if sh, ok := shapeOf(o); ok && sh == best.Shape {
			best.Example = o
			break
		}
	}
	cs.Representative = best.Example
	return cs, true
}

// nearer reports whether instance a is a better example than b: nearer to
// the roots, then retaining more, then with the smaller id.
func nearer(g *graph.Graph, a, b snapshot.Ordinal) bool {
	if da, db := g.Distance[a], g.Distance[b]; da != db {
		return da < db
	}
	if ra, rb := g.Retained[a], g.Retained[b]; ra != rb {
		return ra > rb
	}
	return g.S.NodeIDs[a] < g.S.NodeIDs[b]
}
