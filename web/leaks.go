package web

import (
	"net/http"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/report"
)

// --- /api/leaks

type leakResult struct {
	r   *leak.Report
	err error
}

func (s *Server) apiLeaks(w http.ResponseWriter, r *http.Request) (any, error) {
	if len(s.snaps) < 2 {
		return nil, badRequest("leak findings need at least two snapshots of one process; this server has %d", len(s.snaps))
	}
	minGrowth, err := intParam(r, "minGrowth", s.minGrowth, 1, 1<<30)
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	c, ok := s.leaks[minGrowth]
	if !ok {
		if len(s.leaks) >= maxCached {
			clear(s.leaks)
		}
		c = &onceValue[leakResult]{}
		s.leaks[minGrowth] = c
	}
	s.cacheMu.Unlock()
	lr := c.get(func() leakResult {
		graphs := make([]*graph.Graph, len(s.snaps))
		names := make([]string, len(s.snaps))
		for k, sn := range s.snaps {
			graphs[k], names[k] = sn.g, sn.name
		}
		r, err := leak.Analyze(graphs, names, leak.Options{MinGrowth: minGrowth})
		return leakResult{r, err}
	})
	if lr.err != nil {
		return nil, badRequest("%v", lr.err)
	}
	return struct {
		*leak.Report
		// Snapshot is the index of the snapshot the findings' objects are in
		// (the last one).
		Snapshot int `json:"snapshot"`
	}{lr.r, len(s.snaps) - 1}, nil
}

// --- /api/samples

func (s *Server) apiSamples(w http.ResponseWriter, r *http.Request) (any, error) {
	out := struct {
		Samples []report.HeapSample `json:"samples"`
	}{Samples: s.samples}
	if out.Samples == nil {
		out.Samples = []report.HeapSample{}
	}
	return out, nil
}
