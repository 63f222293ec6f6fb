// Package leak turns a series of heap snapshots of one process into a leak
// verdict: which objects keep accumulating, the retainer chain that holds
// them, the object where they accumulate, and where in the code they come
// from. Many leaked objects with one cause are grouped into one finding.
//
// The method, in the order it runs:
//
//  1. Growth: per DevTools class key, the count and class retained size in
//     every snapshot (earlier snapshots re-classified with the last one's
//     inferred interfaces, as DevTools' Comparison view does; see Series
//     for how that works without keeping their graphs). A class is a
//     candidate when its count grows by at least MinGrowth at every step,
//     its retained size grows too, and it has objects allocated after the
//     first snapshot (V8 object id above the first snapshot's largest JS id)
//     that are still alive in the last one.
//  2. Cause: for a sample of those new objects, the shortest retainer path
//     from the roots in the last snapshot, grouped by path shape (package
//     paths normalizes indexes and list positions). The most common shape is
//     the class's cause; its representative is the instance of that shape
//     nearest to the roots.
//  3. Grouping: a candidate class that appears on another candidate's chain
//     (Timeout on the chain of the leaked Servers) is part of that finding,
//     not a finding of its own, unless the class is generic (Function,
//     Array); so are classes accumulating in one container, and WeakMap
//     values with their growing keys.
//  4. Accumulation point: the container whose entries grow, the deepest
//     object on the chain whose retained size grows at every step and that
//     holds the new objects as entries (an Array, a Map or Set through its
//     table, an object used as a dictionary) or heads a linked list on the
//     chain (the TimersList before its Timeouts); never an element whose
//     retained size stays flat (the listener, not the listeners Array).
//  5. Naming (name.go): the finding is named after what the user must
//     change: their own class below the accumulation point before a
//     dependency's, the runtime's and generic ones; a listener leak after
//     the emitter, the event and the listener. The pattern (pattern.go) is
//     read off the chain and put in words with its advice.
//  6. Sources: the constructor's location, every function on the chain, the
//     target of bound functions, script names resolved through the
//     snapshot's Script objects (and source maps), and the allocation stack
//     when the snapshots were taken with allocation tracking, ranked with
//     the user's code and the likely fix site first.
package leak

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// Options controls Analyze.
type Options struct {
	// MinGrowth is the least number of instances a class must gain at every
	// step to be a candidate; 0 means DefaultMinGrowth.
	MinGrowth int
	// Samples is the number of new objects per class whose paths are
	// computed; 0 means DefaultSamples.
	Samples int
	// MaxCandidates bounds how many growing classes are examined, biggest
	// retained growth first; 0 means DefaultMaxCandidates.
	MaxCandidates int
	// Sources, when set, maps every location to its original source
	// (source maps).
	Sources object.SourceMapper
}

// Defaults for Options.
const (
	DefaultMinGrowth     = 10
	DefaultSamples       = 64
	DefaultMaxCandidates = 24
)

// Report is the verdict over a series.
type Report struct {
	// Verdict is "leak" when there is at least one finding, else "no-leak".
	// A live hunt without snapshots gives its trend's verdict instead:
	// "growing", "no-leak" or "inconclusive" (too few samples).
	Verdict   string         `json:"verdict"`
	Snapshots []SnapshotInfo `json:"snapshots"`
	Findings  []Finding      `json:"findings"`
	// MinGrowth is the threshold that was applied.
	MinGrowth int `json:"minGrowth"`
}

// SnapshotInfo describes one snapshot of the series.
type SnapshotInfo struct {
	Name      string          `json:"name"`
	Nodes     int             `json:"nodes"`
	TotalSize uint64          `json:"totalSize"`
	MaxJSID   snapshot.NodeID `json:"maxJsId"`
}

