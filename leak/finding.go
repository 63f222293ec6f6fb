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

// Pattern is a leak pattern recognised in a finding: what the code does,
// in words, and what to change.
type Pattern struct {
	// ID is one of the Pattern* constants.
	ID string `json:"id"`
	// Title names the pattern ("a listener never removed").
	Title string `json:"title"`
	// Summary says what the evidence shows, in the names of the finding
	// ("a 'change' listener is added to Settings on every call and never
	// removed; each holds a PageView").
	Summary string `json:"summary"`
	// Advice says what to change.
	Advice string `json:"advice"`
}

// The patterns a finding can show (docs/patterns.md has an example verdict
// of each).
const (
	PatternListener     = "listener"              // an event listener added and never removed
	PatternCollection   = "collection"            // a Map, Set, Array or object that only grows
	PatternTimer        = "timer"                 // a timer or interval never cleared
	PatternPromise      = "promise"               // a promise that never settles, holding its reactions
	PatternClosure      = "closure"               // closures kept alive, holding what their scope captured
	PatternFinalization = "finalization-registry" // held values that keep their targets alive
	PatternGlobal       = "global"                // objects kept as properties of the global object
	PatternDetachedDOM  = "detached-dom"          // DOM nodes removed from the document but held by JS
)

// Location is a source location that explains a chain, named after what is
// there (object.Location.Function is always set).
type Location struct {
	// Role says what is there: "listener" (the listener the chain goes
	// through), "callback" (a timer's callback), "constructor" (of the
	// finding's class), "function" (another closure on the chain below the
	// accumulation point), "bound function" (the target of a bound
	// function), "allocation" (a frame of the allocation stack, with
	// allocation tracking) or "holder" (a function on the path from the
	// roots to the accumulation point, whose scope holds the container;
	// left out of text).
	Role string `json:"role"`
	// FixSite marks the location most likely to need the change: the line
	// that adds the listener, starts the timer or allocates the entry.
	FixSite bool `json:"fixSite,omitempty"`
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
