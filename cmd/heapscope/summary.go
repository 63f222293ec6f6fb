package main

import (
	"fmt"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/summary"
)

type summaryOptions struct {
	top    int
	sortBy string
	filter string
	asJSON bool
	format string
}

func summaryCmd() *cobra.Command {
	var o summaryOptions
	cmd := &cobra.Command{
		Use:   "summary SNAPSHOT",
		Short: "Per-class summary of a heap snapshot, as DevTools' Summary view",
		Long: `Reads a .heapsnapshot file (gzip or plain; "-" for stdin) and prints the
totals, the Statistics view and the class table with DevTools' exact numbers:
count, distance, shallow size and retained size per class.`,
		Example: `  heapscope summary app.heapsnapshot
  heapscope summary --top 10 --sort count app.heapsnapshot.gz
  heapscope summary --filter '^(Array|Map)$' --format json app.heapsnapshot
  ssh host cat /tmp/app.heapsnapshot | heapscope summary -`,
		Args: needArgs(cobra.ExactArgs(1), `needs one snapshot file ("-" for stdin)`),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			rep := progress.New()
			res, err := load.Summary(load.File(args[0]), load.Options{Progress: rep})
			if err != nil {
				return loadError(err)
			}
			rep.Done()
			return writeSummary(cmd, res, args[0], o)
		},
	}
	cmd.Flags().IntVar(&o.top, "top", 0, "show the N biggest classes (default 30 in text; all in JSON)")
	cmd.Flags().StringVar(&o.sortBy, "sort", "retained", "order: retained, self, count or distance")
	cmd.Flags().StringVar(&o.filter, "filter", "", "only classes whose name matches this regular expression")
	formatFlags(cmd, &o.format, &o.asJSON, "oracle field names, exact integers")
	return cmd
}

func (o *summaryOptions) check(cmd *cobra.Command) error {
	if err := settleFormat(cmd, &o.format, o.asJSON, "text", "json"); err != nil {
		return err
	}
	o.asJSON = o.format == "json"
	switch summary.SortBy(o.sortBy) {
	case summary.ByRetained, summary.BySelf, summary.ByCount, summary.ByDistance:
	default:
		return inputError(fmt.Errorf("--sort must be retained, self, count or distance, not %q", o.sortBy))
	}
	if _, err := regexp.Compile(o.filter); err != nil {
		return inputError(fmt.Errorf("--filter: %v", err))
	}
	if o.top < 0 {
		return inputError(fmt.Errorf("--top must not be negative"))
	}
	return nil
}

func writeSummary(cmd *cobra.Command, res *load.SummaryResult, file string, o summaryOptions) error {
	classes := res.Classes
	r := &report.SummaryReport{File: file, Totals: res.Totals, ClassCount: len(classes), Scripts: res.Scripts}
	summary.Sort(classes, summary.SortBy(o.sortBy))
	classes = selectRows(classes, func(c *summary.Class) string { return c.Name }, o.filter, o.top, o.asJSON)
	r.Classes = classes
	if o.asJSON {
		return report.WriteJSON(cmd.OutOrStdout(), r)
	}
	return report.WriteSummaryText(cmd.OutOrStdout(), r)
}
