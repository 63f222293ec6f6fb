package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
)

// leakCorpus is the real createServer leak (Node.js 20.3.1, 2,000 leaked
// Servers held by their timers).
var leakCorpus = corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")

type retainersJSON struct {
	File   string          `json:"file"`
	Target retainersHopOut `json:"target"`
	Class  *struct {
		Name      string `json:"name"`
		Instances int    `json:"instances"`
		Sampled   int    `json:"sampled"`
		Shapes    []struct {
			Shape   string `json:"shape"`
			Count   int    `json:"count"`
			Example uint32 `json:"example"`
		} `json:"shapes"`
	} `json:"class"`
	Paths [][]retainersHopOut `json:"paths"`
}

type retainersHopOut struct {
	Class    string `json:"class"`
	Name     string `json:"name"`
	ID       uint32 `json:"id"`
	Edge     string `json:"edge"`
	Self     uint64 `json:"self"`
	Retained uint64 `json:"retained"`
	Distance int32  `json:"distance"`
}

func retainersRun(t *testing.T, args ...string) retainersJSON {
	t.Helper()
	out, err := runCLI(t, append([]string{"retainers", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("retainers %v: %v", args, err)
	}
	var r retainersJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("retainers %v: %v\n%s", args, err, out)
	}
	return r
}

// TestRetainersServerLeak: the leaked Servers are explained by the timer
// list: global → … → TimersList → Timeout → ._onTimeout native_bind →
// {bound_this} Server, exactly DevTools' auto-expanded chain.
func TestRetainersServerLeak(t *testing.T) {
	r := retainersRun(t, leakCorpus, "--class", "Server")
	if r.Class == nil || r.Class.Instances != 2001 || r.Class.Sampled != 100 || len(r.Class.Shapes) == 0 {
		t.Fatalf("class sample: %+v", r.Class)
	}
	top := r.Class.Shapes[0]
	if top.Count != 100 || top.Example != r.Target.ID {
		t.Errorf("top shape %+v, target @%d", top, r.Target.ID)
	}
	for _, part := range []string{"TimersList → ._idleNext/._idlePrev → Timeout → ._onTimeout → Function → {bound_this} → Server"} {
		if !strings.Contains(top.Shape, part) {
			t.Errorf("shape lacks %q: %s", part, top.Shape)
		}
	}
	if len(r.Paths) != 3 {
		t.Fatalf("%d paths, want the default 3", len(r.Paths))
	}
	// DevTools' chain for this instance, from leak-report.js (read root
	// first).
	want := readNearestChain(t, "seed-leak-series__node-20.3.1.leak-report.json.gz", "Server")
	first := r.Paths[0]
	if len(first) != len(want)+1 {
		t.Fatalf("first path has %d hops, DevTools' chain %d retainers", len(first), len(want))
	}
	for j, st := range want {
		h := first[len(first)-2-j]
		if h.Class != st.ClassName || h.Name+" @"+itoa(h.ID) != st.Node || h.Distance != st.Distance || first[len(first)-1-j].Edge != st.Edge {
			t.Errorf("hop %d: %+v (edge %q), DevTools %+v", len(first)-2-j, h, first[len(first)-1-j].Edge, st)
		}
	}
	for k, p := range r.Paths {
		if p[0].Distance != 1 || p[0].Edge != "" {
			t.Errorf("path %d starts at %+v, not at a user root", k, p[0])
		}
		last := p[len(p)-1]
		if last.ID != r.Target.ID || last.Class != "Server" || last.Edge != "{bound_this}" || last.Self != 328 || last.Retained != 768 {
			t.Errorf("path %d ends at %+v", k, last)
		}
		var edges []string
		for _, h := range p[1:] {
			edges = append(edges, h.Edge)
		}
		joined := strings.Join(edges, " ")
		for _, e := range []string{"._onTimeout", "{bound_this}", "->timerListMap"} {
			if !strings.Contains(joined, e) {
				t.Errorf("path %d lacks %s: %s", k, e, joined)
			}
		}
	}

	// The text: one hop a line, root first.
	out, err := runCLI(t, "retainers", leakCorpus, "--id", "@"+itoa(r.Target.ID), "--paths", "1")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var hops []string
	for _, l := range lines {
		if strings.Contains(l, " @") && !strings.HasPrefix(l, leakCorpus) {
			hops = append(hops, strings.TrimSpace(l))
		}
	}
	wantHops := []string{"global @6061", ".clearImmediate → clearImmediate (Function) @58537", "{context} → system / Context @49247",
		"->timerListMap → {} (Object) @49021", "[30000] → TimersList @85833", "._idlePrev → Timeout @90581",
		"._onTimeout → native_bind (Function) @90627", "{bound_this} → Server @90669"}
	if len(hops) != len(wantHops) {
		t.Fatalf("text has %d hop lines, want %d:\n%s", len(hops), len(wantHops), out)
	}
	for j, w := range wantHops {
		if !strings.HasSuffix(hops[j], w) {
			t.Errorf("hop line %d: %q, want …%q", j, hops[j], w)
		}
	}
	if !strings.Contains(lines[0], "Server @90669, distance 8, shallow 328 B, retained 768 B") {
		t.Errorf("header: %s", lines[0])
	}
}

type chainStepOut struct {
	Edge      string `json:"edge"`
	Node      string `json:"node"`
	ClassName string `json:"className"`
	Distance  int32  `json:"distance"`
}

// readNearestChain reads DevTools' retainer chain of the nearest instance
// of class from a corpus leak report.
func readNearestChain(t *testing.T, report, class string) []chainStepOut {
	t.Helper()
	var r struct {
		Retainers []struct {
			ClassName       string `json:"className"`
			NearestInstance struct {
				Chain []chainStepOut `json:"chain"`
			} `json:"nearestInstance"`
		} `json:"retainers"`
	}
	corpustest.ReadJSON(t, corpustest.Path(report), &r)
	for _, c := range r.Retainers {
		if c.ClassName == class {
			return c.NearestInstance.Chain
		}
	}
	t.Fatalf("%s: no chain for %s", report, class)
	return nil
}

func itoa(v uint32) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestRetainersOtherLeaks: the representative instance of the other leaking
// classes of the corpus is DevTools' nearest instance, with its chain.
func TestRetainersOtherLeaks(t *testing.T) {
	for _, tc := range []struct{ series, snap, class string }{
		{"emitter-listeners__node-20.20.2", "emitter-listeners__node-20.20.2__1000", "Subscriber"},
		{"map-cache-tracked__node-20.20.2", "map-cache-tracked__node-20.20.2__1000", "CacheEntry"},
	} {
		t.Run(tc.class, func(t *testing.T) {
			file := corpustest.Snapshot(tc.snap)
			r := retainersRun(t, file, "--class", tc.class, "--paths", "1")
			want := readNearestChain(t, tc.series+".leak-report.json.gz", tc.class)
			p := r.Paths[0]
			if len(p) != len(want)+1 {
				t.Fatalf("path has %d hops, DevTools' chain %d retainers", len(p), len(want))
			}
			for j, st := range want {
				h := p[len(p)-2-j]
				if h.Name+" @"+itoa(h.ID) != st.Node || h.Class != st.ClassName || p[len(p)-1-j].Edge != st.Edge {
					t.Errorf("retainer %d: %+v, DevTools %+v", j, h, st)
				}
			}
		})
	}
}

// TestRetainersErrors: unknown objects and classes and bad flags are one
// line on standard error and exit code 2.
func TestRetainersErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"retainers", leakCorpus, "--id", "2"}, "no object with id @2"},
		{[]string{"retainers", leakCorpus, "--class", "NoSuchClass"}, `no objects of class "NoSuchClass"`},
		{[]string{"retainers", leakCorpus}, "exactly one of --id and --class"},
		{[]string{"retainers", leakCorpus, "--id", "1", "--class", "Server"}, "exactly one of --id and --class"},
		{[]string{"retainers", leakCorpus, "--id", "x1"}, "not an object id"},
		{[]string{"retainers", leakCorpus, "--id", "1", "--paths", "0"}, "--paths must be at least 1"},
		{[]string{"dominators", leakCorpus, "--id", "2"}, "no object with id @2"},
		{[]string{"dominators", leakCorpus, "--min-size", "lots"}, "not a size"},
		{[]string{"dominators", leakCorpus, "--depth", "-1"}, "--depth must not be negative"},
	} {
		_, err := runCLI(t, tc.args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want exit code 2 and %q on one line", tc.args[2:], err, tc.want)
		}
	}
	// The root has no retainer path: not an error.
	r := retainersRun(t, leakCorpus, "--id", "1")
	if len(r.Paths) != 0 || r.Target.Name != "(root)" {
		t.Errorf("root: %+v", r)
	}
}

