package web

import (
	"net/http"
	"strconv"

	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// --- /api/snapshots

// SnapshotInfo describes a served snapshot.
type SnapshotInfo struct {
	Index      int             `json:"index"`
	Name       string          `json:"name"`
	RootID     snapshot.NodeID `json:"rootId"`
	MaxJSID    snapshot.NodeID `json:"maxJsId"`
	ClassCount int             `json:"classCount"`
	Totals     summary.Totals  `json:"totals"`
}

func (s *Server) apiSnapshots(w http.ResponseWriter, r *http.Request) (any, error) {
	out := struct {
		Snapshots []SnapshotInfo `json:"snapshots"`
		Samples   int            `json:"samples"`
		Leaks     bool           `json:"leaks"`
		MinGrowth int            `json:"minGrowth"`
	}{Samples: len(s.samples), Leaks: len(s.snaps) >= 2, MinGrowth: s.minGrowth}
	for _, sn := range s.snaps {
		out.Snapshots = append(out.Snapshots, SnapshotInfo{
			Index: sn.index, Name: snapshot.Display(sn.name), RootID: sn.g.S.NodeIDs[sn.g.S.Root],
			MaxJSID: sn.maxJSID, ClassCount: len(sn.classes), Totals: sn.totals,
		})
	}
	return out, nil
}

// --- /api/snapshots/{s}/summary

// ClassRow is a row of the Summary view.
type ClassRow struct {
	// ID names the class in .../classes/{id}/instances.
	ID int `json:"id"`
	summary.Class
	// Location is the constructor's, for classes keyed by it.
	Location *object.Location `json:"location,omitempty"`
}

func (s *Server) apiSummary(w http.ResponseWriter, r *http.Request) (any, error) {
	sn, err := s.snapParam(r, "s")
	if err != nil {
		return nil, err
	}
	by, err := enumParam(r, "sort", "retained", "retained", "self", "count", "distance", "name")
	if err != nil {
		return nil, err
	}
	offset, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	match, err := nameFilter(r)
	if err != nil {
		return nil, err
	}
	rows := make([]int, 0, len(sn.classes))
	for c := range sn.classes {
		if match == nil || match(sn.classes[c].Name) {
			rows = append(rows, c)
		}
	}
	summary.Order(sn.classes, rows, summary.SortBy(by), boolParam(r, "reverse"))
	lo, hi := window(len(rows), offset, limit)
	out := struct {
		Snapshot   int            `json:"snapshot"`
		Totals     summary.Totals `json:"totals"`
		ClassCount int            `json:"classCount"`
		Page[ClassRow]
	}{Snapshot: sn.index, Totals: sn.totals, ClassCount: len(sn.classes)}
	out.Total, out.Offset, out.Items = len(rows), lo, []ClassRow{}
	for _, c := range rows[lo:hi] {
		row := sn.classes[c]
		// As the command line's JSON: the name as it prints, the key with
		// its invalid bytes escaped so that it stays distinct.
		row.Name, row.Key = snapshot.Display(row.Name), snapshot.EscapeInvalid(row.Key)
		out.Items = append(out.Items, ClassRow{ID: c, Class: row, Location: classLocation(sn, row.Location)})
	}
	return out, nil
}

// classLocation is a class row's constructor location, if it has one.
func classLocation(sn *snap, l *snapshot.Location) *object.Location {
	if l == nil {
		return nil
	}
	loc := object.Resolve(sn.g, *l).Displayed()
	return &loc
}

// --- /api/snapshots/{s}/classes/{c}/instances

func (s *Server) apiInstances(w http.ResponseWriter, r *http.Request) (any, error) {
	sn, err := s.snapParam(r, "s")
	if err != nil {
		return nil, err
	}
	c, err := strconv.Atoi(r.PathValue("c"))
	if err != nil || c < 0 || c >= len(sn.classes) {
		return nil, notFound("snapshot %d has no class %q", sn.index, r.PathValue("c"))
	}
	by, err := enumParam(r, "sort", "retained", "retained", "self", "distance", "id")
	if err != nil {
		return nil, err
	}
	offset, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	order := sn.instances(c, by, boolParam(r, "reverse"))
	lo, hi := window(len(order), offset, limit)
	return refPage(sn, order, lo, hi), nil
}
