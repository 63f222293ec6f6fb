package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// DominatorNode is an object of the dominator tree report with the objects
// it dominates. Its Edge is the edge by which its dominator holds it, when
// the dominator holds it directly ("" otherwise).
type DominatorNode struct {
	object.Hop
	// ChildCount is the number of objects it immediately dominates.
	ChildCount int `json:"childCount"`
	// Children are the dominated objects shown, biggest retained size first.
	Children []*DominatorNode `json:"children,omitempty"`
	// Hidden sums up the dominated objects left out for their size, on the
	// levels that are shown.
	Hidden *Hidden `json:"hidden,omitempty"`
}

// Hidden sums up dominated objects that a report leaves out.
type Hidden struct {
	Count    int    `json:"count"`
	Retained uint64 `json:"retained"`
	// Classes sum them up by class name, most objects first (then the
	// bigger retained size, then the name), so that "2,220 objects" says
	// what they are.
	Classes []HiddenClass `json:"classes"`
}

// HiddenClass is the objects of one class among Hidden's.
type HiddenClass struct {
	Name     string `json:"name"`
	Count    int    `json:"count"`
	Retained uint64 `json:"retained"`
}

// add counts object i of g among the hidden ones; at is the index of each
// class name in h.Classes.
func (h *Hidden) add(g *graph.Graph, i snapshot.Ordinal, at map[string]int) {
	h.Count++
	h.Retained += g.Retained[i]
	name := snapshot.Display(g.ClassName(i))
	k, ok := at[name]
	if !ok {
		k = len(h.Classes)
		at[name] = k
		h.Classes = append(h.Classes, HiddenClass{Name: name})
	}
	h.Classes[k].Count++
	h.Classes[k].Retained += g.Retained[i]
}

// sortClasses puts the classes in their order.
func (h *Hidden) sortClasses() {
	slices.SortFunc(h.Classes, func(a, b HiddenClass) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Retained, a.Retained); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// maxHiddenClasses is the number of classes the text names on a line of
// hidden objects; the rest are counted together. maxHiddenName cuts each
// name (C++ class names of Blink run to hundreds of bytes).
const (
	maxHiddenClasses = 3
	maxHiddenName    = 48
)

// text is the line's words: "2,220 objects smaller: 2,180 Array, 40 Object".
func (h *Hidden) text() string {
	s := plural(h.Count, "object") + " smaller"
	switch {
	case len(h.Classes) == 0:
		return s
	case len(h.Classes) == 1:
		if h.Count == 1 {
			return s + ": " + object.Cut(h.Classes[0].Name, maxHiddenName)
		}
		return s + ", all " + object.Cut(h.Classes[0].Name, maxHiddenName)
	}
	var parts []string
	rest, others := 0, 0
	for k, c := range h.Classes {
		if k < maxHiddenClasses || len(h.Classes) == maxHiddenClasses+1 {
			parts = append(parts, humanize.Comma(int64(c.Count))+" "+object.Cut(c.Name, maxHiddenName))
		} else {
			rest += c.Count
			others++
		}
	}
	if others > 0 {
		parts = append(parts, fmt.Sprintf("%s of %d other classes", humanize.Comma(int64(rest)), others))
	}
	return s + ": " + strings.Join(parts, ", ")
}

// DominatorsReport is the result of `heapscope dominators`: a part of the
// dominator tree, like Eclipse MAT's dominator tree view.
type DominatorsReport struct {
	File string `json:"file"`
	// Depth is the number of levels shown below the start object.
	Depth int `json:"depth"`
	// MinSize is the smallest retained size shown.
	MinSize uint64 `json:"minSize"`
	// Total is the root's retained size, for shares.
	Total uint64         `json:"total"`
	Root  *DominatorNode `json:"root"`
}

// NewDominatorsReport builds the dominator tree below start (the root or
// any object): depth levels of dominated objects whose retained size is at
// least minSize, biggest first (then bigger shallow size, then smaller id).
// A start that is not a node of g means the root.
func NewDominatorsReport(g *graph.Graph, file string, start snapshot.Ordinal, depth int, minSize uint64) *DominatorsReport {
	if int(start) >= g.NodeCount() {
		start = g.S.Root
	}
	g.BuildDominated()
	r := &DominatorsReport{File: file, Depth: depth, MinSize: minSize, Total: g.Retained[g.S.Root]}
	r.Root = newDominatorNode(g, start, paths.NoEdge)
	expandDominators(g, r.Root, start, depth, minSize)
	return r
}

func newDominatorNode(g *graph.Graph, i snapshot.Ordinal, e snapshot.EdgeIndex) *DominatorNode {
	return &DominatorNode{
		Hop:        object.NewHop(g, e, i, object.WithDistance),
		ChildCount: int(g.FirstDominated[i+1] - g.FirstDominated[i]),
	}
}

func expandDominators(g *graph.Graph, n *DominatorNode, i snapshot.Ordinal, depth int, minSize uint64) {
	if depth <= 0 {
		return
	}
	var shown []snapshot.Ordinal
	var hidden Hidden
	at := map[string]int{}
	for _, c := range g.Dominated[g.FirstDominated[i]:g.FirstDominated[i+1]] {
		if g.Retained[c] >= minSize {
			shown = append(shown, c)
		} else {
			hidden.add(g, c, at)
		}
	}
	if hidden.Count > 0 {
		hidden.sortClasses()
		n.Hidden = &hidden
	}
	if len(shown) == 0 {
		return
	}
	slices.SortFunc(shown, func(a, b snapshot.Ordinal) int {
		if c := cmp.Compare(g.Retained[b], g.Retained[a]); c != 0 {
			return c
		}
		if c := cmp.Compare(g.Shallow[b], g.Shallow[a]); c != 0 {
			return c
		}
		return cmp.Compare(g.S.NodeIDs[a], g.S.NodeIDs[b])
	})
	edges := graph.DirectEdges(g.S, i, shown)
	for k, c := range shown {
		child := newDominatorNode(g, c, edges[k])
		expandDominators(g, child, c, depth-1, minSize)
		n.Children = append(n.Children, child)
	}
}

// WriteDominatorsText writes the tree for people, one object a line,
// indented by level: retained size, its share of the heap, shallow size,
// then the edge from its dominator and the object.
func WriteDominatorsText(w io.Writer, r *DominatorsReport) error {
	fmt.Fprintf(w, "%s: dominator tree below %s, %s, objects retaining ≥ %s\n\n",
		r.File, NodeLabel(r.Root.Ref), plural(r.Depth, "level"), Size(r.MinSize))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Retained\t\tShallow\t\tObject")
	var walk func(n *DominatorNode, level int)
	walk = func(n *DominatorNode, level int) {
		indent := strings.Repeat("  ", level)
		fmt.Fprintf(tw, "%s\t%s\t%s\t\t%s%s\n", Size(n.Retained), percent(n.Retained, r.Total), Size(n.Self), indent, HopLabel(n.Hop))
		for _, c := range n.Children {
			walk(c, level+1)
		}
		if h := n.Hidden; h != nil && level < r.Depth {
			fmt.Fprintf(tw, "%s\t%s\t\t\t%s  … %s\n", Size(h.Retained), percent(h.Retained, r.Total), indent, h.text())
		}
	}
	walk(r.Root, 0)
	return tw.Flush()
}

func plural(n int, what string) string {
	s := humanize.Comma(int64(n)) + " " + what
	if n != 1 {
		s += "s"
	}
	return s
}
