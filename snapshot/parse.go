package snapshot

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/heapscope/heapscope/internal/panicerr"
)

// Options controls Read.
type Options struct {
	// Size is the input's size in bytes when known (0 if not). Declared
	// counts that the input cannot possibly hold are rejected up front, so a
	// hostile header cannot make the parser reserve memory.
	Size int64
	// Held is how many bytes of the input are really there when known
	// (0 if not): a regular file's allocated blocks, less than Size for a
	// sparse file, whose holes read as zeros. When the declared counts fit
	// in what is held, the columns are reserved whole up front, which
	// saves the copies of growing them; else they grow with what is read.
	Held int64
	// Progress, if set, is called with the number of input bytes consumed so
	// far, once per chunk read.
	Progress func(bytesRead int64)
}

// Limits on the parts of a snapshot that are not arrays of numbers. V8
// writes at most 1024 UTF-16 code units of a string (its flag
// --heap-snapshot-string-limit), so maxStringBytes is ample, and it keeps
// one hostile string from costing more than a few times its size in memory
// (the string table grows while it is read) before it is rejected.
const (
	maxHeaderBytes      = 1 << 20
	maxStringBytes      = 16 << 20
	maxStringTableBytes = 4 << 30
)

// stringSlack is how many strings beyond those the sections can name the
// string table may hold: V8 writes none, but a tool that rewrites
// snapshots may keep a few.
const stringSlack = 1 << 16

// minBytesPerValue is the least input one array value needs: a digit and a comma.
const minBytesPerValue = 2

// ReadFile reads the snapshot at path; "-" reads standard input. Gzip input
// is detected by its magic bytes.
func ReadFile(path string, opt Options) (*Snapshot, error) {
	var r io.Reader
	if path == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			opt.Size, opt.Held = st.Size(), heldBytes(st)
		}
		r = f
	}
	return Read(r, opt)
}

// Read parses a heap snapshot from r, decompressing gzip input.
func Read(r io.Reader, opt Options) (*Snapshot, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &Error{Section: "gzip", Msg: err.Error()}
		}
		// No zr.Close: the scanner's read-ahead goroutine may still be in
		// zr.Read when parse returns early, and Close would race with it
		// (Close frees nothing; it does not close br).
		opt.Size, opt.Held = 0, 0 // the decompressed size is unknown
		return parse(&gzipMembers{zr: zr, br: br}, opt)
	}
	return parse(br, opt)
}

// errTrailingGzip is the read error for bytes after the last complete gzip
// member that do not start another member.
var errTrailingGzip = errors.New("trailing data after the gzip stream")

// gzipMembers reads a gzip stream of one or more members, as gzip.Reader
// does in its multistream mode, except for what follows the last member:
// gzip.Reader reads any bytes there as the header of another member, and
// reports a few bytes of padding or garbage as a truncated stream
// (io.ErrUnexpectedEOF). Here they are errTrailingGzip.
type gzipMembers struct {
	zr *gzip.Reader
	br *bufio.Reader
}

func (g *gzipMembers) Read(b []byte) (int, error) {
	g.zr.Multistream(false)
	for {
		n, err := g.zr.Read(b)
		if err != io.EOF {
			return n, err
		}
		// The end of a member, its checksum verified: another member, the
		// end of the input, or trailing data.
		magic, _ := g.br.Peek(2)
		switch {
		case len(magic) == 0:
			return n, io.EOF
		case len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b:
			if err := g.zr.Reset(g.br); err != nil {
				return n, err
			}
			g.zr.Multistream(false)
			if n > 0 {
				return n, nil
			}
		default:
			return n, errTrailingGzip
		}
	}
}

type parser struct {
	s    *scanner
	snap *Snapshot
	opt  Options
	seen map[string]bool

	// Node field offsets (-1 when absent) and the field count.
	nf                                             int
	nType, nName, nID, nSelf, nEdges, nTrace, nDet int
	nodeTypeMap                                    []NodeType
	edgeTypeMap                                    []EdgeType
	ef, eType, eName, eTo                          int
	edgeSum                                        uint64

	// What validate checks, gathered while the columns are stored: the
	// largest name index of a node and of an edge named by a string, and
	// whether any trace_node_id is not 0.
	maxNodeName StringID
	maxEdgeName uint32
	anyTrace    bool

	// reserveAll is set when the input holds what the declared counts
	// need (Options.Held): capHint then reserves them whole.
	reserveAll bool
}

func parse(r io.Reader, opt Options) (*Snapshot, error) {
	p := &parser{s: newScanner(r, opt.Progress), snap: &Snapshot{}, opt: opt, seen: map[string]bool{}}
	defer p.s.close()
	if err := p.document(); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return p.snap, nil
}

