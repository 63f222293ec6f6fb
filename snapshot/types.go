package snapshot

// The model names its four kinds of index, so that the compiler tells them
// apart: all are 32-bit unsigned integers underneath (the same code, the
// same JSON numbers), and conversions between them are explicit.
//
// An Ordinal is where a node is; a NodeID is who it is. A snapshot's
// per-node columns are indexed by Ordinal, and NodeIDs[o] is the NodeID of
// the node at ordinal o. Ordinals are dense (0 ≤ o < NodeCount) and mean
// nothing outside their snapshot; NodeIDs are sparse and are the same for
// one object in every snapshot of a process. An EdgeIndex is where an edge
// is, among all edges: the edges of node o are FirstEdge[o] ≤ e <
// FirstEdge[o+1], and EdgeTo[e] is the Ordinal of the edge's target. A
// StringID is a string's position in the string table (Strings.At).

// NodeID is the id V8 gives a heap object (the node's "id" field). V8
// numbers JavaScript heap objects with odd ids from a counter that only
// grows, and keeps an object's id for its lifetime, so NodeIDs match
// objects across the snapshots of one process: they are the key for diffs
// and the handle users see. Use Graph.OrdinalOf to find a node by id.
type NodeID uint32

// Ordinal is a node's position in the snapshot, 0-based, in the order the
// file lists the nodes: the index into every per-node column (NodeTypes,
// NodeNames, NodeIDs, SelfSizes, and the analyses' arrays in package
// graph). It is the file's node index divided by the number of node fields.
type Ordinal uint32

// EdgeIndex is an edge's position among all the snapshot's edges, in CSR
// order (the order of the file): the index into the per-edge columns
// (EdgeTypes, EdgeNames, EdgeTo). An edge has no id of its own.
type EdgeIndex uint32

// StringID is the index of a string in the snapshot's string table
// (Strings.At). Package graph extends the range with the strings its
// analyses add, after the snapshot's own (Graph.String).
type StringID uint32
