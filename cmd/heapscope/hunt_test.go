package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests run real Node.js, fetched from the npm registry by
// internal/nodetest (skipped without it, failing under CI=true).

// runCLIAll runs heapscope in-process and returns stdout and stderr.
func runCLIAll(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	start := time.Now()
	err := root.Execute()
	t.Logf("heapscope %s: %v in %.1fs", strings.Join(args[:min(len(args), 12)], " "), err, time.Since(start).Seconds())
	return out.String(), errOut.String(), err
}

// huntJSON is the part of run's and attach's --json output the tests read.
type huntJSON struct {
	Verdict  string `json:"verdict"`
	Error    string `json:"error"`
	Mode     string `json:"mode"`
	Busy     bool   `json:"busyMainThread"`
	Findings []struct {
		Class             string `json:"class"`
		CountGrowth       []int  `json:"countGrowth"`
		AccumulationPoint struct {
			Class string `json:"class"`
		} `json:"accumulationPoint"`
		Path []struct {
			Class string `json:"class"`
			Edge  string `json:"edge"`
		} `json:"path"`
	} `json:"findings"`
	Samples []struct {
		TimeMillis int64  `json:"timeMillis"`
		UsedBytes  uint64 `json:"usedBytes"`
		Iterations *int64 `json:"iterations"`
	} `json:"samples"`
	Trend *struct {
		Slope   float64 `json:"slope"`
		Growing bool    `json:"growing"`
	} `json:"trend"`
	PerIteration *struct {
		Slope float64 `json:"slope"`
	} `json:"perIteration"`
	SnapshotsTaken []struct {
		Method string `json:"method"`
		Bytes  int64  `json:"bytes"`
	} `json:"snapshotsTaken"`
}

func decodeHunt(t *testing.T, out, errOut string) huntJSON {
	t.Helper()
	var r huntJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON (%v):\n%s\nstderr:\n%s", err, out, errOut)
	}
	return r
}

func pathClasses(f struct {
	Class             string `json:"class"`
	CountGrowth       []int  `json:"countGrowth"`
	AccumulationPoint struct {
		Class string `json:"class"`
	} `json:"accumulationPoint"`
	Path []struct {
		Class string `json:"class"`
		Edge  string `json:"edge"`
	} `json:"path"`
}) string {
	var cs []string
	for _, s := range f.Path {
		cs = append(cs, s.Class)
	}
	return strings.Join(cs, " → ")
}

var liveDir = filepath.Join("..", "..", "testdata", "live")
