// Package snapshot reads V8 heap snapshots (.heapsnapshot files written by
// Node.js, Chromium, Electron and Deno) into a compact, flat in-memory model.
//
// The model is a struct of arrays: one slice per node field and per edge
// field, with the edges of node i at EdgeTo[FirstEdge[i]:FirstEdge[i+1]]
// (CSR order, as V8 writes them). All strings live in one arena. There is no
// Go object or pointer per node or edge, so a snapshot of 13 M nodes and
// 47 M edges costs about 17 bytes per node and 9 bytes per edge.
//
// Nodes are identified by their Ordinal (position in the file, 0-based).
// V8 object ids (NodeID) are stable across snapshots of one process and are
// the key for diffs; types.go says how the index types relate.
package snapshot

// NodeType is the canonical kind of a heap node. Files name their types in
// meta.node_types; the parser maps those names onto these codes so that the
// analyses never depend on the file's order.
type NodeType uint8

// The node types V8 writes (v8-profiler.h, HeapGraphNode::Type).
const (
	NodeHidden NodeType = iota
	NodeArray
	NodeString
	NodeObject
	NodeCode
	NodeClosure
	NodeRegExp
	NodeNumber
	NodeNative
	NodeSynthetic
	NodeConsString
	NodeSlicedString
	NodeSymbol
	NodeBigInt
	NodeObjectShape
	// NodeOther is a type name this package does not know; its name is kept
	// in Snapshot.NodeTypeNames.
	NodeOther
)

var nodeTypeNames = [...]string{
	"hidden", "array", "string", "object", "code", "closure", "regexp",
	"number", "native", "synthetic", "concatenated string", "sliced string",
	"symbol", "bigint", "object shape",
}

// String returns the name V8 uses for t.
func (t NodeType) String() string {
	if int(t) < len(nodeTypeNames) {
		return nodeTypeNames[t]
	}
	return "other"
}

// EdgeType is the canonical kind of a heap edge.
type EdgeType uint8

// The edge types V8 writes (HeapGraphEdge::Type), plus DevTools' synthetic
// "invisible" type, which never appears in files.
const (
	EdgeContext EdgeType = iota
	EdgeElement
	EdgeProperty
	EdgeInternal
	EdgeHidden
	EdgeShortcut
	EdgeWeak
	EdgeInvisible
	EdgeOther
)

var edgeTypeNames = [...]string{
	"context", "element", "property", "internal", "hidden", "shortcut", "weak", "invisible",
}

// String returns the name V8 uses for t.
func (t EdgeType) String() string {
	if int(t) < len(edgeTypeNames) {
		return edgeTypeNames[t]
	}
	return "other"
}

// HasNumericName reports whether edges of type t carry a number (an element
// index) instead of a string index in name_or_index.
func (t EdgeType) HasNumericName() bool { return t == EdgeElement || t == EdgeHidden }

// Detachedness is the DOM state V8's embedder graph records for a node.
type Detachedness uint8

// Detachedness values (v8-profiler.h, EmbedderGraph::Node::Detachedness).
const (
	Unknown  Detachedness = 0
	Attached Detachedness = 1
	Detached Detachedness = 2
)

// Snapshot is one parsed heap snapshot.
type Snapshot struct {
	Meta Meta

	// Per node, indexed by ordinal.
	NodeTypes []NodeType
	NodeNames []StringID
	NodeIDs   []NodeID // odd for JS heap objects
	SelfSizes []uint32 // raw self_size; see SelfSize for values ≥ 4 GiB
	// FirstEdge has NodeCount()+1 entries: the edges of node i are
	// FirstEdge[i] ≤ e < FirstEdge[i+1].
	FirstEdge    []EdgeIndex
	TraceNodeIDs []uint32       // nil when the file has no trace_node_id field or all are 0
	Detachedness []Detachedness // nil when the file has no detachedness field

	// Per edge, in CSR order.
	EdgeTypes []EdgeType
	// EdgeNames holds a StringID, or for element and hidden edges
	// (EdgeType.HasNumericName) the element index; EdgeNameID and EdgeName
	// read it.
	EdgeNames []uint32
	EdgeTo    []Ordinal // the target node

	Strings Strings

	Locations          []Location
	TraceFunctionInfos []TraceFunctionInfo
	TraceTree          []TraceNode
	Samples            []Sample

	// Root is the ordinal of the synthetic root (snapshot.root_index, default 0).
	Root Ordinal
	// ExtraNativeBytes is snapshot.extra_native_bytes (Node 24+), else 0.
	ExtraNativeBytes uint64

	// bigSelf holds self sizes that do not fit in 32 bits, by ordinal.
	bigSelf map[Ordinal]uint64
	// otherNodeTypes names NodeOther types, by ordinal; nil when there are none.
	otherNodeTypes map[Ordinal]string
}

