package main

import (
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/hunt"
)

func attachCmd() *cobra.Command {
	var o huntOptions
	var timeout time.Duration
	var force bool
	cmd := &cobra.Command{
		Use:   "attach (PID | host:port | ws://…)",
		Short: "Hunt for leaks in a running Node.js process, then detach",
		Long: `Connects to a running Node.js process and runs the same hunt as "heapscope
run": heap-usage samples after forced collections, a trend test, snapshots
streamed into the analysis when the heap grows, and the leaks verdict.

PID: if the process's inspector is closed, heapscope sends it SIGUSR1 (only
if it handles that signal, as Node.js does) so that it opens the inspector on
127.0.0.1:9229 (or the port its command line names), and closes it again
afterwards (process._debugEnd). host:port or a ws:// URL: an inspector that
is already open, left open. The process is never stopped or killed; it
pauses while V8 writes each snapshot.

With --drive URL, each step sends --requests GET requests to the process
(loopback URLs only) instead of waiting.
Exit code 0 when no leak is found, 1 with --fail-on-leak when one is, 2 on
errors (what was measured is printed first).`,
		Example: `  heapscope attach 12345
  heapscope attach --drive http://127.0.0.1:3000/api --requests 1000 12345
  heapscope attach 127.0.0.1:9229 --duration 2m --json`,
		Args: needArgs(cobra.ExactArgs(1), "needs one process: its pid, the inspector's host:port or a ws:// URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := newHuntRun(cmd, &o)
			if err != nil {
				return err
			}
			if timeout <= 0 {
				return inputError(errors.New("--attach-timeout must be positive"))
			}
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			s, err := hunt.Attach(ctx, args[0], hunt.AttachOptions{SessionOptions: h.session(), Timeout: timeout, Force: force})
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			return h.hunt(ctx, s)
		},
	}
	o.flags(cmd)
	cmd.Flags().DurationVar(&timeout, "attach-timeout", 10*time.Second, "bound on finding and opening the process's inspector")
	cmd.Flags().BoolVar(&force, "force", false, "signal a PID whose program is not named node, nodejs or electron (Node.js under another name)")
	return cmd
}