func (p *parser) document() error {
	s := p.s
	if err := s.expect('{'); err != nil {
		if s.offset() == 0 && s.readErr == nil {
			return &Error{Section: "header", Msg: "not a heap snapshot (expected a JSON object)"}
		}
		return err
	}
	for {
		s.section = "header"
		key, err := s.stringValue(nil, 256)
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		name := string(key)
		if p.seen[name] {
			return s.errorf("duplicate section %q", name)
		}
		p.seen[name] = true
		if name != "snapshot" && !p.seen["snapshot"] {
			if jscKeys[name] {
				return s.errorf("not a V8 heap snapshot (this looks like a JavaScriptCore/Bun snapshot: it starts with %q, where V8 writes \"snapshot\"; heapscope reads the snapshots of V8: Node.js, Chromium, Electron, Deno)", name)
			}
			return s.errorf("section %q comes before the snapshot header", name)
		}
		s.section = sectionName(name)
		if err := p.section(name); err != nil {
			return err
		}
		s.section = "header"
		c, err := s.peek()
		if err != nil {
			return err
		}
		s.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			s.pos--
			return s.errorf("expected ',' or '}' after section %q, found %s", name, quoteByte(c))
		}
	}
	if !s.atEOF() {
		s.section = "trailer"
		if s.readErr != nil {
			// A gzip checksum error, or data after the gzip stream.
			return s.truncated()
		}
		return s.errorf("data after the end of the snapshot")
	}
	for _, name := range []string{"snapshot", "nodes", "edges", "strings"} {
		if !p.seen[name] {
			return &Error{Section: name, Offset: s.offset(), Msg: "section missing"}
		}
	}
	return nil
}

// jscKeys are the top-level keys of a JavaScriptCore heap snapshot (Bun's
// Bun.generateHeapSnapshot(), Safari's Web Inspector: WebKit's
// HeapSnapshotBuilder), {"version":2,"type":"Inspector","nodes":[...],
// "nodeClassNames":[...],"edges":[...],"edgeTypes":[...],"edgeNames":[...]},
// less the two that V8's format has too.
var jscKeys = map[string]bool{
	"version": true, "type": true, "nodeClassNames": true, "edgeTypes": true, "edgeNames": true, "roots": true, "labels": true,
}

// sectionName is how errors name a section: as the file spells it when
// that is a plain identifier, else quoted, so that an empty key or one with
// a newline still gives a one-line error that names it.
func sectionName(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return strconv.Quote(name)
		}
	}
	if name == "" {
		return `""`
	}
	return name
}

func (p *parser) section(name string) error {
	switch name {
	case "snapshot":
		return p.header()
	case "nodes":
		return p.nodes()
	case "edges":
		return p.edges()
	case "strings":
		return p.strings()
	case "locations":
		return p.locations()
	case "trace_function_infos":
		return p.traceFunctionInfos()
	case "trace_tree":
		return p.traceTree()
	case "samples":
		return p.samples()
	default:
		return p.s.skipValue()
	}
}

func (p *parser) header() error {
	s := p.s
	start := s.offset()
	raw, err := s.rawObject(maxHeaderBytes)
	if err != nil {
		return err
	}
	m, err := parseMeta(raw)
	if err != nil {
		return &Error{Section: "snapshot", Offset: start, Msg: err.Error()}
	}
	p.snap.Meta = m
	fi := func(name string) int { return fieldIndex(m.NodeFields, name) }
	p.nf = len(m.NodeFields)
	p.nType, p.nName, p.nID, p.nSelf, p.nEdges = fi("type"), fi("name"), fi("id"), fi("self_size"), fi("edge_count")
	p.nTrace, p.nDet = fi("trace_node_id"), fi("detachedness")
	p.ef = len(m.EdgeFields)
	p.eType, p.eName, p.eTo = fieldIndex(m.EdgeFields, "type"), fieldIndex(m.EdgeFields, "name_or_index"), fieldIndex(m.EdgeFields, "to_node")
	p.nodeTypeMap = make([]NodeType, len(m.NodeTypeNames))
	for i, n := range m.NodeTypeNames {
		p.nodeTypeMap[i] = NodeOther
		for t, known := range nodeTypeNames {
			if n == known {
				p.nodeTypeMap[i] = NodeType(t)
			}
		}
	}
	p.edgeTypeMap = make([]EdgeType, len(m.EdgeTypeNames))
	for i, n := range m.EdgeTypeNames {
		p.edgeTypeMap[i] = EdgeOther
		for t, known := range edgeTypeNames {
			if n == known {
				p.edgeTypeMap[i] = EdgeType(t)
			}
		}
	}
	if m.NodeCount > math.MaxUint32-1 || m.EdgeCount > math.MaxUint32-1 {
		return &Error{Section: "snapshot", Offset: start, Msg: fmt.Sprintf("node_count %d or edge_count %d exceeds what heapscope supports (2^32-2)", m.NodeCount, m.EdgeCount)}
	}
	need := (m.NodeCount*uint64(p.nf) + m.EdgeCount*uint64(p.ef)) * minBytesPerValue
	if p.opt.Size > 0 && need > uint64(p.opt.Size) {
		return &Error{Section: "snapshot", Offset: start, Msg: fmt.Sprintf("declared node_count %d and edge_count %d need at least %d bytes, but the input has %d", m.NodeCount, m.EdgeCount, need, p.opt.Size)}
	}
	p.reserveAll = p.opt.Held > 0 && need <= uint64(p.opt.Held)
	if m.NodeCount == 0 {
		// The analyses start from the root node; a graph without one is
		// not a heap snapshot.
		return &Error{Section: "snapshot", Offset: start, Msg: "node_count is 0, but a snapshot has at least its root node"}
	}
	if m.RootIndex%uint64(p.nf) != 0 || m.RootIndex/uint64(p.nf) >= m.NodeCount {
		return &Error{Section: "snapshot", Offset: start, Msg: fmt.Sprintf("root_index %d is not a node index", m.RootIndex)}
	}
	p.snap.Root = Ordinal(m.RootIndex / uint64(p.nf))
	p.snap.ExtraNativeBytes = m.ExtraNativeBytes
	return nil
}

