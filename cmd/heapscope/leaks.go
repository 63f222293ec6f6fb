package main

import (
	"fmt"
	"os"
	"sync"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/summary"
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
			rep := progress.New()
			// The last snapshot is loaded first and kept whole; each earlier
			// one is analysed with the last one's interfaces and without
			// distances, and reduced to its class rows and retained sizes by
			// id as soon as it is analysed, so a series costs little more
			// memory than its last snapshot. Every class table is begun while
			// its dominator tree is built (graph.Options.BeforeDominators).
			n := len(args)
			var lastSummary *summary.Pending
			last, err := loadWith(args[n-1], rep, graph.Options{BeforeDominators: func(g *graph.Graph) { lastSummary = summary.Begin(g) }})
			if err != nil {
				return err
			}
			earlier := make([]*leak.Earlier, n-1)
			pending := make([]*leak.PendingEarlier, n-1)
			err = loadEach(args[:n-1], rep, func(k int) graph.Options {
				return graph.Options{
					Interfaces: last.Interfaces, SkipDistances: true,
					BeforeDominators: func(g *graph.Graph) { pending[k] = leak.BeginEarlier(g) },
				}
			}, func(k int, g *graph.Graph) {
				earlier[k] = pending[k].Finish(g, args[k])
			})
			if err != nil {
				return err
			}
			return writeLeaks(cmd, func() (*leak.Report, error) {
				return leak.AnalyzeSeries(earlier, last, args[n-1], leak.Options{MinGrowth: o.minGrowth, LastSummary: lastSummary})
			}, o, rep)
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

// loadAll reads and analyses several snapshots.
func loadAll(paths []string, rep *progress.Reporter) ([]*graph.Graph, error) {
	graphs := make([]*graph.Graph, len(paths))
	err := loadEach(paths, rep, nil, func(k int, g *graph.Graph) { graphs[k] = g })
	return graphs, err
}

// loadEach reads and analyses several snapshots and hands each to keep,
// two at a time when they are small enough: the analysis of one leaves a
// core idle for long stretches (the dominator tree is sequential) that the
// parse of the next one fills. options, if set, gives each graph's analysis
// options. keep and the options' hooks may run concurrently for different
// k.
func loadEach(paths []string, rep *progress.Reporter, options func(k int) graph.Options, keep func(k int, g *graph.Graph)) error {
	const concurrentBelow = 1 << 30 // bytes per file; bigger ones load alone to bound memory
	parallel := len(paths) > 1
	for _, p := range paths {
		if st, err := os.Stat(p); p == "-" || err != nil || st.Size() >= concurrentBelow {
			parallel = false
		}
	}
	opts := func(k int) graph.Options {
		if options == nil {
			return graph.Options{}
		}
		return options(k)
	}
	if !parallel {
		for k, p := range paths {
			g, err := loadWith(p, rep, opts(k))
			if err != nil {
				return err
			}
			keep(k, g)
		}
		return nil
	}
	errs := make([]error, len(paths))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for k, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		rep.Phase(fmt.Sprintf("loading %d of %d snapshots", k+1, len(paths)))
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			g, err := loadWith(p, nil, opts(k))
			if errs[k] = err; err == nil {
				keep(k, g)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func writeLeaks(cmd *cobra.Command, analyze func() (*leak.Report, error), o leaksOptions, rep *progress.Reporter) error {
	rep.Phase("looking for leaks")
	r, err := analyze()
	rep.Done()
	if err != nil {
		return inputError(err)
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
