package web

import (
	"net/http"
	"os"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/snapshot"
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
		r, err := leak.Analyze(graphs, names, leak.Options{MinGrowth: minGrowth, Sources: s.sources})
		return leakResult{r, err}
	})
	if lr.err != nil {
		return nil, badRequest("%v", lr.err)
	}
	layouts := make([][]chainRow, len(lr.r.Findings))
	where := make([][]report.WhereRow, len(lr.r.Findings))
	dir, _ := os.Getwd() // without it, scripts are named as the snapshot names them
	for k, f := range lr.r.Findings {
		where[k] = make([]report.WhereRow, len(f.Locations))
		for j, l := range f.Locations {
			where[k][j] = report.NewWhereRow(l, dir)
		}
		var acc []snapshot.NodeID
		if f.AccumulationPoint != nil {
			acc = append(acc, f.AccumulationPoint.ID)
		}
		rows := f.Path.Layout(paths.MaxRows, acc...)
		layouts[k] = make([]chainRow, len(rows))
		for j, row := range rows {
			layouts[k][j] = chainRow{Hop: row.Hop, N: row.N, Gap: row.Gap}
		}
	}
	return struct {
		*leak.Report
		// Snapshot is the index of the snapshot the findings' objects are in
		// (the last one).
		Snapshot int `json:"snapshot"`
		// Layouts are the findings' chains as the reports print them, one
		// list of rows per finding (object.Chain.Layout).
		Layouts [][]chainRow `json:"layouts"`
		// Where are the findings' locations as the reports show them, one
		// row per location in the same order (report.WhereRow): script
		// paths relative to the server's directory, the original source
		// first when mapped, the origin filled in.
		Where [][]report.WhereRow `json:"where"`
	}{lr.r, len(s.snaps) - 1, layouts, where}, nil
}

// chainRow is one printed row of a finding's chain: N hops from path[Hop]
// on; N > 1 is a run of hops alike folded, or with Gap hops of any kind
// left out of a chain too long to print.
type chainRow struct {
	Hop int  `json:"hop"`
	N   int  `json:"n"`
	Gap bool `json:"gap,omitempty"`
}

// --- /api/samples

func (s *Server) apiSamples(w http.ResponseWriter, r *http.Request) (any, error) {
	out := struct {
		Samples []report.HeapSample `json:"samples"`
		// Snapshots are when each snapshot was taken, on the samples'
		// clock, for those whose time is known.
		Snapshots []SnapshotTime `json:"snapshots"`
	}{Samples: s.samples, Snapshots: []SnapshotTime{}}
	if out.Samples == nil {
		out.Samples = []report.HeapSample{}
	}
	for k, t := range s.snapTimes {
		if k < len(s.snaps) && t >= 0 {
			out.Snapshots = append(out.Snapshots, SnapshotTime{Index: k, Name: snapshot.Display(s.snaps[k].name), TimeMillis: t})
		}
	}
	return out, nil
}

// SnapshotTime is when snapshot Index was taken.
type SnapshotTime struct {
	Index      int    `json:"index"`
	Name       string `json:"name"`
	TimeMillis int64  `json:"timeMillis"`
}