// capHint is how many entries to reserve for a declared count before any
// is read: all of them when the input really holds what the counts need
// (Options.Held), else at most 1 Mi, and the columns grow by what was
// read (see extend). Never by the declared count or the file's size alone:
// a header can declare anything, and a sparse file can be 40 GB of nothing.
func (p *parser) capHint(declared uint64) int {
	if p.reserveAll {
		return int(declared)
	}
	return int(min(declared, 1<<20))
}

func (p *parser) nodes() error {
	m := &p.snap.Meta
	sn := p.snap
	n := p.capHint(m.NodeCount)
	sn.NodeTypes = make([]NodeType, 0, n)
	sn.NodeNames = make([]StringID, 0, n)
	sn.NodeIDs = make([]NodeID, 0, n)
	sn.SelfSizes = make([]uint32, 0, n)
	sn.FirstEdge = make([]EdgeIndex, 1, n+1)
	if p.nTrace >= 0 {
		sn.TraceNodeIDs = make([]uint32, 0, n)
	}
	if p.nDet >= 0 {
		sn.Detachedness = make([]Detachedness, 0, n)
	}
	// kind[f] says what field f of a node is, so the hot loop needs no lookups.
	const (
		kSkip = iota
		kType
		kName
		kID
		kSelf
		kEdges
		kTrace
		kDet
	)
	kind := make([]int, p.nf)
	for f, k := range map[int]int{p.nType: kType, p.nName: kName, p.nID: kID, p.nSelf: kSelf, p.nEdges: kEdges, p.nTrace: kTrace, p.nDet: kDet} {
		if f >= 0 {
			kind[f] = k
		}
	}
	total := m.NodeCount * uint64(p.nf)
	var read uint64
	f := 0
	err := p.numberArray(func(vals []uint64, fail func(string, ...any) error) error {
		if read+uint64(len(vals)) > total {
			return fail("more values than node_count %d declares", m.NodeCount)
		}
		for i := 0; i < len(vals); i++ {
			if f == 0 {
				// Whole records of ordinary values take the fast path; the
				// loop below sees the rest, and every error, value by value.
				if i += p.nodeRecords(vals[i:]); i == len(vals) {
					break
				}
			}
			v := number(vals[i])
			switch kind[f] {
			case kType:
				if v >= uint64(len(p.nodeTypeMap)) {
					return fail("node %d: type %d is not in meta.node_types", len(sn.NodeTypes), v)
				}
				t := p.nodeTypeMap[v]
				if t == NodeOther {
					if sn.otherNodeTypes == nil {
						sn.otherNodeTypes = map[Ordinal]string{}
					}
					sn.otherNodeTypes[Ordinal(len(sn.NodeTypes))] = m.NodeTypeNames[v]
				}
				sn.NodeTypes = append(sn.NodeTypes, t)
			case kName:
				if v > math.MaxUint32 {
					return fail("node %d: name index %d out of range", len(sn.NodeNames), v)
				}
				sn.NodeNames = append(sn.NodeNames, StringID(v))
				p.maxNodeName = max(p.maxNodeName, StringID(v))
			case kID:
				if v > math.MaxUint32 {
					return fail("node %d: id %d out of range", len(sn.NodeIDs), v)
				}
				sn.NodeIDs = append(sn.NodeIDs, NodeID(v))
			case kSelf:
				if v > math.MaxUint32 {
					if sn.bigSelf == nil {
						sn.bigSelf = map[Ordinal]uint64{}
					}
					sn.bigSelf[Ordinal(len(sn.SelfSizes))] = v
					v = math.MaxUint32
				}
				sn.SelfSizes = append(sn.SelfSizes, uint32(v))
			case kEdges:
				p.edgeSum += v
				if p.edgeSum > m.EdgeCount {
					return fail("node %d: edge counts add up to more than edge_count %d", len(sn.FirstEdge)-1, m.EdgeCount)
				}
				sn.FirstEdge = append(sn.FirstEdge, EdgeIndex(p.edgeSum))
			case kTrace:
				if v > math.MaxUint32 {
					return fail("node %d: trace_node_id %d out of range", len(sn.TraceNodeIDs), v)
				}
				sn.TraceNodeIDs = append(sn.TraceNodeIDs, uint32(v))
				p.anyTrace = p.anyTrace || v != 0
			case kDet:
				if v > 2 {
					return fail("node %d: detachedness %d out of range", len(sn.Detachedness), v)
				}
				sn.Detachedness = append(sn.Detachedness, Detachedness(v))
			}
			f++
			if f == p.nf {
				f = 0
			}
		}
		read += uint64(len(vals))
		return nil
	})
	if err != nil {
		return err
	}
	if read != total {
		return p.s.errorf("%d values, but node_count %d × %d fields needs %d", read, m.NodeCount, p.nf, total)
	}
	if p.edgeSum != m.EdgeCount {
		return p.s.errorf("edge counts of the nodes add up to %d, but edge_count is %d", p.edgeSum, m.EdgeCount)
	}
	// Without allocation tracking every trace_node_id is 0: drop the column.
	if !p.anyTrace {
		sn.TraceNodeIDs = nil
	}
	return nil
}

