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

// evidence is what a finding's chain shows about the code that leaks: the
// pattern and the names its words need.
type evidence struct {
	id string // a Pattern* constant
	// callback is the listener, the timer's callback or the promise
	// handler on the chain (noNode for none): the user's line that adds it
	// is the likely fix site.
	callback snapshot.Ordinal
	emitter  string // listener: the emitter's class
	event    string // listener: the event's name
	target   bool   // listener: an EventTarget (addEventListener)
	registry bool   // listener: bound callbacks in a container of the program's own
	bound    string // timer: the bound function's target, when the callback is bound
	captured string // the context variable the chain takes to the subject
	interval bool   // timer: setInterval rather than setTimeout
	// asyncContext is set when a timer holds the subject through the
	// AsyncLocalStorage context it was started in.
	asyncContext bool
}

// recognize reads the pattern off chain p (root first, ending at the
// subject) with the accumulation point at index a (-1 for none). The
// mechanisms are tried from the most specific: what is detached from the
// DOM, a listener, a timer, a pending promise, a finalization registry, a
// closure kept in a container, the global object as the container, any
// other container. Without evidence there is no pattern.
//
// p may go on beyond the subject at index subject (a Listener entry to the
// function it calls).
func recognize(g *graph.Graph, p paths.Path, subject, a int, members []*classSeries) *evidence {
	ev := &evidence{callback: noNode}
	ev.captured = capturedVariable(g.S, p[:subject+1], a)
	switch {
	case detachedOnChain(g, p, a) || detachedMember(members):
		ev.id = PatternDetachedDOM
	case emitterListener(g, p, a, ev) || targetListener(g, p, a, ev) || boundEntries(g, p, a, ev):
		ev.id = PatternListener
	case timer(g, p, a, ev):
		ev.id = PatternTimer
	case pendingPromise(g, p, a, ev):
		ev.id = PatternPromise
	case finalizationRegistry(g, p, a):
		ev.id = PatternFinalization
	case a >= 0 && closureEntries(g, p, a, ev):
		ev.id = PatternClosure
	case a >= 0 && (globalObject(g, p[a].Node) || a > 0 && globalObject(g, p[a-1].Node) && dictionary(g, p[a].Node)):
		ev.id = PatternGlobal
	case a >= 0:
		ev.id = PatternCollection
	default:
		return nil
	}
	return ev
}

// detachedOnChain reports DOM nodes detached from their document below the
// accumulation point.
func detachedOnChain(g *graph.Graph, p paths.Path, a int) bool {
	for j := max(a+1, 0); j < len(p); j++ {
		i := p[j].Node
		if g.Detachedness != nil && g.Detachedness[i] == snapshot.Detached || strings.HasPrefix(g.ClassName(i), "Detached ") {
			return true
		}
	}
	return false
}

// detachedMember reports detached DOM nodes among the growing classes.
func detachedMember(members []*classSeries) bool {
	for _, m := range members {
		if strings.HasPrefix(m.name, "Detached ") {
			return true
		}
	}
	return false
}

// emitterListener recognises an EventEmitter's listeners: the point is the
// Array (or the one function) at `_events.<event>`, or the `_events`
// object itself when every call uses an event name of its own.
func emitterListener(g *graph.Graph, p paths.Path, a int, ev *evidence) bool {
	s := g.S
	if a < 1 || a+1 >= len(p) {
		return false
	}
	switch {
	case a >= 2 && propertyName(s, p, a-1) == "_events":
		ev.emitter, ev.event = emitterClass(g, p[a-2].Node), propertyName(s, p, a)
	case propertyName(s, p, a) == "_events":
		ev.emitter, ev.event = emitterClass(g, p[a-1].Node), propertyName(s, p, a+1)
	default:
		return false
	}
	ev.callback = userListener(g, firstClosure(g, p, a+1))
	return ev.callback != noNode
}

// emitterClass names an emitter by its class or, when its prototype was
// set by hand (Node.js makes an AbortSignal as an EventTarget and then
// gives it AbortSignal's prototype), by its prototype's.
func emitterClass(g *graph.Graph, i snapshot.Ordinal) string {
	class := g.ClassName(i)
	if class != "EventTarget" && !genericClass(class) {
		return class
	}
	if proto, ok := edgeTo(g.S, i, "__proto__"); ok && g.S.NodeTypes[proto] == snapshot.NodeObject {
		if pc := g.ClassName(proto); pc != class && !genericClass(pc) {
			return pc
		}
	}
	return class
}

