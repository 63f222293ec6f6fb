package diff

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// load reads and analyses a corpus snapshot once per test binary.
func load(t *testing.T, id string) *graph.Graph {
	t.Helper()
	return corpustest.Analysed(t, corpustest.Snapshot(id), func(s *snapshot.Snapshot) *graph.Graph { return graph.Analyze(s, graph.Options{}) })
}

// devtoolsRow is a row of DevTools' Comparison view, as the oracle writes it.
type devtoolsRow struct {
	Key          string `json:"key"`
	Name         string `json:"name"`
	AddedCount   int    `json:"addedCount"`
	RemovedCount int    `json:"removedCount"`
	CountDelta   int    `json:"countDelta"`
	AddedSize    uint64 `json:"addedSize"`
	RemovedSize  uint64 `json:"removedSize"`
	SizeDelta    int64  `json:"sizeDelta"`
}

func rowOf(c *Class) devtoolsRow {
	return devtoolsRow{c.Key, c.Name, c.AddedCount, c.RemovedCount, c.CountDelta, c.AddedSize, c.RemovedSize, c.SizeDelta}
}

type summaryRow struct {
	Name     string `json:"name"`
	Count    int    `json:"count"`
	Retained uint64 `json:"retained"`
}

// TestCompareEqualsDevToolsFull checks every row of DevTools' full
// Comparison view (tools/oracle/diff.js, testdata/gen/diff-golden.sh) for
// every pair of corpus snapshots that has one, and the Summary numbers of
// every class on both sides.
func TestCompareEqualsDevToolsFull(t *testing.T) {
	files, err := filepath.Glob(corpustest.Path("*.diff.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 13 {
		t.Fatalf("found %d diff goldens, want 13 (testdata/gen/diff-golden.sh)", len(files))
	}
	for _, file := range files {
		var golden struct {
			Base          string                `json:"base"`
			Target        string                `json:"target"`
			Comparison    []devtoolsRow         `json:"comparison"`
			BaseSummary   map[string]summaryRow `json:"baseSummary"`
			TargetSummary map[string]summaryRow `json:"targetSummary"`
		}
		corpustest.ReadJSON(t, file, &golden)
		baseID := strings.TrimSuffix(golden.Base, ".heapsnapshot.gz")
		targetID := strings.TrimSuffix(golden.Target, ".heapsnapshot.gz")
		t.Run(baseID+"--"+targetID, func(t *testing.T) {
			base, target := load(t, baseID), load(t, targetID)
			r := Compare(base, target)
			got := map[string]*Class{}
			for i := range r.Classes {
				c := &r.Classes[i]
				if got[c.Key] != nil {
					t.Fatalf("two rows for key %q", c.Key)
				}
				got[c.Key] = c
			}
			// Every DevTools row, exactly.
			for _, want := range golden.Comparison {
				c := got[want.Key]
				if c == nil {
					t.Errorf("no row for %q; DevTools: %+v", want.Key, want)
					continue
				}
				if rowOf(c) != want {
					t.Errorf("row %q:\n got      %+v\n DevTools %+v", want.Key, rowOf(c), want)
				}
			}
			// No other row with new or deleted objects; the others changed
			// their retained size only.
			inDevTools := map[string]bool{}
			for _, w := range golden.Comparison {
				inDevTools[w.Key] = true
			}
			extra := 0
			for _, c := range r.Classes {
				if !inDevTools[c.Key] {
					extra++
					if c.InComparison() || c.RetainedDelta == 0 {
						t.Errorf("row %q is not in DevTools' Comparison: %+v", c.Key, rowOf(&c))
					}
				}
			}
			// Summary numbers of both sides, for every class either side has.
			keys := map[string]bool{}
			for k := range golden.BaseSummary {
				keys[k] = true
			}
			for k := range golden.TargetSummary {
				keys[k] = true
			}
			retainedOnly := 0
			for k := range keys {
				b, tg := golden.BaseSummary[k], golden.TargetSummary[k]
				c := got[k]
				if c == nil {
					if inDevTools[k] || b.Retained != tg.Retained {
						t.Errorf("no row for %q (base %+v, target %+v)", k, b, tg)
					}
					continue
				}
				if c.BaseCount != b.Count || c.BaseRetained != b.Retained || c.TargetCount != tg.Count || c.TargetRetained != tg.Retained {
					t.Errorf("row %q: base %d/%d target %d/%d, DevTools base %d/%d target %d/%d", k,
						c.BaseCount, c.BaseRetained, c.TargetCount, c.TargetRetained, b.Count, b.Retained, tg.Count, tg.Retained)
				}
				if c.RetainedDelta != int64(tg.Retained)-int64(b.Retained) {
					t.Errorf("row %q: retained delta %d", k, c.RetainedDelta)
				}
				if c.CountDelta != tg.Count-b.Count {
					t.Errorf("row %q: count delta %d, Summary counts %d -> %d", k, c.CountDelta, b.Count, tg.Count)
				}
				if !inDevTools[k] {
					retainedOnly++
				}
			}
			if retainedOnly != extra {
				t.Errorf("%d rows beyond DevTools', %d classes with a retained change only", extra, retainedOnly)
			}
			// The new and deleted objects themselves.
			for _, c := range r.Classes {
				checkNodes(t, base, target, r, &c)
			}
		})
	}
}

// checkNodes checks a row's object lists against its counts and sizes.
func checkNodes(t *testing.T, base, target *graph.Graph, r *Result, c *Class) {
	t.Helper()
	if len(c.NewNodes) != c.AddedCount || len(c.DeletedNodes) != c.RemovedCount {
		t.Fatalf("row %q: %d new / %d deleted nodes for counts %d / %d", c.Key, len(c.NewNodes), len(c.DeletedNodes), c.AddedCount, c.RemovedCount)
	}
	var size uint64
	var last snapshot.NodeID
	for k, o := range c.NewNodes {
		id := target.S.NodeIDs[o]
		if k > 0 && id <= last {
			t.Fatalf("row %q: new nodes not in id order", c.Key)
		}
		last = id
		size += target.Shallow[o]
	}
	if size != c.AddedSize {
		t.Errorf("row %q: new nodes' size %d, addedSize %d", c.Key, size, c.AddedSize)
	}
	size = 0
	for _, o := range c.DeletedNodes {
		size += base.Shallow[o]
		if !r.InBase(base.S.NodeIDs[o]) {
			t.Fatalf("row %q: InBase(%d) = false for a base node", c.Key, base.S.NodeIDs[o])
		}
	}
	if size != c.RemovedSize {
		t.Errorf("row %q: deleted nodes' size %d, removedSize %d", c.Key, size, c.RemovedSize)
	}
}

// TestCompareEqualsLeakReports checks the Comparison rows that the series'
// leak reports (tools/oracle/leak-report.js) hold: the watched classes and
// the top 25 by size and by count delta of each step.
func TestCompareEqualsLeakReports(t *testing.T) {
	for _, series := range []string{"seed-leak-series__node-20.3.1", "seed-leak-series__node-20.20.2", "map-cache-tracked__node-20.20.2", "emitter-listeners__node-20.20.2"} {
		t.Run(series, func(t *testing.T) {
			var rep struct {
				Comparisons []struct {
					Base, Target    string
					RowsForClasses  []devtoolsRow `json:"rowsForClasses"`
					TopBySizeDelta  []devtoolsRow `json:"topBySizeDelta"`
					TopByCountDelta []devtoolsRow `json:"topByCountDelta"`
				} `json:"comparisons"`
			}
			corpustest.ReadJSON(t, corpustest.Path(series+".leak-report.json.gz"), &rep)
			if len(rep.Comparisons) != 2 {
				t.Fatalf("%d comparisons", len(rep.Comparisons))
			}
			for _, cmp := range rep.Comparisons {
				r := Compare(load(t, strings.TrimSuffix(cmp.Base, ".heapsnapshot.gz")), load(t, strings.TrimSuffix(cmp.Target, ".heapsnapshot.gz")))
				if len(r.Warnings) > 0 {
					t.Errorf("%s vs %s: warnings %q", cmp.Target, cmp.Base, r.Warnings)
				}
				n := 0
				for _, list := range [][]devtoolsRow{cmp.RowsForClasses, cmp.TopBySizeDelta, cmp.TopByCountDelta} {
					for _, want := range list {
						n++
						c := r.Class(want.Key)
						if c == nil {
							t.Errorf("%s: no row %q", cmp.Target, want.Key)
						} else if rowOf(c) != want {
							t.Errorf("%s: row %q:\n got      %+v\n DevTools %+v", cmp.Target, want.Key, rowOf(c), want)
						}
					}
				}
				if n < 50 {
					t.Errorf("only %d rows checked", n)
				}
			}
		})
	}
}

// TestLeakSeries checks the numbers the leak verdicts rely on.
func TestLeakSeries(t *testing.T) {
	const server, timeout = "437,509,15,Server", "12,164,13,Timeout"
	for _, step := range [][2]string{{"0", "1000"}, {"1000", "2000"}} {
		base := load(t, "seed-leak-series__node-20.3.1__"+step[0])
		target := load(t, "seed-leak-series__node-20.3.1__"+step[1])
		r := Compare(base, target)
		s, tm := r.Class(server), r.Class(timeout)
		if s == nil || tm == nil {
			t.Fatalf("%s->%s: no Server or Timeout row", step[0], step[1])
		}
		if s.AddedCount != 1000 || s.RemovedCount != 0 || s.CountDelta != 1000 || s.AddedSize != 328000 || s.SizeDelta != 328000 {
			t.Errorf("%s->%s Server: %+v", step[0], step[1], rowOf(s))
		}
		if tm.AddedCount != 1000 || tm.RemovedCount != 0 || tm.CountDelta != 1000 || tm.AddedSize != 120000 {
			t.Errorf("%s->%s Timeout: %+v", step[0], step[1], rowOf(tm))
		}
		if s.Location == nil || s.Location.ScriptID != 437 || s.Name != "Server" {
			t.Errorf("Server location %+v", s.Location)
		}
		if s.TargetCount-s.BaseCount != 1000 || s.RetainedDelta <= 0 {
			t.Errorf("Server counts %d -> %d, retained delta %d", s.BaseCount, s.TargetCount, s.RetainedDelta)
		}
		// The new Servers are exactly the target's Servers the base lacks.
		for _, o := range s.NewNodes {
			if target.ClassName(o) != "Server" || r.InBase(target.S.NodeIDs[o]) || target.S.NodeIDs[o] <= r.BaseMaxJSID {
				t.Fatalf("new Server @%d: class %q, in base %v", target.S.NodeIDs[o], target.ClassName(o), r.InBase(target.S.NodeIDs[o]))
			}
		}
		bySize := slices.Clone(r.Classes)
		Sort(bySize, BySize)
		if bySize[0].Key != server {
			t.Errorf("biggest size delta: %q, want Server", bySize[0].Key)
		}
		// The TimersList holding the Timeouts gains no object but the most
		// retained size (one object, 136 B, when it first appears): it
		// comes first in the default order.
		if r.Classes[0].Name != "TimersList" || r.Classes[0].SizeDelta > 136 {
			t.Errorf("biggest retained delta: %+v, want TimersList", rowOf(&r.Classes[0]))
		}
	}
	// The fixed runtime does not leak: no Server is new or deleted.
	r := Compare(load(t, "seed-leak-series__node-20.20.2__1000"), load(t, "seed-leak-series__node-20.20.2__2000"))
	for _, c := range r.Classes {
		if c.Name == "Server" && c.InComparison() {
			t.Errorf("20.20.2 Server row: %+v", rowOf(&c))
		}
	}
	if len(r.Warnings) > 0 {
		t.Errorf("warnings %q", r.Warnings)
	}
}

// TestWarnings checks the different-process and swapped-order warnings.
func TestWarnings(t *testing.T) {
	r := Compare(load(t, "seed-leak-series__node-20.3.1__2000"), load(t, "seed-leak-series__node-20.20.2__0"))
	if len(r.Warnings) != 2 || !strings.Contains(r.Warnings[0], "different processes") || !strings.Contains(r.Warnings[1], "below the base's") {
		t.Errorf("two processes, older target: warnings %q", r.Warnings)
	}
	if r.SharedIDs == 0 || r.SameObjects*10 > r.SharedIDs {
		t.Errorf("two processes: %d of %d shared ids name the same object", r.SameObjects, r.SharedIDs)
	}
	r = Compare(load(t, "seed-leak-series__node-20.3.1__1000"), load(t, "seed-leak-series__node-20.3.1__0"))
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "is the base the later snapshot") {
		t.Errorf("swapped: warnings %q", r.Warnings)
	}
	// One process: a code object may change its name, little else.
	if r.SharedIDs < 30000 || r.SameObjects*1000 < r.SharedIDs*999 {
		t.Errorf("one process: %d of %d shared ids name the same object", r.SameObjects, r.SharedIDs)
	}
	r = Compare(load(t, "seed-leak-series__node-20.3.1__1000"), load(t, "seed-leak-series__node-20.3.1__1000"))
	if len(r.Classes) != 0 || len(r.Warnings) != 0 {
		t.Errorf("a snapshot against itself: %d rows, warnings %q", len(r.Classes), r.Warnings)
	}
	if r := Compare(nil, nil); len(r.Warnings) != 1 {
		t.Errorf("nil graphs: %+v", r)
	}
}

