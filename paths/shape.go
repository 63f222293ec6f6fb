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
//     "._idleNext/._idlePrev → Timeout" stands for any number of Timeouts,
//     and so does a repeated sequence of up to maxPeriod hops.
//
// Shape returns "" for an empty path or one that is not a path of g.
func Shape(g *graph.Graph, p Path) string {
	s := g.S
	if len(p) == 0 {
		return ""
	}
	for j, h := range p {
		if int(h.Node) >= s.NodeCount() || (j > 0 && int(h.Edge) >= s.EdgeCount()) {
			return ""
		}
	}
	parts := []string{g.ClassName(p[0].Node)}
	prevEdge, prevClass := "", ""
	var prev, cur hopKey
	for j := 1; j < len(p); j++ {
		// Long runs (a list of thousands) are common: compare the hop's
		// raw ingredients first, and spell the labels only when they change.
		e := p[j].Edge
		cur = hopKey{etype: s.EdgeTypes[e], name: s.EdgeNames[e], class: g.Class[p[j].Node], back: cur.back[:0]}
		if cur.etype.HasNumericName() {
			cur.name = 0
		}
		if cur.etype == snapshot.EdgeProperty {
			cur.back = backNames(s, p[j-1].Node, p[j].Node, cur.back)
		}
		if j > 1 && cur.same(&prev) {
			prev, cur = cur, prev
			continue
		}
		prev, cur = cur, prev
		label := shapeEdge(g, p[j-1].Node, e, p[j].Node)
		class := g.ClassName(p[j].Node)
		if label == prevEdge && class == prevClass {
			continue
		}
		parts = append(parts, label, class)
		prevEdge, prevClass = label, class
		parts = foldRepeat(parts)
	}
	return strings.Join(parts, ShapeSeparator)
}

// maxPeriod is the longest sequence of hops whose repeats foldRepeat folds.
const maxPeriod = 4

// foldRepeat folds a sequence of 2 to maxPeriod hops that parts (the root's
// class, then an edge and a class per hop) has just repeated, so that a
// list whose links pass through other objects (a closure and its context
// between two reports) reads the same at any length.
func foldRepeat(parts []string) []string {
	hops := parts[1:]
	for k := 2; k <= maxPeriod; k++ {
		w := 2 * k // strings per k hops
		if len(hops) < 2*w {
			break
		}
		if slices.Equal(hops[len(hops)-2*w:len(hops)-w], hops[len(hops)-w:]) {
			return parts[:len(parts)-w]
		}
	}
	return parts
}

// hopKey is what a hop's shape is made of, as ids: equal keys spell the
// same shape (different keys may too).
type hopKey struct {
	etype snapshot.EdgeType
	name  uint32              // EdgeNames; 0 for element and hidden edges
	class snapshot.StringID   // class name
	back  []snapshot.StringID // names of the property edges back, in edge order
}

func (k *hopKey) same(o *hopKey) bool {
	return k.etype == o.etype && k.name == o.name && k.class == o.class && slices.Equal(k.back, o.back)
}

// backNames appends the name ids of the property edges from v to u.
func backNames(s *snapshot.Snapshot, u, v snapshot.Ordinal, out []snapshot.StringID) []snapshot.StringID {
	for b := s.FirstEdge[v]; b < s.FirstEdge[v+1]; b++ {
		if s.EdgeTo[b] == u && s.EdgeTypes[b] == snapshot.EdgeProperty {
			out = append(out, s.EdgeNameID(b))
		}
	}
	return out
}

// ephemeronIDs matches the ids in a WeakMap ephemeron edge name.
var ephemeronIDs = regexp.MustCompile(`@\d+`)

// normalEdge is the label of edge e with its varying numbers replaced by n.
func normalEdge(s *snapshot.Snapshot, e snapshot.EdgeIndex) string {
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
func shapeEdge(g *graph.Graph, u snapshot.Ordinal, e snapshot.EdgeIndex, v snapshot.Ordinal) string {
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