func (p *parser) edges() error {
	m := &p.snap.Meta
	sn := p.snap
	n := p.capHint(m.EdgeCount)
	sn.EdgeTypes = make([]EdgeType, 0, n)
	sn.EdgeNames = make([]uint32, 0, n)
	sn.EdgeTo = make([]Ordinal, 0, n)
	total := m.EdgeCount * uint64(p.ef)
	nf := uint64(p.nf)
	limit := m.NodeCount * nf
	var read uint64
	f := 0
	err := p.numberArray(func(vals []uint64, fail func(string, ...any) error) error {
		if read+uint64(len(vals)) > total {
			return fail("more values than edge_count %d declares", m.EdgeCount)
		}
		for i := 0; i < len(vals); i++ {
			if f == 0 {
				if i += p.edgeRecords(vals[i:]); i == len(vals) {
					break
				}
			}
			v := number(vals[i])
			switch f {
			case p.eType:
				if v >= uint64(len(p.edgeTypeMap)) {
					return fail("edge %d: type %d is not in meta.edge_types", len(sn.EdgeTypes), v)
				}
				sn.EdgeTypes = append(sn.EdgeTypes, p.edgeTypeMap[v])
			case p.eName:
				if v > math.MaxUint32 {
					return fail("edge %d: name_or_index %d out of range", len(sn.EdgeNames), v)
				}
				sn.EdgeNames = append(sn.EdgeNames, uint32(v))
			case p.eTo:
				if v%nf != 0 || v >= limit {
					return fail("edge %d: to_node %d does not point at a node", len(sn.EdgeTo), v)
				}
				sn.EdgeTo = append(sn.EdgeTo, Ordinal(v/nf))
			}
			f++
			if f == p.ef {
				f = 0
				if e := len(sn.EdgeTo) - 1; !sn.EdgeTypes[e].HasNumericName() {
					p.maxEdgeName = max(p.maxEdgeName, sn.EdgeNames[e])
				}
			}
		}
		read += uint64(len(vals))
		return nil
	})
	if err != nil {
		return err
	}
	if read != total {
		return p.s.errorf("%d values, but edge_count %d × %d fields needs %d", read, m.EdgeCount, p.ef, total)
	}
	return nil
}

