package leak

import (
	"fmt"
	"slices"

	"github.com/heapscope/heapscope/graph"

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
	// allocation tracking), "scope" (a function whose scope declares the
	// variable that holds the container: the code that fills it is in
	// that scope) or "holder" (another function on the path from the roots
	// to the accumulation point; left out of text).
	Role string `json:"role"`
	// FixSite marks the location most likely to need the change: the line
	// that adds the listener, starts the timer or allocates the entry.
	FixSite bool `json:"fixSite,omitempty"`
	object.Location
}

// locations lists what explains the chain p (accumulation point at index
// acc), ranked for the person who will fix it: the fix site first (the
// callback the chain goes through, when the application wrote it, else the
// application's first frame of the allocation stack), then the
// application's locations, a dependency's, and the runtime's. Each is
// named after what is there: the listener or callback, the constructor of
// the object, the allocation stack's frames, the other closures below the
// accumulation point and the targets of bound functions, and the "holder"
// closures above it, on the way from the roots.
//
// owner, when not noNode, is the object the headline names instead of a
// generic subject (a dependency's store holding strings): its constructor
// is listed too.
func locations(ki *keyIndex, p paths.Path, acc int, ev *evidence, owner snapshot.Ordinal, stack []graph.Frame, sources object.SourceMapper) []Location {
	g := ki.g
	var out []Location
	seen := map[string]bool{}
	add := func(role string, name string, l object.Location) {
		id := fmt.Sprint(name, "\x00", l.Script, "\x00", l.Line, ":", l.Column) // an allocation frame has no script id
		if seen[id] {
			return
		}
		seen[id] = true
		l.Origin, l.Package = object.OriginOf(l.Script)
		if sources != nil {
			if o, ok := sources.Original(l.Script, l.Line, l.Column); ok {
				l.Original = &o
				// A bundle's sources tell whose code it is.
				l.Origin, l.Package = object.OriginOf(o.Script)
			}
		}
		out = append(out, Location{Role: role, Location: l.Named(name)})
	}
	addNode := func(role string, i snapshot.Ordinal) {
		l, ok := object.At(g, i)
		if !ok {
			return
		}
		name := g.S.Name(i)
		if role == "constructor" {
			name = g.ClassName(i)
		}
		add(role, name, l)
	}
	addClosure := func(role string, i snapshot.Ordinal) {
		addNode(role, i)
		if t, ok := boundFunction(g.S, i); ok {
			addNode("bound function", t)
		}
	}
	fixable := map[string]bool{"listener": true, "callback": true, "allocation": true}
	if ev != nil && ev.callback != noNode {
		role := "callback"
		switch ev.id {
		case PatternListener:
			role = "listener"
		case PatternClosure:
			role = "function"
			fixable[role] = true
		}
		// A bound callback is named after the function it calls.
		if t, ok := boundFunction(g.S, ev.callback); ok {
			addNode(role, t)
		} else {
			addNode(role, ev.callback)
		}
	}
	if t := p.Target(); g.S.NodeTypes[t] == snapshot.NodeObject || g.S.NodeTypes[t] == snapshot.NodeNative {
		addNode("constructor", t)
	}
	if owner != noNode {
		addNode("constructor", owner)
	}
	frames := 0
	for _, fr := range stack {
		if o, _ := object.OriginOf(fr.Script); o == object.OriginRuntime || fr.Line == 0 || frames == maxFrames {
			continue
		}
		frames++
		add("allocation", fr.Function, object.Location{Script: fr.Script, Line: int32(fr.Line), Column: int32(fr.Column)})
	}
	for j := len(p) - 1; j >= 0; j-- {
		if i := p[j].Node; g.S.NodeTypes[i] == snapshot.NodeClosure {
			switch {
			case j > acc:
				addClosure("function", i)
			case j == acc-2 && g.S.EdgeTypes[p[acc].Edge] == snapshot.EdgeContext:
				// Its scope declares the container's variable: the
				// code that fills it is in that scope.
				addClosure("scope", i)
			default:
				addClosure("holder", i)
			}
		}
	}
	for k := range out {
		if out[k].Origin == object.OriginApp && fixable[out[k].Role] {
			out[k].FixSite = true
			break
		}
	}
	slices.SortStableFunc(out, func(a, b Location) int {
		if a.FixSite != b.FixSite {
			if a.FixSite {
				return -1
			}
			return 1
		}
		// Holders are on the way from the roots, whoever wrote them.
		if ha, hb := a.Role == "holder", b.Role == "holder"; ha != hb {
			if ha {
				return 1
			}
			return -1
		}
		if oa, ob := originRank(a.Origin), originRank(b.Origin); oa != ob {
			return oa - ob
		}
		return roleRank(a.Role) - roleRank(b.Role)
	})
	return out
}

// maxFrames bounds the allocation stack's frames among the locations.
const maxFrames = 3

func originRank(o object.Origin) int {
	switch o {
	case object.OriginApp:
		return 0
	case object.OriginDependency:
		return 1
	}
	return 2
}

func roleRank(role string) int {
	switch role {
	case "listener", "callback":
		return 0
	case "constructor":
		return 1
	case "allocation":
		return 2
	case "function":
		return 3
	case "bound function":
		return 4
	case "scope":
		return 5
	}
	return 6
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
