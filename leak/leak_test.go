package leak_test

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/leak"
)

func analyze(t *testing.T, dir, series string, steps ...int) *leak.Report {
	t.Helper()
	var gs []*graph.Graph
	var names []string
	for _, name := range corpustest.Series(dir, series, steps...) {
		gs = append(gs, graph.Analyze(corpustest.Read(t, name), graph.Options{}))
		names = append(names, filepath.Base(name))
	}
	r, err := leak.Analyze(gs, names, leak.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// chain renders a finding's path as "edge class" hops, root first.
func chain(f leak.Finding) string {
	var parts []string
	for _, s := range f.Path {
		parts = append(parts, strings.TrimSpace(s.Edge+" "+s.Class))
	}
	return strings.Join(parts, " → ")
}

var corpus = corpustest.Dir()

// The createServer leak of Node.js 20.3.1 (issue 48604): one finding,
// Server, +1,000 per step, held by its connections-check timer.
func TestCreateServerLeak(t *testing.T) {
	r := analyze(t, corpus, "seed-leak-series__node-20.3.1", 0, 1000, 2000)
	if r.Verdict != "leak" || len(r.Findings) == 0 {
		t.Fatalf("verdict %q with %d findings", r.Verdict, len(r.Findings))
	}
	f := r.Findings[0]
	if f.Class != "Server" || !slices.Equal(f.CountGrowth, []int{1000, 1000}) {
		t.Fatalf("top finding %s %v, want Server [1000 1000]", f.Class, f.CountGrowth)
	}
	got := chain(f)
	for _, want := range []string{"global", "->timerListMap Object", "[30000] TimersList", "Timeout", "._onTimeout Function", "{bound_this} Server"} {
		if !strings.Contains(got, want) {
			t.Errorf("chain lacks %q:\n%s", want, got)
		}
	}
	if !strings.HasSuffix(got, "._onTimeout Function → {bound_this} Server") {
		t.Errorf("chain does not end with the timer's bound callback:\n%s", got)
	}
	if f.AccumulationPoint == nil || f.AccumulationPoint.Class != "TimersList" {
		t.Errorf("accumulation point %+v, want the TimersList", f.AccumulationPoint)
	} else if rs := f.AccumulationPoint.RetainedBySnapshot; !(rs[0] < rs[1] && rs[1] < rs[2]) {
		t.Errorf("accumulation point's retained size does not grow: %v", rs)
	}
	for _, other := range r.Findings {
		if other.Class == "Timeout" {
			t.Errorf("Timeout reported as a finding of its own; it is on Server's chain")
		}
	}
	if !slices.ContainsFunc(f.Related, func(rel leak.Related) bool { return rel.Class == "Timeout" }) {
		t.Errorf("Timeout not among the classes growing with Server: %+v", f.Related)
	}
	var scripts []string
	for _, l := range f.Locations {
		scripts = append(scripts, l.Role+" "+l.Name+" "+l.Script)
	}
	if !slices.Contains(scripts, "constructor Server node:_http_server") || !slices.Contains(scripts, "bound function checkConnections node:_http_server") {
		t.Errorf("locations %v lack Server's constructor and checkConnections in node:_http_server", scripts)
	}
}

// The same loop on the fixed Node.js 20.20.2 must give no finding.
func TestNoFalseAlarmOnFixedNode(t *testing.T) {
	r := analyze(t, corpus, "seed-leak-series__node-20.20.2", 0, 1000, 2000)
	if r.Verdict != "no-leak" || len(r.Findings) != 0 {
		t.Fatalf("verdict %q, findings %+v", r.Verdict, r.Findings)
	}
}

type leakCase struct {
	dir, series string
	steps       []int
	class       string
	chainEnd    string
	stack       string // a function of the allocation stack, if tracked
}

var index = regexp.MustCompile(`([\[{])\d+([\]}])`)

func TestClassicLeaks(t *testing.T) {
	cases := []leakCase{
		{corpus, "emitter-listeners__node-20.20.2", []int{0, 500, 1000}, "Subscriber", "{context} system / Context → ->sub Subscriber", ""},
		{corpus, "map-cache-tracked__node-20.20.2", []int{0, 500, 1000}, "CacheEntry", ".responseCache Map → {table} (array) → {n} CacheEntry", "getCached"},
		{corpus, "map-cache__node-20.20.2", []int{0, 500, 1000}, "CacheEntry", ".responseCache Map → {table} (array) → {n} CacheEntry", ""},
		{corpus, "closure-array__node-20.20.2", []int{0, 500, 1000}, "BigPayload", "{context} system / Context → ->big BigPayload", ""},
		{corpus, "detached-dom-tracked__chromium-156", []int{0, 200}, "CardController", ".cardCache Array → [n] CardController", "leakCards"},
	}
	// The team's reference corpus, when present, has the same scenarios from
	// other runs.
	for _, extra := range corpustest.Dirs(true)[1:] {
		for _, c := range cases {
			c.dir = extra
			cases = append(cases, c)
		}
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.dir)+"/"+c.series, func(t *testing.T) {
			r := analyze(t, c.dir, c.series, c.steps...)
			if len(r.Findings) == 0 {
				t.Fatalf("no finding")
			}
			f := r.Findings[0]
			if f.Class != c.class {
				t.Fatalf("top finding %s, want %s", f.Class, c.class)
			}
			got := chain(f)
			got = index.ReplaceAllString(got, "${1}n$2")
			if !strings.HasSuffix(got, c.chainEnd) {
				t.Errorf("chain %s\ndoes not end with %s", got, c.chainEnd)
			}
			if f.AccumulationPoint == nil {
				t.Errorf("no accumulation point")
			}
			if len(f.Locations) == 0 || f.Locations[0].Role != "constructor" || !strings.Contains(f.Locations[0].Script, "/") && !strings.HasPrefix(f.Locations[0].Script, "node:") {
				t.Errorf("constructor location without a script name: %+v", f.Locations)
			}
			if c.stack != "" && !slices.ContainsFunc(f.AllocationStack, func(fr graph.Frame) bool { return fr.Function == c.stack }) {
				t.Errorf("allocation stack %+v lacks %s", f.AllocationStack, c.stack)
			}
		})
	}
}

func TestRejectsOutOfOrderSeries(t *testing.T) {
	var gs []*graph.Graph
	for _, name := range corpustest.Series(corpus, "seed-leak-series__node-20.3.1", 2000, 0) {
		gs = append(gs, graph.Analyze(corpustest.Read(t, name), graph.Options{}))
	}
	if _, err := leak.Analyze(gs, []string{"late", "early"}, leak.Options{}); err == nil || !strings.Contains(err.Error(), "not in the order taken") {
		t.Fatalf("got %v, want an error about the order", err)
	}
	if _, err := leak.Analyze(gs[:1], []string{"one"}, leak.Options{}); err == nil {
		t.Fatal("one snapshot accepted")
	}
}