// Finding is one leak: a class whose objects accumulate, and why.
type Finding struct {
	// Headline names what the person fixing the leak must change, in the
	// terms of their code: a listener as `listeners of Settings 'change'
	// ((anonymous) server.js:48:25)`, else the class the leak is about,
	// the application's own before a dependency's (`Session
	// (express-session)`), a runtime API object, and only then a generic
	// class. See docs/patterns.md.
	Headline string `json:"headline"`
	// Pattern is the leak pattern recognised from the chain and the
	// accumulation point, when the evidence supports one.
	Pattern *Pattern `json:"pattern,omitempty"`
	Class   string   `json:"class"`
	Key     string   `json:"key"`
	// Counts and Retained are the class's count and class retained size in
	// each snapshot; CountGrowth the change at each step.
	Counts      []int    `json:"counts"`
	CountGrowth []int    `json:"countGrowth"`
	Retained    []uint64 `json:"retained"`
	// RetainedGrowth is the retained size gained from the first snapshot to
	// the last, summed over the finding's classes.
	RetainedGrowth int64 `json:"retainedGrowth"`
	// NewAlive is the number of the class's objects allocated after the
	// first snapshot and alive in the last.
	NewAlive int `json:"newAlive"`
	// Share is the fraction of sampled new objects whose path has the
	// representative's shape.
	Share float64 `json:"share"`
	// Representative is the object that explains the finding (last snapshot).
	Representative object.Ref `json:"representative"`
	// Path is the representative's retainer chain, root first.
	Path object.Chain `json:"path"`
	// Shape is the normalized chain shared by the grouped objects.
	Shape string `json:"shape"`
	// AccumulationPoint is the object whose retained size holds the growth.
	AccumulationPoint *Accumulation `json:"accumulationPoint"`
	// Related are other growing classes on the same chain.
	Related []Related `json:"related,omitempty"`
	// Locations are the source locations that explain the chain.
	Locations []Location `json:"locations"`
	// AllocationStack is where the representative was allocated (innermost
	// first), when the snapshots carry allocation traces.
	AllocationStack []graph.Frame `json:"allocationStack,omitempty"`
}

// classSeries is one class key across the series.
type classSeries struct {
	key      string
	name     string
	counts   []int
	retained []uint64
	newAlive []snapshot.Ordinal // in the last snapshot
	growth   int64
	// Filled for candidates.
	path  paths.Path
	shape string
	share float64
	// acc is the index of the accumulation point on path (-1 for none).
	acc      int
	accPoint *Accumulation
}

// earlier is what the verdict needs from a snapshot other than the last of
// a series: its class rows, keyed once the last snapshot's interface
// definitions are known (as DevTools' Comparison view keys them), its
// largest JS object id, and each object's retained size by id. It is about
// a tenth of an analysed graph, so a long series costs little more memory
// than its last snapshot.
type earlier struct {
	info SnapshotInfo
	// rows returns the class rows with plain objects named after ifaces
	// or, when there are none, after the snapshot's own definitions.
	rows     func(ifaces []graph.Interface) ([]summary.Class, error)
	ids      []snapshot.NodeID // in node order
	retained []uint64          // retained size of ids[k]
	// done is closed once the fields above are set: a snapshot known not
	// to be the last is reduced in the background (Series.AddEarlier).
	done chan struct{}
	err  error // why the reduction failed (a panic), once done
}

// reduce reduces g, a snapshot of a series other than the last, named
// name. g is not changed.
func reduce(g *graph.Graph, name string) *earlier {
	d := summary.Defer(g)
	own := g.Interfaces
	e := newEarlier(g, name)
	e.rows = func(ifaces []graph.Interface) ([]summary.Class, error) {
		if len(ifaces) == 0 {
			ifaces = own
		}
		return d.Classes(ifaces), nil
	}
	return e
}

// reduceSummarized reduces g, whose class rows under its own interface
// definitions are rows; they are the series' rows only if the last
// snapshot names plain objects with the same definitions.
func reduceSummarized(g *graph.Graph, name string, rows []summary.Class) *earlier {
	own := g.Interfaces
	e := newEarlier(g, name)
	e.rows = func(ifaces []graph.Interface) ([]summary.Class, error) {
		if len(ifaces) != 0 && !sameInterfaces(ifaces, own) {
			return nil, fmt.Errorf("%s: class rows under other interface definitions than the last snapshot's", name)
		}
		return rows, nil
	}
	return e
}

