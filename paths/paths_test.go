package paths_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// load reads and analyses a corpus snapshot once per test binary.
func load(t *testing.T, file string) *graph.Graph {
	t.Helper()
	return corpustest.Analysed(t, file, func(s *snapshot.Snapshot) *graph.Graph { return graph.Analyze(s, graph.Options{}) })
}

func ordinalOf(t *testing.T, g *graph.Graph, id snapshot.NodeID) snapshot.Ordinal {
	t.Helper()
	o, ok := g.OrdinalOf(id)
	if !ok {
		t.Fatalf("no node @%d", id)
	}
	return o
}

// chainStep is one step of a DevTools retainer chain as leak-report.js
// writes it: the retainer (node "name @id") and the edge from it.
type chainStep struct {
	Edge      string `json:"edge"`
	Node      string `json:"node"`
	ClassName string `json:"className"`
	Distance  int32  `json:"distance"`
}

type leakReport struct {
	Snapshots []struct {
		File string `json:"file"`
	} `json:"snapshots"`
	Retainers []struct {
		ClassName  string `json:"className"`
		Signatures []struct {
			Example struct {
				ID    snapshot.NodeID `json:"id"`
				Chain []chainStep     `json:"chain"`
			} `json:"example"`
		} `json:"signatures"`
		NearestInstance *struct {
			ID       snapshot.NodeID `json:"id"`
			Distance int32           `json:"distance"`
			Chain    []chainStep     `json:"chain"`
		} `json:"nearestInstance"`
	} `json:"retainers"`
}

func readReport(t *testing.T, file string) leakReport {
	t.Helper()
	var r leakReport
	corpustest.ReadJSON(t, file, &r)
	return r
}

// reportFiles lists the leak reports of the project corpus, and of
// HEAPSCOPE_EXTRA_CORPUS when set.
func reportFiles(t *testing.T) []string {
	return corpustest.Glob(t, "*.leak-report.json.gz", true)
}

// checkChain compares the first path to the object @id with the chain
// DevTools' Retainers pane auto-expands (from the object outwards; complete
// or cut at DevTools' 20 levels).
func checkChain(t *testing.T, g *graph.Graph, id snapshot.NodeID, chain []chainStep) {
	t.Helper()
	target := ordinalOf(t, g, id)
	ps := paths.Shortest(g, target, 1, paths.Options{})
	if len(ps) != 1 {
		t.Fatalf("@%d: no path", id)
	}
	p := ps[0]
	if p.Target() != target {
		t.Fatalf("@%d: path ends at ordinal %d", id, p.Target())
	}
	// The path root first: p[len-2] is chain[0], the object's retainer.
	if len(p)-1 < len(chain) || (len(chain) < 20 && len(p)-1 != len(chain)) {
		t.Fatalf("@%d: path has %d retainers, DevTools' chain %d", id, len(p)-1, len(chain))
	}
	for j, st := range chain {
		h := p[len(p)-2-j]
		edge := p[len(p)-1-j].Edge
		got := chainStep{
			Edge:      graph.EdgeLabel(g.S, edge),
			Node:      fmt.Sprintf("%s @%d", graph.DisplayName(g, h.Node), g.S.NodeIDs[h.Node]),
			ClassName: g.ClassName(h.Node),
			Distance:  g.Distance[h.Node],
		}
		if got != st {
			t.Fatalf("@%d: retainer %d is %+v, DevTools %+v", id, j, got, st)
		}
	}
	if len(chain) < 20 && g.Distance[p[0].Node] != 1 {
		t.Errorf("@%d: path starts at distance %d, not at a user root", id, g.Distance[p[0].Node])
	}
}

// TestFirstPathIsDevToolsChain checks the first path against DevTools'
// auto-expanded retainer chain for every instance leak-report.js gives one
// for: the nearest instance of each leaking class (complete chain) and one
// example per signature (first 20 levels).
func TestFirstPathIsDevToolsChain(t *testing.T) {
	checked := 0
	for _, rf := range reportFiles(t) {
		r := readReport(t, rf)
		last := filepath.Join(filepath.Dir(rf), r.Snapshots[len(r.Snapshots)-1].File)
		t.Run(filepath.Base(last), func(t *testing.T) {
			g := load(t, last)
			for _, c := range r.Retainers {
				if c.NearestInstance != nil {
					checkChain(t, g, c.NearestInstance.ID, c.NearestInstance.Chain)
					checked++
				}
				for _, s := range c.Signatures {
					checkChain(t, g, s.Example.ID, s.Example.Chain)
					checked++
				}
			}
		})
	}
	if checked < 10 {
		t.Errorf("only %d chains checked", checked)
	}
}

var leakSnapshot = corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")

