package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/demo"
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/snapshot"
)

// loadEmbedded reads and analyses one of the demo's embedded snapshots.
func loadEmbedded(name string, rep *progress.Reporter) (*graph.Graph, error) {
	f, err := demo.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := snapshot.Read(f, snapshot.Options{Progress: rep.Reading(name, -1)})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return graph.Analyze(s, graph.Options{Phase: rep.Phase}), nil
}

func demoCmd() *cobra.Command {
	var o leaksOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Find the embedded createServer leak (Node.js 20.3.1) with no file to find",
		Long: `Runs "heapscope leaks" on three snapshots embedded in the binary: one Node.js
20.3.1 process that called http.createServer() without listen() 0, 1,000 and
2,000 times (Node.js issue 48604: each Server is kept alive by the timer that
checks its connections).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			rep := progress.New()
			var graphs []*graph.Graph
			var names []string
			for _, name := range demo.Series {
				g, err := loadEmbedded(name, rep)
				if err != nil {
					return err
				}
				graphs = append(graphs, g)
				names = append(names, "embedded:"+name)
			}
			return writeLeaks(cmd, func() (*leak.Report, error) {
				return leak.Analyze(graphs, names, leak.Options{MinGrowth: o.minGrowth})
			}, o, rep)
		},
	}
	o.flags(cmd)
	return cmd
}
