package load_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/huntdir"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

const corpus = "../testdata/corpus"

func seriesFiles(name string, steps ...int) []load.Source {
	var paths []string
	for _, s := range steps {
		paths = append(paths, filepath.Join(corpus, fmt.Sprintf("%s__%d.heapsnapshot.gz", name, s)))
	}
	return load.Files(paths)
}

// TestSummary: the overlapped Summary, its graph let go early, equals the
// Summary of the analysed graph.
func TestSummary(t *testing.T) {
	src := load.File(filepath.Join(corpus, "seed-leak__node-22.23.3__1000.heapsnapshot.gz"))
	got, err := load.Summary(src, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := load.Graph(src, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := summary.Classes(g, nil); !reflect.DeepEqual(got.Classes, want) {
		t.Error("load.Summary rows differ from summary.Classes")
	}
	if want := summary.ComputeTotals(g); got.Totals != want {
		t.Errorf("totals %+v, want %+v", got.Totals, want)
	}
}

// TestSeries: the series loaded last snapshot first (earlier ones with its
// interfaces and no distances) gives leak.Analyze's report on the full
// graphs, for files loaded two at a time and for the demo.
func TestSeries(t *testing.T) {
	for _, srcs := range [][]load.Source{
		seriesFiles("seed-leak-series__node-20.3.1", 0, 1000, 2000),
		seriesFiles("emitter-listeners__node-20.20.2", 0, 500, 1000),
		load.Demo(),
	} {
		got, err := load.Series(srcs, leak.Options{}, load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		graphs, err := load.Graphs(srcs, load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range srcs {
			names = append(names, s.Name)
		}
		want, err := leak.Analyze(graphs, names, leak.Options{})
		if err != nil {
			t.Fatal(err)
		}
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if string(gj) != string(wj) || len(got.Findings) == 0 {
			t.Errorf("%s: load.Series differs from leak.Analyze (%d findings)\n got %s\nwant %s", srcs[0].Name, len(got.Findings), gj, wj)
		}
	}
}

// TestInputErrors: what the user got wrong is an InputError, with the
// messages the commands print.
func TestInputErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.heapsnapshot")
	if err := os.WriteFile(bad, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		src  load.Source
		want string
	}{
		{load.File(filepath.Join(dir, "missing")), "no such file"},
		{load.File(dir), "is a directory"},
		{load.File(bad), bad + ": "},
	} {
		_, err := load.Graph(c.src, load.Options{})
		if !load.IsInputError(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want an input error containing %q", c.src.Name, err, c.want)
		}
	}
	srcs := seriesFiles("seed-leak-series__node-20.3.1", 1000, 0)
	if _, err := load.Series(srcs, leak.Options{}, load.Options{}); !load.IsInputError(err) || !strings.Contains(err.Error(), "smaller object ids") {
		t.Errorf("series out of order: %v", err)
	}
	if _, err := load.Series(srcs[:1], leak.Options{}, load.Options{}); !load.IsInputError(err) {
		t.Errorf("one snapshot: %v", err)
	}
}

// TestConcurrentAnalyses runs the analyses that used to re-classify a graph
// for a while (diff.Compare, leak's series) concurrently with the Summary
// and the on-demand indexes, on the same graphs: run it with -race.
func TestConcurrentAnalyses(t *testing.T) {
	srcs := seriesFiles("seed-leak-series__node-20.3.1", 0, 1000, 2000)
	graphs, err := load.Graphs(srcs, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{srcs[0].Name, srcs[1].Name, srcs[2].Name}
	want := summary.Classes(graphs[0], nil)
	wantDiff := diff.Compare(graphs[0], graphs[2])
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for range 3 {
		wg.Add(5)
		go func() {
			defer wg.Done()
			if r := diff.Compare(graphs[0], graphs[2]); !reflect.DeepEqual(r, wantDiff) {
				errs <- "diff.Compare differs when run concurrently"
			}
		}()
		go func() {
			defer wg.Done()
			if r, err := leak.Analyze(graphs, names, leak.Options{}); err != nil || len(r.Findings) == 0 {
				errs <- fmt.Sprintf("leak.Analyze: %v", err)
			}
		}()
		go func() {
			defer wg.Done()
			if got := summary.Classes(graphs[0], nil); !reflect.DeepEqual(got, want) {
				errs <- "summary.Classes differs when run concurrently"
			}
		}()
		go func() {
			defer wg.Done()
			for _, g := range graphs {
				g.BuildRetainers()
				g.BuildDominated()
			}
		}()
		go func() {
			defer wg.Done()
			g := graphs[1]
			for i := range snapshot.Ordinal(g.NodeCount()) {
				g.AllocationStack(i)
				if l, ok := g.Location(i); ok {
					g.ScriptName(l.ScriptID)
				}
			}
			_ = g.Reclassify(graphs[2].Interfaces)
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	// The graphs are as Analyze left them.
	for k, g := range graphs {
		if !reflect.DeepEqual(g.OwnClasses().Class, graph.Analyze(g.S, graph.Options{}).Class) {
			t.Errorf("graph %d: classes changed", k)
		}
	}
}

// TestArgs: a saved hunt's directory stands for its snapshots in the order
// taken, with its heap samples; files stay as they are; a directory with no
// snapshot is an input error.
func TestArgs(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, k := range []int{10, 2, 1} {
		if err := os.WriteFile(huntdir.SnapshotPath(dir, 42, start, k), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want := []report.HeapSample{{TimeMillis: 0, UsedBytes: 1 << 20}, {TimeMillis: 1000, UsedBytes: 2 << 20}}
	if err := huntdir.WriteSamples(dir, report.HeapCurve{Samples: want, SnapshotTimes: []int64{10, 900}}); err != nil {
		t.Fatal(err)
	}
	srcs, curve, err := load.Args([]string{"a.heapsnapshot", dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name)
	}
	wantNames := []string{"a.heapsnapshot", huntdir.SnapshotPath(dir, 42, start, 1), huntdir.SnapshotPath(dir, 42, start, 2), huntdir.SnapshotPath(dir, 42, start, 10)}
	if !slices.Equal(names, wantNames) || !slices.Equal(curve.Samples, want) || !slices.Equal(curve.SnapshotTimes, []int64{10, 900}) {
		t.Errorf("Args = %q, %+v; want %q, %v", names, curve, wantNames, want)
	}
	if _, _, err := load.Args([]string{t.TempDir()}); !load.IsInputError(err) {
		t.Errorf("an empty directory: %v, want an input error", err)
	}
}

// TestSeriesOfTwoProcesses: a series of snapshots of two processes is an
// input error, and says which two snapshots.
func TestSeriesOfTwoProcesses(t *testing.T) {
	srcs := append(seriesFiles("seed-leak-series__node-20.3.1", 0, 1000), seriesFiles("seed-leak-series__node-20.20.2", 2000)...)
	_, err := load.Series(srcs, leak.Options{}, load.Options{})
	var pe *leak.ProcessError
	if !load.IsInputError(err) || !errors.As(err, &pe) || pe.Base != srcs[1].Name || pe.Target != srcs[2].Name {
		t.Errorf("two processes: %v", err)
	}
}