// nodeRecords is the fast path of nodes: it stores the whole records at the
// start of vals for as long as every value is valid and ordinary (a known
// type, a self size that fits in 32 bits), and returns how many values it
// stored. Whatever it stops at, the caller's loop deals with value by value.
// It writes the columns by index, not by append, which keeps the slices'
// lengths out of memory in the loop.
func (p *parser) nodeRecords(vals []uint64) int {
	nf := p.nf
	m := len(vals) / nf
	if m == 0 {
		return 0
	}
	sn := p.snap
	n := len(sn.NodeTypes)
	nodes := int(sn.Meta.NodeCount)
	types, names, ids, selfs, first := extend(sn.NodeTypes, m, nodes), extend(sn.NodeNames, m, nodes), extend(sn.NodeIDs, m, nodes), extend(sn.SelfSizes, m, nodes), extend(sn.FirstEdge, m, nodes+1)
	dType, dName, dID, dSelf, dFirst := types[n:], names[n:], ids[n:], selfs[n:], first[n+1:]
	var traces []uint32
	var dets []Detachedness
	var dTrace []uint32
	var dDet []Detachedness
	nType, nName, nID, nSelf, nEdges, nTrace, nDet := p.nType, p.nName, p.nID, p.nSelf, p.nEdges, p.nTrace, p.nDet
	if nTrace >= 0 {
		traces = extend(sn.TraceNodeIDs, m, nodes)
		dTrace = traces[n:]
	}
	if nDet >= 0 {
		dets = extend(sn.Detachedness, m, nodes)
		dDet = dets[n:]
	}
	typeMap := p.nodeTypeMap
	sum, edgeCount := p.edgeSum, sn.Meta.EdgeCount
	maxName, anyTrace := p.maxNodeName, p.anyTrace
	j := 0
	for ; j < m; j++ {
		r := vals[j*nf : j*nf+nf]
		t, name, id, self, edges := number(r[nType]), number(r[nName]), number(r[nID]), number(r[nSelf]), number(r[nEdges])
		if t >= uint64(len(typeMap)) || typeMap[t] == NodeOther || name|id|self > math.MaxUint32 || edges > edgeCount-sum {
			break
		}
		sum += edges
		dType[j], dName[j], dID[j], dSelf[j], dFirst[j] = typeMap[t], StringID(name), NodeID(id), uint32(self), EdgeIndex(sum)
		if nTrace >= 0 {
			v := number(r[nTrace])
			if v > math.MaxUint32 {
				sum -= edges
				break
			}
			dTrace[j] = uint32(v)
			anyTrace = anyTrace || v != 0
		}
		if nDet >= 0 {
			v := number(r[nDet])
			if v > 2 {
				sum -= edges
				break
			}
			dDet[j] = Detachedness(v)
		}
		maxName = max(maxName, StringID(name))
	}
	sn.NodeTypes, sn.NodeNames, sn.NodeIDs, sn.SelfSizes, sn.FirstEdge = types[:n+j], names[:n+j], ids[:n+j], selfs[:n+j], first[:n+1+j]
	if nTrace >= 0 {
		sn.TraceNodeIDs = traces[:n+j]
	}
	if nDet >= 0 {
		sn.Detachedness = dets[:n+j]
	}
	p.edgeSum, p.maxNodeName, p.anyTrace = sum, maxName, anyTrace
	return j * nf
}

// edgeRecords is the fast path of edges, as nodeRecords is of nodes.
func (p *parser) edgeRecords(vals []uint64) int {
	ef := p.ef
	m := len(vals) / ef
	if m == 0 {
		return 0
	}
	sn := p.snap
	n := len(sn.EdgeTypes)
	edges := int(sn.Meta.EdgeCount)
	types, names, to := extend(sn.EdgeTypes, m, edges), extend(sn.EdgeNames, m, edges), extend(sn.EdgeTo, m, edges)
	dType, dName, dTo := types[n:n+m], names[n:n+m], to[n:n+m]
	eType, eName, eTo := p.eType, p.eName, p.eTo
	typeMap := p.edgeTypeMap
	nf := uint64(p.nf)
	limit := sn.Meta.NodeCount * nf
	// A division per edge would cost more than the rest of the loop. For a
	// 32-bit node, with c = ⌈2^64/nf⌉, the high word of c×node is node/nf
	// and the low word is below c exactly when nf divides node (Lemire,
	// Kaser and Kurz, "Faster Remainder by Direct Computation", 2019).
	// Nodes beyond 32 bits, in a snapshot of billions of values, take the
	// caller's loop.
	if nf < 2 || limit > 1<<32 {
		return 0
	}
	c := math.MaxUint64/nf + 1
	maxName := p.maxEdgeName
	j := 0
	for ; j < m; j++ {
		r := vals[:ef]
		vals = vals[ef:]
		t, name, node := number(r[eType]), number(r[eName]), number(r[eTo])
		if t >= uint64(len(typeMap)) || name > math.MaxUint32 || node >= limit {
			break
		}
		q, low := bits.Mul64(c, node)
		if low >= c {
			break
		}
		dType[j], dName[j], dTo[j] = typeMap[t], uint32(name), Ordinal(q)
		maxName = max(maxName, uint32(name)&stringNamed[typeMap[t]])
	}
	p.maxEdgeName = maxName
	sn.EdgeTypes, sn.EdgeNames, sn.EdgeTo = types[:n+j], names[:n+j], to[:n+j]
	return j * ef
}

// stringNamed is, by edge type, all ones if edges of the type are named by
// a string index, else 0: a mask for the name of an edge.
var stringNamed = func() (m [256]uint32) {
	for t := range m {
		if !EdgeType(t).HasNumericName() {
			m[t] = math.MaxUint32
		}
	}
	return m
}()

// extend returns s lengthened by m elements. It grows s sixteenfold at a
// time, up to limit (the declared count), so that memory stays within a
// small multiple of what was read while a big snapshot is copied only a
// few times, and the last copy costs a sixteenth of the column.
func extend[E any](s []E, m, limit int) []E {
	n := len(s) + m
	if n > cap(s) {
		c := max(n, min(16*cap(s), limit))
		t := make([]E, len(s), c)
		copy(t, s)
		s = t
	}
	return s[:n]
}

// numberBatch is how many numbers the scanner hands over at a time.
const numberBatch = 16 << 10

