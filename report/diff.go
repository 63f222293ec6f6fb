package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/snapshot"
)

// DiffSnapshot describes one of the two snapshots of a diff.
type DiffSnapshot struct {
	File      string `json:"file"`
	NodeCount int    `json:"nodeCount"`
	// TotalSize is DevTools' snapshot size (summary.Totals.TotalSize).
	TotalSize uint64 `json:"totalSize"`
	// MaxJSObjectID is the largest JS object id (odd id) of the snapshot.
	MaxJSObjectID snapshot.NodeID `json:"maxJSObjectId"`
}

// DiffReport is the result of `heapscope diff`: DevTools' Comparison view of
// Target against Base, plus each class's count and retained size on both
// sides. Its JSON uses the DevTools oracle's field names for the Comparison.
type DiffReport struct {
	Base    DiffSnapshot `json:"base"`
	Target  DiffSnapshot `json:"target"`
	Classes []diff.Class `json:"classes"`
	// ClassCount is the number of rows before --top and --filter.
	ClassCount int `json:"classCount"`
	// Warnings say why the snapshots may not be two snapshots of one
	// process, oldest first.
	Warnings []string `json:"warnings,omitempty"`
	// Scripts names the scripts of the classes' locations in the text;
	// the JSON keeps the script ids, as DevTools' class keys do.
	Scripts ScriptNames `json:"-"`
}

// WriteDiffText writes the header and the Comparison table.
func WriteDiffText(w io.Writer, r *DiffReport) error {
	fmt.Fprintf(w, "base   %s: %s nodes, total %s\n", r.Base.File, humanize.Comma(int64(r.Base.NodeCount)), Size(r.Base.TotalSize))
	fmt.Fprintf(w, "target %s: %s nodes, total %s (%s)\n", r.Target.File, humanize.Comma(int64(r.Target.NodeCount)),
		Size(r.Target.TotalSize), SignedSize(int64(r.Target.TotalSize)-int64(r.Base.TotalSize)))
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "# New\t# Deleted\t# Delta\tAlloc. Size\tFreed Size\tSize Delta\tRetained Delta\t\tClass")
	for i := range r.Classes {
		c := &r.Classes[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\t%s\n",
			humanize.Comma(int64(c.AddedCount)), humanize.Comma(int64(c.RemovedCount)), signedCount(int64(c.CountDelta)),
			Size(c.AddedSize), Size(c.RemovedSize), SignedSize(c.SizeDelta), SignedSize(c.RetainedDelta),
			r.Scripts.label(c.Name, c.Location))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Classes) == 0 {
		fmt.Fprintln(w, "no class changed")
	}
	if n := r.ClassCount - len(r.Classes); n > 0 {
		fmt.Fprintf(w, "… %d more classes (--top, --filter)\n", n)
	}
	return nil
}

// SignedSize formats a byte delta for people: "+1.5 MiB", "-96 B", "0 B".
func SignedSize(d int64) string {
	switch {
	case d > 0:
		return "+" + Size(uint64(d))
	case d < 0:
		return "-" + Size(uint64(-d))
	}
	return "0 B"
}

func signedCount(d int64) string {
	if d > 0 {
		return "+" + humanize.Comma(d)
	}
	return humanize.Comma(d)
}
