package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/sourcemap"
)

type leaksOptions struct {
	asJSON     bool
	format     string
	minGrowth  int
	failOnLeak bool
	// noSourceMaps leaves locations as the snapshot names them.
	noSourceMaps bool
}

func (o *leaksOptions) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.format, "format", "text", "output format: text, json ({verdict, snapshots, findings:[{headline, pattern, class, countGrowth, retainedGrowth, accumulationPoint, path, locations, …}]}) or html (one self-contained page)")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print JSON (the same as --format json)")
	cmd.Flags().IntVar(&o.minGrowth, "min-growth", leak.DefaultMinGrowth, "least number of objects a class must gain at every step")
	cmd.Flags().BoolVar(&o.failOnLeak, "fail-on-leak", false, "exit with code 1 when a leak is found (for CI)")
	sourceMapsFlag(cmd, &o.noSourceMaps)
}

// sourceMapsFlag defines --no-source-maps, shared by the commands that
// report locations.
func sourceMapsFlag(cmd *cobra.Command, off *bool) {
	cmd.Flags().BoolVar(off, "no-source-maps", false, "do not map locations to original sources through the scripts' source maps (read from the scripts' files on this machine)")
}

// sources is what maps the findings' locations to their original sources:
// the scripts' source maps, script names relative to the current
// directory; nil with --no-source-maps.
func sources(off bool) object.SourceMapper {
	if off {
		return nil
	}
	return sourcemap.New(sourcemap.Options{})
}

func leaksCmd() *cobra.Command {
	var o leaksOptions
	cmd := &cobra.Command{
		Use:   "leaks S1 S2 [S3 ...]",
		Short: "Find what accumulates across snapshots of one process, and why",
		Long: `Reads two or more snapshots taken from one process, in the order they were
taken (V8 object ids are stable within a process), and reports each leak.
Snapshots of different processes are refused (exit 2).

Each finding reads, top to bottom:
  #N HEADLINE       what to change, in your code's terms: a listener
                    ("listeners of Settings 'change' (onChange server.js:16:25)"),
                    your class, a dependency's ("MemoryStore (express-session)"),
                    then its growth per step and the counts of the class counted
  pattern, Fix:     the leak's pattern in words (a listener never removed, a
                    Map that only grows, a timer never cleared…) and what to do
  Retained by       the retainer chain, root first, in DevTools' edge notation
                    (.property, [index], ->contextVariable, {internal}); repeats
                    folded (.next Listener ×312); "◀ accumulation point" marks
                    the container whose retained size grows
  Growing with it   other classes growing on the same chain
  Where             source locations, your code first; "▶ … ← fix here" marks
                    the likely fix site (the line that adds the listener,
                    inserts into the Map, starts the timer)
Exit code 0 when no leak is found, 1 with --fail-on-leak when one is, 2 on errors.
docs/patterns.md lists the patterns with an example verdict each.`,
		Example: `  heapscope leaks s1.heapsnapshot s2.heapsnapshot s3.heapsnapshot
  heapscope leaks --format html s1.heapsnapshot s2.heapsnapshot s3.heapsnapshot > leaks.html
  heapscope leaks --fail-on-leak --json before.heapsnapshot.gz after.heapsnapshot.gz`,
		Args: needArgs(cobra.MinimumNArgs(2), "needs two or more snapshots of one process, oldest first"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			if n := stdinCount(args); n > 1 {
				return inputError(fmt.Errorf("only one of the snapshots can be read from stdin, not %d", n))
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
	return settleFormat(cmd, &o.format, o.asJSON, "text", "json", "html")
}

// stdinCount returns how many of args are "-", standard input.
func stdinCount(args []string) int {
	n := 0
	for _, a := range args {
		if a == "-" {
			n++
		}
	}
	return n
}

// writeLeaks loads the series srcs, finds its leaks and prints them.
func writeLeaks(cmd *cobra.Command, srcs []load.Source, o leaksOptions) error {
	rep := progress.New()
	r, err := load.Series(srcs, leak.Options{MinGrowth: o.minGrowth, Sources: sources(o.noSourceMaps)}, load.Options{Progress: rep})
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
		return &exitError{code: 1, err: fmt.Errorf("leak found: %s", report.Headline(r.Findings[0]))}
	}
	return nil
}
