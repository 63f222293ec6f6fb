package main

import (
	"fmt"
	"os"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/summary"
)

func summaryCmd() *cobra.Command {
	var (
		top    int
		sortBy string
		filter string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "summary SNAPSHOT",
		Short: "Per-class summary of a heap snapshot, as DevTools' Summary view",
		Long: `Reads a .heapsnapshot file (gzip or plain; "-" for stdin) and prints the
totals, the Statistics view and the class table with DevTools' exact numbers:
count, distance, shallow size and retained size per class.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			by := summary.SortBy(sortBy)
			switch by {
			case summary.ByRetained, summary.BySelf, summary.ByCount, summary.ByDistance:
			default:
				return inputError(fmt.Errorf("--sort must be retained, self, count or distance, not %q", sortBy))
			}
			var re *regexp.Regexp
			if filter != "" {
				var err error
				if re, err = regexp.Compile(filter); err != nil {
					return inputError(fmt.Errorf("--filter: %v", err))
				}
			}
			if top < 0 {
				return inputError(fmt.Errorf("--top must not be negative"))
			}
			rep := progress.New()
			g, err := load(args[0], rep)
			if err != nil {
				return err
			}
			rep.Phase("aggregating classes")
			classes := summary.Classes(g, nil)
			r := &report.SummaryReport{File: args[0], Totals: summary.ComputeTotals(g), ClassCount: len(classes)}
			rep.Done()
			summary.Sort(classes, by)
			if re != nil {
				kept := classes[:0]
				for _, c := range classes {
					if re.MatchString(c.Name) {
						kept = append(kept, c)
					}
				}
				classes = kept
			}
			if top == 0 && !asJSON {
				top = 30
			}
			if top > 0 && len(classes) > top {
				classes = classes[:top]
			}
			r.Classes = classes
			if asJSON {
				return report.WriteJSON(os.Stdout, r)
			}
			return report.WriteSummaryText(os.Stdout, r)
		},
	}
	cmd.Flags().IntVar(&top, "top", 0, "show the N biggest classes (default 30 in text; all in JSON)")
	cmd.Flags().StringVar(&sortBy, "sort", "retained", "order: retained, self, count or distance")
	cmd.Flags().StringVar(&filter, "filter", "", "only classes whose name matches this regular expression")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (oracle field names, exact integers)")
	return cmd
}
