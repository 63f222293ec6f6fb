package graph

import (
	"math/bits"
	"sort"
	"strings"

	"github.com/heapscope/heapscope/snapshot"
)

// Interface inference limits, as in DevTools (HeapSnapshot.ts).
const (
	minInterfacePropertyCount     = 1
	maxInterfaceNameLength        = 120
	minObjectCountPerInterface    = 2
	minObjectProportionPerIfc     = 1000
	maxPlainObjectDisplayNameSize = 100
)

// LocatedNode ties a node to its entry in Snapshot.Locations.
type LocatedNode struct {
	Node     snapshot.Ordinal
	Location uint32 // index into S.Locations
}

// buildLocationIndex maps nodes to their location; for a node listed more
// than once the last entry wins, as in DevTools' location map.
func (g *Graph) buildLocationIndex() {
	locs := g.S.Locations
	refs := make([]LocatedNode, len(locs))
	sorted := true
	var maxNode snapshot.Ordinal
	for i, l := range locs {
		refs[i] = LocatedNode{l.Node, uint32(i)}
		if i > 0 && l.Node < locs[i-1].Node {
			sorted = false
		}
		maxNode = max(maxNode, l.Node)
	}
	if !sorted {
		refs = sortByNode(refs, maxNode)
	}
	out := refs[:0]
	for _, r := range refs {
		if len(out) > 0 && out[len(out)-1].Node == r.Node {
			out[len(out)-1] = r
			continue
		}
		out = append(out, r)
	}
	g.locByNode = out
}

// sortByNode sorts refs by node, stably (a node's entries keep their
// order), with an LSD radix sort of 12 bits a pass: two passes for up to
// 16 M nodes, where a comparison sort of 3.3 M entries takes 0.07 s. It
// returns the sorted slice, which is refs or a buffer of the same size.
func sortByNode(refs []LocatedNode, maxNode snapshot.Ordinal) []LocatedNode {
	const bitsPerPass = 12
	const mask = 1<<bitsPerPass - 1
	tmp := make([]LocatedNode, len(refs))
	for shift := 0; shift < bits.Len32(uint32(maxNode)); shift += bitsPerPass {
		var start [mask + 2]int
		for _, r := range refs {
			start[(r.Node>>shift)&mask+1]++
		}
		for d := 1; d < len(start); d++ {
			start[d] += start[d-1]
		}
		for _, r := range refs {
			d := (r.Node >> shift) & mask
			tmp[start[d]] = r
			start[d]++
		}
		refs, tmp = tmp, refs
	}
	return refs
}

// Location returns the source location V8 recorded for node i.
func (g *Graph) Location(i snapshot.Ordinal) (snapshot.Location, bool) {
	refs := g.locByNode
	k := sort.Search(len(refs), func(k int) bool { return refs[k].Node >= i })
	if k < len(refs) && refs[k].Node == i {
		return g.S.Locations[refs[k].Location], true
	}
	return snapshot.Location{}, false
}

// LocatedNodes lists the nodes that have a location, in node order (one
// entry per node: the last of its locations, as DevTools keeps).
func (g *Graph) LocatedNodes() []LocatedNode { return g.locByNode }

// calculateClassNames is DevTools' calculateObjectNames.
func (g *analyzer) calculateClassNames() {
	s := g.S
	n := s.NodeCount()
	g.Class = make([]snapshot.StringID, n)
	hidden := g.addString("(system)")
	code := g.addString("(compiled code)")
	function := g.addString("Function")
	regexpClass := g.addString("RegExp")
	// "(<type>)" by type, added on first use (0 until then: the four
	// strings above come first); types this package does not know are
	// looked up by name.
	var byType [snapshot.NodeOther]snapshot.StringID
	otherClass := map[string]snapshot.StringID{}
	for i := range snapshot.Ordinal(n) {
		var c snapshot.StringID
		switch t := s.NodeTypes[i]; t {
		case snapshot.NodeHidden:
			c = hidden
		case snapshot.NodeObject, snapshot.NodeNative:
			c = g.Names[i]
			name := g.String(c)
			if strings.HasPrefix(name, "<") {
				if sp := strings.IndexByte(name, ' '); sp >= 0 {
					name = name[:sp] + ">"
				}
				c = g.addString(name)
			} else if strings.HasPrefix(name, "Detached <") {
				if sp := strings.IndexByte(name[10:], ' '); sp >= 0 {
					name = name[:10+sp] + ">"
				}
				c = g.addString(name)
			}
		case snapshot.NodeCode:
			c = code
		case snapshot.NodeClosure:
			c = function
		case snapshot.NodeRegExp:
			c = regexpClass
		case snapshot.NodeOther:
			tn := s.TypeName(i)
			id, ok := otherClass[tn]
			if !ok {
				id = g.addString("(" + tn + ")")
				otherClass[tn] = id
			}
			c = id
		default:
			if byType[t] == 0 {
				byType[t] = g.addString("(" + t.String() + ")")
			}
			c = byType[t]
		}
		g.Class[i] = c
	}
}

