package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
)

type leaksOptions struct {
	asJSON     bool
	format     string
	minGrowth  int
	failOnLeak bool
}

func (o *leaksOptions) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.format, "format", "text", "output format: text, json ({verdict, snapshots, findings:[{class, countGrowth, retainedGrowth, accumulationPoint, path, locations, …}]}) or html (one self-contained page)")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print JSON (the same as --format json)")
	cmd.Flags().IntVar(&o.minGrowth, "min-growth", leak.DefaultMinGrowth, "least number of objects a class must gain at every step")
	cmd.Flags().BoolVar(&o.failOnLeak, "fail-on-leak", false, "exit with code 1 when a leak is found (for CI)")
}

func leaksCmd() *cobra.Command {
	var o leaksOptions
	cmd := &cobra.Command{
		Use:   "leaks S1 S2 [S3 ...]",
		Short: "Find what accumulates across snapshots of one process, and why",
		Long: `Reads two or more snapshots taken from one process, in the order they were
taken (V8 object ids are stable within a process), and reports each leak:
the class that keeps growing, its retainer chain from the roots, the object
where it accumulates, the classes growing with it and the source locations.
Exit code 0 when no leak is found, 1 with --fail-on-leak when one is, 2 on errors.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			return writeLeaks(cmd, load.Files(args), o)
		},
	}
	o.flags(cmd)
	return cmd
}

// check validates the flags and settles the output format (--json is
// --format json).
func (o *leaksOptions) check(cmd *cobra.Command) error {
	if o.minGrowth < 1 {
		return inputError(fmt.Errorf("--min-growth must be at least 1"))
	}
	switch o.format {
	case "text", "json", "html":
	default:
		return inputError(fmt.Errorf("--format must be text, json or html, not %q", o.format))
	}
	if o.asJSON {
		if cmd.Flags().Changed("format") && o.format != "json" {
			return inputError(fmt.Errorf("--json and --format %s disagree", o.format))
		}
		o.format = "json"
	}
	return nil
}

// writeLeaks loads the series srcs, finds its leaks and prints them.
func writeLeaks(cmd *cobra.Command, srcs []load.Source, o leaksOptions) error {
	rep := progress.New()
	r, err := load.Series(srcs, leak.Options{MinGrowth: o.minGrowth}, load.Options{Progress: rep})
	rep.Done()
	if err != nil {
		return loadError(err)
	}
	switch o.format {
	case "json":
		err = report.WriteJSON(cmd.OutOrStdout(), r)
	case "html":
		err = report.WriteLeaksHTML(cmd.OutOrStdout(), r, nil)
	default:
		err = report.WriteLeaksText(cmd.OutOrStdout(), r)
	}
	if err != nil {
		return err
	}
	if o.failOnLeak && r.Verdict == "leak" {
		return &exitError{code: 1, err: fmt.Errorf("leak found: %s", r.Findings[0].Class)}
	}
	return nil
}