// userListener is the function the program gave for listener cb: the one a
// once() wrapper (a function bound to onceWrapper, with the listener as
// its `listener` property) stands for, the method a bound listener calls,
// else cb itself.
func userListener(g *graph.Graph, cb snapshot.Ordinal) snapshot.Ordinal {
	if cb == noNode {
		return cb
	}
	if l, ok := edgeTo(g.S, cb, "listener"); ok && g.S.NodeTypes[l] == snapshot.NodeClosure {
		cb = l
	}
	// A method bound to its object (emitter.on('x', this.onX.bind(this)))
	// is named after the method.
	if t, ok := boundFunction(g.S, cb); ok && g.S.NodeTypes[t] == snapshot.NodeClosure {
		return t
	}
	return cb
}

// eventsOnIterator reports whether listener cb is the handler of an
// events.on() async iterator (its scope holds the unconsumed events).
func eventsOnIterator(g *graph.Graph, cb snapshot.Ordinal) bool {
	if cb == noNode {
		return false
	}
	if o, _ := object.OriginOf(scriptOf(g, cb)); o != object.OriginRuntime {
		return false
	}
	ctx, ok := edgeTo(g.S, cb, "context")
	if !ok {
		return false
	}
	_, ok = edgeTo(g.S, ctx, "unconsumedEvents")
	return ok
}

// boundEntries recognises a registry of callbacks the program keeps itself
// (a home-made pub/sub): the container's entries are bound functions, each
// holding its object as bound this.
func boundEntries(g *graph.Graph, p paths.Path, a int, ev *evidence) bool {
	if a < 0 || a+1 >= len(p) {
		return false
	}
	j := a + 1
	for j < len(p) && backingStore(g.S, p[j].Node) {
		j++
	}
	if j+1 >= len(p) || g.S.NodeTypes[p[j].Node] != snapshot.NodeClosure {
		return false
	}
	if _, ok := boundFunction(g.S, p[j].Node); !ok || g.S.EdgeName(p[j+1].Edge) != "bound_this" {
		return false
	}
	ev.registry = true
	ev.callback = userListener(g, p[j].Node)
	return true
}

// targetListener recognises Node's EventTarget listeners: the emitter's
// `kEvents` Map holds per event the root of a linked list of Listener
// objects, each holding its `callback`.
func targetListener(g *graph.Graph, p paths.Path, a int, ev *evidence) bool {
	s := g.S
	if a < 0 {
		return false
	}
	events := -1
	for j := a; j > 0; j-- {
		if hopName(s, p, j) == "kEvents" {
			events = j
			break
		}
	}
	if events < 0 {
		return false
	}
	listener := false
	for j := a + 1; j < len(p); j++ {
		if g.ClassName(p[j].Node) == "Listener" {
			listener = true
			break
		}
	}
	if !listener {
		return false
	}
	ev.target = true
	ev.emitter = emitterClass(g, p[events-1].Node)
	// The Map's table holds key, value, chain: the event's name is the
	// entry before the one the chain takes.
	for j := events + 1; j+1 < len(p) && j <= a; j++ {
		if s.NodeTypes[p[j].Node] == snapshot.NodeArray && s.EdgeTypes[p[j+1].Edge] == snapshot.EdgeHidden || s.EdgeTypes[p[j+1].Edge] == snapshot.EdgeInternal {
			if k, ok := numericName(s, p[j+1].Edge); ok && k > 0 {
				if key, ok := edgeTo(s, p[j].Node, fmt.Sprint(k-1)); ok && s.NodeTypes[key] == snapshot.NodeString {
					ev.event = s.Name(key)
					break
				}
			}
		}
	}
	ev.callback = firstClosure(g, p, a+1)
	return ev.callback != noNode
}