// newEarlier keeps what every reduction keeps: the snapshot's description
// and each object's retained size by id.
func newEarlier(g *graph.Graph, name string) *earlier {
	return &earlier{
		info: snapshotInfo(g, name),
		// Kept in node order: a finding looks up one id per snapshot, and
		// a few scans cost less than sorting every object by id.
		ids:      slices.Clone(g.S.NodeIDs),
		retained: slices.Clone(g.Retained),
	}
}

func sameInterfaces(a, b []graph.Interface) bool {
	return slices.EqualFunc(a, b, func(x, y graph.Interface) bool {
		return x.Name == y.Name && slices.Equal(x.Properties, y.Properties)
	})
}

// wait returns once e is reduced, with the reduction's error.
func (e *earlier) wait() error {
	if e.done != nil {
		<-e.done
	}
	return e.err
}

func snapshotInfo(g *graph.Graph, name string) SnapshotInfo {
	return SnapshotInfo{
		Name: name, Nodes: g.NodeCount(),
		TotalSize: g.Retained[g.S.Root] + g.S.ExtraNativeBytes, MaxJSID: g.S.MaxJSNodeID(),
	}
}

// retainedOf returns the retained size of the object with V8 id, or 0.
func (e *earlier) retainedOf(id snapshot.NodeID) uint64 {
	if k := slices.Index(e.ids, id); k >= 0 {
		return e.retained[k]
	}
	return 0
}

// Analyze computes the verdict for graphs, snapshots of one process in the
// order they were taken; names label the snapshots in the report. It is a
// Series of graphs; it does not change them.
func Analyze(graphs []*graph.Graph, names []string, opt Options) (*Report, error) {
	s := NewSeries(opt)
	for k, g := range graphs {
		s.Add(names[k], g)
	}
	return s.Report()
}

// analyze computes the verdict over the earlier snapshots and the last.
func analyze(earlier []*earlier, last *graph.Graph, lastName string, lastRows []summary.Class, perNode []int32, opt Options) (*Report, error) {
	if len(earlier) < 1 {
		return nil, fmt.Errorf("need at least two snapshots of one process, got %d", len(earlier)+1)
	}
	if opt.MinGrowth <= 0 {
		opt.MinGrowth = DefaultMinGrowth
	}
	if opt.Samples <= 0 {
		opt.Samples = DefaultSamples
	}
	if opt.MaxCandidates <= 0 {
		opt.MaxCandidates = DefaultMaxCandidates
	}
	for _, e := range earlier {
		if err := e.wait(); err != nil {
			return nil, err
		}
	}
	n := len(earlier) + 1
	rep := &Report{Verdict: "no-leak", MinGrowth: opt.MinGrowth, Findings: []Finding{}}
	for _, e := range earlier {
		rep.Snapshots = append(rep.Snapshots, e.info)
	}
	rep.Snapshots = append(rep.Snapshots, snapshotInfo(last, lastName))
	for k := 1; k < n; k++ {
		if rep.Snapshots[k].MaxJSID < rep.Snapshots[k-1].MaxJSID {
			return nil, fmt.Errorf("%s has smaller object ids than %s: the snapshots are not from one process, or not in the order taken", rep.Snapshots[k].Name, rep.Snapshots[k-1].Name)
		}
	}

	if lastRows == nil {
		lastRows, perNode = summary.ClassesByNode(last, nil)
	}
	series, err := growth(earlier, last.Interfaces, lastRows)
	if err != nil {
		return nil, err
	}
	firstMax := rep.Snapshots[0].MaxJSID
	ki := newKeyIndex(last, lastRows, perNode, firstMax)
	byKey := map[string]*classSeries{}
	for _, cs := range series {
		byKey[cs.key] = cs
	}
	for i, a := range ki.perNode {
		if a < 0 || !ki.isNew(snapshot.Ordinal(i)) {
			continue
		}
		if cs := byKey[ki.keys[a]]; cs != nil {
			cs.newAlive = append(cs.newAlive, snapshot.Ordinal(i))
		}
	}

	var cands []*classSeries
	for _, cs := range series {
		if cs.isCandidate(opt.MinGrowth, n) {
			cands = append(cands, cs)
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].growth > cands[b].growth })
	if len(cands) > opt.MaxCandidates {
		cands = cands[:opt.MaxCandidates]
	}
	last.BuildRetainers()
	for _, cs := range cands {
		cs.explain(last, opt.Samples)
	}
	cands = slices.DeleteFunc(cands, func(cs *classSeries) bool { return cs.path == nil })
	for _, cs := range cands {
		cs.acc, cs.accPoint = accumulation(earlier, ki, cs.path, opt.MinGrowth)
	}
	for _, members := range group(ki, cands) {
		sub, ok := chooseSubject(ki, members)
		if !ok {
			head := headOf(ki, members)
			sub = subject{m: head, path: head.path, full: head.path, acc: head.acc, tier: tierOf(last, head.path.Target())}
		}
		if internalClass(sub.m.name) || unfounded(last, sub) {
			continue
		}
		rep.Findings = append(rep.Findings, finding(earlier, ki, sub, members, opt))
	}
	sort.SliceStable(rep.Findings, func(a, b int) bool { return rep.Findings[a].RetainedGrowth > rep.Findings[b].RetainedGrowth })
	if len(rep.Findings) > 0 {
		rep.Verdict = "leak"
	}
	return rep, nil
}