// TestReclassification checks graph.Reclassify and summary.NodeKeys, which
// Compare builds on.
func TestReclassification(t *testing.T) {
	g := load(t, "seed-leak-series__node-20.3.1__0")
	other := load(t, "seed-leak-series__node-20.3.1__2000")
	names := func(cl *graph.Classes) []string {
		out := make([]string, g.NodeCount())
		for i := range out {
			out[i] = cl.Name(snapshot.Ordinal(i))
		}
		return out
	}
	before := names(g.OwnClasses())
	classes := summary.Classes(g, nil)
	// The target's definitions change some plain objects' classes, in the
	// returned assignment only.
	changed := 0
	re := g.Reclassify(other.Interfaces)
	for i, n := range names(re) {
		if n != before[i] {
			changed++
		}
	}
	if len(re.Interfaces) != len(other.Interfaces) {
		t.Errorf("Interfaces not set")
	}
	if changed == 0 {
		t.Error("the other snapshot's interface definitions changed no class")
	}
	if !slices.Equal(names(g.OwnClasses()), before) {
		t.Fatal("Reclassify changed the graph's classes")
	}
	// Re-applying a snapshot's own definitions gives what Analyze gave.
	if !slices.Equal(names(g.Reclassify(g.Interfaces)), before) {
		t.Error("Reclassify(own definitions) changed classes")
	}
	// NodeKeys agrees with the Summary view.
	keys, perNode := summary.NodeKeys(g)
	if len(keys) != len(classes) {
		t.Fatalf("%d keys, %d Summary rows", len(keys), len(classes))
	}
	count := make([]int, len(keys))
	for i, k := range perNode {
		if k >= 0 {
			count[k]++
			if g.Shallow[i] == 0 {
				t.Fatalf("node %d of size 0 counted", i)
			}
		}
	}
	for k, c := range classes {
		if keys[k] != c.Key || count[k] != c.Count {
			t.Errorf("key %d: %q with %d nodes, Summary %q with %d", k, keys[k], count[k], c.Key, c.Count)
		}
	}
}

