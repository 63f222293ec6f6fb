package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
)

func series(name string, steps ...string) []string {
	var out []string
	for _, s := range steps {
		out = append(out, corpustest.Snapshot(name+"__"+s))
	}
	return out
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 2
}

func TestLeaksJSONContract(t *testing.T) {
	args := append([]string{"leaks", "--json", "--fail-on-leak"}, series("seed-leak-series__node-20.3.1", "0", "1000", "2000")...)
	out, err := runCLI(t, args...)
	if code := exitCode(err); code != 1 {
		t.Fatalf("exit code %d (%v), want 1 for a leak with --fail-on-leak", code, err)
	}
	var r struct {
		Verdict  string `json:"verdict"`
		Findings []struct {
			Class             string `json:"class"`
			CountGrowth       []int  `json:"countGrowth"`
			RetainedGrowth    int64  `json:"retainedGrowth"`
			AccumulationPoint struct {
				Class string `json:"class"`
				ID    uint32 `json:"id"`
			} `json:"accumulationPoint"`
			Path []struct {
				Class string `json:"class"`
				ID    uint32 `json:"id"`
				Edge  string `json:"edge"`
			} `json:"path"`
			Locations []struct {
				Script string `json:"script"`
			} `json:"locations"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Verdict != "leak" || len(r.Findings) == 0 {
		t.Fatalf("verdict %q, %d findings", r.Verdict, len(r.Findings))
	}
	f := r.Findings[0]
	if f.Class != "Server" || len(f.CountGrowth) != 2 || f.CountGrowth[0] != 1000 || f.RetainedGrowth <= 0 {
		t.Errorf("finding %s %v %d", f.Class, f.CountGrowth, f.RetainedGrowth)
	}
	if f.AccumulationPoint.Class != "TimersList" || f.AccumulationPoint.ID == 0 {
		t.Errorf("accumulation point %+v", f.AccumulationPoint)
	}
	if len(f.Path) < 4 || f.Path[0].Edge != "" || f.Path[0].Class != "global" || f.Path[len(f.Path)-1].Class != "Server" || f.Path[len(f.Path)-1].Edge != "{bound_this}" {
		t.Errorf("path is not root first, ending at the Server: %+v", f.Path)
	}
	found := false
	for _, l := range f.Locations {
		found = found || l.Script == "node:_http_server"
	}
	if !found {
		t.Errorf("no location in node:_http_server: %+v", f.Locations)
	}
}

func TestLeaksNoLeakAndErrors(t *testing.T) {
	args := append([]string{"leaks", "--fail-on-leak"}, series("seed-leak-series__node-20.20.2", "0", "1000", "2000")...)
	out, err := runCLI(t, args...)
	if err != nil || !strings.Contains(out, "Verdict: no leak") {
		t.Fatalf("fixed Node: err %v, output:\n%s", err, out)
	}
	if _, err := runCLI(t, append([]string{"leaks"}, series("seed-leak-series__node-20.3.1", "0")...)...); exitCode(err) != 2 {
		t.Errorf("one snapshot: exit %d, want 2", exitCode(err))
	}
	backwards := series("seed-leak-series__node-20.3.1", "2000", "0")
	if _, err := runCLI(t, append([]string{"leaks"}, backwards...)...); exitCode(err) != 2 || !strings.Contains(err.Error(), "order") {
		t.Errorf("snapshots out of order: %v", err)
	}
}

func TestDemoFindsServer(t *testing.T) {
	out, err := runCLI(t, "demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#1 Server: +1,000, +1,000 per step", "TimersList", "accumulation point", "{bound_this}", "node:_http_server", "Verdict: LEAK: Server"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func TestLeaksFormatHTML(t *testing.T) {
	out, err := runCLI(t, "demo", "--format", "html")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "LEAK: Server accumulates", "TimersList", "accumulation point", "Timeout", "node:_http_server:510:16"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo --format html lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://"} {
		if strings.Contains(out, bad) {
			t.Errorf("demo --format html has %q: it must not load anything", bad)
		}
	}
	args := append([]string{"leaks", "--format", "html"}, series("seed-leak-series__node-20.3.1", "0", "2000")...)
	if out, err := runCLI(t, args...); err != nil || !strings.Contains(out, "LEAK: Server") {
		t.Errorf("leaks --format html: %v", err)
	}
	// --json stays an alias of --format json.
	out, err = runCLI(t, "demo", "--json")
	if err != nil || !strings.HasPrefix(out, "{") {
		t.Errorf("demo --json: %v %.40q", err, out)
	}
	for _, bad := range [][]string{{"demo", "--format", "xml"}, {"demo", "--json", "--format", "html"}} {
		if _, err := runCLI(t, bad...); exitCode(err) != 2 {
			t.Errorf("%v: exit %d, want 2", bad, exitCode(err))
		}
	}
}

// TestLeaksOfTwoProcesses: snapshots of two processes, here of one Node.js
// binary, are refused with diff's test of one process (exit 2, one line
// naming the two files), even with --fail-on-leak; before, they gave a
// confident leak of Function.
func TestLeaksOfTwoProcesses(t *testing.T) {
	a := corpustest.Snapshot("emitter-listeners__node-20.20.2__0")
	b := corpustest.Snapshot("closure-array__node-20.20.2__1000")
	for _, args := range [][]string{
		{"leaks", a, b},
		{"leaks", "--fail-on-leak", "--json", a, b},
	} {
		out, err := runCLI(t, args...)
		if code := exitCode(err); code != 2 || out != "" {
			t.Fatalf("%v: exit code %d (%v), output %q; want 2 and no output", args, code, err, out)
		}
		want := a + " and " + b + " are not snapshots of one process: only 19608 of the 39136 object ids the snapshots share name the same object: they look like different processes (ids only match within one process)"
		if err.Error() != want {
			t.Errorf("%v: error\n%q, want\n%q", args, err, want)
		}
	}
	// The same runtime's snapshot of another version, in a series.
	args := append([]string{"leaks"}, series("seed-leak-series__node-20.3.1", "0", "1000")...)
	args = append(args, corpustest.Snapshot("seed-leak-series__node-20.20.2__2000"))
	if _, err := runCLI(t, args...); exitCode(err) != 2 || !strings.HasPrefix(err.Error(), args[2]+" and "+args[3]+" are not snapshots of one process: ") {
		t.Errorf("%v: %v", args, err)
	}
}