// checkPath checks that p is a real retainer path to target: it starts at a
// node the root holds, every hop follows a strong edge from the previous
// node, and no node repeats.
func checkPath(t *testing.T, g *graph.Graph, p paths.Path, target snapshot.Ordinal) {
	t.Helper()
	s := g.S
	if len(p) == 0 || p.Target() != target {
		t.Fatalf("path %v does not end at %d", p, target)
	}
	if p[0].Edge != paths.NoEdge {
		t.Errorf("first hop has edge %d", p[0].Edge)
	}
	rootHolds := false
	for e := s.FirstEdge[s.Root]; e < s.FirstEdge[s.Root+1]; e++ {
		rootHolds = rootHolds || (s.EdgeTo[e] == p[0].Node && s.EdgeTypes[e] != snapshot.EdgeWeak)
	}
	if !rootHolds {
		t.Errorf("path starts at @%d, which the root does not hold", s.NodeIDs[p[0].Node])
	}
	seen := map[snapshot.Ordinal]bool{p[0].Node: true}
	for j := 1; j < len(p); j++ {
		e := p[j].Edge
		if s.EdgeTo[e] != p[j].Node || s.EdgeSource(e) != p[j-1].Node {
			t.Fatalf("hop %d: edge %d does not go from @%d to @%d", j, e, s.NodeIDs[p[j-1].Node], s.NodeIDs[p[j].Node])
		}
		if tp := s.EdgeTypes[e]; tp == snapshot.EdgeWeak || tp == snapshot.EdgeInvisible {
			t.Errorf("hop %d follows a %s edge", j, tp)
		}
		if seen[p[j].Node] {
			t.Errorf("hop %d: @%d repeats", j, s.NodeIDs[p[j].Node])
		}
		seen[p[j].Node] = true
	}
}

func labels(g *graph.Graph, p paths.Path) string {
	var b strings.Builder
	for j, h := range p {
		if j > 0 {
			b.WriteString(" " + graph.EdgeLabel(g.S, h.Edge) + " ")
		}
		fmt.Fprintf(&b, "%s@%d", g.ClassName(h.Node), g.S.NodeIDs[h.Node])
	}
	return b.String()
}

// TestServerLeak checks the paths of the real createServer leak (Node.js
// 20.3.1): every leaked Server is held by a Timeout's bound _onTimeout in the
// timer list, and all of them share one path shape.
func TestServerLeak(t *testing.T) {
	g := load(t, leakSnapshot)
	cs, ok := paths.ForClass(g, "Server", paths.ClassOptions{})
	if !ok || cs.Instances != 2001 || cs.Sampled != paths.DefaultSamples {
		t.Fatalf("ForClass(Server) = %+v, %v", cs, ok)
	}
	top := cs.Groups[0]
	if top.Count != cs.Sampled || top.Example != cs.Representative {
		t.Errorf("top shape group %+v of %d sampled, representative %d", top, cs.Sampled, cs.Representative)
	}
	const want = "global → .clearImmediate → Function → {context} → system / Context → ->timerListMap → Object → [n] → TimersList → ._idleNext/._idlePrev → Timeout → ._onTimeout → Function → {bound_this} → Server"
	if top.Shape != want {
		t.Errorf("shape\n%s\nwant\n%s", top.Shape, want)
	}
	// The representative is leak-report.js's nearest instance, and its first
	// path is DevTools' chain (checked against the report in
	// TestFirstPathIsDevToolsChain).
	if id := g.S.NodeIDs[cs.Representative]; id != 90669 {
		t.Errorf("representative @%d, want @90669", id)
	}
	ps := paths.Shortest(g, cs.Representative, 3, paths.Options{})
	if len(ps) != 3 {
		t.Fatalf("%d paths", len(ps))
	}
	first := labels(g, ps[0])
	for _, part := range []string{"global@", " .clearImmediate Function@", " ->timerListMap Object@", " [30000] TimersList@", " ._onTimeout Function@", " {bound_this} Server@90669"} {
		if !strings.Contains(first, part) {
			t.Errorf("first path lacks %q: %s", part, first)
		}
	}
	seen := map[string]bool{}
	for k, p := range ps {
		checkPath(t, g, p, cs.Representative)
		if g.Distance[p[0].Node] != 1 {
			t.Errorf("path %d starts at distance %d", k, g.Distance[p[0].Node])
		}
		if k > 0 && len(p) < len(ps[k-1]) {
			t.Errorf("path %d is shorter than path %d", k, k-1)
		}
		l := labels(g, p)
		if seen[l] {
			t.Errorf("path %d repeats: %s", k, l)
		}
		seen[l] = true
	}

	// Every leaked Server, whichever end of the timer list is nearer, has
	// the same shape; the one Server that is not leaked has another.
	shapes := map[string]int{}
	for i := range g.Class {
		if o := snapshot.Ordinal(i); g.ClassName(o) == "Server" && g.Shallow[o] > 0 {
			p := paths.Shortest(g, o, 1, paths.Options{})
			if len(p) != 1 {
				t.Fatalf("Server @%d: no path", g.S.NodeIDs[o])
			}
			shapes[paths.Shape(g, p[0])]++
		}
	}
	if len(shapes) != 2 || shapes[want] != 2000 {
		t.Errorf("shapes of the 2,001 Servers: %v", shapes)
	}
}

