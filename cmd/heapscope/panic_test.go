package main

// A panic in any goroutine ends as one line on stderr and exit code 2, not
// a stack dump (issue 13, item 3). HEAPSCOPE_TEST_PANIC (package
// internal/panicerr) makes the goroutine it names panic.

import (
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
)

func TestPanicInGoroutines(t *testing.T) {
	series := []string{
		corpustest.Snapshot("seed-leak-series__node-20.3.1__0"),
		corpustest.Snapshot("seed-leak-series__node-20.3.1__1000"),
		corpustest.Snapshot("seed-leak-series__node-20.3.1__2000"),
	}
	for _, c := range []struct {
		where string
		args  []string
	}{
		{"snapshot: read-ahead", []string{"summary", badInputCorpus}},
		{"snapshot: store", []string{"summary", badInputCorpus}},
		{"graph: dominator tree", []string{"summary", badInputCorpus}},
		// The two earlier snapshots load in parallel, each in a loader
		// goroutine.
		{"graph: dominator tree", append([]string{"leaks"}, series...)},
		{"load: loading " + series[1], append([]string{"leaks"}, series...)},
		{"leak: the test of one process", append([]string{"leaks"}, series...)},
	} {
		t.Run(c.where+" "+c.args[0], func(t *testing.T) {
			t.Setenv("HEAPSCOPE_TEST_PANIC", c.where)
			r := runBadInput(t, nil, c.args...)
			line, ok := strings.CutSuffix(r.stderr, "\n")
			if r.code != 2 || !ok || strings.Contains(line, "\n") || !strings.Contains(line, "internal error in "+c.where) {
				t.Errorf("exit %d, stderr %q; want 2 and one line naming %q", r.code, r.stderr, c.where)
			}
			if strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stderr has a stack dump: %q", r.stderr)
			}
		})
	}
}