// TestSort checks the orders.
func TestSort(t *testing.T) {
	rows := []Class{
		{Key: "a", SizeDelta: -500, CountDelta: 1, RetainedDelta: 10},
		{Key: "b", SizeDelta: 100, CountDelta: -20, RetainedDelta: 10},
		{Key: "c", SizeDelta: 100, CountDelta: 5, RetainedDelta: -9000},
	}
	order := func() string {
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(r.Key)
		}
		return b.String()
	}
	for by, want := range map[SortBy]string{BySize: "abc", ByCount: "bca", ByRetained: "cab"} {
		Sort(rows, by)
		if got := order(); got != want {
			t.Errorf("Sort by %s: %s, want %s", by, got, want)
		}
	}
}

// TestCheckProcess checks that the test of one process counts exactly what
// comparing each shared id's node type and name byte by byte counts, from
// NewIDs (as a leak series calls it) as from Compare.
func TestCheckProcess(t *testing.T) {
	for _, c := range []struct {
		base, target string
		other        bool
	}{
		{"seed-leak-series__node-20.3.1__2000", "seed-leak-series__node-20.20.2__0", true},
		{"seed-leak-series__node-20.3.1__0", "seed-leak-series__node-20.3.1__1000", false},
		// Two processes of one binary: half the shared ids match.
		{"emitter-listeners__node-20.20.2__0", "closure-array__node-20.20.2__1000", true},
		{"map-cache__node-20.20.2__0", "closure-array__node-20.20.2__1000", true},
		{"detached-dom-tracked__chromium-156__0", "detached-dom-tracked__chromium-156__200", false},
	} {
		pair := [2]string{c.base, c.target}
		base, target := load(t, pair[0]), load(t, pair[1])
		shared, same := exactSharedIDs(base.S, target.S)
		p := CheckProcess(NewIDs(base.S), NewIDs(target.S))
		if p.SharedIDs != shared || p.SameObjects != same {
			t.Errorf("%s vs %s: %d of %d shared ids name the same object, want %d of %d", pair[0], pair[1], p.SameObjects, p.SharedIDs, same, shared)
		}
		r := Compare(base, target)
		if r.SharedIDs != p.SharedIDs || r.SameObjects != p.SameObjects || !slices.Equal(r.Warnings, p.Warnings) ||
			r.BaseMaxJSID != p.BaseMaxJSID || r.TargetMaxJSID != p.TargetMaxJSID {
			t.Errorf("%s vs %s: Compare %+v, CheckProcess %+v", pair[0], pair[1], r, p)
		}
		if p.OtherProcess != c.other {
			t.Errorf("%s vs %s: other process %v, warnings %q", pair[0], pair[1], p.OtherProcess, p.Warnings)
		}
	}
}

