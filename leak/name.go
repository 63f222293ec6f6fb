package leak

import (
	"fmt"
	"path"
	"strings"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// The naming rule. A finding is named after what the person fixing the
// leak must change: code they wrote before a dependency's, a dependency's
// before the runtime's API objects, and generic classes (Object, Array,
// Function, Promise, strings, contexts, object shapes) only when nothing
// else grows on the chain. Among objects of one tier the one a callback
// holds (the Server a timer's bound function holds, not the Timeout) comes
// first, then the one nearest below the accumulation point, so the same
// leak gets the same name on every run whatever instance was sampled.

// tier ranks how specific node i's class is to the user: lower is better.
type tier uint8

const (
	tierApp        tier = iota // a class whose constructor is in the application
	tierDependency             // a class of an npm package
	tierRuntime                // a named class of the runtime (Server, Timeout)
	tierGeneric                // Object, Array, Function, strings, …
)

// tierOf ranks node i of g by the script of its class's constructor.
func tierOf(g *graph.Graph, i snapshot.Ordinal) tier {
	if g.S.NodeTypes[i] != snapshot.NodeObject && g.S.NodeTypes[i] != snapshot.NodeNative {
		return tierGeneric
	}
	if genericClass(g.ClassName(i)) {
		return tierGeneric
	}
	l, ok := g.Location(i)
	if !ok {
		// Native objects (DOM nodes) and classes V8 knows no constructor
		// position for (a prototype set by hand: AbortSignal): named, but
		// not the user's.
		return tierRuntime
	}
	switch o, _ := object.OriginOf(g.ScriptName(l.ScriptID)); o {
	case object.OriginApp:
		return tierApp
	case object.OriginDependency:
		return tierDependency
	}
	return tierRuntime
}

// genericClass reports the classes that say nothing about whose object it
// is: the language's own kinds, V8's internals and plain object shapes.
func genericClass(name string) bool {
	switch name {
	case "Object", "Array", "Function", "Promise", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry",
		"Error", "ArrayBuffer", "DataView", "Uint8Array", "Buffer", "FastBuffer", "Generator",
		"AsyncFunction", "AsyncGeneratorFunction", "GeneratorFunction", "RegExp", "Date", "Symbol", "BigInt":
		return true
	}
	return name == "" || strings.HasPrefix(name, "(") || strings.HasPrefix(name, "{") ||
		strings.HasPrefix(name, "system / ") || strings.HasSuffix(name, "Array") && strings.Contains(name, "int")
}

// subject is the object a finding is about: a new object of a growing
// class on the chain of one of the group's classes.
type subject struct {
	m    *classSeries // the class of the object
	path paths.Path   // from the roots to the object
	// full is the chain path was cut from: the mechanism may lie beyond
	// the object (the listener a Listener entry calls).
	full paths.Path
	acc  int // index of the accumulation point on path, or -1
	tier tier
}

// chooseSubject picks the object a group of growing classes is about (see
// the naming rule above). Only objects below their chain's accumulation
// point are considered: the point and what holds it are the mechanism, not
// what accumulates.
func chooseSubject(ki *keyIndex, members []*classSeries) (subject, bool) {
	g := ki.g
	byKey := map[string]*classSeries{}
	for _, m := range members {
		byKey[m.key] = m
	}
	type score struct {
		tier   tier
		unheld bool // not held by the chain's last callback
		depth  int  // hops below the accumulation point
		growth int64
		key    string
	}
	better := func(a, b score) bool {
		if a.tier != b.tier {
			return a.tier < b.tier
		}
		if a.unheld != b.unheld {
			return !a.unheld
		}
		if a.depth != b.depth {
			return a.depth < b.depth
		}
		if a.growth != b.growth {
			return a.growth > b.growth
		}
		return a.key < b.key
	}
	// An object some chain of the group goes through between the
	// accumulation point and the first callback below it is the mechanism
	// (the Timeout before its bound function), not what the callback
	// holds.
	beforeCallback := map[snapshot.Ordinal]bool{}
	for _, m := range members {
		p := m.path
		first := -1
		for j := m.acc + 1; j < len(p); j++ {
			if g.S.NodeTypes[p[j].Node] == snapshot.NodeClosure {
				first = j
				break
			}
		}
		for j := max(m.acc+1, 0); j < first; j++ {
			beforeCallback[p[j].Node] = true
		}
	}
	var best subject
	var bestScore score
	found := false
	for _, m := range members {
		p := m.path
		for j := max(m.acc+1, 0); j < len(p); j++ {
			i := p[j].Node
			c := byKey[ki.newKey(i)]
			if c == nil || internalClass(c.name) || g.S.NodeTypes[i] == snapshot.NodeClosure {
				continue
			}
			sc := score{tier: tierOf(g, i), unheld: beforeCallback[i], depth: j - m.acc, growth: c.growth, key: c.key}
			if !found || better(sc, bestScore) {
				best = subject{m: c, path: p[:j+1], full: p, acc: m.acc, tier: sc.tier}
				bestScore, found = sc, true
			}
		}
	}
	return best, found
}

// headline names a finding (Finding.Headline).
func headline(g *graph.Graph, sub subject, ev *evidence, sources object.SourceMapper) string {
	if ev != nil && ev.id == PatternListener && ev.callback != noNode && !ev.registry {
		if eventsOnIterator(g, ev.callback) && g.S.Name(ev.callback) == "" {
			return fmt.Sprintf("listeners of %s '%s' (events.on() iterators)", ev.emitter, ev.event)
		}
		return fmt.Sprintf("listeners of %s '%s' (%s)", ev.emitter, ev.event, functionAt(g, ev.callback, sources))
	}
	i := sub.path.Target()
	class := g.ClassName(i)
	switch sub.tier {
	case tierDependency:
		if l, ok := g.Location(i); ok {
			if _, pkg := object.OriginOf(g.ScriptName(l.ScriptID)); pkg != "" {
				return fmt.Sprintf("%s (%s)", class, pkg)
			}
		}
	case tierGeneric:
		if o := storeOwner(g, sub); o != noNode {
			return headline(g, subject{path: sub.path[:sub.acc], acc: -1, tier: tierDependency}, nil, sources)
		}
		if sub.acc >= 0 {
			return "entries of " + containerName(g, sub.path, sub.acc, true)
		}
	}
	return class
}

// storeOwner is the dependency's object whose container holds a generic
// subject (express-session's MemoryStore and its sessions' strings): the
// finding is named after it. noNode for none.
func storeOwner(g *graph.Graph, sub subject) snapshot.Ordinal {
	if sub.tier != tierGeneric || sub.acc < 1 {
		return noNode
	}
	if o := sub.path[sub.acc-1].Node; tierOf(g, o) == tierDependency {
		return o
	}
	return noNode
}

// functionAt names closure i as a headline does: its name, or
// "(anonymous)", and its script's base name, line and column (the original
// source's when source-mapped).
func functionAt(g *graph.Graph, i snapshot.Ordinal, sources object.SourceMapper) string {
	name := g.S.Name(i)
	if name == "" {
		name = "(anonymous)"
	}
	l, ok := object.At(g, i)
	if !ok {
		return name
	}
	script, line, col := l.Script, l.Line, l.Column
	if sources != nil {
		if o, ok := sources.Original(l.Script, l.Line, l.Column); ok {
			script, line, col = o.Script, o.Line, o.Column
		}
	}
	return fmt.Sprintf("%s %s:%d:%d", name, path.Base(strings.ReplaceAll(script, "\\", "/")), line, col)
}

// containerName names the container at p[a] after how the program reaches
// it: `Map responseCache` (a variable or property holding a Map),
// `MemoryStore.sessions` (a property of a class's object), with the
// package of a dependency's class when withPackage is set.
func containerName(g *graph.Graph, p paths.Path, a int, withPackage bool) string {
	i := p[a].Node
	class := g.ClassName(i)
	name := hopName(g.S, p, a)
	if name == "" {
		// A value of another container (a Set per room in a Map): named
		// after that container.
		k := a - 1
		for k > 0 && backingStore(g.S, p[k].Node) {
			k--
		}
		if key, ok := ephemeronKey(g, p[a].Edge); ok {
			keyName := g.S.Name(key)
			if g.S.NodeTypes[key] != snapshot.NodeClosure || keyName == "" {
				keyName = g.ClassName(key)
			}
			if l, ok := g.Location(key); ok && withPackage {
				if _, pkg := object.OriginOf(g.ScriptName(l.ScriptID)); pkg != "" {
					keyName += " (" + pkg + ")"
				}
			}
			return class + " a WeakMap keeps for " + keyName
		}
		if k >= 0 && k < a-1 && g.S.NodeTypes[p[k].Node] == snapshot.NodeObject {
			outer := containerName(g, p, k, withPackage)
			if oc := g.ClassName(p[k].Node); !strings.HasPrefix(outer, oc+" ") {
				outer = oc + " " + outer
			}
			return class + " in the " + outer
		}
		return class
	}
	if a > 0 {
		owner := p[a-1].Node
		ownerName := ""
		switch {
		case globalObject(g, owner):
			ownerName = "global"
			if strings.HasPrefix(g.ClassName(owner), "Window") {
				ownerName = "window"
			}
		case tierOf(g, owner) != tierGeneric:
			ownerName = g.ClassName(owner)
		case g.S.NodeTypes[owner] == snapshot.NodeClosure && g.S.Name(owner) != "":
			ownerName = g.S.Name(owner) // a function's property: createDebug.instances
		}
		if ownerName != "" {
			s := ownerName + "." + name
			if l, ok := g.Location(owner); ok && withPackage {
				if _, pkg := object.OriginOf(g.ScriptName(l.ScriptID)); pkg != "" {
					s += " (" + pkg + ")"
				}
			}
			return s
		}
	}
	return class + " " + name
}

// hopName is the name of the property, variable or symbol the chain takes
// into p[k] ("" for an element or an internal edge).
func hopName(s *snapshot.Snapshot, p paths.Path, k int) string {
	e := p[k].Edge
	if e == paths.NoEdge {
		return ""
	}
	switch s.EdgeTypes[e] {
	case snapshot.EdgeProperty, snapshot.EdgeContext, snapshot.EdgeShortcut:
		name := s.EdgeName(e)
		name = strings.TrimPrefix(strings.TrimSuffix(name, ">"), "<symbol ")
		return name
	}
	return ""
}