// TestLongPath follows a Timeout in the middle of the 2,000-element timer
// list: a path of about 1,000 hops, found quickly, with the list run
// collapsed in its shape.
func TestLongPath(t *testing.T) {
	g := load(t, leakSnapshot)
	target := ordinalOf(t, g, 101911)
	ps := paths.Shortest(g, target, 4, paths.Options{})
	if len(ps) != 4 {
		t.Fatalf("%d paths", len(ps))
	}
	if d := g.Distance[target]; len(ps[0]) != int(d) {
		t.Errorf("first path has %d nodes, distance is %d", len(ps[0]), d)
	}
	for _, p := range ps {
		checkPath(t, g, p, target)
	}
	const want = "global → .clearImmediate → Function → {context} → system / Context → ->timerListMap → Object → [n] → TimersList → ._idleNext/._idlePrev → Timeout"
	if sh := paths.Shape(g, ps[0]); sh != want {
		t.Errorf("shape %s", sh)
	}
}

// TestSystemPaths: objects that only system roots reach are explained
// through them (or through a user object whose edge DevTools' distance
// computation skips, as DevTools' own chain does); with All, an object a
// user root reaches can be explained through system roots too.
func TestSystemPaths(t *testing.T) {
	g := load(t, leakSnapshot)
	rootDist := g.Distance[g.S.Root]
	throughSystem := 0
	for i, d := range g.Distance {
		o := snapshot.Ordinal(i)
		if d <= rootDist+2 || throughSystem == 10 {
			continue
		}
		ps := paths.Shortest(g, o, 2, paths.Options{})
		if len(ps) == 0 {
			t.Fatalf("no path to system node @%d", g.S.NodeIDs[o])
		}
		for _, p := range ps {
			checkPath(t, g, p, o)
		}
		if g.Distance[ps[0][0].Node] == rootDist+1 {
			throughSystem++
			if len(ps[0]) != int(d-rootDist) {
				t.Errorf("@%d: system path has %d nodes, distance %d", g.S.NodeIDs[o], len(ps[0]), d)
			}
		}
	}
	if throughSystem == 0 {
		t.Error("no path through a system root")
	}
	// Functions are held by user objects and, through their code, by
	// system roots.
	found := false
	for i := range g.Class {
		o := snapshot.Ordinal(i)
		if g.S.NodeTypes[o] != snapshot.NodeClosure || g.Distance[o] != 2 {
			continue
		}
		ps := paths.Shortest(g, o, 8, paths.Options{All: true})
		for _, p := range ps {
			checkPath(t, g, p, o)
			if g.Distance[p[0].Node] == rootDist+1 {
				found = true
			}
		}
		if found {
			break
		}
	}
	if !found {
		t.Error("All found no path through a system root for any function")
	}
}

func TestShortestEdgeCases(t *testing.T) {
	g := load(t, leakSnapshot)
	s := g.S
	if ps := paths.Shortest(g, s.Root, 3, paths.Options{}); ps != nil {
		t.Errorf("paths to the root: %v", ps)
	}
	if ps := paths.Shortest(g, snapshot.Ordinal(s.NodeCount()), 3, paths.Options{}); ps != nil {
		t.Errorf("paths to a node out of range: %v", ps)
	}
	global := ordinalOf(t, g, 6061)
	if ps := paths.Shortest(g, global, 0, paths.Options{}); ps != nil {
		t.Errorf("k=0: %v", ps)
	}
	ps := paths.Shortest(g, global, 3, paths.Options{})
	if len(ps) != 1 || len(ps[0]) != 1 || ps[0][0] != (paths.Hop{Node: global, Edge: paths.NoEdge}) {
		t.Errorf("paths to the global object: %v", ps)
	}
	if sh := paths.Shape(g, ps[0]); sh != "global" {
		t.Errorf("shape of the global object's path: %q", sh)
	}
	if sh := paths.Shape(g, nil); sh != "" {
		t.Errorf("shape of no path: %q", sh)
	}
	// A tiny work bound returns what it found, maybe nothing, never a panic.
	server := ordinalOf(t, g, 90669)
	if ps := paths.Shortest(g, server, 3, paths.Options{MaxWork: 5}); len(ps) > 3 {
		t.Errorf("MaxWork 5: %d paths", len(ps))
	}
	if _, ok := paths.ForClass(g, "NoSuchClass", paths.ClassOptions{}); ok {
		t.Error("ForClass found a class that does not exist")
	}
}

