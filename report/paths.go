package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// PathNode is one object in a report: a hop of a retainer path, a
// retainers report's target, or (with Edge naming the edge from its parent)
// a dominator tree entry.
type PathNode struct {
	// Class is the class name, as in the Summary view.
	Class string `json:"class"`
	// Name is the name DevTools shows (graph.DisplayName).
	Name string `json:"name"`
	// ID is the V8 object id.
	ID uint32 `json:"id"`
	// Edge is the edge from the previous hop, as DevTools writes it
	// (graph.EdgeLabel); "" for a path's first hop and for a target.
	Edge string `json:"edge"`
	// Self and Retained are DevTools' shallow and retained sizes.
	Self     uint64 `json:"self"`
	Retained uint64 `json:"retained"`
	// Distance is DevTools' distance from the roots (≥ 100000000 when only
	// system roots reach the object, -5 when nothing does).
	Distance int32 `json:"distance"`
}

// NewPathNode describes node i of g, reached over edge e (paths.NoEdge for
// none).
func NewPathNode(g *graph.Graph, i, e uint32) PathNode {
	n := PathNode{
		Class:    g.ClassName(i),
		Name:     graph.DisplayName(g, i),
		ID:       g.S.NodeIDs[i],
		Self:     g.Shallow[i],
		Retained: g.Retained[i],
		Distance: g.Distance[i],
	}
	if e != paths.NoEdge {
		n.Edge = graph.EdgeLabel(g.S, e)
	}
	return n
}

// ShapeGroup is a group of a class's sampled instances whose first retainer
// paths have the same shape (paths.Shape).
type ShapeGroup struct {
	Shape    string `json:"shape"`
	Count    int    `json:"count"`
	Retained uint64 `json:"retained"`
	// Example is the id of the group's instance nearest to the roots.
	Example uint32 `json:"example"`
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
	File   string   `json:"file"`
	Target PathNode `json:"target"`
	// Class is set when the target was chosen to represent a class.
	Class *ClassInfo `json:"class,omitempty"`
	// Paths are the retainer paths, shortest first, each root first.
	Paths [][]PathNode `json:"paths"`
	// Requested is the number of paths asked for.
	Requested int `json:"requested"`
	// All is set when paths through system roots were searched too.
	All bool `json:"all"`
	// Note explains an empty Paths.
	Note string `json:"note,omitempty"`
}

// NewRetainersReport builds the report of the paths ps to target; cs, when
// not nil, is the class sample the target was chosen from.
func NewRetainersReport(g *graph.Graph, file string, target uint32, ps []paths.Path, cs *paths.ClassSample, requested int, all bool) *RetainersReport {
	r := &RetainersReport{
		File:      file,
		Target:    NewPathNode(g, target, paths.NoEdge),
		Paths:     make([][]PathNode, 0, len(ps)),
		Requested: requested,
		All:       all,
	}
	for _, p := range ps {
		hops := make([]PathNode, len(p))
		for j, h := range p {
			hops[j] = NewPathNode(g, h.Node, h.Edge)
		}
		r.Paths = append(r.Paths, hops)
	}
	if len(ps) == 0 {
		switch {
		case g.IsRoot(target):
			r.Note = "this is the root"
		case g.Distance[target] == graph.NoDistance:
			r.Note = "no chain of strong references from the roots reaches this object: it is retained only weakly, or only by unreachable objects"
		default:
			r.Note = "no path found within the search bound"
		}
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

// elideRun is the length from which a run of identical hops is shortened in
// text: its first and last elideKeep hops are shown.
const (
	elideRun  = 6
	elideKeep = 2
)

// WriteRetainersText writes the report for people: the target, how it was
// chosen, then each path root first, one hop a line. Runs of identical hops
// (a long linked list) are shortened; the JSON has every hop.
func WriteRetainersText(w io.Writer, r *RetainersReport) error {
	t := r.Target
	fmt.Fprintf(w, "%s: %s, distance %s, shallow %s, retained %s\n", r.File, NodeLabel(t),
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

func writePathText(w io.Writer, p []PathNode) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Distance\tShallow\tRetained\t\tRetainer")
	row := func(n PathNode) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\t%s\n", distance(n.Distance), Size(n.Self), Size(n.Retained), HopLabel(n))
	}
	for j := 0; j < len(p); {
		end := j + 1
		for end < len(p) && p[end].Edge == p[j].Edge && p[end].Class == p[j].Class && p[end].Name == p[j].Name {
			end++
		}
		if end-j < elideRun {
			for ; j < end; j++ {
				row(p[j])
			}
			continue
		}
		for k := j; k < j+elideKeep; k++ {
			row(p[k])
		}
		fmt.Fprintf(tw, "\t\t\t\t… %d more %s → %s\n", end-j-2*elideKeep, oneLine(snapshot.Display(p[j].Edge)), nodeName(p[j]))
		for k := end - elideKeep; k < end; k++ {
			row(p[k])
		}
		j = end
	}
	return tw.Flush()
}

// HopLabel is one hop for people: "edge → name (Class) @id", or the node
// alone for a path's first hop.
func HopLabel(n PathNode) string {
	if n.Edge == "" {
		return NodeLabel(n)
	}
	return oneLine(snapshot.Display(n.Edge)) + " → " + NodeLabel(n)
}

// NodeLabel is an object for people: "Class @id" when its name is its
// class, else "name (Class) @id" ("(GC roots) @3" for categories); strings
// are quoted and long names cut.
func NodeLabel(n PathNode) string {
	return nodeName(n) + " @" + strconv.FormatUint(uint64(n.ID), 10)
}

func nodeName(n PathNode) string {
	name := n.Name
	switch n.Class {
	case "(string)", "(concatenated string)", "(sliced string)":
		name = strconv.Quote(cut(snapshot.Display(name), 80))
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

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
