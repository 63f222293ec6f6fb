package leak

import "github.com/heapscope/heapscope/graph"

// Series collects the analysed snapshots of one process, in the order they
// were taken, for a verdict over them: a live hunt adds each snapshot as it
// arrives, a list of files adds them in order.
type Series struct {
	opt    Options
	graphs []*graph.Graph
	names  []string
}

// NewSeries returns an empty series analysed with opt.
func NewSeries(opt Options) *Series { return &Series{opt: opt} }

// Add appends g, named name in the report. The series owns g from now on:
// the caller must not use it again.
func (s *Series) Add(name string, g *graph.Graph) {
	s.graphs = append(s.graphs, g)
	s.names = append(s.names, name)
}

// Len is the number of snapshots added.
func (s *Series) Len() int { return len(s.graphs) }

// Report computes the verdict over the snapshots added; it needs at least
// two.
func (s *Series) Report() (*Report, error) { return Analyze(s.graphs, s.names, s.opt) }
