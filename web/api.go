package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// Paging limits: a page never holds more than maxLimit rows, so that a
// class of millions of instances is always fetched a page at a time.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// Name lengths, in bytes: lists cut long names (strings are names), the
// object page shows more.
const (
	listNameLen   = 300
	objectNameLen = 10000
)

// apiError is an error with an HTTP status.
type apiError struct {
	status int
	err    error
}

func (e *apiError) Error() string { return e.err.Error() }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Errorf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{http.StatusNotFound, fmt.Errorf(format, args...)}
}

// serveJSON runs an API handler and writes its result or error as JSON.
// Handlers that read graphs run under the read lock unless they take locks
// themselves (see Server.mu).
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request) (any, error)) {
	var v any
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("internal error: %v", p)
			}
		}()
		v, err = h(w, r)
	}()
	if err != nil {
		status := http.StatusInternalServerError
		var ae *apiError
		if errors.As(err, &ae) {
			status = ae.status
		}
		writeError(w, status, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v) // a failed write means the client left
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// read runs f under the read lock.
func (s *Server) read(f func() (any, error)) (any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return f()
}

// --- request parameters

func (s *Server) snapParam(r *http.Request, name string) (*snap, error) {
	v := r.PathValue(name)
	k, err := strconv.Atoi(v)
	if err != nil || k < 0 || k >= len(s.snaps) {
		return nil, notFound("no snapshot %q: snapshots are numbered 0 to %d", v, len(s.snaps)-1)
	}
	return s.snaps[k], nil
}

// objectParam resolves the {id} path value ("123" or "@123", a V8 object id).
// object runs f, under the read lock, on the snapshot {s} and object {id}
// of the request.
func (s *Server) object(r *http.Request, f func(sn *snap, o uint32) (any, error)) (any, error) {
	sn, err := s.snapParam(r, "s")
	if err != nil {
		return nil, err
	}
	return s.read(func() (any, error) {
		o, err := objectParam(r, sn)
		if err != nil {
			return nil, err
		}
		return f(sn, o)
	})
}

// objectPage is object for the paged lists of an object (offset, limit).
func (s *Server) objectPage(r *http.Request, f func(sn *snap, o uint32, offset, limit int) (any, error)) (any, error) {
	offset, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	return s.object(r, func(sn *snap, o uint32) (any, error) { return f(sn, o, offset, limit) })
}

func objectParam(r *http.Request, sn *snap) (uint32, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseUint(strings.TrimPrefix(v, "@"), 10, 32)
	if err != nil {
		return 0, badRequest("%q is not an object id", v)
	}
	o, ok := sn.ordinal(uint32(id))
	if !ok {
		return 0, notFound("snapshot %d has no object @%d", sn.index, id)
	}
	return o, nil
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s=%q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// boolParam reads a flag: "true" or "1" set it.
func boolParam(r *http.Request, name string) bool {
	v := r.URL.Query().Get(name)
	return v == "true" || v == "1"
}

// page reads offset and limit.
func page(r *http.Request) (offset, limit int, err error) {
	if offset, err = intParam(r, "offset", 0, 0, 1<<31-1); err != nil {
		return
	}
	limit, err = intParam(r, "limit", defaultLimit, 1, maxLimit)
	return
}

// window returns the bounds of a page in a list of n items.
func window(n, offset, limit int) (lo, hi int) {
	lo = min(offset, n)
	return lo, min(n, lo+limit)
}

func enumParam(r *http.Request, name, def string, allowed ...string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	if !slices.Contains(allowed, v) {
		return "", badRequest("%s=%q: want one of %s", name, v, strings.Join(allowed, ", "))
	}
	return v, nil
}

// nameFilter reads filter (a case-insensitive substring) and regex (a Go
// regular expression); nil when neither is given.
func nameFilter(r *http.Request) (func(string) bool, error) {
	q := r.URL.Query()
	var fs []func(string) bool
	if f := strings.ToLower(q.Get("filter")); f != "" {
		fs = append(fs, func(name string) bool { return strings.Contains(strings.ToLower(name), f) })
	}
	if re := q.Get("regex"); re != "" {
		x, err := regexp.Compile(re)
		if err != nil {
			return nil, badRequest("regex: %v", err)
		}
		fs = append(fs, x.MatchString)
	}
	if len(fs) == 0 {
		return nil, nil
	}
	return func(name string) bool {
		for _, f := range fs {
			if !f(name) {
				return false
			}
		}
		return true
	}, nil
}

// --- JSON shapes

// Node is an object as the API lists it.
type Node struct {
	ID       uint32 `json:"id"`
	Class    string `json:"class"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Self     uint64 `json:"self"`
	Retained uint64 `json:"retained"`
	// Distance is DevTools' distance from the roots: ≥ 100000000 when only
	// system roots reach the object, -5 when nothing does.
	Distance int32 `json:"distance"`
	// Edges and Dominated count the object's outgoing references and its
	// children in the dominator tree.
	Edges     uint32 `json:"edges"`
	Dominated uint32 `json:"dominated"`
	Detached  bool   `json:"detached,omitempty"`
}

func newNode(g *graph.Graph, i uint32, nameLen int) Node {
	s := g.S
	n := Node{
		ID:        s.NodeIDs[i],
		Class:     snapshot.Display(g.ClassName(i)),
		Name:      cut(snapshot.Display(graph.DisplayName(g, i)), nameLen),
		Type:      s.TypeName(i),
		Self:      g.Shallow[i],
		Retained:  g.Retained[i],
		Distance:  g.Distance[i],
		Edges:     s.FirstEdge[i+1] - s.FirstEdge[i],
		Dominated: g.FirstDominated[i+1] - g.FirstDominated[i],
		Detached:  g.Detachedness != nil && g.Detachedness[i] == snapshot.Detached,
	}
	return n
}

// Edge is a reference: its kind, its label as DevTools writes it (".name",
// "[0]", "->context", "{internal}", "[[weak]]") and the object at its other
// end (the target for edges, the source for retainers).
type Edge struct {
	Type string `json:"type"`
	Name string `json:"name"`
	Node Node   `json:"node"`
}

func newEdge(g *graph.Graph, e, other uint32) Edge {
	return Edge{Type: g.S.EdgeTypes[e].String(), Name: cut(snapshot.Display(graph.EdgeLabel(g.S, e)), listNameLen), Node: newNode(g, other, listNameLen)}
}

// Location is a source position, 1-based.
type Location struct {
	ScriptID uint32 `json:"scriptId"`
	Script   string `json:"script"`
	Line     int32  `json:"line"`
	Column   int32  `json:"column"`
}

func classLocation(g *graph.Graph, l *snapshot.Location) *Location {
	if l == nil {
		return nil
	}
	return &Location{ScriptID: l.ScriptID, Script: snapshot.Display(g.ScriptName(l.ScriptID)), Line: l.Line + 1, Column: l.Column + 1}
}

// Page is one page of a longer list.
type Page[T any] struct {
	// Total is the length of the whole list (after filtering).
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Items  []T `json:"items"`
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// --- /api/snapshots

// SnapshotInfo describes a served snapshot.
type SnapshotInfo struct {
	Index      int            `json:"index"`
	Name       string         `json:"name"`
	RootID     uint32         `json:"rootId"`
	MaxJSID    uint32         `json:"maxJsId"`
	ClassCount int            `json:"classCount"`
	Totals     summary.Totals `json:"totals"`
}

func (s *Server) apiSnapshots(w http.ResponseWriter, r *http.Request) (any, error) {
	out := struct {
		Snapshots []SnapshotInfo `json:"snapshots"`
		Samples   int            `json:"samples"`
		Leaks     bool           `json:"leaks"`
		MinGrowth int            `json:"minGrowth"`
	}{Samples: len(s.samples), Leaks: len(s.snaps) >= 2, MinGrowth: s.minGrowth}
	for _, sn := range s.snaps {
		out.Snapshots = append(out.Snapshots, SnapshotInfo{
			Index: sn.index, Name: snapshot.Display(sn.name), RootID: sn.g.S.NodeIDs[sn.g.S.Root],
			MaxJSID: sn.maxJSID, ClassCount: len(sn.classes), Totals: sn.totals,
		})
	}
	return out, nil
}

// --- /api/snapshots/{s}/summary

// ClassRow is a row of the Summary view.
type ClassRow struct {
	// ID names the class in .../classes/{id}/instances.
	ID int `json:"id"`
	summary.Class
	Location *Location `json:"location,omitempty"`
}

func (s *Server) apiSummary(w http.ResponseWriter, r *http.Request) (any, error) {
	sn, err := s.snapParam(r, "s")
	if err != nil {
		return nil, err
	}
	by, err := enumParam(r, "sort", "retained", "retained", "self", "count", "distance", "name")
	if err != nil {
		return nil, err
	}
	offset, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	match, err := nameFilter(r)
	if err != nil {
		return nil, err
	}
	// Rows are precomputed: no graph is read, no lock is needed.
	rows := make([]int, 0, len(sn.classes))
	for c := range sn.classes {
		if match == nil || match(sn.classes[c].Name) {
			rows = append(rows, c)
		}
	}
	sortClasses(sn.classes, rows, by, boolParam(r, "reverse"))
	lo, hi := window(len(rows), offset, limit)
	out := struct {
		Snapshot   int            `json:"snapshot"`
		Totals     summary.Totals `json:"totals"`
		ClassCount int            `json:"classCount"`
		Page[ClassRow]
	}{Snapshot: sn.index, Totals: sn.totals, ClassCount: len(sn.classes)}
	out.Total, out.Offset, out.Items = len(rows), lo, []ClassRow{}
	for _, c := range rows[lo:hi] {
		row := sn.classes[c]
		row.Name = snapshot.Display(row.Name)
		out.Items = append(out.Items, ClassRow{ID: c, Class: row, Location: classLocation(sn.g, row.Location)})
	}
	return out, nil
}

// sortClasses orders Summary rows (indexes into classes) as summary.Sort
// does (sizes and counts biggest first, distances smallest first), or by
// name A to Z; reverse flips the order.
func sortClasses(classes []summary.Class, rows []int, by string, reverse bool) {
	if by == "name" {
		slices.SortStableFunc(rows, func(a, b int) int {
			x, y := &classes[a], &classes[b]
			switch {
			case x.Name == y.Name:
				return cmp.Compare(x.Key, y.Key)
			case graph.LessUTF16(x.Name, y.Name):
				return -1
			}
			return 1
		})
	} else {
		// summary.Sort orders copies; each row's index comes back through
		// its key, which is unique among the rows.
		sorted := make([]summary.Class, len(rows))
		index := make(map[string]int, len(rows))
		for k, c := range rows {
			sorted[k] = classes[c]
			index[classes[c].Key] = c
		}
		summary.Sort(sorted, summary.SortBy(by))
		for k := range sorted {
			rows[k] = index[sorted[k].Key]
		}
	}
	if reverse {
		slices.Reverse(rows)
	}
}

// --- /api/snapshots/{s}/classes/{c}/instances

func (s *Server) apiInstances(w http.ResponseWriter, r *http.Request) (any, error) {
	sn, err := s.snapParam(r, "s")
	if err != nil {
		return nil, err
	}
	c, err := strconv.Atoi(r.PathValue("c"))
	if err != nil || c < 0 || c >= len(sn.classes) {
		return nil, notFound("snapshot %d has no class %q", sn.index, r.PathValue("c"))
	}
	by, err := enumParam(r, "sort", "retained", "retained", "self", "distance", "id")
	if err != nil {
		return nil, err
	}
	offset, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	return s.read(func() (any, error) {
		order := sn.instances(c, by, boolParam(r, "reverse"))
		lo, hi := window(len(order), offset, limit)
		out := Page[Node]{Total: len(order), Offset: lo, Items: []Node{}}
		for _, o := range order[lo:hi] {
			out.Items = append(out.Items, newNode(sn.g, o, listNameLen))
		}
		return out, nil
	})
}

// --- /api/snapshots/{s}/objects/{id}

// chainHead and chainTail bound the dominator chain an object page shows:
// the first hops from the root and the last hops above the object.
const (
	chainHead = 8
	chainTail = 40
)

func (s *Server) apiObject(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.object(r, func(sn *snap, o uint32) (any, error) {
		g := sn.g
		type chain struct {
			// Depth is the number of dominators above the object.
			Depth int `json:"depth"`
			// Head are the dominators nearest to the root (root first),
			// Tail those nearest to the object; Elided counts those between.
			Head   []Node `json:"head"`
			Elided int    `json:"elided"`
			Tail   []Node `json:"tail"`
		}
		out := struct {
			Snapshot        int           `json:"snapshot"`
			Node            Node          `json:"node"`
			Retainers       uint32        `json:"retainers"`
			Detachedness    string        `json:"detachedness"`
			Location        *Location     `json:"location"`
			AllocationStack []graph.Frame `json:"allocationStack"`
			Dominators      chain         `json:"dominators"`
		}{Snapshot: sn.index, Node: newNode(g, o, objectNameLen)}
		from, to := g.Retainers(o)
		out.Retainers = to - from
		out.Detachedness = "unknown"
		if g.Detachedness != nil {
			switch g.Detachedness[o] {
			case snapshot.Attached:
				out.Detachedness = "attached"
			case snapshot.Detached:
				out.Detachedness = "detached"
			}
		}
		if l, ok := g.SourceOf(o); ok {
			out.Location = &Location{ScriptID: l.ScriptID, Script: snapshot.Display(l.Script), Line: l.Line, Column: l.Column}
		}
		out.AllocationStack = g.AllocationStack(o)
		if out.AllocationStack == nil {
			out.AllocationStack = []graph.Frame{}
		}
		// The dominator chain, object first, then reversed. The root is its
		// own dominator; a bound guards against a malformed cycle.
		var doms []uint32
		for i := o; !g.IsRoot(i) && len(doms) <= g.NodeCount(); {
			i = g.Dominator[i]
			doms = append(doms, i)
		}
		slices.Reverse(doms)
		ch := chain{Depth: len(doms), Head: []Node{}, Tail: []Node{}}
		head, tail := doms, []uint32(nil)
		if len(doms) > chainHead+chainTail {
			head, tail = doms[:chainHead], doms[len(doms)-chainTail:]
			ch.Elided = len(doms) - chainHead - chainTail
		}
		for _, i := range head {
			ch.Head = append(ch.Head, newNode(g, i, listNameLen))
		}
		for _, i := range tail {
			ch.Tail = append(ch.Tail, newNode(g, i, listNameLen))
		}
		out.Dominators = ch
		return out, nil
	})
}

// --- /api/snapshots/{s}/objects/{id}/edges

func (s *Server) apiEdges(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.objectPage(r, func(sn *snap, o uint32, offset, limit int) (any, error) {
		st := sn.g.S
		first, n := int(st.FirstEdge[o]), int(st.FirstEdge[o+1]-st.FirstEdge[o])
		lo, hi := window(n, offset, limit)
		out := Page[Edge]{Total: n, Offset: lo, Items: []Edge{}}
		for k := lo; k < hi; k++ {
			e := uint32(first + k)
			out.Items = append(out.Items, newEdge(sn.g, e, st.EdgeTo[e]))
		}
		return out, nil
	})
}

// maxSortedRetainers bounds the retainer lists sorted by distance; longer
// ones (the undefined value, say) are listed in snapshot order.
const maxSortedRetainers = 1 << 20

func (s *Server) apiRetainers(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.objectPage(r, func(sn *snap, o uint32, offset, limit int) (any, error) {
		g := sn.g
		from, to := g.Retainers(o)
		n := int(to - from)
		slots := make([]uint32, 0, n)
		for k := from; k < to; k++ {
			slots = append(slots, k)
		}
		if n <= maxSortedRetainers {
			// DevTools lists retainers nearest to the roots first.
			slices.SortStableFunc(slots, func(a, b uint32) int {
				return cmp.Compare(g.Distance[g.RetainerNode[a]], g.Distance[g.RetainerNode[b]])
			})
		}
		lo, hi := window(n, offset, limit)
		out := Page[Edge]{Total: n, Offset: lo, Items: []Edge{}}
		for _, k := range slots[lo:hi] {
			out.Items = append(out.Items, newEdge(g, g.RetainerEdge[k], g.RetainerNode[k]))
		}
		return out, nil
	})
}

// --- /api/snapshots/{s}/objects/{id}/paths

// Hop is one step of a retainer path: the edge from the previous hop
// ("" for the first) and the object. A hop with Elided > 0 stands for that
// many further hops like it (a long linked list).
type Hop struct {
	Edge   string `json:"edge"`
	Node   Node   `json:"node"`
	Elided int    `json:"elided,omitempty"`
}

// Runs of identical hops from this length on are shortened to their first
// and last runKeep hops.
const (
	runElide = 6
	runKeep  = 2
)

func (s *Server) apiPaths(w http.ResponseWriter, r *http.Request) (any, error) {
	sn, err := s.snapParam(r, "s")
	if err != nil {
		return nil, err
	}
	k, err := intParam(r, "k", 3, 1, 20)
	if err != nil {
		return nil, err
	}
	all := boolParam(r, "all")
	return s.read(func() (any, error) {
		o, err := objectParam(r, sn)
		if err != nil {
			return nil, err
		}
		g := sn.g
		ps := paths.Shortest(g, o, k, paths.Options{All: all})
		out := struct {
			Paths [][]Hop `json:"paths"`
			// Note says why there is no path.
			Note string `json:"note,omitempty"`
		}{Paths: [][]Hop{}}
		for _, p := range ps {
			out.Paths = append(out.Paths, hops(g, p))
		}
		if len(ps) == 0 {
			switch {
			case g.IsRoot(o):
				out.Note = "this is the root"
			case g.Distance[o] == graph.NoDistance:
				out.Note = "no chain of strong references from the roots reaches this object: it is retained only weakly, or only by unreachable objects"
			default:
				out.Note = "no path found within the search bound"
			}
		}
		return out, nil
	})
}

// hops turns a path into API hops, shortening runs of identical hops.
func hops(g *graph.Graph, p paths.Path) []Hop {
	label := func(h paths.Hop) string {
		if h.Edge == paths.NoEdge {
			return ""
		}
		return snapshot.Display(graph.EdgeLabel(g.S, h.Edge))
	}
	same := func(a, b paths.Hop) bool {
		return g.Class[a.Node] == g.Class[b.Node] && label(a) == label(b) && g.Names[a.Node] == g.Names[b.Node]
	}
	hop := func(h paths.Hop) Hop { return Hop{Edge: label(h), Node: newNode(g, h.Node, listNameLen)} }
	out := []Hop{}
	for j := 0; j < len(p); {
		end := j + 1
		for end < len(p) && same(p[end], p[j]) {
			end++
		}
		if end-j < runElide {
			for ; j < end; j++ {
				out = append(out, hop(p[j]))
			}
			continue
		}
		for k := j; k < j+runKeep; k++ {
			out = append(out, hop(p[k]))
		}
		skip := hop(p[j+runKeep])
		skip.Elided = end - j - 2*runKeep
		out = append(out, skip)
		for k := end - runKeep; k < end; k++ {
			out = append(out, hop(p[k]))
		}
		j = end
	}
	return out
}

// --- /api/snapshots/{s}/objects/{id}/dominated

func (s *Server) apiDominated(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.objectPage(r, func(sn *snap, o uint32, offset, limit int) (any, error) {
		g := sn.g
		kids := slices.Clone(g.Dominated[g.FirstDominated[o]:g.FirstDominated[o+1]])
		sortNodes(g, kids, "retained", false)
		lo, hi := window(len(kids), offset, limit)
		shown := kids[lo:hi]
		// The edge by which the dominator holds each child directly, if it does.
		edge := make(map[uint32]string, len(shown))
		for _, c := range shown {
			edge[c] = ""
		}
		st := g.S
		for e := st.FirstEdge[o]; e < st.FirstEdge[o+1]; e++ {
			if t := st.EdgeTypes[e]; t == snapshot.EdgeWeak || t == snapshot.EdgeInvisible {
				continue
			}
			if l, ok := edge[st.EdgeTo[e]]; ok && l == "" {
				edge[st.EdgeTo[e]] = snapshot.Display(graph.EdgeLabel(st, e))
			}
		}
		out := Page[Hop]{Total: len(kids), Offset: lo, Items: []Hop{}}
		for _, c := range shown {
			out.Items = append(out.Items, Hop{Edge: edge[c], Node: newNode(g, c, listNameLen)})
		}
		return out, nil
	})
}

// --- /api/compare/{base}/{target}

// comparison returns the cached diff.Compare of two snapshots, computing it
// under the write lock (it re-classifies the base for a moment).
func (s *Server) comparison(b, t *snap) *diff.Result {
	key := [2]int{b.index, t.index}
	s.cacheMu.Lock()
	c, ok := s.compares[key]
	if !ok {
		if len(s.compares) >= maxCached {
			clear(s.compares)
		}
		c = &onceValue[*diff.Result]{}
		s.compares[key] = c
	}
	s.cacheMu.Unlock()
	return c.get(func() *diff.Result {
		s.mu.Lock()
		defer s.mu.Unlock()
		return diff.Compare(b.g, t.g)
	})
}

// CompareRow is a row of the Comparison view.
type CompareRow struct {
	// ID names the row in .../classes/{id}/objects.
	ID int `json:"id"`
	diff.Class
	// InComparison is set for the rows DevTools' Comparison view has
	// (objects new or deleted); others only changed their retained size.
	InComparison bool      `json:"inComparison"`
	Location     *Location `json:"location,omitempty"`
}

func (s *Server) compareParams(r *http.Request) (b, t *snap, err error) {
	if b, err = s.snapParam(r, "base"); err != nil {
		return
	}
	if t, err = s.snapParam(r, "target"); err != nil {
		return
	}
	if b == t {
		err = badRequest("base and target are the same snapshot")
	}
	return
}

func (s *Server) apiCompare(w http.ResponseWriter, r *http.Request) (any, error) {
	b, t, err := s.compareParams(r)
	if err != nil {
		return nil, err
	}
	by, err := enumParam(r, "sort", "size", "size", "count", "retained")
	if err != nil {
		return nil, err
	}
	offset, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	match, err := nameFilter(r)
	if err != nil {
		return nil, err
	}
	res := s.comparison(b, t)
	rows := make([]int, 0, len(res.Classes))
	for k := range res.Classes {
		if match == nil || match(res.Classes[k].Name) {
			rows = append(rows, k)
		}
	}
	// Sort copies, as diff.Sort would, without touching the cached rows.
	sorted := make([]diff.Class, len(rows))
	index := make(map[string]int, len(rows))
	for k, c := range rows {
		sorted[k] = res.Classes[c]
		index[res.Classes[c].Key] = c
	}
	diff.Sort(sorted, diff.SortBy(by))
	for k := range sorted {
		rows[k] = index[sorted[k].Key]
	}
	lo, hi := window(len(rows), offset, limit)
	out := struct {
		Base       int      `json:"base"`
		Target     int      `json:"target"`
		Warnings   []string `json:"warnings"`
		ClassCount int      `json:"classCount"`
		Page[CompareRow]
	}{Base: b.index, Target: t.index, Warnings: res.Warnings, ClassCount: len(res.Classes)}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	out.Total, out.Offset, out.Items = len(rows), lo, []CompareRow{}
	for _, k := range rows[lo:hi] {
		c := res.Classes[k]
		c.Name = snapshot.Display(c.Name)
		out.Items = append(out.Items, CompareRow{ID: k, Class: c, InComparison: c.InComparison(), Location: classLocation(t.g, c.Location)})
	}
	return out, nil
}

func (s *Server) apiCompareObjects(w http.ResponseWriter, r *http.Request) (any, error) {
	b, t, err := s.compareParams(r)
	if err != nil {
		return nil, err
	}
	which, err := enumParam(r, "which", "new", "new", "deleted")
	if err != nil {
		return nil, err
	}
	offset, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	res := s.comparison(b, t)
	c, err := strconv.Atoi(r.PathValue("c"))
	if err != nil || c < 0 || c >= len(res.Classes) {
		return nil, notFound("the comparison has no class %q", r.PathValue("c"))
	}
	nodes, g := res.Classes[c].NewNodes, t.g
	if which == "deleted" {
		nodes, g = res.Classes[c].DeletedNodes, b.g
	}
	return s.read(func() (any, error) {
		lo, hi := window(len(nodes), offset, limit)
		out := Page[Node]{Total: len(nodes), Offset: lo, Items: []Node{}}
		for _, o := range nodes[lo:hi] {
			out.Items = append(out.Items, newNode(g, o, listNameLen))
		}
		return out, nil
	})
}

// --- /api/leaks

func (s *Server) apiLeaks(w http.ResponseWriter, r *http.Request) (any, error) {
	if len(s.snaps) < 2 {
		return nil, badRequest("leak findings need at least two snapshots of one process; this server has %d", len(s.snaps))
	}
	minGrowth, err := intParam(r, "minGrowth", s.minGrowth, 1, 1<<30)
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	c, ok := s.leaks[minGrowth]
	if !ok {
		if len(s.leaks) >= maxCached {
			clear(s.leaks)
		}
		c = &onceValue[leakResult]{}
		s.leaks[minGrowth] = c
	}
	s.cacheMu.Unlock()
	lr := c.get(func() leakResult {
		s.mu.Lock()
		defer s.mu.Unlock()
		graphs := make([]*graph.Graph, len(s.snaps))
		names := make([]string, len(s.snaps))
		for k, sn := range s.snaps {
			graphs[k], names[k] = sn.g, sn.name
		}
		r, err := leak.Analyze(graphs, names, leak.Options{MinGrowth: minGrowth})
		return leakResult{r, err}
	})
	if lr.err != nil {
		return nil, badRequest("%v", lr.err)
	}
	return struct {
		*leak.Report
		// Snapshot is the index of the snapshot the findings' objects are in
		// (the last one).
		Snapshot int `json:"snapshot"`
	}{lr.r, len(s.snaps) - 1}, nil
}

// --- /api/samples

func (s *Server) apiSamples(w http.ResponseWriter, r *http.Request) (any, error) {
	out := struct {
		Samples []report.HeapSample `json:"samples"`
	}{Samples: s.samples}
	if out.Samples == nil {
		out.Samples = []report.HeapSample{}
	}
	return out, nil
}
