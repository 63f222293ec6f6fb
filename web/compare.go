package web

import (
	"net/http"
	"strconv"

	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/snapshot"
)

// --- /api/compare/{base}/{target}

// comparison returns the cached diff.Compare of two snapshots, computing it
// once for every request that asks meanwhile.
func (s *Server) comparison(b, t *snap) *diff.Result {
	key := [2]int{b.index, t.index}
	s.cacheMu.Lock()
	c, ok := s.compares[key]
	if !ok {
		if len(s.compares) >= maxCached {
			clear(s.compares)
		}
		c = &onceValue[*diff.Result]{}
		s.compares[key] = c
	}
	s.cacheMu.Unlock()
	return c.get(func() *diff.Result { return diff.Compare(b.g, t.g) })
}

// CompareRow is a row of the Comparison view.
type CompareRow struct {
	// ID names the row in .../classes/{id}/objects.
	ID int `json:"id"`
	diff.Class
	// InComparison is set for the rows DevTools' Comparison view has
	// (objects new or deleted); others only changed their retained size.
	InComparison bool `json:"inComparison"`
	// Location is the constructor's, for classes keyed by it.
	Location *object.Location `json:"location,omitempty"`
}

func (s *Server) compareParams(r *http.Request) (b, t *snap, err error) {
	if b, err = s.snapParam(r, "base"); err != nil {
		return
	}
	if t, err = s.snapParam(r, "target"); err != nil {
		return
	}
	if b == t {
		err = badRequest("base and target are the same snapshot")
	}
	return
}

func (s *Server) apiCompare(w http.ResponseWriter, r *http.Request) (any, error) {
	b, t, err := s.compareParams(r)
	if err != nil {
		return nil, err
	}
	by, err := enumParam(r, "sort", string(diff.DefaultSort), "size", "count", "retained")
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
	res := s.comparison(b, t)
	rows := make([]int, 0, len(res.Classes))
	for k := range res.Classes {
		if match == nil || match(res.Classes[k].Name) {
			rows = append(rows, k)
		}
	}
	diff.Order(res.Classes, rows, diff.SortBy(by))
	lo, hi := window(len(rows), offset, limit)
	out := struct {
		Base       int      `json:"base"`
		Target     int      `json:"target"`
		Warnings   []string `json:"warnings"`
		ClassCount int      `json:"classCount"`
		Page[CompareRow]
	}{Base: b.index, Target: t.index, Warnings: res.Warnings, ClassCount: len(res.Classes)}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	out.Total, out.Offset, out.Items = len(rows), lo, []CompareRow{}
	for _, k := range rows[lo:hi] {
		c := res.Classes[k]
		c.Name, c.Key = snapshot.Display(c.Name), snapshot.EscapeInvalid(c.Key)
		out.Items = append(out.Items, CompareRow{ID: k, Class: c, InComparison: c.InComparison(), Location: classLocation(t, c.Location)})
	}
	return out, nil
}

// --- /api/compare/{base}/{target}/classes/{c}/objects

func (s *Server) apiCompareObjects(w http.ResponseWriter, r *http.Request) (any, error) {
	b, t, err := s.compareParams(r)
	if err != nil {
		return nil, err
	}
	which, err := enumParam(r, "which", "new", "new", "deleted")
	if err != nil {
		return nil, err
	}
	offset, limit, err := page(r)
	if err != nil {
		return nil, err
	}
	res := s.comparison(b, t)
	c, err := strconv.Atoi(r.PathValue("c"))
	if err != nil || c < 0 || c >= len(res.Classes) {
		return nil, notFound("the comparison has no class %q", r.PathValue("c"))
	}
	nodes, sn := res.Classes[c].NewNodes, t
	if which == "deleted" {
		nodes, sn = res.Classes[c].DeletedNodes, b
	}
	lo, hi := window(len(nodes), offset, limit)
	return refPage(sn, nodes, lo, hi), nil
}
