package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
)

func corpusFile(id string) string {
	return corpustest.Path(id)
}

// runCLIErr runs heapscope in-process and returns its standard output and
// standard error.
func runCLIErr(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

// TestDiffJSONEqualsDevTools checks the command's JSON against DevTools'
// full Comparison view of the same pair (testdata/gen/diff-golden.sh).
func TestDiffJSONEqualsDevTools(t *testing.T) {
	const series = "seed-leak-series__node-20.3.1"
	out, stderr, err := runCLIErr(t, "diff", "--json",
		corpusFile(series+"__1000.heapsnapshot.gz"), corpusFile(series+"__2000.heapsnapshot.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}
	type snap struct {
		File          string `json:"file"`
		NodeCount     int    `json:"nodeCount"`
		TotalSize     uint64 `json:"totalSize"`
		MaxJSObjectID uint32 `json:"maxJSObjectId"`
	}
	var got struct {
		Base, Target snap
		Classes      []map[string]any `json:"classes"`
		ClassCount   int              `json:"classCount"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Base.NodeCount != 50832 || got.Target.NodeCount != 62966 || got.Base.MaxJSObjectID != 99767 || got.Target.MaxJSObjectID != 122085 {
		t.Errorf("snapshots: %+v %+v", got.Base, got.Target)
	}
	var oracle struct {
		Totals struct {
			TotalSize uint64 `json:"totalSize"`
		} `json:"totals"`
	}
	corpustest.ReadJSON(t, corpusFile(series+"__2000.oracle.json.gz"), &oracle)
	if got.Target.TotalSize != oracle.Totals.TotalSize {
		t.Errorf("target total size %d, DevTools %d", got.Target.TotalSize, oracle.Totals.TotalSize)
	}
	var golden struct {
		Comparison []map[string]any `json:"comparison"`
	}
	corpustest.ReadJSON(t, corpusFile(series+"__1000--2000.diff.json.gz"), &golden)
	if got.ClassCount != len(got.Classes) || len(got.Classes) < len(golden.Comparison) {
		t.Fatalf("%d rows (classCount %d), DevTools %d", len(got.Classes), got.ClassCount, len(golden.Comparison))
	}
	byKey := map[string]map[string]any{}
	for _, c := range got.Classes {
		byKey[c["key"].(string)] = c
	}
	for _, want := range golden.Comparison {
		c := byKey[want["key"].(string)]
		if c == nil {
			t.Errorf("no row %q", want["key"])
			continue
		}
		for k, v := range want {
			if !reflect.DeepEqual(c[k], v) {
				t.Errorf("row %q: %s = %v, DevTools %v", want["key"], k, c[k], v)
			}
		}
	}
	fields := []string{"key", "name", "addedCount", "removedCount", "countDelta", "addedSize", "removedSize", "sizeDelta",
		"baseCount", "targetCount", "baseRetained", "targetRetained", "retainedDelta"}
	if len(got.Classes[0]) != len(fields) {
		t.Errorf("row fields: %v", got.Classes[0])
	}
	for _, f := range fields {
		if _, ok := got.Classes[0][f]; !ok {
			t.Errorf("row has no %q", f)
		}
	}
	// Sorted by |retained delta|: the TimersList holding the leak first.
	if got.Classes[0]["key"] != "12,240,13,TimersList" || got.Classes[0]["countDelta"] != 0.0 {
		t.Errorf("first row %v", got.Classes[0])
	}
}

func TestDiffTextAndFlags(t *testing.T) {
	base := corpusFile("seed-leak-series__node-20.3.1__0.heapsnapshot.gz")
	target := corpusFile("seed-leak-series__node-20.3.1__1000.heapsnapshot.gz")
	out, _, err := runCLIErr(t, "diff", "--top", "2", "--sort", "size", base, target)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// base, target, blank, column titles, 2 rows, "… more classes"
	if len(lines) != 7 || !strings.Contains(lines[0], "37,741 nodes") || !strings.Contains(lines[3], "# New") ||
		!strings.HasPrefix(lines[6], "… ") {
		t.Fatalf("unexpected text output:\n%s", out)
	}
	if f := strings.Fields(lines[4]); len(f) < 3 || f[0] != "1,000" || f[1] != "0" || f[2] != "+1,000" ||
		!strings.HasSuffix(lines[4], "  Server @ node:_http_server:510:16") || !strings.Contains(lines[4], " +320 KiB ") {
		t.Errorf("Server row: %q", lines[4])
	}
	// --sort count and --filter.
	out, _, err = runCLIErr(t, "diff", "--json", "--sort", "count", "--filter", "^Timeout$", base, target)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Classes []struct {
			Key        string `json:"key"`
			CountDelta int    `json:"countDelta"`
		} `json:"classes"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Classes) != 1 || r.Classes[0].Key != "12,164,13,Timeout" || r.Classes[0].CountDelta != 1000 {
		t.Errorf("Timeout rows: %+v", r.Classes)
	}
	// Snapshots of two different processes, the later one first: a warning.
	_, stderr, err := runCLIErr(t, "diff", "--top", "1",
		corpusFile("seed-leak-series__node-20.3.1__2000.heapsnapshot.gz"), corpusFile("seed-leak-series__node-20.20.2__0.heapsnapshot.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "heapscope: warning: ") || !strings.Contains(stderr, "different processes") {
		t.Errorf("warning: %q", stderr)
	}
}

func TestDiffErrors(t *testing.T) {
	good := corpusFile("seed-leak-series__node-20.3.1__0.heapsnapshot.gz")
	bad := filepath.Join("..", "..", "snapshot", "testdata", "bad", "truncated.heapsnapshot")
	for _, args := range [][]string{
		{"diff", good},
		{"diff", good, good, good},
		{"diff", "-", "-"},
		{"diff", "--sort", "bogus", good, good},
		{"diff", "--top", "-1", good, good},
		{"diff", "--filter", "(", good, good},
		{"diff", good, filepath.Join("no", "such", "file")},
		{"diff", bad, good},
		{"diff", good, bad},
	} {
		_, _, err := runCLIErr(t, args...)
		if err == nil {
			t.Errorf("%q: no error", args)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error of several lines: %q", args, err)
		}
		var ee *exitError
		if len(args) != 2 && len(args) != 4 && (!errors.As(err, &ee) || ee.code != 2) { // not cobra's argument count check
			t.Errorf("%q: %v is not an input error", args, err)
		}
		root := newRoot()
		root.SetArgs(args)
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		if code := run(root); code != 2 {
			t.Errorf("%q: exit code %d", args, code)
		}
	}
}

// TestDiffSortsByRetainedByDefault: without --sort, the rows come by the
// absolute change of their retained size, biggest first (a class whose
// objects stay but whose retained size grows by megabytes must not sink
// below rows of object shapes), and --help says so.
func TestDiffSortsByRetainedByDefault(t *testing.T) {
	out, _, err := runCLIErr(t, "diff", "--json",
		corpusFile("seed-leak-series__node-20.3.1__1000.heapsnapshot.gz"), corpusFile("seed-leak-series__node-20.3.1__2000.heapsnapshot.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Classes []struct {
			Name          string `json:"name"`
			SizeDelta     int64  `json:"sizeDelta"`
			RetainedDelta int64  `json:"retainedDelta"`
		} `json:"classes"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	abs := func(v int64) int64 { return max(v, -v) }
	if len(r.Classes) < 10 {
		t.Fatalf("%d rows", len(r.Classes))
	}
	for k := 1; k < len(r.Classes); k++ {
		if abs(r.Classes[k].RetainedDelta) > abs(r.Classes[k-1].RetainedDelta) {
			t.Fatalf("row %d (%s, %+d B retained) after row %d (%s, %+d B)", k, r.Classes[k].Name, r.Classes[k].RetainedDelta,
				k-1, r.Classes[k-1].Name, r.Classes[k-1].RetainedDelta)
		}
	}
	// The TimersList holding the leaked Timeouts gains no object but the
	// most retained size: it comes first, not after the shape rows.
	if r.Classes[0].Name != "TimersList" || r.Classes[0].SizeDelta != 0 {
		t.Errorf("first row %+v, want TimersList", r.Classes[0])
	}
	help, _, err := runCLIErr(t, "diff", "--help")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(help, `(default "retained")`) {
		t.Errorf("--help does not say the default order:\n%s", help)
	}
}
