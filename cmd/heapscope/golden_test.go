package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// goldenCases are whole text outputs of the commands that print reports,
// on corpus snapshots (named relative to this folder, as the output names
// them) and on the embedded demo series. The text has no terminal, time or
// machine in it: progress goes to standard error, sizes and counts come
// from the files.
var goldenCases = []struct {
	name string // testdata/golden/NAME.txt
	args []string
}{
	{"summary-createserver-leak", []string{"summary", corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")}},
	{"summary-createserver-leak-top-count", []string{"summary", "--top", "5", "--sort", "count", corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")}},
	{"summary-createserver-leak-filter-distance", []string{"summary", "--filter", "^(Server|Timeout|TimersList)$", "--sort", "distance", corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")}},
	{"summary-node-26", []string{"summary", "--sort", "self", corpustest.Snapshot("seed-leak__node-26.10.0__1000")}},
	{"summary-map-cache-tracked", []string{"summary", corpustest.Snapshot("map-cache-tracked__node-20.20.2__1000")}},
	{"summary-chromium-detached-dom", []string{"summary", corpustest.Snapshot("detached-dom-tracked__chromium-156__200")}},

	{"diff-createserver", []string{"diff", corpustest.Snapshot("seed-leak-series__node-20.3.1__1000"), corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")}},
	{"diff-map-cache-tracked-by-count", []string{"diff", "--sort", "count", "--top", "15", corpustest.Snapshot("map-cache-tracked__node-20.20.2__0"), corpustest.Snapshot("map-cache-tracked__node-20.20.2__1000")}},

	{"leaks-createserver", append([]string{"leaks"}, series("seed-leak-series__node-20.3.1", "0", "1000", "2000")...)},
	{"leaks-createserver-fixed", append([]string{"leaks"}, series("seed-leak-series__node-20.20.2", "0", "1000", "2000")...)},
	{"leaks-createserver-two", append([]string{"leaks"}, series("seed-leak-series__node-20.3.1", "0", "2000")...)},
	{"leaks-emitter-listeners", append([]string{"leaks"}, series("emitter-listeners__node-20.20.2", "0", "500", "1000")...)},
	{"leaks-map-cache-tracked", append([]string{"leaks"}, series("map-cache-tracked__node-20.20.2", "0", "500", "1000")...)},
	{"leaks-closure-array", append([]string{"leaks", "--min-growth", "100"}, series("closure-array__node-20.20.2", "0", "500", "1000")...)},
	{"leaks-chromium-detached-dom", append([]string{"leaks"}, series("detached-dom-tracked__chromium-156", "0", "200")...)},
	{"leaks-demo", []string{"demo"}},

	{"dominators-createserver", []string{"dominators", corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")}},
	{"dominators-createserver-timerslist", []string{"dominators", "--id", "@85833", "--depth", "4", "--min-size", "1KiB", corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")}},
	{"dominators-node-26-depth-1", []string{"dominators", "--depth", "1", "--min-size", "0", corpustest.Snapshot("seed-leak__node-26.10.0__1000")}},
	{"dominators-chromium-detached-dom", []string{"dominators", "--depth", "4", corpustest.Snapshot("detached-dom-tracked__chromium-156__200")}},
}

// TestGoldenText compares the whole text output of summary, diff, leaks
// (and demo) and dominators with testdata/golden, exactly; `go test -run
// TestGoldenText -update` rewrites the files after an intended change.
func TestGoldenText(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runCLI(t, c.args...)
			if err != nil {
				t.Fatalf("heapscope %s: %v", strings.Join(c.args, " "), err)
			}
			checkGolden(t, filepath.Join("testdata", "golden", c.name+".txt"), out)
		})
	}
}

// checkGolden compares got with the golden file at path, or writes it
// with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (write it with -update)", err)
	}
	want := string(b)
	if got == want {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("output differs from %s at line %d:\n got %q\nwant %q\n(%d lines, golden %d; -update rewrites the golden)", path, i+1, g, w, len(gl), len(wl))
		}
	}
	t.Fatalf("output differs from %s", path)
}
