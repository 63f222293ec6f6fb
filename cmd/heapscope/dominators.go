package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/snapshot"
)

type dominatorsOptions struct {
	id      string
	depth   int
	minSize string
	asJSON  bool
	format  string
}

func dominatorsCmd() *cobra.Command {
	var o dominatorsOptions
	cmd := &cobra.Command{
		Use:   "dominators SNAPSHOT [--id ID]",
		Short: "The dominator tree: which objects keep the most memory alive",
		Long: `Prints the dominator tree, as Eclipse MAT's dominator tree view: below the root
(or the object --id), each object with the objects it immediately dominates
(those that would be freed with it), biggest retained size first, --depth levels
deep, leaving out objects retaining less than --min-size (default: 1% of the
start object's retained size). Each line shows the retained size, its share of
the heap, the shallow size, and the object with the edge by which its dominator
holds it when it holds it directly.`,
		Example: `  heapscope dominators app.heapsnapshot
  heapscope dominators --id @12345 --depth 2 --min-size 64KiB app.heapsnapshot
  heapscope dominators --format json app.heapsnapshot.gz`,
		Args: needArgs(cobra.ExactArgs(1), `needs one snapshot file ("-" for stdin)`),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, minSize, err := o.check(cmd)
			if err != nil {
				return err
			}
			rep := progress.New()
			g, err := load.Graph(load.File(args[0]), load.Options{Progress: rep})
			if err != nil {
				return loadError(err)
			}
			var start *snapshot.NodeID
			if o.id != "" {
				start = &id
			}
			r, err := report.FindDominators(g, args[0], start, o.depth, minSize)
			rep.Done()
			if err != nil {
				return inputError(err)
			}
			if o.asJSON {
				return report.WriteJSON(cmd.OutOrStdout(), r)
			}
			return report.WriteDominatorsText(cmd.OutOrStdout(), r)
		},
	}
	cmd.Flags().StringVar(&o.id, "id", "", "start at this object (V8 id, \"123\" or \"@123\") instead of the root")
	cmd.Flags().IntVar(&o.depth, "depth", 3, "levels to show below the start object")
	cmd.Flags().StringVar(&o.minSize, "min-size", "", "smallest retained size shown, in bytes or with a unit (\"64KiB\", \"1MB\"); default 1% of the start object's retained size")
	formatFlags(cmd, &o.format, &o.asJSON, "a nested tree, exact integers")
	return cmd
}

// check validates the flags; it returns the parsed --id and --min-size
// (-1 for the default).
func (o *dominatorsOptions) check(cmd *cobra.Command) (snapshot.NodeID, int64, error) {
	if err := settleFormat(cmd, &o.format, o.asJSON, "text", "json"); err != nil {
		return 0, 0, err
	}
	o.asJSON = o.format == "json"
	if o.depth < 0 {
		return 0, 0, inputError(fmt.Errorf("--depth must not be negative, not %d", o.depth))
	}
	var id snapshot.NodeID
	if o.id != "" {
		v, err := strconv.ParseUint(strings.TrimPrefix(o.id, "@"), 10, 32)
		if err != nil {
			return 0, 0, inputError(fmt.Errorf("--id %q: not an object id", o.id))
		}
		id = snapshot.NodeID(v)
	}
	minSize := int64(-1)
	if cmd.Flags().Changed("min-size") {
		v, err := humanize.ParseBytes(o.minSize)
		if err != nil || v > 1<<62 {
			return 0, 0, inputError(fmt.Errorf("--min-size %q: not a size", o.minSize))
		}
		minSize = int64(v)
	}
	return id, minSize, nil
}