// growth lines up every snapshot's class rows by class key.
func growth(earlier []*earlier, ifaces []graph.Interface, lastRows []summary.Class) ([]*classSeries, error) {
	n := len(earlier) + 1
	byKey := map[string]*classSeries{}
	var order []*classSeries
	add := func(k int, rows []summary.Class) {
		for _, r := range rows {
			cs := byKey[r.Key]
			if cs == nil {
				cs = &classSeries{key: r.Key, name: r.Name, counts: make([]int, n), retained: make([]uint64, n)}
				byKey[r.Key] = cs
				order = append(order, cs)
			}
			cs.counts[k] = r.Count
			cs.retained[k] = r.Retained
		}
	}
	for k, e := range earlier {
		rows, err := e.rows(ifaces)
		if err != nil {
			return nil, err
		}
		add(k, rows)
	}
	add(n-1, lastRows)
	for _, cs := range order {
		cs.growth = int64(cs.retained[n-1]) - int64(cs.retained[0])
	}
	return order, nil
}

func (cs *classSeries) isCandidate(minGrowth, n int) bool {
	for k := 1; k < n; k++ {
		if cs.counts[k]-cs.counts[k-1] < minGrowth || cs.retained[k] <= cs.retained[k-1] {
			return false
		}
	}
	return len(cs.newAlive) >= minGrowth
}