// Location is the source position V8 records for a function, or for an
// object's constructor. Line and Column are 0-based.
type Location struct {
	Node     Ordinal
	ScriptID uint32
	Line     int32
	Column   int32
}

// TraceFunctionInfo describes one function of the allocation-trace tree.
// Line and Column are 1-based; 0 means unknown.
type TraceFunctionInfo struct {
	FunctionID uint32
	Name       StringID
	ScriptName StringID
	ScriptID   uint32
	Line       uint32
	Column     uint32
}

// TraceNode is one node of the allocation-trace tree, stored in preorder.
type TraceNode struct {
	ID           uint32
	FunctionInfo uint32 // index into TraceFunctionInfos
	Count        uint32
	Size         uint64
	Parent       int32 // index into TraceTree; -1 for the root
}

// Sample is one heap-statistics sample: the last object id assigned at a time.
type Sample struct {
	TimestampMicros uint64
	LastAssignedID  uint64
}

// NodeCount returns the number of nodes.
func (s *Snapshot) NodeCount() int { return len(s.NodeIDs) }

// EdgeCount returns the number of edges.
func (s *Snapshot) EdgeCount() int { return len(s.EdgeTo) }

// SelfSize returns the raw self size of node i.
func (s *Snapshot) SelfSize(i Ordinal) uint64 {
	if s.bigSelf != nil {
		if v, ok := s.bigSelf[i]; ok {
			return v
		}
	}
	return uint64(s.SelfSizes[i])
}

// Name returns the name of node i.
func (s *Snapshot) Name(i Ordinal) string { return s.Strings.At(s.NodeNames[i]) }

// TypeName returns the type name of node i as the file spells it.
func (s *Snapshot) TypeName(i Ordinal) string {
	if t := s.NodeTypes[i]; t != NodeOther {
		return t.String()
	}
	return s.otherNodeTypes[i]
}

// EdgeName returns the name of edge e: its string, or its index as decimal
// text for element and hidden edges.
func (s *Snapshot) EdgeName(e EdgeIndex) string {
	if s.EdgeTypes[e].HasNumericName() {
		return uitoa(uint64(s.EdgeNames[e]))
	}
	return s.Strings.At(s.EdgeNameID(e))
}

// EdgeNameID returns the string that names edge e, for an edge whose type
// has no numeric name (the caller knows it, or checks HasNumericName): for
// element and hidden edges, EdgeNames holds an element index instead.
func (s *Snapshot) EdgeNameID(e EdgeIndex) StringID { return StringID(s.EdgeNames[e]) }

// EdgeSource returns the ordinal of the node that owns edge e, by binary
// search over FirstEdge. Hot paths should use a retainer index instead.
func (s *Snapshot) EdgeSource(e EdgeIndex) Ordinal {
	lo, hi := 0, len(s.FirstEdge)-1
	for lo < hi {
		m := (lo + hi + 1) / 2
		if s.FirstEdge[m] <= e {
			lo = m
		} else {
			hi = m - 1
		}
	}
	// Skip nodes without edges that share the same FirstEdge value.
	for lo+1 < len(s.FirstEdge) && s.FirstEdge[lo+1] <= e {
		lo++
	}
	return Ordinal(lo)
}

// MaxJSNodeID returns the largest odd node id: V8 gives JS heap objects odd
// ids from a counter that only grows, so objects allocated after this
// snapshot have larger ids.
func (s *Snapshot) MaxJSNodeID() NodeID {
	var m NodeID
	for _, id := range s.NodeIDs {
		if id&1 == 1 && id > m {
			m = id
		}
	}
	return m
}

func uitoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}