// numberArray reads a section that is an array of non-negative integers.
// This goroutine turns digits into numbers while store, on another, checks
// them and puts them into columns, so the two halves of the hot loop run on
// both cores. fail builds an error at the offset of the batch at hand.
func (p *parser) numberArray(store func(vals []uint64, fail func(format string, args ...any) error) error) error {
	section := p.s.section
	type job struct {
		vals []uint64
		off  int64
	}
	jobs := make(chan job, 4)
	free := make(chan []uint64, 6)
	for i := 0; i < cap(free); i++ {
		free <- make([]uint64, numberBatch)
	}
	var storeErr error
	var failed atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for j := range jobs {
			if storeErr == nil {
				fail := func(format string, args ...any) error {
					return &Error{Section: section, Offset: j.off, Msg: fmt.Sprintf(format, args...)}
				}
				if err := panicerr.Call("snapshot: store", func() error { return store(j.vals, fail) }); err != nil {
					storeErr = err
					failed.Store(true)
				}
			}
			free <- j.vals[:cap(j.vals)]
		}
	}()
	err := p.s.uintArray(<-free, func(vals []uint64) ([]uint64, error) {
		if failed.Load() {
			return nil, errStop
		}
		jobs <- job{vals, p.s.offset()}
		return <-free, nil
	})
	close(jobs)
	<-done
	if storeErr != nil {
		return storeErr
	}
	return err
}

func (p *parser) strings() error {
	s := p.s
	t := &p.snap.Strings
	if err := s.expect('['); err != nil {
		return err
	}
	if rest := min(p.opt.Size-s.offset(), s.offset()); rest > 0 && p.seen["nodes"] && p.seen["edges"] {
		// V8 writes the strings last, so what is left of the input bounds
		// their decoded size (escapes only shrink), and 16 bytes a string
		// is typical. Reserving up front saves the copies of growing; what
		// was read bounds the reservation too, since the rest of a file
		// may be a hole.
		t.data = make([]byte, 0, rest)
		t.off = make([]uint64, 0, rest/16+1)
	}
	t.off = append(t.off[:0], 0)
	// V8 writes only the strings something names: a node, an edge, a
	// function of the allocation traces (its name and script), and one
	// placeholder. Once those sections are in, more strings than they
	// can name are not a V8 snapshot; the bound keeps a gzip bomb of
	// empty strings from growing the table without end.
	maxStrings := math.MaxInt
	if p.seen["nodes"] && p.seen["edges"] {
		maxStrings = len(p.snap.NodeIDs) + len(p.snap.EdgeTo) + 2*len(p.snap.TraceFunctionInfos) + stringSlack
	}
	if c, err := s.peek(); err != nil {
		return err
	} else if c == ']' {
		s.pos++
		return nil
	}
	for {
		var err error
		t.data, err = s.stringValue(t.data, maxStringBytes)
		if err != nil {
			return err
		}
		if len(t.data) > maxStringTableBytes {
			return s.errorf("string table larger than %s", byteSize(maxStringTableBytes))
		}
		if len(t.off) > maxStrings {
			return s.errorf("more strings than the nodes, edges and trace functions can name (%d)", maxStrings)
		}
		t.off = append(t.off, uint64(len(t.data)))
		c, err := s.peek()
		if err != nil {
			return err
		}
		s.pos++
		if c == ']' {
			return nil
		}
		if c != ',' {
			s.pos--
			return s.errorf("expected ',' or ']' between strings, found %s", quoteByte(c))
		}
	}
}

// records reads a flat array of integers in records of width fields.
func (p *parser) records(width int, rec func([]int64) error) error {
	return p.recordsFast(width, rec, nil)
}

// recordBatch is how many records recordsFast hands to bulk at a time.
const recordBatch = 256

