package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/hunt"
)

type runOptions struct {
	huntOptions
	scenario      string
	iterations    int
	node          string
	exposeGC      bool
	noExposeGC    bool
	startTimeout  time.Duration
	actionTimeout time.Duration
}

func runCmd() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run [flags] -- node [node flags] app.js [args]",
		Short: "Start a Node.js program under the inspector and hunt for leaks while it runs",
		Long: `Starts the program with --inspect=127.0.0.1:0, passes its standard output
and error through, and hunts: every --interval a forced full collection and
a heap-usage sample; after --duration a trend test (Theil–Sen slope,
Mann–Kendall test) decides whether the heap grows; if it does, --snapshots
heap snapshots streamed straight into the analysis (no file unless --save),
and the leaks verdict over them. The program is stopped at the end.

Scenario mode (--scenario FILE) runs a module exporting setup, action and
optional cleanup (each sync or async) in a harness: warm-up, snapshot,
--iterations actions, snapshot, --iterations more, snapshot, then the verdict,
with the heap growth per iteration.

With --drive URL, each step sends --requests GET requests to the program
(loopback URLs only) instead of waiting.

A program whose main thread never yields (a synchronous loop) is handled:
collections through gc() and snapshots through v8.writeHeapSnapshot into a
FIFO that heapscope reads as V8 writes it.

With --json (or --format json) the program's standard output goes to
standard error, so that standard output carries only the JSON.
Exit code 0 when no leak is found, 1 with --fail-on-leak when one is, 2 on
errors (what was measured is printed first).`,
		Example: `  heapscope run -- node server.js --port 3000
  heapscope run --duration 10s --interval 500ms --json -- node app.js
  heapscope run --drive http://127.0.0.1:3000/ --requests 500 -- node server.js
  heapscope run --scenario leak-test.js --iterations 200 --fail-on-leak`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHunt(cmd, &o, args)
		},
	}
	// Everything after the first argument belongs to the program.
	cmd.Flags().SetInterspersed(false)
	o.huntOptions.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&o.scenario, "scenario", "", "scenario module: exports setup, action and optional cleanup")
	f.IntVar(&o.iterations, "iterations", 100, "scenario iterations per step")
	f.StringVar(&o.node, "node", "node", "the node binary for --scenario")
	f.BoolVar(&o.exposeGC, "expose-gc", false, "start the program with --expose-gc (default: when its main script calls global.gc)")
	f.BoolVar(&o.noExposeGC, "no-expose-gc", false, "never add --expose-gc")
	f.DurationVar(&o.startTimeout, "start-timeout", 10*time.Second, "bound on the program's start (inspector open, --drive URL answering)")
	f.DurationVar(&o.actionTimeout, "action-timeout", hunt.DefaultActionTimeout, "bound on one scenario setup, action or cleanup call")
	return cmd
}

// isScript reports whether name is a JavaScript or TypeScript file, which
// node runs, rather than a program.
func isScript(name string) bool {
	switch filepath.Ext(name) {
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts":
		return true
	}
	return false
}

func runHunt(cmd *cobra.Command, o *runOptions, args []string) error {
	h, err := newHuntRun(cmd, &o.huntOptions)
	if err != nil {
		return err
	}
	if o.scenario != "" && o.drive != "" {
		return inputError(errors.New("--scenario and --drive do not go together"))
	}
	if o.iterations < 1 || o.startTimeout <= 0 || o.actionTimeout <= 0 {
		return inputError(errors.New("--iterations must be at least 1 and timeouts positive"))
	}
	argv := args
	switch {
	case o.scenario != "":
		// After --, node flags for the harness (e.g. --max-old-space-size=100),
		// or a node binary and its flags.
		argv = append([]string{o.node}, args...)
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			argv = args
		}
		h.iterations = o.iterations
	case len(args) == 0:
		return inputError(errors.New("no program to run: heapscope run [flags] -- node app.js [args], or --scenario FILE"))
	case isScript(args[0]):
		return inputError(fmt.Errorf("%s is a script, not a program: heapscope run -- node %s", args[0], strings.Join(args, " ")))
	}
	exposeGC := o.exposeGC || (!o.noExposeGC && o.scenario == "" && hunt.NeedsExposeGC(argv[1:]))

	ctx, stop := signalContext(cmd.Context())
	defer stop()
	if exposeGC && !o.exposeGC {
		h.logf("the program calls global.gc(): starting it with --expose-gc")
	}
	progOut := cmd.OutOrStdout()
	if o.leaks.format != "text" {
		progOut = cmd.ErrOrStderr()
	}
	s, err := hunt.Launch(ctx, hunt.LaunchOptions{
		SessionOptions: h.session(),
		Args:           argv, Scenario: o.scenario, ActionTimeout: o.actionTimeout, ExposeGC: exposeGC,
		Stdout: progOut, Stderr: cmd.ErrOrStderr(), StartTimeout: o.startTimeout,
	})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	return h.hunt(ctx, s)
}
