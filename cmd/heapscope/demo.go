package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/demo"
	"github.com/heapscope/heapscope/graph"
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
	return &cobra.Command{
		Use:   "demo",
		Short: "Analyse the embedded createServer leak (Node.js 20.3.1) with no file to find",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rep := progress.New()
			name := demo.Series[len(demo.Series)-1]
			g, err := loadEmbedded(name, rep)
			if err != nil {
				return err
			}
			return writeSummary(cmd, g, "embedded:"+name, summaryOptions{top: 15, sortBy: "retained"}, rep)
		},
	}
}