func (g *Graph) isPlainObject(i snapshot.Ordinal) bool {
	s := g.S
	return s.NodeTypes[i] == snapshot.NodeObject && s.Strings.At(s.NodeNames[i]) == "Object"
}

// FormatPropertyName escapes a property name that contains a comma, quote or
// brace, as DevTools' formatPropertyName does (JSON string syntax).
func FormatPropertyName(name string) string {
	if !strings.ContainsAny(name, ",'\"{}") {
		return name
	}
	return jsString(name)
}

// jsString quotes s as JavaScript's JSON.stringify does.
func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
			i++
		case c < 0x20:
			switch c {
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				const hex = "0123456789abcdef"
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			}
			i++
		case c == 0xED && i+2 < len(s) && s[i+1] >= 0xA0:
			// A lone surrogate in WTF-8: JSON.stringify escapes it.
			r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			const hex = "0123456789abcdef"
			b.WriteString(`\u`)
			b.WriteByte(hex[r>>12&15])
			b.WriteByte(hex[r>>8&15])
			b.WriteByte(hex[r>>4&15])
			b.WriteByte(hex[r&15])
			i += 3
		default:
			b.WriteByte(c)
			i++
		}
	}
	b.WriteByte('"')
	return b.String()
}

// inferInterfaces is DevTools' inferInterfaceDefinitions.
func (g *Graph) inferInterfaces() []Interface {
	s := g.S
	type candidate struct {
		Interface
		count int
		order int
	}
	candidates := map[string]*candidate{}
	var list []*candidate
	total := 0
	n := snapshot.Ordinal(s.NodeCount())
	var props []string
	var name strings.Builder
	for i := range n {
		if !g.isPlainObject(i) {
			continue
		}
		total++
		name.Reset()
		name.WriteByte('{')
		nameLen := 1 // in UTF-16 code units, as JavaScript measures it
		props = props[:0]
		for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
			if s.EdgeTypes[e] != snapshot.EdgeProperty {
				continue
			}
			en := s.Strings.At(s.EdgeNameID(e))
			if en == "__proto__" {
				continue
			}
			f := FormatPropertyName(en)
			fl := snapshot.UTF16Len(f)
			if nameLen > minInterfacePropertyCount && nameLen+fl > maxInterfaceNameLength {
				break
			}
			if nameLen != 1 {
				name.WriteString(", ")
				nameLen += 2
			}
			name.WriteString(f)
			nameLen += fl
			props = append(props, en)
		}
		if len(props) == 0 {
			continue
		}
		name.WriteByte('}')
		key := name.String()
		if c, ok := candidates[key]; ok {
			c.count++
			continue
		}
		c := &candidate{Interface: Interface{Name: key, Properties: append([]string(nil), props...)}, count: 1, order: len(list)}
		candidates[key] = c
		list = append(list, c)
	}
	// JavaScript's sort is stable: ties keep insertion order.
	sort.SliceStable(list, func(a, b int) bool { return list[a].count > list[b].count })
	minCount := float64(total) / minObjectProportionPerIfc
	if minCount < minObjectCountPerInterface {
		minCount = minObjectCountPerInterface
	}
	var out []Interface
	for _, c := range list {
		if float64(c.count) < minCount {
			break
		}
		out = append(out, c.Interface)
	}
	return out
}

type propertyTreeNode struct {
	next        map[string]*propertyTreeNode
	match       int // index of the interface ending here, or -1
	matchProps  int
	greatestNxt string
	hasNext     bool
}

// InterfaceMatcher classifies plain objects by their property names with a
// list of interface definitions, as DevTools' applyInterfaceDefinitions:
// an object gets the interface with the most properties that its property
// set contains (earlier interfaces win ties). It is not safe for
// concurrent use.
type InterfaceMatcher struct {
	root               *propertyTreeNode
	empty              bool
	states, nextStates []*propertyTreeNode
}

