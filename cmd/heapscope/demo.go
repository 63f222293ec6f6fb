package main

import (
	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/load"
)

func demoCmd() *cobra.Command {
	var o leaksOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Find the embedded createServer leak (Node.js 20.3.1) with no file to find",
		Long: `Runs "heapscope leaks" on three snapshots embedded in the binary: one Node.js
20.3.1 process that called http.createServer() without listen() 0, 1,000 and
2,000 times (Node.js issue 48604: each Server is kept alive by the timer that
checks its connections).`,
		Example: `  heapscope demo
  heapscope demo --format html > demo.html
  heapscope demo --json`,
		Args: needArgs(cobra.NoArgs, "takes no arguments: its snapshots are in the binary"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			return writeLeaks(cmd, load.Demo(), o)
		},
	}
	o.flags(cmd)
	return cmd
}