// explain samples the class's new objects, groups their first paths by
// shape and keeps the most common shape's instance nearest to the roots.
func (cs *classSeries) explain(g *graph.Graph, samples int) {
	type group struct {
		count int
		all   []paths.Path
	}
	groups := map[string]*group{}
	var order []string
	step := max(1, len(cs.newAlive)/samples)
	sampled := 0
	for k := 0; k < len(cs.newAlive) && sampled < samples; k += step {
		sampled++
		p := paths.Shortest(g, cs.newAlive[k], 1, paths.Options{MaxWork: 1 << 20})
		if len(p) == 0 {
			continue
		}
		shape := paths.Shape(g, p[0])
		gr := groups[shape]
		if gr == nil {
			gr = &group{}
			groups[shape] = gr
			order = append(order, shape)
		}
		gr.count++
		gr.all = append(gr.all, p[0])
	}
	if len(order) == 0 {
		return
	}
	bestShape := order[0]
	for _, sh := range order[1:] {
		if groups[sh].count > groups[bestShape].count {
			bestShape = sh
		}
	}
	cs.shape = bestShape
	cs.share = float64(groups[bestShape].count) / float64(sampled)
	// One shape can hold objects in several containers alike (two timer
	// lists): the representative goes through the one most of the sample
	// goes through.
	anchor, anchored := commonNode(g, groups[bestShape].all)
	through := func(p paths.Path) bool {
		return !anchored || slices.ContainsFunc(p, func(h paths.Hop) bool { return h.Node == anchor })
	}
	for _, p := range groups[bestShape].all {
		if through(p) && (cs.path == nil || nearer(g, p, cs.path)) {
			cs.path = p
		}
	}
	// The sample may miss the instances nearest to the roots, whose chains
	// are the shortest to read (the first Timeout of a timer list): try them.
	near := slices.Clone(cs.newAlive)
	slices.SortStableFunc(near, func(a, b snapshot.Ordinal) int { return int(g.Distance[a]) - int(g.Distance[b]) })
	for _, i := range near[:min(len(near), nearestTries)] {
		p := paths.Shortest(g, i, 1, paths.Options{MaxWork: 1 << 20})
		if len(p) > 0 && nearer(g, p[0], cs.path) && through(p[0]) && paths.Shape(g, p[0]) == bestShape {
			cs.path = p[0]
		}
	}
}

// commonNode is the deepest node (by its depth on the paths) that more
// than half of ps go through, the paths' own targets and the elements of
// lists aside.
func commonNode(g *graph.Graph, ps []paths.Path) (snapshot.Ordinal, bool) {
	count := map[snapshot.Ordinal]int{}
	depth := map[snapshot.Ordinal]int{}
	for _, p := range ps {
		for j, h := range p[:len(p)-1] {
			if j+1 < len(p) && sameClass(g, h.Node, p[j+1].Node) {
				continue // an element of a list: the paths enter it anywhere
			}
			count[h.Node]++
			depth[h.Node] = max(depth[h.Node], j)
		}
	}
	var best snapshot.Ordinal
	found := false
	for i, c := range count {
		if 2*c <= len(ps) {
			continue
		}
		if !found || depth[i] > depth[best] || depth[i] == depth[best] && i < best {
			best, found = i, true
		}
	}
	return best, found
}

// nearestTries is how many of a class's new objects nearest to the roots
// are tried as its representative.
const nearestTries = 32

// nearer prefers the shorter path, then the target with the larger retained
// size, then the smaller id.
func nearer(g *graph.Graph, a, b paths.Path) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	ta, tb := a.Target(), b.Target()
	if g.Retained[ta] != g.Retained[tb] {
		return g.Retained[ta] > g.Retained[tb]
	}
	return g.S.NodeIDs[ta] < g.S.NodeIDs[tb]
}

