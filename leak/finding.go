package leak

import (
	"fmt"

	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// Accumulation is the accumulation point and its retained size in every
// snapshot where it exists (0 where it does not).
type Accumulation struct {
	object.Ref
	RetainedBySnapshot []uint64 `json:"retainedBySnapshot"`
}

// Related is another growing class that belongs to a finding's chain.
type Related struct {
	Class       string `json:"class"`
	Key         string `json:"key"`
	CountGrowth []int  `json:"countGrowth"`
}

// Location is a source location that explains a chain, named after what is
// there (object.Location.Function is always set).
type Location struct {
	// Role says what is there: "constructor", "function" (a closure on the
	// chain) or "bound function" (the target of a bound function).
	Role string `json:"role"`
	object.Location
}

// locations lists the constructor of the finding's class, the functions on
// the chain and the targets of bound functions, resolved to script names.
func locations(ki *keyIndex, p paths.Path, key string) []Location {
	g := ki.g
	var out []Location
	seen := map[string]bool{}
	add := func(role string, i snapshot.Ordinal) {
		src, ok := object.At(g, i)
		if !ok {
			return
		}
		name := g.S.Name(i)
		if role == "constructor" {
			name = g.ClassName(i)
		}
		id := fmt.Sprint(role, name, src.ScriptID, src.Script, src.Line, src.Column)
		if seen[id] {
			return
		}
		seen[id] = true
		out = append(out, Location{Role: role, Location: src.Named(name)})
	}
	for j := len(p) - 1; j >= 0; j-- {
		i := p[j].Node
		if a := ki.perNode[i]; a >= 0 && ki.keys[a] == key && g.S.NodeTypes[i] == snapshot.NodeObject {
			add("constructor", i)
			break
		}
	}
	for _, h := range p {
		i := h.Node
		if g.S.NodeTypes[i] != snapshot.NodeClosure {
			continue
		}
		add("function", i)
		if t, ok := boundFunction(g.S, i); ok {
			add("bound function", t)
		}
	}
	return out
}

// boundFunction returns the target of a bound function (a native_bind
// closure's bound_function edge).
func boundFunction(s *snapshot.Snapshot, i snapshot.Ordinal) (snapshot.Ordinal, bool) {
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if !s.EdgeTypes[e].HasNumericName() && s.Strings.At(s.EdgeNameID(e)) == "bound_function" {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}
