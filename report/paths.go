package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// ShapeGroup is a group of a class's sampled instances whose first retainer
// paths have the same shape (paths.Shape).
type ShapeGroup struct {
	Shape    string `json:"shape"`
	Count    int    `json:"count"`
	Retained uint64 `json:"retained"`
	// Example is the id of the group's instance nearest to the roots.
	Example snapshot.NodeID `json:"example"`
}

// ClassInfo tells how a class's representative instance was chosen.
type ClassInfo struct {
	Name      string       `json:"name"`
	Instances int          `json:"instances"`
	Sampled   int          `json:"sampled"`
	Shapes    []ShapeGroup `json:"shapes"`
}

// RetainersReport is the result of `heapscope retainers`: retainer paths to
// one object, root first.
type RetainersReport struct {
	File string `json:"file"`
	// Target is the object the paths lead to; its Edge is always "".
	Target object.Hop `json:"target"`
	// Class is set when the target was chosen to represent a class.
	Class *ClassInfo `json:"class,omitempty"`
	// Paths are the retainer paths, shortest first, each root first.
	Paths []object.Chain `json:"paths"`
	// Requested is the number of paths asked for.
	Requested int `json:"requested"`
	// All is set when paths through system roots were searched too.
	All bool `json:"all"`
	// Note explains an empty Paths.
	Note string `json:"note,omitempty"`
}

// NewRetainersReport builds the report of the paths ps to target; cs, when
// not nil, is the class sample the target was chosen from.
func NewRetainersReport(g *graph.Graph, file string, target snapshot.Ordinal, ps []paths.Path, cs *paths.ClassSample, requested int, all bool) *RetainersReport {
	r := &RetainersReport{
		File:      file,
		Target:    object.NewHop(g, paths.NoEdge, target, object.WithDistance),
		Paths:     make([]object.Chain, 0, len(ps)),
		Requested: requested,
		All:       all,
	}
	for _, p := range ps {
		r.Paths = append(r.Paths, object.NewChain(g, p, object.WithDistance))
	}
	if len(ps) == 0 {
		r.Note = paths.NoPathReason(g, target)
	}
	if cs != nil {
		ci := &ClassInfo{Name: cs.Class, Instances: cs.Instances, Sampled: cs.Sampled, Shapes: []ShapeGroup{}}
		for _, grp := range cs.Groups {
			ci.Shapes = append(ci.Shapes, ShapeGroup{
				Shape: grp.Shape, Count: grp.Count, Retained: grp.Retained, Example: g.S.NodeIDs[grp.Example],
			})
		}
		r.Class = ci
	}
	return r
}

// maxTextShapes is the number of shape groups the text report lists.
const maxTextShapes = 5

// WriteRetainersText writes the report for people: the target, how it was
// chosen, then each path root first, one hop a line. Runs of hops alike (a
// long linked list) are folded and a chain still too long loses its middle
// (object.Chain.Layout); the JSON has every hop.
func WriteRetainersText(w io.Writer, r *RetainersReport) error {
	t := r.Target
	fmt.Fprintf(w, "%s: %s, distance %s, shallow %s, retained %s\n", r.File, NodeLabel(t.Ref),
		distance(t.Distance), Size(t.Self), Size(t.Retained))
	if c := r.Class; c != nil {
		fmt.Fprintf(w, "\nClass %s: %s instances. First retainer paths of %s sampled instances, by shape:\n",
			oneLine(snapshot.Display(c.Name)), humanize.Comma(int64(c.Instances)), humanize.Comma(int64(c.Sampled)))
		for k, grp := range c.Shapes {
			if k == maxTextShapes {
				fmt.Fprintf(w, "  … %d more shapes (--json lists them all)\n", len(c.Shapes)-k)
				break
			}
			shape := grp.Shape
			if shape == "" {
				shape = "(no path from the roots)"
			}
			fmt.Fprintf(w, "  %5s  %s\n", humanize.Comma(int64(grp.Count)), flat(snapshot.Display(shape)))
		}
		if len(c.Shapes) == 0 {
			fmt.Fprintf(w, "  none is reachable from the roots; showing @%d\n", t.ID)
		} else {
			fmt.Fprintf(w, "Showing @%d: of the most common shape, the instance nearest to the roots.\n", t.ID)
		}
	}
	if len(r.Paths) == 0 {
		_, err := fmt.Fprintf(w, "\nNo retainer path: %s.\n", r.Note)
		return err
	}
	for k, p := range r.Paths {
		fmt.Fprintf(w, "\nPath %d of %d: %d steps from the root", k+1, len(r.Paths), len(p))
		if k == 0 {
			fmt.Fprint(w, " (the chain DevTools' Retainers pane expands)")
		}
		fmt.Fprintln(w)
		if err := writePathText(w, p); err != nil {
			return err
		}
	}
	if len(r.Paths) < r.Requested {
		fmt.Fprintf(w, "\n(%d of %d paths: no more distinct paths found", len(r.Paths), r.Requested)
		if !r.All && t.Distance < graph.BaseSystemDistance {
			fmt.Fprint(w, " through user roots; --all also searches system roots")
		}
		fmt.Fprintln(w, ")")
	}
	return nil
}

func writePathText(w io.Writer, p object.Chain) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Distance\tShallow\tRetained\t\tRetainer")
	for _, row := range p.Layout(paths.MaxRows) {
		n := p[row.Hop]
		switch {
		case row.Gap:
			fmt.Fprintf(tw, "\t\t\t\t… %s hops …\n", humanize.Comma(int64(row.N)))
			continue
		case row.Folded():
			fmt.Fprintf(tw, "\t\t\t\t%s → %s ×%s\n", foldedEdge(p, row), oneLine(snapshot.Display(n.Class)), humanize.Comma(int64(row.N)))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\t%s\n", distance(n.Distance), Size(n.Self), Size(n.Retained), HopLabel(n))
	}
	return tw.Flush()
}

// HopLabel is one hop for people: "edge → name (Class) @id", or the node
// alone for a path's first hop.
func HopLabel(h object.Hop) string {
	if h.Edge == "" {
		return NodeLabel(h.Ref)
	}
	return oneLine(snapshot.Display(h.Edge)) + " → " + NodeLabel(h.Ref)
}

// NodeLabel is an object for people: "Class @id" when its name is its
// class, else "name (Class) @id" ("(GC roots) @3" for categories); strings
// are quoted and long names cut.
func NodeLabel(n object.Ref) string {
	return nodeName(n) + " @" + strconv.FormatUint(uint64(n.ID), 10)
}

func nodeName(n object.Ref) string {
	name := n.Name
	switch n.Class {
	case "(string)", "(concatenated string)", "(sliced string)":
		name = strconv.Quote(object.Cut(snapshot.Display(name), 80))
	default:
		name = oneLine(snapshot.Display(name))
	}
	class := oneLine(snapshot.Display(n.Class))
	switch {
	case name == class || name == "":
		return class
	case parenthesized(name):
		return name // a category such as "(GC roots)"
	case parenthesized(class):
		return name + " " + class // "system / ScopeInfo (compiled code)"
	}
	return name + " (" + class + ")"
}

func parenthesized(s string) bool {
	return len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')'
}

// flat replaces control characters, which would break lines, by spaces.
func flat(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
