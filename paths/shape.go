package paths

import (
	"regexp"
	"slices"
	"strings"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

// ShapeSeparator joins the parts of a Shape.
const ShapeSeparator = " → "

// Shape returns a normalized signature of p, so that the paths of many
// objects kept alive by the same cause compare equal. It reads root first,
// class names and edge labels alternating:
//
//	global → .clearImmediate → Function → {context} → system / Context → ->timerListMap → Object → [n] → TimersList → ._idleNext/._idlePrev → Timeout → ._onTimeout → Function → {bound_this} → Server
//
// Normalized are:
//   - element and hidden indexes ("[30000]" → "[n]", "{12}" → "{n}"), shortcut
//     numbers, and the numbers and ids in WeakMap ephemeron edge names;
//   - the direction of links that go both ways: a property edge whose target
//     has a property edge back is labelled with both names, sorted
//     ("._idleNext/._idlePrev"), so a doubly linked list reads the same
//     whichever end the path enters it from;
//   - list positions: a run of identical (edge, class) hops counts once, so
//     "._idleNext/._idlePrev → Timeout" stands for any number of Timeouts.
func Shape(g *graph.Graph, p Path) string {
	if len(p) == 0 {
		return ""
	}
	parts := []string{g.ClassName(p[0].Node)}
	prevEdge, prevClass := "", ""
	for j := 1; j < len(p); j++ {
		label := shapeEdge(g, p[j-1].Node, p[j].Edge, p[j].Node)
		class := g.ClassName(p[j].Node)
		if label == prevEdge && class == prevClass {
			continue
		}
		parts = append(parts, label, class)
		prevEdge, prevClass = label, class
	}
	return strings.Join(parts, ShapeSeparator)
}

// ephemeronIDs matches the ids in a WeakMap ephemeron edge name.
var ephemeronIDs = regexp.MustCompile(`@\d+`)

// normalEdge is the label of edge e with its varying numbers replaced by n.
func normalEdge(s *snapshot.Snapshot, e uint32) string {
	switch s.EdgeTypes[e] {
	case snapshot.EdgeElement:
		return "[n]"
	case snapshot.EdgeHidden:
		return "{n}"
	case snapshot.EdgeInternal:
		name := s.EdgeName(e)
		k := 0
		for k < len(name) && name[k] >= '0' && name[k] <= '9' {
			k++
		}
		if k > 0 && (k == len(name) || strings.HasPrefix(name[k:], " / ")) {
			return "{n" + ephemeronIDs.ReplaceAllString(name[k:], "@n") + "}"
		}
	}
	label := graph.EdgeLabel(s, e)
	if s.EdgeTypes[e] == snapshot.EdgeShortcut && strings.HasPrefix(label, "[") {
		return "[n]"
	}
	return label
}

// shapeEdge is the normalized label of edge e from u to v, with the names of
// the property edges from v back to u when e is a property edge.
func shapeEdge(g *graph.Graph, u, e, v uint32) string {
	s := g.S
	label := normalEdge(s, e)
	if s.EdgeTypes[e] != snapshot.EdgeProperty {
		return label
	}
	var back []string
	for b := s.FirstEdge[v]; b < s.FirstEdge[v+1]; b++ {
		if s.EdgeTo[b] == u && s.EdgeTypes[b] == snapshot.EdgeProperty {
			if l := normalEdge(s, b); l != label && !slices.Contains(back, l) {
				back = append(back, l)
			}
		}
	}
	if len(back) == 0 {
		return label
	}
	back = append(back, label)
	slices.Sort(back)
	return strings.Join(back, "/")
}
