package report

import (
	"fmt"

	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// NotFoundError says that the object or class a report was asked for is
// not in the snapshot: the user's input, not a failure.
type NotFoundError struct{ msg string }

func (e *NotFoundError) Error() string { return e.msg }

// NewDiffReport describes the comparison res of target against base, the
// snapshots read from baseFile and targetFile, with all its rows.
func NewDiffReport(base, target *graph.Graph, baseFile, targetFile string, res *diff.Result) *DiffReport {
	side := func(g *graph.Graph, file string) DiffSnapshot {
		return DiffSnapshot{
			File:          file,
			NodeCount:     g.NodeCount(),
			TotalSize:     summary.ComputeTotals(g).TotalSize,
			MaxJSObjectID: g.S.MaxJSNodeID(),
		}
	}
	return &DiffReport{
		Base:       side(base, baseFile),
		Target:     side(target, targetFile),
		Classes:    res.Classes,
		ClassCount: len(res.Classes),
		Warnings:   res.Warnings,
	}
}

// RetainersQuery asks for the retainer paths of one object, by V8 id, or of
// a class's representative instance, by class name (Class set).
type RetainersQuery struct {
	ID    snapshot.NodeID
	Class string
	// Paths is the number of paths; All also searches paths through
	// system roots (paths.Options.All).
	Paths int
	All   bool
}

// FindRetainers answers q on g, read from file. It returns a
// *NotFoundError when the object or class is not in the snapshot.
func FindRetainers(g *graph.Graph, file string, q RetainersQuery) (*RetainersReport, error) {
	opt := paths.Options{All: q.All}
	var target snapshot.Ordinal
	var cs *paths.ClassSample
	if q.Class != "" {
		sample, ok := paths.ForClass(g, q.Class, paths.ClassOptions{Options: opt})
		if !ok {
			return nil, &NotFoundError{fmt.Sprintf("%s: no objects of class %q", file, q.Class)}
		}
		target, cs = sample.Representative, &sample
	} else {
		var ok bool
		if target, ok = g.OrdinalOf(q.ID); !ok {
			return nil, &NotFoundError{fmt.Sprintf("%s: no object with id @%d", file, q.ID)}
		}
	}
	ps := paths.Shortest(g, target, q.Paths, opt)
	return NewRetainersReport(g, file, target, ps, cs, q.Paths, q.All), nil
}

// DefaultMinShare is the default smallest retained size FindDominators
// shows: this fraction of the start object's retained size, so that each
// level lists at most about a hundred objects.
const DefaultMinShare = 0.01

// FindDominators builds the dominator tree of g, read from file, below the
// object with V8 id *id (the root when id is nil), depth levels deep, leaving
// out objects retaining less than minSize bytes (negative: DefaultMinShare
// of the start object's retained size). It returns a *NotFoundError when
// there is no such object.
func FindDominators(g *graph.Graph, file string, id *snapshot.NodeID, depth int, minSize int64) (*DominatorsReport, error) {
	start := g.S.Root
	if id != nil {
		var ok bool
		if start, ok = g.OrdinalOf(*id); !ok {
			return nil, &NotFoundError{fmt.Sprintf("%s: no object with id @%d", file, *id)}
		}
	}
	if minSize < 0 {
		minSize = int64(DefaultMinShare * float64(g.Retained[start]))
	}
	return NewDominatorsReport(g, file, start, depth, uint64(minSize)), nil
}