type dominatorsJSON struct {
	MinSize uint64        `json:"minSize"`
	Total   uint64        `json:"total"`
	Root    dominatorNode `json:"root"`
}

type dominatorNode struct {
	retainersHopOut
	ChildCount int             `json:"childCount"`
	Children   []dominatorNode `json:"children"`
	Hidden     *struct {
		Count    int    `json:"count"`
		Retained uint64 `json:"retained"`
	} `json:"hidden"`
}

// TestDominators: the TimersList of the leak dominates its 2,000 Timeouts;
// the tree from the root lists it as the biggest object.
func TestDominators(t *testing.T) {
	out, err := runCLI(t, "dominators", "--json", leakCorpus, "--id", "85833", "--depth", "1", "--min-size", "0")
	if err != nil {
		t.Fatal(err)
	}
	var r dominatorsJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Root.Class != "TimersList" || r.Root.ChildCount != len(r.Root.Children) || r.Root.Hidden != nil {
		t.Fatalf("TimersList: %+v with %d children", r.Root.retainersHopOut, len(r.Root.Children))
	}
	timeouts := 0
	var sum uint64
	for k, c := range r.Root.Children {
		if k > 0 && c.Retained > r.Root.Children[k-1].Retained {
			t.Errorf("child %d retains more than child %d", k, k-1)
		}
		if c.Class == "Timeout" {
			timeouts++
			if c.Retained != 968 {
				t.Errorf("Timeout @%d retains %d", c.ID, c.Retained)
			}
		}
		if len(c.Children) != 0 {
			t.Errorf("depth 1 shows grandchildren")
		}
		sum += c.Retained
	}
	if timeouts != 2000 {
		t.Errorf("TimersList dominates %d Timeouts, want 2,000", timeouts)
	}
	if sum+r.Root.Self != r.Root.Retained {
		t.Errorf("children retain %d + self %d, TimersList %d", sum, r.Root.Self, r.Root.Retained)
	}

	// From the root, default min size (1%): TimersList is the biggest.
	out, err = runCLI(t, "dominators", "--json", leakCorpus)
	if err != nil {
		t.Fatal(err)
	}
	r = dominatorsJSON{}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.MinSize != r.Total/100 || r.Root.Retained != r.Total || len(r.Root.Children) == 0 {
		t.Fatalf("root tree: min %d, total %d, %d children", r.MinSize, r.Total, len(r.Root.Children))
	}
	if c := r.Root.Children[0]; c.Class != "TimersList" || c.Retained != 1944056 {
		t.Errorf("biggest: %+v", c.retainersHopOut)
	}
	var walk func(n dominatorNode, level int)
	walk = func(n dominatorNode, level int) {
		if level > 3 {
			t.Errorf("level %d shown", level)
		}
		for _, c := range n.Children {
			if c.Retained < r.MinSize {
				t.Errorf("@%d retains %d < %d", c.ID, c.Retained, r.MinSize)
			}
			walk(c, level+1)
		}
	}
	walk(r.Root, 0)

	text, err := runCLI(t, "dominators", leakCorpus, "--depth", "2", "--min-size", "100KiB")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"objects retaining ≥ 100 KiB", "(root) @1", "  TimersList @85833", "[1] → (GC roots) @3", "smaller"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

// TestDominatorsHiddenByClass: the objects left out for their size are
// summed up by class ("2,000 Timeout, …"), not only counted, and one level
// is "1 level".
func TestDominatorsHiddenByClass(t *testing.T) {
	args := []string{"dominators", leakCorpus, "--id", "@85833", "--depth", "1", "--min-size", "1KiB"}
	text, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(text, "\n")
	if !strings.Contains(lines[0], ", 1 level, ") {
		t.Errorf("heading %q, want \"1 level\"", lines[0])
	}
	var hidden string
	for _, l := range lines {
		if strings.Contains(l, "smaller") {
			hidden = l
		}
	}
	if !strings.Contains(hidden, "… 2,002 objects smaller: 2,000 Timeout, ") {
		t.Errorf("hidden objects: %q, want them by class", hidden)
	}
	out, err := runCLI(t, append(args, "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Root struct {
			Hidden struct {
				Count    int    `json:"count"`
				Retained uint64 `json:"retained"`
				Classes  []struct {
					Name     string `json:"name"`
					Count    int    `json:"count"`
					Retained uint64 `json:"retained"`
				} `json:"classes"`
			} `json:"hidden"`
		} `json:"root"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	h := r.Root.Hidden
	count, retained := 0, uint64(0)
	for _, c := range h.Classes {
		count += c.Count
		retained += c.Retained
	}
	if h.Count != 2002 || count != h.Count || retained != h.Retained || len(h.Classes) < 2 ||
		h.Classes[0].Name != "Timeout" || h.Classes[0].Count != 2000 || h.Classes[0].Retained != 2000*968 {
		t.Errorf("hidden: %+v", h)
	}
}
