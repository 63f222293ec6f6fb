package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
)

type diffOptions struct {
	top    int
	sortBy string
	filter string
	asJSON bool
	format string
}

func diffCmd() *cobra.Command {
	var o diffOptions
	cmd := &cobra.Command{
		Use:   "diff BASE TARGET",
		Short: "Compare two heap snapshots of one process, as DevTools' Comparison view",
		Long: `Compares TARGET against BASE, an earlier snapshot of the same process (gzip or
plain; one of them may be "-" for stdin), with DevTools' exact numbers: per class,
the objects new in TARGET and deleted since BASE (matched by V8 object id), their
shallow sizes, and the change of the class's retained size. Classes whose
retained size alone changed are listed too. Rows come by the absolute change of
the class's retained size, biggest first (--sort size gives DevTools' order).`,
		Example: `  heapscope diff before.heapsnapshot after.heapsnapshot
  heapscope diff --sort retained --top 10 before.heapsnapshot.gz after.heapsnapshot.gz
  heapscope diff --filter Server --format json before.heapsnapshot after.heapsnapshot`,
		Args: needArgs(cobra.ExactArgs(2), "needs two snapshots of one process, the earlier first"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(cmd, args); err != nil {
				return err
			}
			rep := progress.New()
			base, err := load.Graph(load.File(args[0]), load.Options{Progress: rep})
			if err != nil {
				return loadError(err)
			}
			target, err := load.Graph(load.File(args[1]), load.Options{Progress: rep})
			if err != nil {
				return loadError(err)
			}
			return writeDiff(cmd, base, target, args[0], args[1], o, rep)
		},
	}
	cmd.Flags().IntVar(&o.top, "top", 0, "show the N biggest changes (default 30 in text; all in JSON)")
	cmd.Flags().StringVar(&o.sortBy, "sort", string(diff.DefaultSort), "order by the absolute change of: retained (size), size (shallow, DevTools' order) or count")
	cmd.Flags().StringVar(&o.filter, "filter", "", "only classes whose name matches this regular expression")
	formatFlags(cmd, &o.format, &o.asJSON, "oracle field names, exact integers")
	return cmd
}

func (o *diffOptions) check(cmd *cobra.Command, args []string) error {
	if err := settleFormat(cmd, &o.format, o.asJSON, "text", "json"); err != nil {
		return err
	}
	o.asJSON = o.format == "json"
	switch diff.SortBy(o.sortBy) {
	case diff.BySize, diff.ByCount, diff.ByRetained:
	default:
		return inputError(fmt.Errorf("--sort must be size, count or retained, not %q", o.sortBy))
	}
	if _, err := regexp.Compile(o.filter); err != nil {
		return inputError(fmt.Errorf("--filter: %v", err))
	}
	if o.top < 0 {
		return inputError(fmt.Errorf("--top must not be negative"))
	}
	if args[0] == "-" && args[1] == "-" {
		return inputError(fmt.Errorf("only one of BASE and TARGET can be read from stdin"))
	}
	return nil
}

func writeDiff(cmd *cobra.Command, base, target *graph.Graph, baseFile, targetFile string, o diffOptions, rep *progress.Reporter) error {
	rep.Phase("comparing")
	r := report.NewDiffReport(base, target, baseFile, targetFile, diff.Compare(base, target))
	r.Scripts = report.ScriptNamesOf(target, base) // a class only the base has is located in the base
	rep.Done()
	if len(r.Warnings) > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "heapscope: warning: %s\n", strings.Join(r.Warnings, "; "))
	}
	diff.Sort(r.Classes, diff.SortBy(o.sortBy))
	r.Classes = selectRows(r.Classes, func(c *diff.Class) string { return c.Name }, o.filter, o.top, o.asJSON)
	if o.asJSON {
		return report.WriteJSON(cmd.OutOrStdout(), r)
	}
	return report.WriteDiffText(cmd.OutOrStdout(), r)
}
