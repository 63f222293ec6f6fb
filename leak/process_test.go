package leak_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/leak"
)

// TestSeriesOfTwoProcesses: a series whose snapshots are not of one process
// has no verdict, whichever way it is added; the same test as diff's, so
// two processes of one Node.js binary count as two.
func TestSeriesOfTwoProcesses(t *testing.T) {
	read := func(id string) *graph.Graph {
		return graph.Analyze(corpustest.Read(t, corpustest.Snapshot(id)), graph.Options{})
	}
	for _, c := range []struct {
		ids       []string
		base, tgt string
		other     bool
	}{
		// Another Node.js version.
		{[]string{"seed-leak-series__node-20.3.1__0", "seed-leak-series__node-20.20.2__1000"}, "seed-leak-series__node-20.3.1__0", "seed-leak-series__node-20.20.2__1000", true},
		// Another process of the same binary, in the middle of a series.
		{[]string{"emitter-listeners__node-20.20.2__0", "closure-array__node-20.20.2__500", "closure-array__node-20.20.2__1000"}, "emitter-listeners__node-20.20.2__0", "closure-array__node-20.20.2__500", true},
		{[]string{"closure-array__node-20.20.2__0", "closure-array__node-20.20.2__500", "map-cache__node-20.20.2__1000"}, "closure-array__node-20.20.2__500", "map-cache__node-20.20.2__1000", true},
		{[]string{"closure-array__node-20.20.2__0", "closure-array__node-20.20.2__500", "closure-array__node-20.20.2__1000"}, "", "", false},
	} {
		var gs []*graph.Graph
		for _, id := range c.ids {
			gs = append(gs, read(id))
		}
		want := ""
		if c.other {
			want = fmt.Sprintf("%s and %s are not snapshots of one process: ", c.base, c.tgt)
		}
		check := func(how string, r *leak.Report, err error) {
			var pe *leak.ProcessError
			switch {
			case !c.other && err != nil:
				t.Errorf("%v (%s): %v", c.ids, how, err)
			case !c.other && r.Verdict != "leak":
				t.Errorf("%v (%s): verdict %q", c.ids, how, r.Verdict)
			case c.other && !errors.As(err, &pe):
				t.Errorf("%v (%s): error %v, report %v, want a ProcessError", c.ids, how, err, r)
			case c.other && (pe.Base != c.base || pe.Target != c.tgt || len(err.Error()) <= len(want) || err.Error()[:len(want)] != want || !pe.Check.OtherProcess):
				t.Errorf("%v (%s): %q, want %q…", c.ids, how, err, want)
			}
		}
		r, err := leak.Analyze(gs, c.ids, leak.Options{})
		check("Add", r, err)
		s := leak.NewSeries(leak.Options{})
		for k, g := range gs[:len(gs)-1] {
			s.AddEarlier(c.ids[k], g)
		}
		s.Add(c.ids[len(gs)-1], gs[len(gs)-1])
		r, err = s.Report()
		check("AddEarlier", r, err)
	}
}
