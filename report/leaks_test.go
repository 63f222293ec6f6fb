package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/snapshot"
)

// The text folds a run of hops alike into one line with a count, keeping
// the run's first and last hop, and a chain still too long once folded
// keeps its root end, its accumulation point and its object's end around a
// "… N hops …" line: no chain prints more than 25 lines.
func TestWriteLeaksTextFolds(t *testing.T) {
	r := syntheticReport()
	var b bytes.Buffer
	if err := WriteLeaksText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(b.String()), " ") // one space between fields
	for _, want := range []string{".next Link @100", ".next Link ×18", ".next Link @138", "Registry @5", "◀ accumulation point"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "@102") {
		t.Errorf("a folded hop is printed:\n%s", out)
	}

	// 300 hops that alternate two shapes (nothing to fold), the
	// accumulation point in the middle.
	f := &r.Findings[0]
	path := object.Chain{{Ref: object.Ref{Class: "global", Name: "global", ID: 1}}}
	for k := range 300 {
		edge, class := ".value", "Node"
		if k%2 == 1 {
			edge, class = "[1]", "Array"
		}
		path = append(path, object.Hop{Edge: edge, Ref: object.Ref{Class: class, Name: class, ID: snapshot.NodeID(1001 + 2*k)}})
	}
	path = append(path, object.Hop{Edge: ".session", Ref: object.Ref{Class: "Session", Name: "Session", ID: 7}})
	f.Path = path
	f.AccumulationPoint.ID = path[150].ID
	b.Reset()
	if err := WriteLeaksText(&b, r); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	lines := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "     ") {
			lines++
		}
	}
	// The chain, plus the two Where lines.
	if lines > 25+1 {
		t.Errorf("the chain prints %d lines:\n%s", lines-1, out)
	}
	for _, want := range []string{"global @1", " hops …", "Array @1299", "◀ accumulation point", "Session @7"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text lacks %q:\n%s", want, out)
		}
	}
}

// listenerReport is a hand-written listener leak with the fields the
// analysis fills for people: the headline, the pattern and the ranked
// locations with their roles, origins, fix site and source-mapped
// original.
func listenerReport() *leak.Report {
	ref := func(class, name string, id snapshot.NodeID, self, retained uint64) object.Ref {
		return object.Ref{Class: class, Name: name, ID: id, Self: self, Retained: retained}
	}
	loc := func(role, name, script string, line, col int32) leak.Location {
		origin, pkg := object.OriginOf(script)
		l := object.Location{Script: script, Line: line, Column: col, Origin: origin, Package: pkg}.Named(name)
		return leak.Location{Role: role, Location: l}
	}
	fix := loc("listener", "", "/app/server.js", 48, 25)
	fix.FixSite = true
	mapped := loc("function", "render", "/app/dist/app.js", 30, 7)
	mapped.Original = &object.Source{Script: "/app/src/app.ts", Line: 14, Column: 5}
	return &leak.Report{
		Verdict:   "leak",
		MinGrowth: 10,
		Snapshots: []leak.SnapshotInfo{{Name: "s0.heapsnapshot", TotalSize: 2 << 20}, {Name: "s1.heapsnapshot", TotalSize: 3 << 20}, {Name: "s2.heapsnapshot", TotalSize: 4 << 20}},
		Findings: []leak.Finding{{
			Headline: "listeners of Settings 'change' ((anonymous) server.js:48:25)",
			Pattern: &leak.Pattern{
				ID: leak.PatternListener, Title: "a listener never removed",
				Summary: "a 'change' listener is added to Settings on every request and never removed; each holds a PageView.",
				Advice:  "remove the listener when the request is done (settings.off('change', listener)), or add one listener at startup.",
			},
			Class: "Function", Key: ",Function", Counts: []int{0, 100, 200}, CountGrowth: []int{100, 100},
			Retained: []uint64{0, 96 << 10, 192 << 10}, RetainedGrowth: 192 << 10, NewAlive: 200, Share: 1,
			Representative: ref("Function", "", 90, 64, 960),
			Path: object.Chain{
				{Ref: ref("global", "global", 1, 8<<10, 300<<10)},
				{Edge: ".settings", Ref: ref("Settings", "Settings", 50, 104, 200<<10)},
				{Edge: "._events", Ref: ref("Object", "{change}", 60, 184, 200<<10)},
				{Edge: ".change", Ref: ref("Array", "Array", 70, 1608, 200<<10)},
				{Edge: "[199]", Ref: ref("Function", "", 90, 64, 960)},
			},
			AccumulationPoint: &leak.Accumulation{Ref: ref("Array", "Array", 70, 1608, 200<<10), RetainedBySnapshot: []uint64{16, 100 << 10, 200 << 10}},
			Related:           []leak.Related{{Class: "PageView", Key: ",PageView", CountGrowth: []int{100, 100}}},
			Locations: []leak.Location{
				fix,
				loc("constructor", "PageView", "/app/server.js", 22, 14),
				mapped,
				loc("function", "onEnd", "/elsewhere/lib.js", 3, 1),
				loc("function", "", "/app/node_modules/express/lib/router/index.js", 280, 10),
				loc("holder", "get", "node:internal/bootstrap/node", 385, 3),
				loc("function", "emit", "node:events", 519, 28),
			},
		}},
	}
}

