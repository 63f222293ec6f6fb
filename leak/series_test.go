package leak

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// corpusSeries groups the snapshots of testdata/corpus (and of
// HEAPSCOPE_EXTRA_CORPUS) into series, each in step order.
func corpusSeries(t *testing.T) map[string][]string {
	t.Helper()
	dirs := []string{"../testdata/corpus"}
	if d := os.Getenv("HEAPSCOPE_EXTRA_CORPUS"); d != "" {
		dirs = append(dirs, d)
	}
	re := regexp.MustCompile(`^(.*)__(\d+)\.heapsnapshot(\.gz)?$`)
	series := map[string][]string{}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.heapsnapshot*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if m := re.FindStringSubmatch(filepath.Base(f)); m != nil {
				key := filepath.Join(dir, m[1])
				series[key] = append(series[key], f)
			}
		}
	}
	step := func(f string) int {
		n, _ := strconv.Atoi(re.FindStringSubmatch(filepath.Base(f))[2])
		return n
	}
	for k, fs := range series {
		sort.Slice(fs, func(a, b int) bool { return step(fs[a]) < step(fs[b]) })
		if len(fs) < 2 {
			delete(series, k)
		}
	}
	return series
}

// fullEarlier is how the verdict keyed an earlier snapshot before Series
// reduced it: the whole graph, re-classified with the last snapshot's
// definitions (its own when the last has none).
func fullEarlier(g *graph.Graph, name string) *earlier {
	return &earlier{
		info: snapshotInfo(g, name),
		rows: func(ifaces []graph.Interface) ([]summary.Class, error) {
			cl := g.OwnClasses()
			if len(ifaces) > 0 {
				cl = g.Reclassify(ifaces)
			}
			rows, _ := summary.ClassesByNodeAs(g, cl, nil)
			return rows, nil
		},
		ids:      g.S.NodeIDs,
		retained: g.Retained,
	}
}

// TestSeriesMatchesFullGraphs: a Series, which reduces each earlier
// snapshot before knowing the last one's interface definitions, gives the
// report that the full graphs re-keyed with those definitions give, on
// every series of the corpus, byte for byte.
func TestSeriesMatchesFullGraphs(t *testing.T) {
	differ := 0
	for key, files := range corpusSeries(t) {
		t.Run(filepath.Base(key), func(t *testing.T) {
			var graphs []*graph.Graph
			var names []string
			for _, f := range files {
				s, err := snapshot.ReadFile(f, snapshot.Options{})
				if err != nil {
					t.Fatal(err)
				}
				graphs = append(graphs, graph.Analyze(s, graph.Options{}))
				names = append(names, filepath.Base(f))
			}
			n := len(graphs)
			last := graphs[n-1]
			var full []*earlier
			for k, g := range graphs[:n-1] {
				full = append(full, fullEarlier(g, names[k]))
				if !reflect.DeepEqual(g.Interfaces, last.Interfaces) {
					differ++
				}
				// The reduced rows equal the full graph's, whatever the
				// definitions: the last's, its own, another's, none.
				d := summary.Defer(g)
				for _, defs := range [][]graph.Interface{last.Interfaces, g.Interfaces, graphs[0].Interfaces, nil} {
					want, _ := summary.ClassesByNodeAs(g, g.Reclassify(defs), nil)
					if got := d.Classes(defs); !reflect.DeepEqual(got, want) {
						t.Errorf("%s: reduced rows differ from the full graph's (%d definitions)", names[k], len(defs))
					}
				}
			}
			want, wantErr := analyze(full, last, names[n-1], nil, nil, Options{})
			got, err := Analyze(graphs, names, Options{})
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error %v, want %v", err, wantErr)
			}
			if err != nil {
				return
			}
			wantJSON, _ := json.Marshal(want)
			if gotJSON, _ := json.Marshal(got); string(gotJSON) != string(wantJSON) {
				t.Errorf("Series report differs from the full graphs'\n got %s\nwant %s", gotJSON, wantJSON)
			}
			// As a live hunt adds them: the earlier ones reduced in the
			// background as they come.
			hunt := NewSeries(Options{})
			for k, g := range graphs[:n-1] {
				hunt.AddEarlier(names[k], g)
			}
			hunt.Add(names[n-1], last)
			if hunt.Len() != n {
				t.Errorf("Len %d after %d snapshots", hunt.Len(), n)
			}
			got, err = hunt.Report()
			if err != nil {
				t.Fatal(err)
			}
			if gotJSON, _ := json.Marshal(got); string(gotJSON) != string(wantJSON) {
				t.Errorf("AddEarlier's report differs from the full graphs'\n got %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}
	if differ == 0 {
		t.Error("no series whose snapshots infer different interface definitions: the re-keying is not exercised")
	}
}

// TestSeriesLen checks Len and the errors of short series.
func TestSeriesLen(t *testing.T) {
	s := NewSeries(Options{})
	if _, err := s.Report(); err == nil || s.Len() != 0 {
		t.Errorf("empty series: Len %d, error %v", s.Len(), err)
	}
	files := corpusSeries(t)["../testdata/corpus/seed-leak-series__node-20.3.1"]
	if len(files) < 2 {
		t.Fatal("corpus series missing")
	}
	for k, f := range files[:2] {
		snap, err := snapshot.ReadFile(f, snapshot.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.Add(filepath.Base(f), graph.Analyze(snap, graph.Options{}))
		if s.Len() != k+1 {
			t.Errorf("Len %d after %d adds", s.Len(), k+1)
		}
	}
	if _, err := s.Report(); err != nil {
		t.Error(err)
	}
	// Only earlier snapshots: no last one to report on.
	e := NewSeries(Options{})
	snap, err := snapshot.ReadFile(files[0], snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.AddEarlier("a", graph.Analyze(snap, graph.Options{}))
	if _, err := e.Report(); err == nil || e.Len() != 1 {
		t.Errorf("one earlier snapshot: Len %d, error %v", e.Len(), err)
	}
}