// recordsFast is records with a fast path: where a record starts, whole
// records of non-negative numbers in V8's layout are read with fastNumbers,
// recordBatch at a time, and handed to bulk, which stores them and returns
// true if rec would accept every one of them, and else stores nothing and
// returns false. The records of a batch bulk refuses, or that fastNumbers
// cannot read, are read again one value at a time, so rec reports the
// error, at the same offset as without the fast path.
func (p *parser) recordsFast(width int, rec func([]int64) error, bulk func([]uint64) bool) error {
	if width == 0 {
		return p.s.skipValue()
	}
	buf := make([]int64, 0, width)
	var fast func([]byte) int
	if bulk != nil {
		batch := make([]uint64, width*recordBatch)
		slow := 0 // values to read one at a time before trying again
		fast = func(b []byte) int {
			if slow > 0 {
				slow--
				return 0
			}
			if len(buf) != 0 || len(b) < len(block{}) || b[0]-'0' > 9 {
				return 0
			}
			i, n, _, more := fastNumbers(b, 0, batch, 0)
			if more || n < len(batch) || !bulk(batch) {
				slow = len(batch)
				return 0
			}
			return i
		}
	}
	err := p.s.intArray(func(v int64) error {
		buf = append(buf, v)
		if len(buf) == width {
			if err := rec(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		return nil
	}, fast)
	if err == nil && len(buf) != 0 {
		return p.s.errorf("array length is not a multiple of %d fields", width)
	}
	return err
}

func (p *parser) locations() error {
	lf := p.snap.Meta.LocationFields
	obj, script, line, col := fieldIndex(lf, "object_index"), fieldIndex(lf, "script_id"), fieldIndex(lf, "line"), fieldIndex(lf, "column")
	if obj < 0 || script < 0 || line < 0 || col < 0 {
		if len(lf) == 0 {
			return p.s.skipValue()
		}
		return p.s.errorf("meta.location_fields lacks object_index, script_id, line or column")
	}
	nf := int64(p.nf)
	limit := int64(p.snap.Meta.NodeCount) * nf
	if p.opt.Size > 0 {
		// Only the strings follow; a record takes about four bytes a field.
		// Reserving up front saves the copies (and page faults) of growing.
		// The nodes read, not the declared count, bound the locations.
		hint := min(p.opt.Size-p.s.offset(), p.s.offset()) / int64(4*len(lf))
		p.snap.Locations = make([]Location, 0, max(0, min(hint, int64(len(p.snap.NodeIDs)))))
	}
	// location checks r: 0 if it is a valid location, else 1 if object_index
	// is not a node, 2 if another value is out of range.
	location := func(r []int64) int {
		if r[obj] < 0 || r[obj]%nf != 0 || r[obj] >= limit {
			return 1
		}
		if r[script] < 0 || r[script] > math.MaxUint32 || r[line] < math.MinInt32 || r[line] > math.MaxInt32 || r[col] < math.MinInt32 || r[col] > math.MaxInt32 {
			return 2
		}
		return 0
	}
	// V8 writes at most one location a node: more are not a snapshot, and
	// the bound keeps a gzip bomb of locations from growing them.
	maxLocs := int(p.snap.Meta.NodeCount)
	if p.seen["nodes"] {
		maxLocs = len(p.snap.NodeIDs)
	}
	rec := func(r []int64) error {
		if len(p.snap.Locations) >= maxLocs {
			return p.s.errorf("more locations than nodes (%d)", maxLocs)
		}
		switch location(r) {
		case 1:
			return p.s.errorf("location %d: object_index %d does not point at a node", len(p.snap.Locations), r[obj])
		case 2:
			return p.s.errorf("location %d: value out of range", len(p.snap.Locations))
		}
		p.snap.Locations = append(p.snap.Locations, Location{Node: Ordinal(r[obj] / nf), ScriptID: uint32(r[script]), Line: int32(r[line]), Column: int32(r[col])})
		return nil
	}
	if nf < 2 || limit > 1<<32 {
		return p.records(len(lf), rec)
	}
	// bulk makes location's checks for values known to be non-negative,
	// dividing as edgeRecords does.
	c := math.MaxUint64/uint64(nf) + 1
	bulk := func(vals []uint64) bool {
		locs := p.snap.Locations
		start := len(locs)
		if start+len(vals)/len(lf) > maxLocs {
			return false // rec finds the one too many
		}
		for ; len(vals) >= len(lf); vals = vals[len(lf):] {
			o, sc, ln, cl := number(vals[obj]), number(vals[script]), number(vals[line]), number(vals[col])
			q, low := bits.Mul64(c, o)
			if o >= uint64(limit) || low >= c || sc > math.MaxUint32 || ln > math.MaxInt32 || cl > math.MaxInt32 {
				p.snap.Locations = locs[:start]
				return false
			}
			locs = append(locs, Location{Node: Ordinal(q), ScriptID: uint32(sc), Line: int32(ln), Column: int32(cl)})
		}
		p.snap.Locations = locs
		return true
	}
	return p.recordsFast(len(lf), rec, bulk)
}

func (p *parser) traceFunctionInfos() error {
	ff := p.snap.Meta.TraceFunctionInfoField
	idx := [6]int{}
	for i, name := range []string{"function_id", "name", "script_name", "script_id", "line", "column"} {
		if idx[i] = fieldIndex(ff, name); idx[i] < 0 {
			if len(ff) == 0 {
				return p.s.skipValue()
			}
			return p.s.errorf("meta.trace_function_info_fields lacks %q", name)
		}
	}
	return p.records(len(ff), func(r []int64) error {
		var v [6]uint32
		for i, k := range idx {
			if r[k] < 0 || r[k] > math.MaxUint32 {
				return p.s.errorf("function info %d: value out of range", len(p.snap.TraceFunctionInfos))
			}
			v[i] = uint32(r[k])
		}
		p.snap.TraceFunctionInfos = append(p.snap.TraceFunctionInfos, TraceFunctionInfo{v[0], StringID(v[1]), StringID(v[2]), v[3], v[4], v[5]})
		return nil
	})
}

func (p *parser) samples() error {
	sf := p.snap.Meta.SampleFields
	ts, last := fieldIndex(sf, "timestamp_us"), fieldIndex(sf, "last_assigned_id")
	if ts < 0 || last < 0 {
		return p.s.skipValue()
	}
	return p.records(len(sf), func(r []int64) error {
		if r[ts] < 0 || r[last] < 0 {
			return p.s.errorf("sample %d: negative value", len(p.snap.Samples))
		}
		p.snap.Samples = append(p.snap.Samples, Sample{uint64(r[ts]), uint64(r[last])})
		return nil
	})
}

// traceTree reads the nested allocation-trace tree: each node is the fields
// of meta.trace_node_fields, its "children" field an array of nodes in the
// same flat form. It uses an explicit stack, so depth costs no Go stack.
func (p *parser) traceTree() error {
	tf := p.snap.Meta.TraceNodeFields
	if len(tf) == 0 {
		return p.s.skipValue()
	}
	id, fn, count, size, children := fieldIndex(tf, "id"), fieldIndex(tf, "function_info_index"), fieldIndex(tf, "count"), fieldIndex(tf, "size"), fieldIndex(tf, "children")
	if id < 0 || fn < 0 || count < 0 || size < 0 || children != len(tf)-1 {
		return p.s.errorf("meta.trace_node_fields lacks id, function_info_index, count or size, or children is not last")
	}
	s := p.s
	if err := s.expect('['); err != nil {
		return err
	}
	stack := []traceFrame{{parent: -1}}
	var cur TraceNode
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		c, err := s.peek()
		if err != nil {
			return err
		}
		if c == ']' {
			if top.field != 0 {
				return s.errorf("trace node has %d fields, want %d", top.field, len(tf))
			}
			s.pos++
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				if err := p.traceSep(&stack[len(stack)-1], len(tf)); err != nil {
					return err
				}
			}
			continue
		}
		if top.field == children {
			if c != '[' {
				return s.errorf("trace node children must be an array")
			}
			s.pos++
			cur.Parent = top.parent
			p.snap.TraceTree = append(p.snap.TraceTree, cur)
			if len(stack) > 1<<20 {
				return s.errorf("trace tree nested too deeply")
			}
			stack = append(stack, traceFrame{parent: int32(len(p.snap.TraceTree) - 1)})
			continue
		}
		v, err := s.integer()
		if err != nil {
			return err
		}
		if v < 0 || v > math.MaxUint32 && top.field != size {
			return s.errorf("trace node value %d out of range", v)
		}
		switch top.field {
		case id:
			cur.ID = uint32(v)
		case fn:
			cur.FunctionInfo = uint32(v)
		case count:
			cur.Count = uint32(v)
		case size:
			cur.Size = uint64(v)
		}
		if err := p.traceSep(top, len(tf)); err != nil {
			return err
		}
	}
	return nil
}

