// Command heapscope finds and explains memory leaks in V8 heap snapshots
// (Node.js, Chromium, Electron, Deno).
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/internal/panicerr"
)

// exitError carries the exit code of a failed command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// inputError marks an error caused by the user's input: exit code 2.
func inputError(err error) error { return &exitError{code: 2, err: err} }

func main() {
	// The model is a few huge pointer-free arrays, so collections are cheap,
	// and collecting often lets the analyses' temporary arrays be reused
	// instead of growing the process: peak RSS drops by about 15% on a 1 GB
	// snapshot (docs/performance.md).
	debug.SetGCPercent(10)
	os.Exit(profiled(func() int { return run(newRoot()) }))
}

// profiled runs f under the CPU profiler when HEAPSCOPE_CPUPROFILE names a
// file (for `go tool pprof`; docs/performance.md).
func profiled(f func() int) int {
	path := os.Getenv("HEAPSCOPE_CPUPROFILE")
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "heapscope: cpu profile: %v\n", err)
		return 2
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		fmt.Fprintf(os.Stderr, "heapscope: cpu profile: %v\n", err)
		return 2
	}
	defer pprof.StopCPUProfile()
	return f()
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "heapscope",
		Short:         "Find and explain memory leaks in V8 heap snapshots",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	serve := serveCmd()
	// serve.go is the web server's; its words for the command line are here.
	serve.Args = needArgs(serve.Args, "needs snapshot files or a directory saved by run --save, or --demo and nothing else")
	serve.Example = `  heapscope serve --open before.heapsnapshot after.heapsnapshot
  heapscope serve --open hunt/
  heapscope serve --demo --addr 127.0.0.1:8080`
	root.AddCommand(summaryCmd(), leaksCmd(), diffCmd(), retainersCmd(), dominatorsCmd(), demoCmd(), serve, runCmd(), attachCmd())
	addVersion(root)
	root.SetFlagErrorFunc(flagError)
	return root
}

func run(root *cobra.Command) (code int) {
	defer func() {
		// A bug must still end in one line and exit code 2, never a trace.
		if r := recover(); r != nil {
			if pe, ok := r.(*panicerr.Error); ok {
				// Raised again from another goroutine: it says where.
				fmt.Fprintf(os.Stderr, "heapscope: %s\n", oneLine(pe))
			} else {
				fmt.Fprintf(os.Stderr, "heapscope: %s\n", oneLine(fmt.Errorf("internal error: %v", r)))
			}
			code = 2
		}
	}()
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintf(os.Stderr, "heapscope: %s\n", oneLine(err))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 2
}
