package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// WriteLeaksText writes a leak verdict a person reads in one screen per
// finding: the class and its growth, the retainer chain root first with the
// accumulation point marked, the classes growing with it, and the source
// locations.
func WriteLeaksText(w io.Writer, r *leak.Report) error {
	ew := &errWriter{w: w}
	names := make([]string, len(r.Snapshots))
	for k, s := range r.Snapshots {
		names[k] = fmt.Sprintf("%s (%s)", s.Name, Size(s.TotalSize))
	}
	ew.printf("Snapshots: %s\n\n", strings.Join(names, ", "))
	for k, f := range r.Findings {
		writeFinding(ew, k+1, f)
	}
	switch len(r.Findings) {
	case 0:
		ew.printf("Verdict: no leak. No class grew by %d or more objects at every step with new objects still alive.\n", r.MinGrowth)
	case 1:
		ew.printf("Verdict: LEAK: %s accumulates (%s).\n", snapshot.Display(r.Findings[0].Class), growthText(r.Findings[0].CountGrowth))
	default:
		ew.printf("Verdict: LEAK: %d findings; the biggest is %s (%s).\n", len(r.Findings), snapshot.Display(r.Findings[0].Class), growthText(r.Findings[0].CountGrowth))
	}
	return ew.err
}

func writeFinding(ew *errWriter, n int, f leak.Finding) {
	counts := make([]string, len(f.Counts))
	for k, c := range f.Counts {
		counts[k] = humanize.Comma(int64(c))
	}
	ew.printf("#%d %s: %s per step (%s objects), retained %s\n", n, snapshot.Display(f.Class),
		growthText(f.CountGrowth), strings.Join(counts, " → "), SignedSize(f.RetainedGrowth))
	ew.printf("   %s objects allocated after the first snapshot are still alive; %.0f%% of those sampled are held by this chain.\n",
		humanize.Comma(int64(f.NewAlive)), 100*f.Share)
	ew.printf("   Retained by (root first):\n")
	var acc []snapshot.NodeID
	if f.AccumulationPoint != nil {
		acc = append(acc, f.AccumulationPoint.ID)
	}
	rows := f.Path.Layout(paths.MaxRows, acc...)
	width := 0
	for _, row := range rows {
		if !row.Gap {
			width = max(width, len(foldedEdge(f.Path, row)))
		}
	}
	for _, row := range rows {
		s := f.Path[row.Hop]
		switch {
		case row.Gap:
			ew.printf("     %-*s  … %s hops …\n", width, "", humanize.Comma(int64(row.N)))
			continue
		case row.Folded():
			ew.printf("     %-*s  %s ×%s\n", width, foldedEdge(f.Path, row), oneLine(snapshot.Display(s.Class)), humanize.Comma(int64(row.N)))
			continue
		}
		line := fmt.Sprintf("     %-*s  %s @%d  %s / %s", width, oneLine(s.Edge), nodeLabel(s.Ref), s.ID, Size(s.Self), Size(s.Retained))
		if a := f.AccumulationPoint; a != nil && a.ID == s.ID {
			sizes := make([]string, len(a.RetainedBySnapshot))
			for k, r := range a.RetainedBySnapshot {
				sizes[k] = Size(r)
			}
			line += "   ◀ accumulation point, retained " + strings.Join(sizes, " → ")
		}
		ew.printf("%s\n", line)
	}
	if len(f.Related) > 0 {
		parts := make([]string, len(f.Related))
		for k, r := range f.Related {
			parts[k] = fmt.Sprintf("%s (%s)", oneLine(snapshot.Display(r.Class)), growthText(r.CountGrowth))
		}
		ew.printf("   Growing with it: %s\n", strings.Join(parts, ", "))
	}
	if len(f.Locations) > 0 {
		ew.printf("   Where:\n")
		for _, l := range f.Locations {
			script := l.Script
			if script == "" {
				script = fmt.Sprintf("script %d", l.ScriptID)
			}
			ew.printf("     %-15s %s  %s:%d:%d\n", l.Role, oneLine(snapshot.Display(l.Name)), script, l.Line, l.Column)
		}
	}
	if len(f.AllocationStack) > 0 {
		ew.printf("   Allocated at:\n")
		for _, fr := range f.AllocationStack {
			name := fr.Function
			if name == "" {
				name = "(anonymous)"
			}
			ew.printf("     %s  %s:%d:%d\n", oneLine(snapshot.Display(name)), oneLine(snapshot.Display(fr.Script)), fr.Line, fr.Column)
		}
	}
	ew.printf("\n")
}

// nodeLabel shows an object as DevTools lists it: its name, and its class
// in parentheses when the two differ.
func nodeLabel(n object.Ref) string {
	name, class := oneLine(snapshot.Display(n.Name)), oneLine(snapshot.Display(n.Class))
	if len(name) > 80 {
		name = name[:80] + "…"
	}
	if name == class || name == "" {
		return class
	}
	return fmt.Sprintf("%s (%s)", name, class)
}

func growthText(g []int) string {
	parts := make([]string, len(g))
	for k, d := range g {
		if d >= 0 {
			parts[k] = "+" + humanize.Comma(int64(d))
		} else {
			parts[k] = humanize.Comma(int64(d))
		}
	}
	return strings.Join(parts, ", ")
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// foldedEdge is the edge label of row: the hop's own, or for a folded run
// whose edges differ ("[3]", "[4]"…) their shape ("[n]").
func foldedEdge(c object.Chain, row paths.Row) string {
	e := c[row.Hop].Edge
	if row.Folded() && c[row.Hop+row.N-1].Edge != e {
		e = object.EdgeShape(e)
	}
	return oneLine(snapshot.Display(e))
}