// timer recognises a Node.js timer below the accumulation point: a
// Timeout whose `_onTimeout` callback holds the subject (through bound
// this or its closure) or that holds it itself (the AsyncLocalStorage
// context it was started in).
func timer(g *graph.Graph, p paths.Path, a int, ev *evidence) bool {
	s := g.S
	// Only a Timeout below a TimersList is a live timer: one the chain
	// reaches through another container (a fired timeout kept in a
	// dictionary) is an entry of that container. Of the live ones, the
	// one whose callback the chain takes, else the last (a timer list's
	// chain passes its neighbours first); from there, the first with a
	// callback.
	at, list := -1, false
	for j := max(a, 0); j < len(p); j++ {
		if g.ClassName(p[j].Node) == "TimersList" {
			list = true
		}
		if !list || g.ClassName(p[j].Node) != "Timeout" {
			continue
		}
		at = j
		if j+1 < len(p) && propertyName(s, p, j+1) == "_onTimeout" {
			break
		}
	}
	for j := max(at, 0); at >= 0 && j < len(p); j++ {
		t := p[j].Node
		if g.ClassName(t) != "Timeout" {
			continue
		}
		cb, ok := edgeTo(s, t, "_onTimeout")
		if !ok || s.NodeTypes[cb] != snapshot.NodeClosure {
			continue
		}
		ev.callback = cb
		if b, ok := boundFunction(s, cb); ok {
			ev.bound = s.Name(b)
			if ev.bound == "" {
				ev.bound = "(anonymous)"
			}
		}
		if j+1 < len(p) && p[j+1].Node != cb {
			switch hopName(s, p, j+1) {
			case "kAsyncContextFrame", "kResourceStore":
				ev.asyncContext = true
			}
		}
		// _repeat is null for setTimeout, the interval for setInterval
		// (a small integer is no heap object, so no edge at all, or a
		// heap number).
		ev.interval = true
		if r, ok := edgeTo(s, t, "_repeat"); ok && s.NodeTypes[r] != snapshot.NodeNumber {
			ev.interval = false // null, an oddball
		}
		return true
	}
	return false
}

// pendingPromise recognises reactions queued on a promise that has not
// settled: the chain passes a Promise's reactions.
func pendingPromise(g *graph.Graph, p paths.Path, a int, ev *evidence) bool {
	s := g.S
	for j := max(a, 0) + 1; j < len(p); j++ {
		e := p[j].Edge
		// A settled promise's reactions_or_result is its result.
		if e == paths.NoEdge || s.EdgeName(e) != "reactions_or_result" || !strings.HasSuffix(g.S.Name(p[j].Node), "PromiseReaction") {
			continue
		}
		for k := j + 1; k < len(p); k++ {
			if s.NodeTypes[p[k].Node] == snapshot.NodeClosure {
				ev.callback = p[k].Node
				break
			}
		}
		return true
	}
	return false
}

// finalizationRegistry recognises a FinalizationRegistry's cells on the
// chain: their held values keep the targets.
func finalizationRegistry(g *graph.Graph, p paths.Path, a int) bool {
	for _, h := range p[max(a, 0):] {
		switch g.ClassName(h.Node) {
		case "FinalizationRegistry", "system / WeakCell":
			return true
		}
	}
	return false
}

// closureEntries recognises a container of closures that hold the subject
// through their scope.
func closureEntries(g *graph.Graph, p paths.Path, a int, ev *evidence) bool {
	cb := firstClosure(g, p, a+1)
	if cb == noNode || ev.captured == "" {
		return false
	}
	// The closure must be the container's entry: nothing but its backing
	// store between them.
	for j := a + 1; j < len(p) && p[j].Node != cb; j++ {
		if !backingStore(g.S, p[j].Node) {
			return false
		}
	}
	ev.callback = cb
	return true
}

// globalObject reports the global object (Node's global, a page's Window).
func globalObject(g *graph.Graph, i snapshot.Ordinal) bool {
	c := g.ClassName(i)
	return c == "global" || c == "Window" || strings.HasPrefix(c, "Window ") || g.S.Name(i) == "global" && g.Distance[i] <= 2
}

// dictionary reports a plain object (not a Map, Set or Array).
func dictionary(g *graph.Graph, i snapshot.Ordinal) bool {
	c := g.ClassName(i)
	return g.S.NodeTypes[i] == snapshot.NodeObject && (c == "Object" || strings.HasPrefix(c, "{"))
}

// noNode stands for no node.
const noNode = ^snapshot.Ordinal(0)

// firstClosure is the first closure on p from index from, or noNode.
func firstClosure(g *graph.Graph, p paths.Path, from int) snapshot.Ordinal {
	for j := from; j < len(p); j++ {
		if g.S.NodeTypes[p[j].Node] == snapshot.NodeClosure {
			return p[j].Node
		}
	}
	return noNode
}

// capturedVariable is the last context variable the chain takes below the
// accumulation point ("" for none).
func capturedVariable(s *snapshot.Snapshot, p paths.Path, a int) string {
	for j := len(p) - 1; j > max(a, 0); j-- {
		if e := p[j].Edge; e != paths.NoEdge && s.EdgeTypes[e] == snapshot.EdgeContext {
			return s.EdgeName(e)
		}
	}
	return ""
}

