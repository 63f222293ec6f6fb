package graph

import (
	"strconv"
	"strings"

	"github.com/heapscope/heapscope/snapshot"
)

// maxConsStringName is the length (in UTF-16 code units) after which
// DevTools stops flattening a concatenated string for its display name.
const maxConsStringName = 1024

// DisplayName returns the name DevTools shows for node i
// (JSHeapSnapshotNode.name()): a concatenated string flattened from its
// "first" and "second" parts (stopping once 1024 UTF-16 code units are
// reached), a plain Object named after its properties as
// "{a, b, …, y, z}", and otherwise the node's name with the "Detached "
// prefix DevTools adds to detached DOM nodes. The synthetic root, which has
// no name, is shown as "(root)".
func DisplayName(g *Graph, i snapshot.Ordinal) string {
	s := g.S
	if int(i) >= s.NodeCount() {
		return ""
	}
	if g.IsRoot(i) && g.Name(i) == "" {
		return "(root)"
	}
	switch s.NodeTypes[i] {
	case snapshot.NodeConsString:
		return consStringName(g, i)
	case snapshot.NodeObject:
		if g.Name(i) == "Object" {
			return plainObjectName(g, i)
		}
	}
	return g.Name(i)
}

// consStringName is DevTools' consStringName: a depth-first walk over the
// "first" and "second" internal edges, appending the names of the leaves.
// A missing part is node 0, as in DevTools (whose node index 0 is falsy).
func consStringName(g *Graph, i snapshot.Ordinal) string {
	s := g.S
	var b strings.Builder
	n16 := 0
	stack := []snapshot.Ordinal{i}
	for len(stack) > 0 && n16 < maxConsStringName {
		o := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.NodeTypes[o] != snapshot.NodeConsString {
			part := g.Name(o)
			b.WriteString(part)
			n16 += snapshot.UTF16Len(part)
			continue
		}
		var first, second snapshot.Ordinal
		for e := s.FirstEdge[o]; e < s.FirstEdge[o+1] && (first == 0 || second == 0); e++ {
			if s.EdgeTypes[e] != snapshot.EdgeInternal {
				continue
			}
			switch s.Strings.At(s.EdgeNameID(e)) {
			case "first":
				first = s.EdgeTo[e]
			case "second":
				second = s.EdgeTo[e]
			}
		}
		stack = append(stack, second, first)
	}
	return b.String()
}

// plainObjectName is DevTools' #plainObjectName: property names taken
// alternately from the first and the last property edges (skipping
// __proto__) while the name stays within 100 UTF-16 code units, with "…"
// standing for the ones left out.
func plainObjectName(g *Graph, i snapshot.Ordinal) string {
	s := g.S
	start, end := []string{}, []string{} // end is in reverse order
	startLen, endLen := 1, 1             // "{" and "}", then each part with its ", "
	lo, hi := int64(s.FirstEdge[i]), int64(s.FirstEdge[i+1])-1
	fromEnd := false
	for lo <= hi {
		e := snapshot.EdgeIndex(lo)
		if fromEnd {
			e = snapshot.EdgeIndex(hi)
		}
		name := ""
		if s.EdgeTypes[e] == snapshot.EdgeProperty {
			name = s.Strings.At(s.EdgeNameID(e))
		}
		if s.EdgeTypes[e] != snapshot.EdgeProperty || name == "__proto__" {
			if fromEnd {
				hi--
			} else {
				lo++
			}
			continue
		}
		f := FormatPropertyName(name)
		fl := snapshot.UTF16Len(f)
		if startLen > 1 && startLen+endLen+fl > maxPlainObjectDisplayNameSize {
			break
		}
		if fromEnd {
			hi--
			if endLen > 1 {
				endLen += 2
			}
			end = append(end, f)
			endLen += fl
		} else {
			lo++
			if startLen > 1 {
				startLen += 2
			}
			start = append(start, f)
			startLen += fl
		}
		fromEnd = !fromEnd
	}
	var b strings.Builder
	b.WriteByte('{')
	b.WriteString(strings.Join(start, ", "))
	if lo <= hi {
		b.WriteString(", …")
	}
	if len(end) > 0 {
		b.WriteString(", ")
		for k := len(end) - 1; k >= 0; k-- {
			b.WriteString(end[k])
			if k > 0 {
				b.WriteString(", ")
			}
		}
	}
	b.WriteByte('}')
	return b.String()
}

// EdgeLabel writes edge e as DevTools' JSHeapSnapshotEdge.toString does:
// context "->name", element "[i]", weak "[[name]]", property ".name" (or
// `["na me"]` when the name has a space), shortcut like a property, and
// internal, hidden and invisible "{name}". A shortcut whose name starts
// with a number (the root's edges) is written "[n]", as the oracle's
// leak-report.js writes it; DevTools' toString, whose name() always returns
// a string, would write ".n".
func EdgeLabel(s *snapshot.Snapshot, e snapshot.EdgeIndex) string {
	if int(e) >= s.EdgeCount() {
		return ""
	}
	name := s.EdgeName(e)
	switch s.EdgeTypes[e] {
	case snapshot.EdgeContext:
		return "->" + name
	case snapshot.EdgeElement:
		return "[" + name + "]"
	case snapshot.EdgeWeak:
		return "[[" + name + "]]"
	case snapshot.EdgeProperty:
		return propertyLabel(name)
	case snapshot.EdgeShortcut:
		// DevTools' edge name() turns a shortcut name that parseInt accepts
		// into that number.
		if v, ok := parseIntPrefix(name); ok {
			return "[" + strconv.FormatInt(v, 10) + "]"
		}
		return propertyLabel(name)
	case snapshot.EdgeInternal, snapshot.EdgeHidden, snapshot.EdgeInvisible:
		return "{" + name + "}"
	}
	return "?" + name + "?"
}

func propertyLabel(name string) string {
	if strings.IndexByte(name, ' ') < 0 {
		return "." + name
	}
	return `["` + name + `"]`
}

// LessUTF16 orders strings as JavaScript's < does (by UTF-16 code units),
// which is how DevTools sorts names.
func LessUTF16(a, b string) bool { return lessUTF16(a, b) }