// group joins candidates whose chains pass through objects of another's
// class (unless that class is generic), or that accumulate in one
// container (union-find).
func group(ki *keyIndex, cands []*classSeries) [][]*classSeries {
	index := map[string]int{}
	for k, cs := range cands {
		index[cs.key] = k
	}
	parent := make([]int, len(cands))
	for k := range parent {
		parent[k] = k
	}
	find := func(k int) int {
		for parent[k] != k {
			parent[k] = parent[parent[k]]
			k = parent[k]
		}
		return k
	}
	byPoint := map[snapshot.NodeID]int{}
	byOuter := map[snapshot.NodeID]int{}
	for k, cs := range cands {
		for _, h := range cs.path[:len(cs.path)-1] {
			if key := ki.newKey(h.Node); key != "" {
				// Generic classes (Function, Array, …) are on the chains of
				// unrelated leaks: they join a group, never join two.
				if other, ok := index[key]; ok && !genericClass(cands[other].name) {
					parent[find(other)] = find(k)
				}
			}
		}
		// WeakMap values live as long as their key: a growing class of
		// keys is the leak its values are part of.
		for _, h := range cs.path[1:] {
			if key, ok := ephemeronKey(ki.g, h.Edge); ok {
				if other, ok := index[ki.newKey(key)]; ok {
					parent[find(other)] = find(k)
				}
			}
		}
		// Classes accumulating in one container are one leak (the entries
		// of a Map and the strings they hold).
		if cs.accPoint != nil {
			if other, ok := byPoint[cs.accPoint.ID]; ok {
				parent[find(other)] = find(k)
			} else {
				byPoint[cs.accPoint.ID] = k
			}
			// So are classes accumulating in containers that are the
			// values of one container (an Array of callbacks per topic
			// in a Map): the sample may pick another topic for each.
			if a := cs.acc; a >= 2 && backingStore(ki.g.S, cs.path[a-1].Node) {
				outer := ki.g.S.NodeIDs[cs.path[a-2].Node]
				if other, ok := byOuter[outer]; ok {
					parent[find(other)] = find(k)
				} else {
					byOuter[outer] = k
				}
			}
		}
	}
	byRoot := map[int][]*classSeries{}
	var roots []int
	for k, cs := range cands {
		r := find(k)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], cs)
	}
	var out [][]*classSeries
	for _, r := range roots {
		out = append(out, byRoot[r])
	}
	return out
}

// unfounded reports a finding of generic objects without the evidence
// to name a cause: no container where they accumulate and a chain few of
// them share, or a chain through V8's own code and feedback (an
// allocation site's boilerplate Array). Such growth is the side effect of
// another finding, or of the program warming up.
func unfounded(g *graph.Graph, sub subject) bool {
	if sub.tier != tierGeneric {
		return false
	}
	if sub.acc < 0 && sub.m.share < 0.5 {
		return true
	}
	for _, h := range sub.path {
		if codeClass(g.ClassName(h.Node)) {
			return true
		}
	}
	return false
}

// ephemeronKeyID reads the key's id out of a WeakMap entry's edge name
// ("735 / part of key (CompiledFnEntry @69397) -> value (…) pair in
// WeakMap (table @103179)").
var ephemeronKeyID = regexp.MustCompile(`part of key \(.*? @(\d+)\) -> value`)

// ephemeronKey is the key of the WeakMap entry edge e leads out of.
func ephemeronKey(g *graph.Graph, e snapshot.EdgeIndex) (snapshot.Ordinal, bool) {
	if e == paths.NoEdge {
		return 0, false
	}
	m := ephemeronKeyID.FindStringSubmatch(g.S.EdgeName(e))
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseUint(m[1], 10, 32)
	if err != nil {
		return 0, false
	}
	return g.OrdinalOf(snapshot.NodeID(id))
}

// internalClass reports whether name is one of V8's own object kinds: a
// group made only of them (code being compiled, feedback growing as a
// program warms up) is not reported as a leak on its own.
func internalClass(name string) bool {
	return codeClass(name) || strings.HasPrefix(name, "system / ")
}

// codeClass reports V8's code and metadata classes, left out of the list of
// classes growing with a finding.
func codeClass(name string) bool {
	switch name {
	case "(compiled code)", "(system)", "(object shape)", "(code)":
		return true
	}
	return false
}

// headOf names a group: on the longest chain of the group, below the last
// function (a callback or closure holding the objects) and below the
// accumulation point, the first object whose class is a growing
// constructor. That is the object the leak is about: Server below the
// timer's bound callback, Subscriber below the listener's closure,
// CacheEntry below the Map.
func headOf(ki *keyIndex, members []*classSeries) *classSeries {
	g := ki.g
	byKey := map[string]*classSeries{}
	longest := members[0]
	for _, m := range members {
		byKey[m.key] = m
		if len(m.path) > len(longest.path) || (len(m.path) == len(longest.path) && m.growth > longest.growth) {
			longest = m
		}
	}
	keyAt := func(j int) string { return ki.newKey(longest.path[j].Node) }
	p := longest.path
	firstGrowing := len(p) - 1
	for j := range p {
		if byKey[keyAt(j)] != nil {
			firstGrowing = j
			break
		}
	}
	from := firstGrowing
	for j := firstGrowing; j < len(p)-1; j++ {
		if g.S.NodeTypes[p[j].Node] == snapshot.NodeClosure {
			from = j + 1
		}
	}
	for j := from; j < len(p); j++ {
		i := p[j].Node
		if g.S.NodeTypes[i] != snapshot.NodeObject {
			continue
		}
		if _, ok := g.Location(i); !ok {
			continue
		}
		if m := byKey[keyAt(j)]; m != nil {
			return m
		}
	}
	best := members[0]
	for _, m := range members {
		if !internalClass(m.name) && (internalClass(best.name) || m.growth > best.growth) {
			best = m
		}
	}
	return best
}

