package paths_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

const corpus = "../testdata/corpus"

var (
	graphsMu sync.Mutex
	graphs   = map[string]*graph.Graph{}
)

// load reads and analyses a corpus snapshot once per test binary.
func load(t *testing.T, file string) *graph.Graph {
	t.Helper()
	graphsMu.Lock()
	defer graphsMu.Unlock()
	if g, ok := graphs[file]; ok {
		return g
	}
	s, err := snapshot.ReadFile(file, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := graph.Analyze(s, graph.Options{})
	graphs[file] = g
	return g
}

func ordinalOf(t *testing.T, g *graph.Graph, id uint32) uint32 {
	t.Helper()
	for i, x := range g.S.NodeIDs {
		if x == id {
			return uint32(i)
		}
	}
	t.Fatalf("no node @%d", id)
	return 0
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
				ID    uint32      `json:"id"`
				Chain []chainStep `json:"chain"`
			} `json:"example"`
		} `json:"signatures"`
		NearestInstance *struct {
			ID       uint32      `json:"id"`
			Distance int32       `json:"distance"`
			Chain    []chainStep `json:"chain"`
		} `json:"nearestInstance"`
	} `json:"retainers"`
}

func readReport(t *testing.T, file string) leakReport {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var r leakReport
	if err := json.NewDecoder(zr).Decode(&r); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return r
}

// reportFiles lists the leak reports of the project corpus, and of
// HEAPSCOPE_EXTRA_CORPUS when set.
func reportFiles(t *testing.T) []string {
	files, _ := filepath.Glob(filepath.Join(corpus, "*.leak-report.json.gz"))
	if len(files) == 0 {
		t.Fatal("project corpus has no leak reports")
	}
	if extra := os.Getenv("HEAPSCOPE_EXTRA_CORPUS"); extra != "" {
		more, _ := filepath.Glob(filepath.Join(extra, "*.leak-report.json.gz"))
		files = append(files, more...)
	}
	return files
}

// checkChain compares the first path to the object @id with the chain
// DevTools' Retainers pane auto-expands (from the object outwards; complete
// or cut at DevTools' 20 levels).
func checkChain(t *testing.T, g *graph.Graph, id uint32, chain []chainStep) {
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
