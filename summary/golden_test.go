package summary_test

import (
	"bufio"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/internal/overlap"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// The golden files are the DevTools oracle's output (tools/oracle) for the
// project's own corpus of real snapshots (testdata/gen). Set
// HEAPSCOPE_EXTRA_CORPUS to a folder of the same layout to check more.
func corpusFiles(t *testing.T) []corpustest.Entry {
	if n := len(corpustest.Snapshots(t, "*", false)); n < 10 {
		t.Fatalf("project corpus missing: %d files", n)
	}
	return corpustest.Snapshots(t, "*", true)
}

type oracleOut struct {
	Totals struct {
		NodeCount        int                `json:"nodeCount"`
		EdgeCount        int                `json:"edgeCount"`
		RootRetainedSize uint64             `json:"rootRetainedSize"`
		TotalSize        uint64             `json:"totalSize"`
		SumRawSelfSize   uint64             `json:"sumRawSelfSize"`
		NodesUnreachable int                `json:"nodesUnreachable"`
		SystemDistance   int                `json:"nodesWithSystemDistance"`
		Statistics       summary.Statistics `json:"statistics"`
	} `json:"totals"`
	Classes []summary.Class `json:"classes"`
}

func TestMatchesDevToolsOracle(t *testing.T) {
	for _, e := range corpusFiles(t) {
		t.Run(e.Name(), func(t *testing.T) {
			s := corpustest.Read(t, e.Snapshot())
			var pending *summary.Pending
			g := graph.Analyze(s, graph.Options{Overlap: overlap.New(func(g *graph.Graph) { pending = summary.Begin(overlap.Key{}, g) })})
			checkNodes(t, g, e.Nodes())
			checkSummary(t, g, e.Oracle())
			// The overlapped path gives what the plain one does.
			rows, perNode, totals := pending.Finish(g)
			wantRows, wantPerNode := summary.ClassesByNode(g, nil)
			if !reflect.DeepEqual(rows, wantRows) || !slices.Equal(perNode, wantPerNode) || totals != summary.ComputeTotals(g) {
				t.Errorf("Begin/Finish differs from ClassesByNode and ComputeTotals")
			}
		})
	}
}

func checkNodes(t *testing.T, g *graph.Graph, path string) {
	s := g.S
	sc := bufio.NewScanner(corpustest.Gunzip(t, path))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	sc.Scan() // column header
	var i snapshot.Ordinal
	mismatches := 0
	for sc.Scan() {
		var row struct {
			id, dist, dom, self, raw, ret float64
			typ, class                    string
			det                           float64
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil || len(raw) != 9 {
			t.Fatalf("node line %d: %v", i, err)
		}
		for k, dst := range []any{&row.id, &row.typ, &row.dist, &row.dom, &row.self, &row.raw, &row.ret, &row.class, &row.det} {
			if err := json.Unmarshal(raw[k], dst); err != nil {
				t.Fatalf("node line %d field %d: %v", i, k, err)
			}
		}
		if int(i) >= s.NodeCount() {
			t.Fatalf("oracle has more nodes than %d", s.NodeCount())
		}
		got := []any{s.NodeIDs[i], s.TypeName(i), g.Distance[i], s.NodeIDs[g.Dominator[i]], g.Shallow[i], s.SelfSize(i), g.Retained[i], g.ClassName(i), uint8(g.Detachedness[i])}
		want := []any{snapshot.NodeID(row.id), row.typ, int32(row.dist), snapshot.NodeID(row.dom), uint64(row.self), uint64(row.raw), uint64(row.ret), row.class, uint8(row.det)}
		for k := range got {
			if got[k] != want[k] {
				mismatches++
				if mismatches <= 5 {
					t.Errorf("node @%d (ordinal %d) column %d: got %v, DevTools %v", s.NodeIDs[i], i, k, got[k], want[k])
				}
			}
		}
		i++
	}
	if int(i) != s.NodeCount() {
		t.Errorf("oracle lists %d nodes, snapshot has %d", i, s.NodeCount())
	}
	if mismatches > 0 {
		t.Errorf("%d per-node mismatches", mismatches)
	}
}

func checkSummary(t *testing.T, g *graph.Graph, path string) {
	var want oracleOut
	corpustest.ReadJSON(t, path, &want)
	got := summary.ComputeTotals(g)
	w := want.Totals
	if got.NodeCount != w.NodeCount || got.EdgeCount != w.EdgeCount || got.RootRetainedSize != w.RootRetainedSize ||
		got.TotalSize != w.TotalSize || got.SumRawSelfSize != w.SumRawSelfSize ||
		got.NodesUnreachable != w.NodesUnreachable || got.SystemDistance != w.SystemDistance || got.Statistics != w.Statistics {
		t.Errorf("totals:\n got %+v\nwant %+v", got, w)
	}
	classes := summary.Classes(g, nil)
	summary.Sort(classes, summary.ByRetained)
	if len(classes) != len(want.Classes) {
		t.Errorf("%d classes, DevTools has %d", len(classes), len(want.Classes))
	}
	byKey := map[string]summary.Class{}
	for _, c := range classes {
		byKey[c.Key] = c
	}
	bad := 0
	for k, wc := range want.Classes {
		c, ok := byKey[wc.Key]
		if !ok || c.Name != wc.Name || c.Count != wc.Count || c.Distance != wc.Distance || c.Self != wc.Self || c.Retained != wc.Retained {
			bad++
			if bad <= 5 {
				t.Errorf("class %q: got %+v, DevTools %+v", wc.Key, c, wc)
			}
			continue
		}
		if k < len(classes) && classes[k].Key != wc.Key {
			t.Errorf("row %d: got class %q, DevTools %q", k, classes[k].Key, wc.Key)
		}
	}
}