// traceFrame is one open array of the trace tree: the node that owns it
// and which field of the current node comes next.
type traceFrame struct {
	parent int32
	field  int
}

// traceSep advances to the next field of a trace node and consumes the comma
// that follows a value, if any.
func (p *parser) traceSep(f *traceFrame, width int) error {
	f.field = (f.field + 1) % width
	c, err := p.s.peek()
	if err != nil {
		return err
	}
	if c == ',' {
		p.s.pos++
		return nil
	}
	if c != ']' {
		return p.s.errorf("expected ',' or ']' in trace tree, found %s", quoteByte(c))
	}
	return nil
}

// validate checks what can only be checked once every section is in:
// string indices and the counts of the node and edge arrays.
func (p *parser) validate() error {
	sn := p.snap
	nStr := StringID(sn.Strings.Len())
	fail := func(section, format string, args ...any) error {
		return &Error{Section: section, Offset: p.s.offset(), Msg: fmt.Sprintf(format, args...)}
	}
	if uint64(len(sn.NodeIDs)) != sn.Meta.NodeCount || uint64(len(sn.EdgeTo)) != sn.Meta.EdgeCount {
		return fail("nodes", "parsed %d nodes and %d edges, header declares %d and %d", len(sn.NodeIDs), len(sn.EdgeTo), sn.Meta.NodeCount, sn.Meta.EdgeCount)
	}
	// The loops only look for the first bad index when there is one.
	if p.maxNodeName >= nStr {
		for i, n := range sn.NodeNames {
			if n >= nStr {
				return fail("nodes", "node %d: name index %d is not in strings (%d strings)", i, n, nStr)
			}
		}
	}
	if StringID(p.maxEdgeName) >= nStr {
		for e, n := range sn.EdgeNames {
			if !sn.EdgeTypes[e].HasNumericName() && StringID(n) >= nStr {
				return fail("edges", "edge %d: name index %d is not in strings (%d strings)", e, n, nStr)
			}
		}
	}
	for i, f := range sn.TraceFunctionInfos {
		if f.Name >= nStr || f.ScriptName >= nStr {
			return fail("trace_function_infos", "function info %d: string index out of range", i)
		}
	}
	for i, t := range sn.TraceTree {
		if len(sn.TraceFunctionInfos) > 0 && int(t.FunctionInfo) >= len(sn.TraceFunctionInfos) {
			return fail("trace_tree", "trace node %d: function_info_index %d out of range", i, t.FunctionInfo)
		}
	}
	return nil
}