// TestUnreachable: objects no strong chain from the root reaches (Node 22+
// snapshots hold a few) have no path.
func TestUnreachable(t *testing.T) {
	g := load(t, corpustest.Snapshot("seed-leak__node-22.23.3__1000"))
	n := 0
	for i, d := range g.Distance {
		if d == graph.NoDistance {
			n++
			if ps := paths.Shortest(g, snapshot.Ordinal(i), 2, paths.Options{All: true}); ps != nil {
				t.Errorf("unreachable @%d has paths", g.S.NodeIDs[i])
			}
		}
	}
	if n == 0 {
		t.Error("no unreachable node in the snapshot")
	}
}

// TestLabelsAndNames checks graph.EdgeLabel and graph.DisplayName on edges
// and nodes of a real snapshot (the retainer chain tests check many more
// against DevTools).
func TestLabelsAndNames(t *testing.T) {
	g := load(t, leakSnapshot)
	s := g.S
	type labelled struct {
		label string
		tp    snapshot.EdgeType
	}
	labels := map[labelled]bool{}
	for e := range s.EdgeTo {
		labels[labelled{graph.EdgeLabel(s, snapshot.EdgeIndex(e)), s.EdgeTypes[e]}] = true
	}
	for label, tp := range map[string]snapshot.EdgeType{
		"->timerListMap":                       snapshot.EdgeContext,
		"[30000]":                              snapshot.EdgeElement,
		"._onTimeout":                          snapshot.EdgeProperty,
		`["get CountQueuingStrategy"]`:         snapshot.EdgeProperty, // a name with a space
		"{bound_this}":                         snapshot.EdgeInternal,
		"{0}":                                  snapshot.EdgeHidden,
		"[2]":                                  snapshot.EdgeShortcut, // numeric shortcut from the root
		".bound_argument_0":                    snapshot.EdgeShortcut,
		"[[" + s.EdgeName(firstWeak(s)) + "]]": snapshot.EdgeWeak,
	} {
		if !labels[labelled{label, tp}] {
			t.Errorf("no %s edge labelled %s", tp, label)
		}
	}
	names := map[string]bool{}
	for i := range g.Class {
		names[graph.DisplayName(g, snapshot.Ordinal(i))] = true
	}
	for _, want := range []string{
		"seed-leak.cjs", // a concatenated string, flattened
		"{}",            // the timer list map, a plain object without properties
		// http's exports: properties from both ends within 100 characters
		"{STATUS_CODES, Server, ServerResponse, …, storeHTTPOptions, _connectionListener, kServerResponse}",
	} {
		if !names[want] {
			t.Errorf("no node named %q", want)
		}
	}
	if got := graph.DisplayName(g, snapshot.Ordinal(s.NodeCount())); got != "" {
		t.Errorf("name of a node out of range: %q", got)
	}
}

func firstWeak(s *snapshot.Snapshot) snapshot.EdgeIndex {
	for e, tp := range s.EdgeTypes {
		if tp == snapshot.EdgeWeak {
			return snapshot.EdgeIndex(e)
		}
	}
	return 0
}

// TestPathsDifferNearObject: the leaked Server's Timeout has two real
// retainers, its neighbours in the timer list (._idlePrev from the
// TimersList, ._idleNext from the Timeout after it). The further paths
// show the second one, not the first path reached from another global
// function (.clearInterval instead of .clearImmediate).
func TestPathsDifferNearObject(t *testing.T) {
	g := load(t, leakSnapshot)
	target := ordinalOf(t, g, 90669)
	timeout := ordinalOf(t, g, 90581)
	ps := paths.Shortest(g, target, 3, paths.Options{})
	if len(ps) != 3 {
		t.Fatalf("%d paths", len(ps))
	}
	entries := map[snapshot.Ordinal]bool{}
	for k, p := range ps {
		checkPath(t, g, p, target)
		for j, h := range p {
			if h.Node == timeout {
				entries[p[j-1].Node] = true
			}
		}
		for _, q := range ps[:k] {
			// Two paths that differ only in their first two hops (the
			// global function) are one route.
			if len(p) == len(q) && slices.Equal(p[2:], q[2:]) {
				t.Errorf("paths differ only at the root end:\n%s\n%s", labels(g, q), labels(g, p))
			}
		}
	}
	if len(entries) < 2 {
		t.Errorf("every path enters the Timeout through the same retainer:\n%s\n%s\n%s", labels(g, ps[0]), labels(g, ps[1]), labels(g, ps[2]))
	}
}
