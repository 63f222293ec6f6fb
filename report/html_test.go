package report

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/snapshot"
)

// syntheticReport is a hand-written leak report (not from a snapshot): a
// chain with a long linked list, an accumulation point, and names that
// need escaping.
func syntheticReport() *leak.Report {
	ref := func(class, name string, id snapshot.NodeID) object.Ref {
		return object.Ref{Class: class, Name: name, ID: id, Self: 64, Retained: 4096}
	}
	path := object.Chain{
		{Edge: "", Ref: ref("global", "global", 1)},
		{Edge: ".cache", Ref: ref("Map", "Map", 3)},
	}
	for k := 0; k < 20; k++ {
		path = append(path, object.Hop{Edge: ".next", Ref: ref("Link", "Link", snapshot.NodeID(100+2*k))})
	}
	path = append(path,
		object.Hop{Edge: ".items", Ref: ref("Registry", "Registry", 5)},
		object.Hop{Edge: `["<script>alert(1)</script>"]`, Ref: ref("Session", "<img src=x onerror=alert(1)>", 7)},
	)
	return &leak.Report{
		Verdict:   "leak",
		MinGrowth: 10,
		Snapshots: []leak.SnapshotInfo{{Name: "a.heapsnapshot", Nodes: 10, TotalSize: 1 << 20, MaxJSID: 99}, {Name: "b.heapsnapshot", Nodes: 20, TotalSize: 2 << 20, MaxJSID: 199}},
		Findings: []leak.Finding{{
			Class: "Session", Key: ",Session", Counts: []int{0, 500}, CountGrowth: []int{500}, Retained: []uint64{0, 1 << 20},
			RetainedGrowth: 1 << 20, NewAlive: 500, Share: 0.9,
			Representative:    ref("Session", "Session", 7),
			Path:              path,
			Shape:             "global → .cache → Map → .next → Link → .items → Registry → Session",
			AccumulationPoint: &leak.Accumulation{Ref: ref("Registry", "Registry", 5), RetainedBySnapshot: []uint64{0, 1 << 20}},
			Related:           []leak.Related{{Class: "Token", Key: ",Token", CountGrowth: []int{500}}},
			Locations:         []leak.Location{{Role: "constructor", Location: object.Location{Script: "/app/session.js", Line: 12, Column: 3}.Named("Session")}},
		}},
	}
}

func TestWriteLeaksHTML(t *testing.T) {
	var samples []HeapSample
	for k := 0; k < 5000; k++ { // more than the chart draws: it thins them
		samples = append(samples, HeapSample{TimeMillis: 1_700_000_000_000 + int64(k)*100, UsedBytes: uint64(8<<20 + k*1024)})
	}
	var b bytes.Buffer
	if err := WriteLeaksHTML(&b, syntheticReport(), samples); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(out, ""))
	for _, want := range []string{
		"LEAK: Session accumulates (+500 per step)", "accumulation point", "Registry", "Link ×18",
		"/app/session.js:12:3", "Heap used over time", "5,000 samples over 8m19.9s", "<img src=x onerror=alert(1)> (Session) @7",
		"Token (+500)", "global @1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, want := range []string{"<!DOCTYPE html>", "<svg", "&lt;img src=x onerror=alert(1)&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Self-contained: no script, nothing fetched from anywhere.
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script`), regexp.MustCompile(`(?i)<[^>]*\ssrc=`), regexp.MustCompile(`(?i)<link`),
		regexp.MustCompile(`(?i)https?://`), regexp.MustCompile(`(?i)url\(`), regexp.MustCompile(`(?i)@import`),
	} {
		if m := bad.FindString(out); m != "" {
			t.Errorf("the page has %q", m)
		}
	}
	// The chain is root first, with the accumulation point marked once.
	if g, s := strings.Index(text, "global @1"), strings.Index(text, "(Session) @7"); g < 0 || s < g {
		t.Errorf("chain order: global at %d, Session at %d", g, s)
	}
	if n := strings.Count(out, `<span class="badge">accumulation point</span>`); n != 1 {
		t.Errorf("%d accumulation point marks, want 1", n)
	}
	if n := strings.Count(out, "<polyline"); n != 1 {
		t.Errorf("%d chart lines, want 1", n)
	}
}

func TestWriteLeaksHTMLNoLeak(t *testing.T) {
	r := syntheticReport()
	r.Verdict, r.Findings = "no-leak", nil
	var b bytes.Buffer
	if err := WriteLeaksHTML(&b, r, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "No leak") || strings.Contains(out, "<svg") || strings.Contains(out, "finding-1") {
		t.Errorf("no-leak page:\n%s", out)
	}
	if err := WriteLeaksHTML(&b, nil, nil); err == nil {
		t.Error("a nil report gave no error")
	}
	// One sample still draws a chart (a point).
	b.Reset()
	if err := WriteLeaksHTML(&b, r, []HeapSample{{TimeMillis: 5, UsedBytes: 100}}); err != nil || !strings.Contains(b.String(), "<circle") {
		t.Errorf("one sample: %v", err)
	}
}

// The page says what the text says: the headline, the pattern and its fix,
// and Where with the fix site marked, the original source first, the
// dependency's package, and the holders folded away in a <details>.
func TestWriteLeaksHTMLHeadlinePatternWhere(t *testing.T) {
	var b bytes.Buffer
	if err := WriteLeaksHTML(&b, listenerReport(), nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(out, ""))
	for _, want := range []string{
		"heapscope: leak: listeners of Settings 'change' ((anonymous) server.js:48:25)",
		"LEAK: listeners of Settings 'change' ((anonymous) server.js:48:25) accumulate (+100, +100 per step)",
		"#1 listeners of Settings 'change' ((anonymous) server.js:48:25)",
		"A listener never removed: a 'change' listener is added to Settings on every request",
		"Fix: remove the listener when the request is done",
		"Where (your code first)",
		"/app/server.js:48:25fix here",
		"/app/src/app.ts:14:5 (/app/dist/app.js:30:7)",
		"/app/node_modules/express/lib/router/index.js:280:10 (express)dependency express",
		"1 function on the way from the roots to the container (holders)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(out, `class="app fixsite"`); n != 1 {
		t.Errorf("%d fix sites marked, want 1", n)
	}
	// The holder is only inside the folded details.
	if d, h := strings.Index(out, `<details class="holders">`), strings.Index(out, "node:internal/bootstrap/node:385:3"); d < 0 || h < d {
		t.Errorf("the holder is not folded away: details at %d, holder at %d", d, h)
	}
}
