package object

import (
	"strings"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
)

// Location is a source position: the script (its id and, as far as the
// snapshot tells, its name) and the 1-based line and column, with the
// function there when the front end names it.
type Location struct {
	// Function names what is at the location. Leak findings set it; the web
	// API's locations, which belong to a class row or an object already
	// named, leave it nil, and their JSON has no "name".
	*Function
	Script   string `json:"script"`
	ScriptID uint32 `json:"scriptId"`
	Line     int32  `json:"line"`
	Column   int32  `json:"column"`
	// Origin says whose code the script is (OriginOf); set by leak findings.
	Origin Origin `json:"origin,omitempty"`
	// Package is the npm package of a dependency's script.
	Package string `json:"package,omitempty"`
	// Original is where the location comes from when the script has a
	// source map (TypeScript, a bundle); Script, Line and Column stay the
	// snapshot's own.
	Original *Source `json:"original,omitempty"`
}

// Source is a position in an original source file (1-based).
type Source struct {
	Script string `json:"script"`
	Line   int32  `json:"line"`
	Column int32  `json:"column"`
}

// SourceMapper maps a generated location (1-based line and column of a
// script as the snapshot names it) to its original source.
type SourceMapper interface {
	Original(script string, line, column int32) (Source, bool)
}

// Origin says whose code a script is.
type Origin string

// The origins.
const (
	// OriginApp is the application's own code: what the user wrote.
	OriginApp Origin = "app"
	// OriginDependency is code of an npm package (a script under
	// node_modules).
	OriginDependency Origin = "dependency"
	// OriginRuntime is the runtime's own code (node:…, internal/…,
	// extensions) or a script without a name.
	OriginRuntime Origin = "runtime"
)

// Function is the function at a location.
type Function struct {
	// Name is the function's name ("" when anonymous) or, for a
	// constructor, its class.
	Name string `json:"name"`
}

// At is the resolved location of node i of g (a function's own position,
// or an object's constructor), if V8 recorded one.
func At(g *graph.Graph, i snapshot.Ordinal) (Location, bool) {
	l, ok := g.Location(i)
	if !ok {
		return Location{}, false
	}
	return Resolve(g, l), true
}

// Resolve names the script of l, a location as the snapshot records it
// (0-based), and makes it 1-based.
func Resolve(g *graph.Graph, l snapshot.Location) Location {
	return Location{ScriptID: l.ScriptID, Script: g.ScriptName(l.ScriptID), Line: l.Line + 1, Column: l.Column + 1}
}

// Named returns l with the function name set.
func (l Location) Named(name string) Location {
	l.Function = &Function{Name: name}
	return l
}

// Displayed returns l with its strings as a browser should get them
// (snapshot.Display).
func (l Location) Displayed() Location {
	l.Script = snapshot.Display(l.Script)
	if l.Function != nil {
		l.Function = &Function{Name: snapshot.Display(l.Name)}
	}
	return l
}

// OriginOf says whose code script is, and for a dependency the npm package
// ("@scope/name" or "name", after the last node_modules of the path).
// Node.js names its own scripts node:… (internal/… before Node 16);
// Chromium its extensions and internals chrome…:// or extensions::.
func OriginOf(script string) (Origin, string) {
	switch {
	case script == "", strings.HasPrefix(script, "node:"), strings.HasPrefix(script, "internal/"),
		strings.HasPrefix(script, "chrome"), strings.HasPrefix(script, "extensions::"),
		strings.HasPrefix(script, "devtools://"), strings.HasPrefix(script, "v8/"):
		return OriginRuntime, ""
	case !strings.ContainsAny(script, "/\\.:"):
		return OriginRuntime, "" // "events", "timers": Node's modules before node: names
	}
	const nm = "node_modules"
	s := strings.ReplaceAll(script, "\\", "/")
	k := strings.LastIndex(s, "/"+nm+"/")
	if k < 0 {
		return OriginApp, ""
	}
	rest := strings.Split(s[k+len(nm)+2:], "/")
	pkg := rest[0]
	if strings.HasPrefix(pkg, "@") && len(rest) > 1 {
		pkg += "/" + rest[1]
	}
	return OriginDependency, pkg
}