// finding describes a group of candidates through its subject.
func finding(earlier []*earlier, ki *keyIndex, sub subject, members []*classSeries, opt Options) Finding {
	n := len(earlier) + 1
	last := ki.g
	head := sub.m
	f := Finding{
		Class: head.name, Key: head.key, Counts: head.counts, Retained: head.retained,
		NewAlive: len(head.newAlive), Share: head.share, Shape: head.shape,
		RetainedGrowth: head.growth,
	}
	for k := 1; k < n; k++ {
		f.CountGrowth = append(f.CountGrowth, head.counts[k]-head.counts[k-1])
	}
	for _, m := range members {
		f.RetainedGrowth = max(f.RetainedGrowth, m.growth)
		if m == head || codeClass(m.name) {
			continue // V8's own code and feedback grow with any program
		}
		rel := Related{Class: m.name, Key: m.key}
		for k := 1; k < n; k++ {
			rel.CountGrowth = append(rel.CountGrowth, m.counts[k]-m.counts[k-1])
		}
		f.Related = append(f.Related, rel)
	}
	p := sub.path
	f.Path = object.NewChain(last, p, object.Brief)
	target := p.Target()
	f.Representative = object.New(last, target, object.Brief)
	if sub.acc >= 0 {
		f.AccumulationPoint = accumulationAt(earlier, last, p[sub.acc].Node)
	}
	ev := recognize(last, sub.full, len(sub.path)-1, sub.acc, members)
	if ev != nil {
		f.Pattern = describe(last, sub, ev, opt.Sources)
	}
	f.Headline = headline(last, sub, ev, opt.Sources)
	f.AllocationStack = last.AllocationStack(target)
	f.Locations = locations(ki, p, sub.acc, ev, storeOwner(last, sub), f.AllocationStack, opt.Sources)
	return f
}

// keyIndex is the Summary class key of every node of the last snapshot.
type keyIndex struct {
	g        *graph.Graph
	keys     []string
	perNode  []int32
	firstMax snapshot.NodeID // the first snapshot's largest JS object id
}

func newKeyIndex(g *graph.Graph, rows []summary.Class, perNode []int32, firstMax snapshot.NodeID) *keyIndex {
	keys := make([]string, len(rows))
	for k, r := range rows {
		keys[k] = r.Key
	}
	return &keyIndex{g: g, keys: keys, perNode: perNode, firstMax: firstMax}
}

// isNew reports whether node i is a JS object allocated after the first
// snapshot (V8 gives JS objects odd ids from a counter that only grows).
// Chains are matched on such objects, not on class names alone: "Function"
// or "Array" also name countless old objects.
func (ki *keyIndex) isNew(i snapshot.Ordinal) bool {
	id := ki.g.S.NodeIDs[i]
	return id > ki.firstMax && id&1 == 1
}

// newKey is the class key of node i if it is a new object, else "".
func (ki *keyIndex) newKey(i snapshot.Ordinal) string {
	if a := ki.perNode[i]; a >= 0 && ki.isNew(i) {
		return ki.keys[a]
	}
	return ""
}

// sameClass reports whether nodes a and b are of one class.
func sameClass(g *graph.Graph, a, b snapshot.Ordinal) bool { return g.Class[a] == g.Class[b] }