// NewInterfaceMatcher returns a matcher for defs.
func NewInterfaceMatcher(defs []Interface) *InterfaceMatcher {
	root := &propertyTreeNode{next: map[string]*propertyTreeNode{}, match: -1}
	for idx, d := range defs {
		props := append([]string(nil), d.Properties...)
		sort.Slice(props, func(a, b int) bool { return lessUTF16(props[a], props[b]) })
		cur := root
		for _, p := range props {
			nx, ok := cur.next[p]
			if !ok {
				nx = &propertyTreeNode{next: map[string]*propertyTreeNode{}, match: -1}
				cur.next[p] = nx
				if !cur.hasNext || lessUTF16(cur.greatestNxt, p) {
					cur.greatestNxt, cur.hasNext = p, true
				}
			}
			cur = nx
		}
		if cur.match < 0 {
			cur.match, cur.matchProps = idx, len(props)
		}
	}
	return &InterfaceMatcher{root: root, empty: len(defs) == 0}
}

// Match returns the index of the interface a plain object with the
// property names props gets, or -1 if none matches (it stays "Object").
// It sorts props.
func (m *InterfaceMatcher) Match(props []string) int {
	if m.empty {
		return -1
	}
	sort.Slice(props, func(a, b int) bool { return lessUTF16(props[a], props[b]) })
	best, bestProps := -1, 0
	better := func(idx, np int) {
		if idx < 0 {
			return
		}
		if best < 0 || np > bestProps || (np == bestProps && idx < best) {
			best, bestProps = idx, np
		}
	}
	better(m.root.match, m.root.matchProps)
	states, nextStates := append(m.states[:0], m.root), m.nextStates
	for _, p := range props {
		// The states that exist before this property; new ones are
		// appended (a Set keeps insertion order, and a state already in
		// the set is not added twice).
		nextStates = nextStates[:0]
		for _, st := range states {
			keep := st.hasNext && lessUTF16(p, st.greatestNxt)
			if keep {
				nextStates = append(nextStates, st)
			}
			if nx, ok := st.next[p]; ok {
				nextStates = appendUnique(nextStates, nx)
				better(nx.match, nx.matchProps)
			}
		}
		states, nextStates = nextStates, states
	}
	m.states, m.nextStates = states, nextStates
	return best
}

// IsPlainObject reports whether node i is a plain object (type object, raw
// name "Object"): the objects that interface definitions name.
func (g *Graph) IsPlainObject(i snapshot.Ordinal) bool { return g.isPlainObject(i) }

// AppendPropertyNames appends to buf the names of node i's property edges,
// in edge order: what interface definitions match a plain object on.
func (g *Graph) AppendPropertyNames(buf []string, i snapshot.Ordinal) []string {
	s := g.S
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if s.EdgeTypes[e] == snapshot.EdgeProperty {
			buf = append(buf, s.Strings.At(s.EdgeNameID(e)))
		}
	}
	return buf
}

// applyInterfaces is DevTools' applyInterfaceDefinitions: each plain object
// of g gets in class the interface with the most properties that its
// property set contains (earlier interfaces win ties), named by a string
// id from add, called once per interface used; without one it keeps its
// class.
func applyInterfaces(g *Graph, class []snapshot.StringID, defs []Interface, add func(string) snapshot.StringID) {
	if len(defs) == 0 {
		return
	}
	const none = ^snapshot.StringID(0)
	m := NewInterfaceMatcher(defs)
	ifaceClass := make([]snapshot.StringID, len(defs))
	for i := range ifaceClass {
		ifaceClass[i] = none
	}
	var props []string
	for i := range snapshot.Ordinal(g.S.NodeCount()) {
		if !g.isPlainObject(i) {
			continue
		}
		props = g.AppendPropertyNames(props[:0], i)
		best := m.Match(props)
		if best < 0 {
			continue // stays "Object", with its own name index
		}
		if ifaceClass[best] == none {
			ifaceClass[best] = add(defs[best].Name)
		}
		class[i] = ifaceClass[best]
	}
}

func appendUnique(list []*propertyTreeNode, n *propertyTreeNode) []*propertyTreeNode {
	for _, x := range list {
		if x == n {
			return list
		}
	}
	return append(list, n)
}

// lessUTF16 orders WTF-8 strings as JavaScript orders strings: by UTF-16
// code units. It differs from byte order only between supplementary
// characters (4-byte sequences, surrogate pairs in UTF-16) and U+E000–U+FFFF.
func lessUTF16(a, b string) bool {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return len(a) < len(b)
	}
	start := i
	for start > 0 && a[start]&0xC0 == 0x80 {
		start--
	}
	ca, cb := a[start], b[start]
	if start == i {
		if ca >= 0xF0 && cb >= 0xEE && cb < 0xF0 {
			return true
		}
		if cb >= 0xF0 && ca >= 0xEE && ca < 0xF0 {
			return false
		}
	}
	return a[i] < b[i]
}
