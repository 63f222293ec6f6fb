package graph

import (
	"strings"
	"sync"

	"github.com/heapscope/heapscope/snapshot"
)

// Frame is one function of an allocation stack, innermost first.
type Frame struct {
	Function string `json:"function"`
	Script   string `json:"script"`
	Line     uint32 `json:"line"`   // 1-based; 0 if unknown
	Column   uint32 `json:"column"` // 1-based; 0 if unknown
}

// SourceLocation is a resolved source position: script name and 1-based
// line and column.
type SourceLocation struct {
	ScriptID uint32 `json:"scriptId"`
	Script   string `json:"script"`
	Line     int32  `json:"line"`
	Column   int32  `json:"column"`
}

type scriptIndex struct {
	once  sync.Once
	names map[uint32]string
}

// ScriptName returns the URL or name of the script with the given id, as
// far as the snapshot tells: snapshot locations carry only script ids, so
// the name comes from a function located in that script, through
// JSFunction -{shared}-> SharedFunctionInfo -{script_or_debug_info}-> Script,
// whose node name is the script's name (e.g. "node:_http_server").
func (g *Graph) ScriptName(id uint32) string {
	g.scripts.once.Do(g.indexScripts)
	return g.scripts.names[id]
}

func (g *Graph) indexScripts() {
	s := g.S
	names := map[uint32]string{}
	for _, ln := range g.locByNode {
		l := s.Locations[ln.Location]
		if _, ok := names[l.ScriptID]; ok || s.NodeTypes[ln.Node] != snapshot.NodeClosure {
			continue
		}
		if name := scriptOfFunction(s, ln.Node); name != "" {
			names[l.ScriptID] = name
		}
	}
	g.scripts.names = names
}

// scriptOfFunction follows a closure to the name of its script.
func scriptOfFunction(s *snapshot.Snapshot, fn snapshot.Ordinal) string {
	shared, ok := edgeTarget(s, fn, "shared")
	if !ok {
		return ""
	}
	script, ok := edgeTarget(s, shared, "script_or_debug_info")
	if !ok {
		if script, ok = edgeTarget(s, shared, "script"); !ok {
			return ""
		}
	}
	name := s.Name(script)
	// Snapshots with V8 internals exposed (Chromium's) name the Script node
	// "system / Script / URL".
	if url, ok := strings.CutPrefix(name, "system / Script / "); ok {
		return url
	}
	if strings.HasPrefix(name, "system / ") {
		// A DebugInfo (a debugger is attached) points on to the script.
		if inner, ok := edgeTarget(s, script, "script"); ok {
			name = s.Name(inner)
		}
	}
	if strings.HasPrefix(name, "system / ") {
		return ""
	}
	return name
}

// edgeTarget returns the target of node i's first edge with a string name.
func edgeTarget(s *snapshot.Snapshot, i snapshot.Ordinal, name string) (snapshot.Ordinal, bool) {
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if !s.EdgeTypes[e].HasNumericName() && s.Strings.At(s.EdgeNameID(e)) == name {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}

// SourceOf returns the resolved source location of node i (a function's
// own position, or an object's constructor), if V8 recorded one.
func (g *Graph) SourceOf(i snapshot.Ordinal) (SourceLocation, bool) {
	l, ok := g.Location(i)
	if !ok {
		return SourceLocation{}, false
	}
	return SourceLocation{ScriptID: l.ScriptID, Script: g.ScriptName(l.ScriptID), Line: l.Line + 1, Column: l.Column + 1}, true
}

// AllocationStack returns the stack that allocated node i, innermost
// function first, when the snapshot was taken with allocation tracking
// (trace_node_id set); nil otherwise.
func (g *Graph) AllocationStack(i snapshot.Ordinal) []Frame {
	s := g.S
	if s.TraceNodeIDs == nil || len(s.TraceTree) == 0 || s.TraceNodeIDs[i] == 0 {
		return nil
	}
	g.traceOnce.Do(func() {
		g.traceByID = make(map[uint32]int32, len(s.TraceTree))
		for k, t := range s.TraceTree {
			g.traceByID[t.ID] = int32(k)
		}
	})
	k, ok := g.traceByID[s.TraceNodeIDs[i]]
	if !ok {
		return nil
	}
	var frames []Frame
	for ; k >= 0 && len(frames) < 256; k = s.TraceTree[k].Parent {
		t := s.TraceTree[k]
		if int(t.FunctionInfo) >= len(s.TraceFunctionInfos) {
			break
		}
		fi := s.TraceFunctionInfos[t.FunctionInfo]
		f := Frame{Function: s.Strings.At(fi.Name), Script: s.Strings.At(fi.ScriptName), Line: fi.Line, Column: fi.Column}
		if f.Script == "" && (f.Function == "" || f.Function == "(root)") {
			continue // the tree's synthetic root
		}
		frames = append(frames, f)
	}
	return frames
}
