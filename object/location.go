package object

import (
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
}

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
