package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/snapshot"
)

type retainersOptions struct {
	id     string
	class  string
	k      int
	asJSON bool
	all    bool
}

func retainersCmd() *cobra.Command {
	var o retainersOptions
	cmd := &cobra.Command{
		Use:   "retainers SNAPSHOT (--id ID | --class NAME)",
		Short: "Shortest retainer paths from the GC roots to an object or a class",
		Long: `Prints the shortest distinct chains of references from the GC roots to one
object (--id, a V8 object id as DevTools shows it after "@") or to the
representative instance of a class (--class, a name of the Summary view), root
first, one hop a line: edge, object, distance, shallow and retained size.

The first path is the chain DevTools' Retainers pane expands. Weak edges do not
retain. Objects reachable from a user root (the global object) are explained by
user paths only; --all also searches paths through system roots such as
(GC roots) and ranks every path by its hop count.

For --class, the first paths of up to 100 instances are grouped by shape (class
and edge names with indexes and list positions normalized); the instance shown
is the one nearest to the roots among those of the most common shape.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := o.check()
			if err != nil {
				return err
			}
			rep := progress.New()
			g, err := load.Graph(load.File(args[0]), load.Options{Progress: rep})
			if err != nil {
				return loadError(err)
			}
			rep.Phase("finding retainer paths")
			r, err := report.FindRetainers(g, args[0], report.RetainersQuery{ID: id, Class: o.class, Paths: o.k, All: o.all})
			rep.Done()
			if err != nil {
				return inputError(err)
			}
			if o.asJSON {
				return report.WriteJSON(cmd.OutOrStdout(), r)
			}
			return report.WriteRetainersText(cmd.OutOrStdout(), r)
		},
	}
	cmd.Flags().StringVar(&o.id, "id", "", "the object's V8 id (\"123\" or \"@123\")")
	cmd.Flags().StringVar(&o.class, "class", "", "a class name, as the Summary view shows it")
	cmd.Flags().IntVar(&o.k, "paths", 3, "the number of paths")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print JSON (every hop, exact integers)")
	cmd.Flags().BoolVar(&o.all, "all", false, "also search paths through system roots, ranked by hop count")
	return cmd
}

// check validates the flags and returns the parsed --id.
func (o *retainersOptions) check() (snapshot.NodeID, error) {
	if (o.id == "") == (o.class == "") {
		return 0, inputError(errors.New("give exactly one of --id and --class"))
	}
	if o.k < 1 {
		return 0, inputError(fmt.Errorf("--paths must be at least 1, not %d", o.k))
	}
	if o.id == "" {
		return 0, nil
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(o.id, "@"), 10, 32)
	if err != nil {
		return 0, inputError(fmt.Errorf("--id %q: not an object id", o.id))
	}
	return snapshot.NodeID(id), nil
}