// propertyName is the name of the property edge into p[k], or "".
func propertyName(s *snapshot.Snapshot, p paths.Path, k int) string {
	if e := p[k].Edge; e != paths.NoEdge && s.EdgeTypes[e] == snapshot.EdgeProperty {
		return s.EdgeName(e)
	}
	return ""
}

// numericName reads an element or hidden edge's index.
func numericName(s *snapshot.Snapshot, e snapshot.EdgeIndex) (int, bool) {
	var k int
	if _, err := fmt.Sscan(s.EdgeName(e), &k); err != nil {
		return 0, false
	}
	return k, true
}

// edgeTo is the target of node i's edge named name.
func edgeTo(s *snapshot.Snapshot, i snapshot.Ordinal, name string) (snapshot.Ordinal, bool) {
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if s.EdgeName(e) == name {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}

// describe puts the evidence in words, in the names of the finding.
func describe(g *graph.Graph, sub subject, ev *evidence, sources object.SourceMapper) *Pattern {
	what := article(g.ClassName(sub.path.Target()))
	if sub.tier == tierGeneric {
		what = "its entry"
	}
	container := ""
	if sub.acc >= 0 {
		container = containerName(g, sub.path, sub.acc, true)
		if class := g.ClassName(sub.path[sub.acc].Node); container != class && !strings.HasPrefix(container, class+" ") {
			container = collectionKind(class) + " " + container
		}
		container = "the " + container
	}
	callback := ""
	if ev.callback != noNode {
		callback = functionAt(g, ev.callback, sources)
	}
	var p Pattern
	p.ID = ev.id
	switch ev.id {
	case PatternListener:
		p.Title = "A listener never removed"
		if ev.registry {
			p.Summary = fmt.Sprintf("a callback (%s) is added to %s each time that code runs and never removed; each one holds %s.", callback, container, what)
			p.Advice = "Remove the callback when its work is done, with the very function that was added (each .bind() makes a new function, which removes nothing), or add it once."
			break
		}
		if eventsOnIterator(g, ev.callback) {
			p.Summary = fmt.Sprintf("each events.on() iterator leaves its '%s' listener (%s) on %s: the iterators are created each time that code runs and never closed, and each keeps its queued events.", ev.event, callback, ev.emitter)
			p.Advice = "End the iteration when done: break out of the for await loop, call iterator.return(), or pass { signal } to events.on() and abort it."
			break
		}
		p.Summary = fmt.Sprintf("%s listener (%s) is added to %s each time that code runs and never removed", strings.TrimSuffix(article(ev.event), ev.event)+"'"+ev.event+"'", callback, ev.emitter)
		if sub.tier <= tierDependency {
			p.Summary += "; each one holds " + what
		}
		p.Summary += "."
		if ev.target {
			p.Advice = fmt.Sprintf("Remove the listener when its work is done (removeEventListener('%s', listener)), or pass { once: true } or { signal } to addEventListener so that it goes by itself.", ev.event)
		} else {
			p.Advice = fmt.Sprintf("Remove the listener when its work is done (off('%s', listener), or once()), or add one listener at startup instead of one per call.", ev.event)
		}
	case PatternTimer:
		kind, clear := "setTimeout", "clearTimeout"
		p.Title = "A timer never cleared"
		if ev.interval {
			kind, clear = "setInterval", "clearInterval"
			p.Title = "An interval never cleared"
		}
		via := "its callback"
		switch {
		case ev.asyncContext:
			via = "the AsyncLocalStorage context it was started in (its store)"
		case ev.bound != "":
			via = "bound this"
			callback = ev.bound + ".bind(this)"
			if t, ok := boundFunction(g.S, ev.callback); ok {
				if l, ok := object.At(g, t); ok {
					callback += fmt.Sprintf(" at %s:%d", path.Base(strings.ReplaceAll(l.Script, "\\", "/")), l.Line)
				}
			}
		case ev.captured != "":
			via = "the closure variable `" + ev.captured + "`"
		}
		p.Summary = fmt.Sprintf("%s(%s) is started for every %s and never cleared; the timer holds it through %s.", kind, callback, g.ClassName(sub.path.Target()), via)
		p.Advice = fmt.Sprintf("Keep the handle %s returns and %s() it when the object is done (in its close() or dispose()); unref() only lets the process exit, it does not free the timer.", kind, clear)
		if !ev.interval {
			p.Advice = fmt.Sprintf("Keep the handle %s returns and %s() it when the object is done (in its close() or dispose()), and stop re-arming it; unref() only lets the process exit, it does not free the timer.", kind, clear)
		}
		cb := ev.callback
		if t, ok := boundFunction(g.S, cb); ok {
			cb = t
		}
		if o, _ := object.OriginOf(scriptOf(g, cb)); o != object.OriginApp {
			p.Advice = "This timer is started by code you did not write: call the object's close() or destroy() when done, or upgrade if it is a known bug of that code."
		}
	case PatternPromise:
		p.Title = "A promise that never settles"
		on := "a promise"
		if container != "" {
			on = container
		}
		p.Summary = fmt.Sprintf("a handler (%s) is attached to %s, which never settles, each time that code runs; each reaction holds %s.", callback, on, what)
		p.Advice = "Settle the promise (resolve or reject it, with a timeout), or do not chain a handler per call on a long-lived pending promise."
	case PatternFinalization:
		p.Title = "A FinalizationRegistry that keeps its targets"
		p.Summary = fmt.Sprintf("%s is registered with a FinalizationRegistry whose held value refers to it, so it is never collected.", upper(what))
		p.Advice = "Register a held value that does not reference the target (an id or a handle), and unregister() what you no longer track."
	case PatternClosure:
		p.Title = "A closure capturing more than it uses"
		p.Summary = fmt.Sprintf("closures (%s) are kept in %s; each keeps its scope alive, and with it %s, through the captured variable `%s`.", callback, container, what, ev.captured)
		p.Advice = fmt.Sprintf("Remove the closures when done. If a closure does not use `%s`, keep it out of its scope: copy what it needs into a smaller function's locals, or set `%s` to null once used.", ev.captured, ev.captured)
	case PatternGlobal:
		p.Title = "A global that only grows"
		where := "the global object"
		if !globalObject(g, sub.path[sub.acc].Node) {
			where = "global." + hopName(g.S, sub.path, sub.acc) + ", an object on the global"
		}
		p.Summary = fmt.Sprintf("%s is stored in %s each time that code runs and never deleted.", upper(what), where)
		p.Advice = "Do not keep per-call data on globalThis: delete entries when done, or keep them in a bounded structure owned by a module."
	case PatternCollection:
		kind := collectionKind(g.ClassName(sub.path[sub.acc].Node))
		p.Title = upper(article(kind)) + " that only grows"
		if kind == "object" {
			p.Title = "An object used as a map that only grows"
		}
		p.Summary = fmt.Sprintf("entries are added to %s and never removed, each holding %s: an unbounded cache or registry.", container, what)
		switch kind {
		case "Array":
			p.Advice = "Remove entries when they are done, or cap the array (a ring buffer that keeps the last N)."
		case "Set":
			p.Advice = "delete() each member when it is done, on every path (in a finally, on 'close' and on error), or bound the Set."
		default:
			p.Advice = "Delete entries when they are no longer needed, or bound the cache (an LRU with a maximum size, or a TTL); a WeakMap keyed by the owning object lets an entry go with it."
		}
	case PatternDetachedDOM:
		p.Title = "Detached DOM kept by JavaScript"
		p.Summary = fmt.Sprintf("DOM elements removed from the document stay alive: %s holds them", what)
		if container != "" {
			p.Summary += " and is still referenced from " + container
		}
		p.Summary += "."
		p.Advice = "When an element is removed, drop what refers to it: unregister the component, remove its listeners, set the field that holds the element to null."
	default:
		return nil
	}
	return &p
}

// collectionKind names a container's class for people.
func collectionKind(class string) string {
	switch class {
	case "Map", "Set", "Array", "WeakMap", "WeakSet", "Promise", "FinalizationRegistry":
		return class
	}
	return "object"
}

// scriptOf is the name of the script of closure or object i ("" if unknown).
func scriptOf(g *graph.Graph, i snapshot.Ordinal) string {
	if l, ok := g.Location(i); ok {
		return g.ScriptName(l.ScriptID)
	}
	return ""
}

// article puts "a" or "an" before a class name.
func article(class string) string {
	if class != "" && strings.ContainsRune("AEIOUaeiou", rune(class[0])) {
		return "an " + class
	}
	return "a " + class
}

// upper capitalises the first letter of s.
func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