// exactSharedIDs is the test of one process by a map and byte comparison.
func exactSharedIDs(b, t *snapshot.Snapshot) (shared, same int) {
	at := map[snapshot.NodeID]snapshot.Ordinal{}
	for o, id := range t.NodeIDs {
		at[id] = snapshot.Ordinal(o)
	}
	for o, id := range b.NodeIDs {
		to, ok := at[id]
		if !ok || b.NodeTypes[o] == snapshot.NodeSynthetic && t.NodeTypes[to] == snapshot.NodeSynthetic {
			continue
		}
		shared++
		if b.NodeTypes[o] == t.NodeTypes[to] && b.Strings.At(b.NodeNames[o]) == t.Strings.At(t.NodeNames[to]) {
			same++
		}
	}
	return shared, same
}

func TestSortByID(t *testing.T) {
	keys := []uint64{5<<32 | 1, 1<<48 | 7, 3<<32 | 2, 1<<32 | 9, 70000<<32 | 3, 2<<32 | 4}
	want := slices.Clone(keys)
	slices.Sort(want)
	sortByID(keys)
	if !slices.Equal(keys, want) {
		t.Errorf("sorted %x, want %x", keys, want)
	}
}

// TestCompareOrder: Compare's rows come in the default order, by the
// absolute change of the retained size.
func TestCompareOrder(t *testing.T) {
	r := Compare(load(t, "seed-leak-series__node-20.3.1__1000"), load(t, "seed-leak-series__node-20.3.1__2000"))
	if len(r.Classes) < 2 {
		t.Fatalf("%d rows", len(r.Classes))
	}
	sorted := slices.Clone(r.Classes)
	Sort(sorted, DefaultSort)
	for k := range sorted {
		if sorted[k].Key != r.Classes[k].Key {
			t.Fatalf("row %d is %q, by %s it is %q", k, r.Classes[k].Key, DefaultSort, sorted[k].Key)
		}
	}
	if DefaultSort != ByRetained {
		t.Errorf("default order %q, want retained", DefaultSort)
	}
}