// The text names the finding by its headline, says the pattern and its
// fix, and lists "Where" with the fix site marked, the original source
// of a mapped script first, a dependency's package, scripts under the
// current directory relative to it, and no holder.
func TestWriteLeaksTextHeadlinePatternWhere(t *testing.T) {
	var b bytes.Buffer
	if err := writeLeaksText(&b, listenerReport(), "/app"); err != nil {
		t.Fatal(err)
	}
	want := `Snapshots: s0.heapsnapshot (2.0 MiB), s1.heapsnapshot (3.0 MiB), s2.heapsnapshot (4.0 MiB)

#1 listeners of Settings 'change' ((anonymous) server.js:48:25): +100, +100 per step (0 → 100 → 200 Function objects), retained +192 KiB
   A listener never removed: a 'change' listener is added to Settings on every request and never
     removed; each holds a PageView.
   Fix: remove the listener when the request is done (settings.off('change', listener)), or add one
     listener at startup.
   Retained by (root first):
                global @1  8.0 KiB / 300 KiB
     .settings  Settings @50  104 B / 200 KiB
     ._events   {change} (Object) @60  184 B / 200 KiB
     .change    Array @70  1.6 KiB / 200 KiB   ◀ accumulation point, retained 16 B → 100 KiB → 200 KiB
     [199]      Function @90  64 B / 960 B
   Growing with it: PageView (+100, +100)
   Where (your code first):
     ▶ listener     (anonymous)  server.js:48:25                           ← fix here
       constructor  PageView     server.js:22:14
       function     render       src/app.ts:14:5 (dist/app.js:30:7)
       function     onEnd        /elsewhere/lib.js:3:1
       function     (anonymous)  node_modules/express/lib/router/index.js:280:10 (express)
       function     emit         node:events:519:28

Verdict: LEAK: listeners of Settings 'change' ((anonymous) server.js:48:25) accumulate (+100, +100).
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Without a headline the finding is named after its class; without a
// pattern the text says how many new objects stay alive; more than six
// locations end with a pointer to the JSON; no row is marked when no
// location is the fix site.
func TestWriteLeaksTextFallbacks(t *testing.T) {
	r := listenerReport()
	f := &r.Findings[0]
	f.Headline, f.Pattern, f.Class = "", nil, "PageView"
	for k := range 10 {
		f.Locations = append(f.Locations, leak.Location{Role: "allocation", Location: object.Location{Script: "/app/a.js", Line: int32(k + 1), Column: 1}.Named("alloc")})
	}
	for k := range f.Locations {
		f.Locations[k].FixSite = false
	}
	var b bytes.Buffer
	if err := writeLeaksText(&b, r, "/app/"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	for _, want := range []string{
		"#1 PageView: +100, +100 per step (0 → 100 → 200 objects), retained +192 KiB",
		"   200 objects allocated after the first snapshot are still alive; 100% of those sampled are held by this chain.",
		"     listener     (anonymous)  server.js:48:25",
		"     function     emit         node:events:519:28",
		"     … 10 more in --json",
		"Verdict: LEAK: PageView accumulates (+100, +100).",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("the text lacks the line %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "a.js:1:1") || strings.Contains(b.String(), "▶") {
		t.Errorf("more than six locations, or a mark without a fix site:\n%s", b.String())
	}
}

func TestRelScript(t *testing.T) {
	for _, c := range []struct{ script, dir, want string }{
		{"/app/src/a.js", "/app", "src/a.js"},
		{"/app/src/a.js", "/app/", "src/a.js"},
		{"/application/a.js", "/app", "/application/a.js"},
		{"file:///app/src/my%20a.js", "/app", "src/my a.js"},
		{"node:events", "/app", "node:events"},
		{"/app/a.js", "", "/app/a.js"},
	} {
		if got := RelScript(c.script, c.dir); got != c.want {
			t.Errorf("RelScript(%q, %q) = %q, want %q", c.script, c.dir, got, c.want)
		}
	}
}

// A finding with everything at its longest (a chain of 300 hops that do
// not fold, many locations, a deep allocation stack) still fits a screen.
func TestWriteLeaksTextFitsAScreen(t *testing.T) {
	r := listenerReport()
	f := &r.Findings[0]
	path := object.Chain{{Ref: object.Ref{Class: "global", Name: "global", ID: 1}}}
	for k := range 300 {
		edge, class := ".value", "Node"
		if k%2 == 1 {
			edge, class = "[1]", "Array"
		}
		path = append(path, object.Hop{Edge: edge, Ref: object.Ref{Class: class, Name: class, ID: snapshot.NodeID(1001 + 2*k)}})
	}
	f.Path = path
	f.AccumulationPoint.ID = path[150].ID
	for k := range 12 {
		f.Locations = append(f.Locations, leak.Location{Role: "function", Location: object.Location{Script: "/app/a.js", Line: int32(k + 1), Column: 1}.Named("f")})
	}
	for k := range 20 {
		f.AllocationStack = append(f.AllocationStack, graph.Frame{Function: "g", Script: "/app/b.js", Line: uint32(k + 1), Column: 1})
	}
	var b bytes.Buffer
	if err := writeLeaksText(&b, r, "/app"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	block := out[strings.Index(out, "#1 "):strings.Index(out, "\nVerdict:")]
	if n := len(strings.Split(strings.TrimRight(block, "\n"), "\n")); n > 45 {
		t.Errorf("the finding prints %d lines:\n%s", n, block)
	}
	for _, want := range []string{"     … 12 more in --json\n", "   Allocated at:\n", "     … 17 more frames in --json\n"} {
		if !strings.Contains(block, want) {
			t.Errorf("the finding lacks %q:\n%s", want, block)
		}
	}

	// Where lists the allocation frames itself: no separate stack.
	f.Locations = append(f.Locations[:1:1], leak.Location{Role: "allocation", Location: object.Location{Script: "/app/b.js", Line: 1, Column: 1}.Named("g")})
	b.Reset()
	if err := writeLeaksText(&b, r, "/app"); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.Contains(out, "Allocated at:") || !strings.Contains(out, "allocation  g            b.js:1:1") {
		t.Errorf("allocation frames listed twice, or not at all:\n%s", out)
	}
}

// A pattern's advice longer than a table cell (the timer pattern's runs to
// 300 bytes) is printed whole, wrapped, with its control characters made
// spaces; only prose beyond maxProse is cut.
func TestWriteLeaksTextLongAdvice(t *testing.T) {
	r := listenerReport()
	p := r.Findings[0].Pattern
	p.Advice = strings.Repeat("word ", 60) + "the\x1bend."
	var b bytes.Buffer
	if err := writeLeaksText(&b, r, "/app"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, " the end.\n") || strings.Contains(out, "…") || strings.Contains(out, "\x1b") {
		t.Errorf("the advice is cut or keeps a control character:\n%s", out)
	}
	p.Advice = strings.Repeat("word ", 200)
	b.Reset()
	if err := writeLeaksText(&b, r, "/app"); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "word"); !strings.Contains(b.String(), "…") || n >= 200 {
		t.Errorf("advice beyond %d bytes is not cut:\n%s", maxProse, b.String())
	}
}

// A request leak drags twenty classes along (sockets, stream states, header
// shapes): the text lists MaxRelated of them, wrapped, and says how many
// more the JSON has; the HTML folds the rest away and names the class the
// counts are of when the headline names listeners.
func TestRelatedBounded(t *testing.T) {
	r := listenerReport()
	f := &r.Findings[0]
	f.Related = nil
	for k := range 20 {
		f.Related = append(f.Related, leak.Related{Class: fmt.Sprintf("{close, error, data, end, readable, c%d}", k), CountGrowth: []int{100, 100}})
	}
	var b bytes.Buffer
	if err := writeLeaksText(&b, r, "/app"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "c1}") && utf8.RuneCountInString(line) > textWidth {
			t.Errorf("a line of %d columns: %q", utf8.RuneCountInString(line), line)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "c7} (+100, +100), and 12 more in --json") || strings.Contains(out, "c8}") {
		t.Errorf("the text does not stop after %d related classes:\n%s", MaxRelated, out)
	}
	b.Reset()
	if err := WriteLeaksHTML(&b, r, nil); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if d, c := strings.Index(page, "<summary>12 more</summary>"), strings.Index(page, "c8}"); d < 0 || c < d || strings.Index(page, "c7}") > d {
		t.Errorf("the HTML does not fold the related classes after %d: details at %d, c8 at %d", MaxRelated, d, c)
	}
	for _, want := range []string{"<b>Function objects</b>", "<b>Function retained</b>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q: the counts are Function's, the headline names listeners", want)
		}
	}
}

// The global object of a snapshot taken through the inspector is named
// "global / " (no URL after it): the chain prints it as "global".
func TestNodeLabelBareGlobal(t *testing.T) {
	for _, c := range []struct{ name, class, want string }{
		{"global / ", "global / ", "global"},
		{"global / http://x/", "global / http://x/", "global / http://x/"},
		{"Window / ", "Window / ", "Window"},
		{"a / b", "Object", "a / b (Object)"},
	} {
		if got := nodeLabel(object.Ref{Name: c.name, Class: c.class}); got != c.want {
			t.Errorf("nodeLabel(%q, %q) = %q, want %q", c.name, c.class, got, c.want)
		}
	}
}

// A Map filled by the user's 'connection' listener: the analysis ranks the
// listener, whose closure holds the Map, as a holder after the runtime's
// Socket constructor. Where shows it first (the runtime's holders stay
// folded), and says so when none of its rows is the user's code.
func TestWhereShowsTheUsersHolder(t *testing.T) {
	r := listenerReport()
	f := &r.Findings[0]
	f.Locations = []leak.Location{
		{Role: "constructor", Location: object.Location{Script: "node:net", Line: 359, Column: 16}.Named("Socket")},
		{Role: "bound function", Location: object.Location{Script: "node:_http_server", Line: 631, Column: 26}.Named("checkConnections")},
		{Role: "holder", Location: object.Location{Script: "/app/app2.js", Line: 20, Column: 25}},
		{Role: "holder", Location: object.Location{Script: "node:timers", Line: 323, Column: 24}.Named("clearImmediate")},
	}
	var b bytes.Buffer
	if err := writeLeaksText(&b, r, "/app"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	want := `   Where (your code first):
     holder          (anonymous)       app2.js:20:25
     constructor     Socket            node:net:359:16
     bound function  checkConnections  node:_http_server:631:26
`
	if !strings.Contains(out, want) || strings.Contains(out, "clearImmediate") {
		t.Errorf("got:\n%s\nwant the lines:\n%s", out, want)
	}
	b.Reset()
	if err := WriteLeaksHTML(&b, r, nil); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if d, a, c := strings.Index(page, `<details class="holders">`), strings.Index(page, "/app/app2.js:20:25"), strings.Index(page, "node:timers:323:24"); a < 0 || d < a || c < d {
		t.Errorf("the user's holder is not in Where, or the runtime's is not folded: app2.js at %d, details at %d, node:timers at %d", a, d, c)
	}

	// With a row of the user's code, the user's holders stay folded too
	// (a module's step whose scope holds the Map says how it is reached).
	withApp := append([]leak.Location{{Role: "constructor", Location: object.Location{Script: "/app/presence.js", Line: 3, Column: 14}.Named("Presence")}}, f.Locations...)
	if shown, folded := SplitWhere(withApp, "/app"); len(shown) != 3 || len(folded) != 2 || folded[0].Place != "app2.js:20:25" {
		t.Errorf("with a row of the user's code: shown %v, folded %v", shown, folded)
	}

	f.Locations = f.Locations[:2]
	b.Reset()
	if err := writeLeaksText(&b, r, "/app"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "   Where (none of it in your code):\n") {
		t.Errorf("Where claims the user's code first with none of it:\n%s", b.String())
	}
}
