package leak

import (
	"fmt"

	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/overlap"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/summary"
)

// Series collects the analysed snapshots of one process, in the order they
// were taken, for a verdict over them: a live hunt adds each snapshot as it
// arrives, a list of files adds them in order.
//
// A series keeps one graph whole, the last added. Adding a snapshot reduces
// the one before to what the verdict needs (its class rows, ids and
// retained sizes, about a tenth of the graph), so a long series costs
// little more memory than two snapshots. The earlier snapshots' rows are
// keyed with the last snapshot's interface definitions, known only when
// the series ends: a plain object's class depends only on its property
// names, so a reduced snapshot keeps the plain objects' shapes and sizes in
// dominator-tree order (summary.Deferred) and Report names them then.
//
// Each snapshot is tested against the one before with diff's test of one
// process (diff.CheckProcess) on ids and hashed names, kept until the next
// snapshot is added: Report refuses, with a *ProcessError, a series that
// joins snapshots of two processes on ids that name unrelated objects.
type Series struct {
	opt      Options
	earlier  []*earlier
	last     *graph.Graph
	lastName string
	// The last snapshot's Summary rows, if the loader computed them
	// while its dominator tree was built (see AddSummarized).
	lastRows    []summary.Class
	lastPerNode []int32
	// checks test each snapshot against the one before (the test of
	// diff.CheckProcess), in the order added.
	checks []*processCheck
}

// NewSeries returns an empty series analysed with opt.
func NewSeries(opt Options) *Series { return &Series{opt: opt} }

// Add appends g, named name in the report, and reduces the snapshot added
// before it. Add does not change g; the series keeps it only while it is
// the last, so the caller may drop the graphs it no longer needs.
func (s *Series) Add(name string, g *graph.Graph) {
	if s.last != nil {
		s.earlier = append(s.earlier, reduce(s.last, s.lastName))
	}
	s.last, s.lastName = g, name
	s.lastRows, s.lastPerNode = nil, nil
	// The series keeps g for now: its test of one process runs beside
	// whatever comes next.
	s.newCheck(name).start(g)
}

// AddEarlier appends g, named name, as a snapshot that will not be the
// last: it is reduced at once, in the background, and the series does not
// keep it (Report waits for the reduction). A live hunt, which knows how
// many snapshots it takes, lets each earlier graph go before it takes the
// next snapshot. Add and AddEarlier must not be called concurrently.
func (s *Series) AddEarlier(name string, g *graph.Graph) {
	if s.last != nil {
		s.earlier = append(s.earlier, reduce(s.last, s.lastName))
		s.last, s.lastRows, s.lastPerNode = nil, nil, nil
	}
	e := &earlier{done: make(chan struct{})}
	s.earlier = append(s.earlier, e)
	c := s.newCheck(name)
	go func() {
		defer close(e.done)
		e.err = panicerr.Call("leak: reducing "+name, func() error {
			r := reduce(g, name)
			e.info, e.rows, e.ids, e.retained = r.info, r.rows, r.ids, r.retained
			return nil
		})
		c.run(g)
	}()
}

// AddEarlierSummarized is AddEarlier for a graph analysed with the last
// snapshot's interface definitions (graph.Options.Interfaces) whose
// Summary rows the loader computed while its dominator tree was built: the
// reduction is then only the rows and the retained sizes by id, at once.
// Report fails if the last snapshot's definitions turn out to differ. The
// key, internal to this module, keeps it for package load.
//
// ids are the snapshot's diff.NewIDs, read by the loader beside the other
// snapshots' loading, for the test that the series is of one process.
func (s *Series) AddEarlierSummarized(_ overlap.Key, name string, g *graph.Graph, rows []summary.Class, ids *diff.IDs) {
	if s.last != nil {
		s.earlier = append(s.earlier, reduce(s.last, s.lastName))
		s.last, s.lastRows, s.lastPerNode = nil, nil, nil
	}
	s.earlier = append(s.earlier, reduceSummarized(g, name, rows))
	s.newCheck(name).runIDs(ids)
}

// AddSummarized is Add for a graph whose Summary rows and per-node rows
// (summary.ClassesByNode) the loader computed while its dominator tree was
// built. The key, internal to this module, keeps it for package load.
func (s *Series) AddSummarized(_ overlap.Key, name string, g *graph.Graph, rows []summary.Class, perNode []int32) {
	s.Add(name, g)
	s.lastRows, s.lastPerNode = rows, perNode
}

// Len is the number of snapshots added.
func (s *Series) Len() int {
	if s.last == nil {
		return len(s.earlier)
	}
	return len(s.earlier) + 1
}

// Report computes the verdict over the snapshots added; it needs at least
// two. It fails with a *ProcessError if two consecutive snapshots are not
// of one process.
func (s *Series) Report() (*Report, error) {
	if s.last == nil {
		return nil, fmt.Errorf("need at least two snapshots of one process, the last added with Add; got %d earlier ones", len(s.earlier))
	}
	r, err := analyze(s.earlier, s.last, s.lastName, s.lastRows, s.lastPerNode, s.opt)
	// Checked after the verdict, which the last snapshot's check runs
	// beside; a series of two processes has no verdict.
	if perr := s.checkProcess(); perr != nil {
		return nil, perr
	}
	return r, err
}
