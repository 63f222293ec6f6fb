package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/hunt"
	"github.com/heapscope/heapscope/progress"
)

func attachCmd() *cobra.Command {
	var o huntOptions
	var timeout time.Duration
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
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			if timeout <= 0 {
				return inputError(errors.New("--attach-timeout must be positive"))
			}
			lockOutput(cmd)
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			h := &huntRun{cmd: cmd, o: &o, stderr: cmd.ErrOrStderr()}
			if !o.quiet {
				h.rep = progress.New()
			}
			a, err := hunt.Attach(ctx, args[0], hunt.AttachOptions{Timeout: timeout, Log: h.logf})
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			a.Client.Timeout = o.callTimeout
			h.configure(a.Target)
			h.logf("attached to process %d (%s)", a.Target.PID, a.Addr)
			opt := h.options(nil, 0)
			var res *hunt.Result
			if o.drive != "" {
				d, derr := hunt.NewHTTPDriver(ctx, o.drive, o.concurrency)
				if derr != nil {
					err = inputError(derr)
				} else {
					opt.Driver, opt.Iterations = d, o.requests
				}
			}
			if err == nil {
				res, err = hunt.Run(ctx, a.Target, opt)
			} else {
				res = &hunt.Result{Mode: "time", Samples: []hunt.Sample{}, Snapshots: []hunt.SnapshotStats{}}
			}
			if err != nil && ctx.Err() != nil {
				err = fmt.Errorf("interrupted: %w", err)
			}
			// Detach even when interrupted: a fresh, bounded context.
			dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if derr := a.Detach(dctx); derr != nil {
				h.logf("detach: %v", derr)
			} else if a.Opened {
				h.logf("detached; process %d's inspector is closed again", a.Target.PID)
			} else {
				h.logf("detached from process %d", a.Target.PID)
			}
			return h.finish(res, err)
		},
	}
	o.flags(cmd)
	cmd.Flags().DurationVar(&timeout, "attach-timeout", 10*time.Second, "bound on finding and opening the process's inspector")
	return cmd
}
