package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/graph"
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
	format string
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
		Example: `  heapscope retainers --class Server app.heapsnapshot
  heapscope retainers --id @12345 --paths 5 app.heapsnapshot
  heapscope retainers --class Timeout --all --format json app.heapsnapshot.gz`,
		Args: needArgs(cobra.ExactArgs(1), `needs one snapshot file ("-" for stdin), and --id or --class`),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := o.check(cmd)
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
				if o.class != "" {
					err = fmt.Errorf("%w%s", err, classHint(g, o.class, args[0]))
				}
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
	formatFlags(cmd, &o.format, &o.asJSON, "every hop, exact integers")
	cmd.Flags().BoolVar(&o.all, "all", false, "also search paths through system roots, ranked by hop count")
	return cmd
}

// check validates the flags and returns the parsed --id.
func (o *retainersOptions) check(cmd *cobra.Command) (snapshot.NodeID, error) {
	if err := settleFormat(cmd, &o.format, o.asJSON, "text", "json"); err != nil {
		return 0, err
	}
	o.asJSON = o.format == "json"
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

// classHint says what to ask for instead of class, which g does not have
// (file names g in the advice): a class whose name differs in case or by a
// few letters, or, when class names functions, that a function is not a
// class, and how to find its closures and what it creates.
func classHint(g *graph.Graph, class, file string) string {
	counts := map[snapshot.StringID]int{}
	for _, c := range g.Class {
		counts[c]++
	}
	// The closures named class (or differing in case only), and the one
	// nearest to the roots.
	closures, nearest := 0, snapshot.Ordinal(0)
	for i, t := range g.S.NodeTypes {
		o := snapshot.Ordinal(i)
		if t != snapshot.NodeClosure || !strings.EqualFold(g.Name(o), class) {
			continue
		}
		if closures == 0 || uint32(g.Distance[o]) < uint32(g.Distance[nearest]) {
			nearest = o
		}
		closures++
	}
	best, bestDist, bestCount := "", len(class)/3+1, 0
	for id, n := range counts {
		name := g.String(id)
		d := editDistance(strings.ToLower(class), strings.ToLower(name))
		if d == 0 && name != class {
			d = -1 // differs in case only: nearest of all
		}
		if d < bestDist || d == bestDist && n > bestCount {
			best, bestDist, bestCount = name, d, n
		}
	}
	switch {
	case best != "" && bestDist < 0:
		return fmt.Sprintf("; did you mean %q?", best)
	case closures > 0:
		which := "its closure"
		if closures > 1 {
			which = fmt.Sprintf("the nearest of its %d closures", closures)
		}
		return fmt.Sprintf("; %s is a function, not a class: retainers --id @%d follows %s, and heapscope summary %s lists the classes of what it creates",
			g.Name(nearest), g.S.NodeIDs[nearest], which, file)
	case best != "":
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return fmt.Sprintf("; heapscope summary %s lists the classes", file)
}
