package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/hunt"
	"github.com/heapscope/heapscope/inspector"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
)

// huntOptions are the flags run and attach share.
type huntOptions struct {
	leaks          leaksOptions
	interval       time.Duration
	duration       time.Duration
	gap            time.Duration
	snapshots      int
	save           string
	drive          string
	requests       int
	concurrency    int
	warmup         int
	callTimeout    time.Duration
	idleTimeout    time.Duration
	maxSnapshot    string
	maxSnapshotVal int64
	quiet          bool
	via            string
}

func (o *huntOptions) flags(cmd *cobra.Command) {
	o.leaks.flags(cmd)
	f := cmd.Flags()
	f.DurationVar(&o.interval, "interval", time.Second, "time between heap-usage samples (each after a forced full collection)")
	f.DurationVar(&o.duration, "duration", 30*time.Second, "how long to sample before deciding whether the heap grows")
	f.DurationVar(&o.gap, "gap", 0, "time between snapshots when the heap grows (default: half of --duration)")
	f.IntVar(&o.snapshots, "snapshots", 3, "snapshots to take when the heap grows; given explicitly, they are taken whatever the trend (0: trend only, the verdict is then \"growing\" or \"no-leak\")")
	f.StringVar(&o.save, "save", "", "also write each snapshot into this directory (by default no snapshot touches the disk)")
	f.StringVar(&o.drive, "drive", "", "between snapshots, send --requests GET requests to this loopback URL of the program")
	f.IntVar(&o.requests, "requests", 200, "requests per step with --drive")
	f.IntVar(&o.concurrency, "concurrency", 4, "concurrent requests with --drive")
	f.IntVar(&o.warmup, "warmup", 20, "iterations or requests before the first snapshot (scenario and --drive)")
	f.DurationVar(&o.callTimeout, "call-timeout", hunt.DefaultCallTimeout, "bound on each inspector call")
	f.DurationVar(&o.idleTimeout, "snapshot-idle-timeout", hunt.DefaultIdleTimeout, "give up a snapshot when V8 sends nothing for this long")
	f.StringVar(&o.maxSnapshot, "max-snapshot-size", "auto", "largest snapshot to read, e.g. 2GiB (auto: half the memory available when it starts; 0: no limit)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no status lines on standard error")
	f.StringVar(&o.via, "via", hunt.ViaAuto, "how snapshots travel: auto (the inspector socket; a FIFO when the main thread never yields), inspector, or fifo (v8.writeHeapSnapshot into a FIFO; the target must be on this machine)")
}

func (o *huntOptions) check(cmd *cobra.Command) error {
	if err := o.leaks.check(cmd); err != nil {
		return err
	}
	switch {
	case o.interval <= 0:
		return inputError(errors.New("--interval must be positive"))
	case o.duration < 0:
		return inputError(errors.New("--duration must not be negative"))
	case o.snapshots == 1 || o.snapshots < 0:
		return inputError(errors.New("--snapshots must be 0 (trend only) or at least 2"))
	case o.requests < 1 || o.concurrency < 1:
		return inputError(errors.New("--requests and --concurrency must be at least 1"))
	case o.warmup < 0:
		return inputError(errors.New("--warmup must not be negative"))
	case o.callTimeout <= 0 || o.idleTimeout <= 0:
		return inputError(errors.New("timeouts must be positive"))
	}
	switch o.via {
	case hunt.ViaAuto, hunt.ViaInspector, hunt.ViaFIFO:
	default:
		return inputError(fmt.Errorf("--via must be auto, inspector or fifo, not %q", o.via))
	}
	switch o.maxSnapshot {
	case "auto", "":
		o.maxSnapshotVal = 0
	case "0":
		o.maxSnapshotVal = -1
	default:
		v, err := humanize.ParseBytes(o.maxSnapshot)
		if err != nil || v == 0 {
			return inputError(fmt.Errorf("--max-snapshot-size %q: give a size such as 2GiB, auto or 0", o.maxSnapshot))
		}
		o.maxSnapshotVal = int64(v)
	}
	if o.drive != "" {
		// Refuse a non-loopback URL before anything starts.
		if _, err := hunt.NewHTTPDriver(cmd.Context(), o.drive, o.concurrency); err != nil {
			return inputError(err)
		}
	}
	if o.save != "" {
		if err := os.MkdirAll(o.save, 0o755); err != nil {
			return inputError(fmt.Errorf("--save: %w", err))
		}
	}
	return nil
}

// lockOutput makes the command's output writers safe for concurrent use:
// during a hunt the program's own output, heapscope's log lines and the
// report may all be written at once (os.Stdout is safe; a test's buffer is
// not).
func lockOutput(cmd *cobra.Command) {
	cmd.SetOut(&lockedWriter{w: cmd.OutOrStdout()})
	cmd.SetErr(&lockedWriter{w: cmd.ErrOrStderr()})
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// huntRun is one hunt's setup, shared by run and attach.
type huntRun struct {
	cmd    *cobra.Command
	o      *huntOptions
	rep    *progress.Reporter
	stderr io.Writer
}

func (h *huntRun) logf(format string, args ...any) {
	if h.o.quiet {
		return
	}
	if h.rep != nil {
		h.rep.Done()
	}
	fmt.Fprintf(h.stderr, "heapscope: "+format+"\n", args...)
}

// options builds hunt.Options from the flags.
func (h *huntRun) options(driver hunt.Driver, iterations int) hunt.Options {
	return hunt.Options{
		Interval:         h.o.interval,
		Duration:         h.o.duration,
		Gap:              h.o.gap,
		Snapshots:        h.o.snapshots,
		ForceSnapshots:   h.cmd.Flags().Changed("snapshots"),
		Driver:           driver,
		Iterations:       iterations,
		Warmup:           h.o.warmup,
		SaveDir:          h.o.save,
		MaxSnapshotBytes: h.o.maxSnapshotVal,
		Log:              h.logf,
		Progress:         h.rep,
	}
}

func (h *huntRun) configure(t *hunt.Target) {
	t.CallTimeout = h.o.callTimeout
	t.IdleTimeout = h.o.idleTimeout
	t.Log = h.logf
	t.Via = h.o.via
}

// huntReport is the --json output: the leaks JSON (verdict, snapshots,
// findings, minGrowth) plus what the hunt measured.
type huntReport struct {
	*leak.Report
	*hunt.Result
	// VerdictMillis is the time from V8's last snapshot byte to the verdict.
	VerdictMillis int64 `json:"lastByteToVerdictMillis,omitempty"`
	// Error is set when the hunt failed; Verdict is then "error".
	Error string `json:"error,omitempty"`
}

// finish analyses the hunt's snapshots and prints the verdict, or on failure
// what was measured and the error (exit code 2).
func (h *huntRun) finish(res *hunt.Result, huntErr error) error {
	out := h.cmd.OutOrStdout()
	o := h.o.leaks
	var r *leak.Report
	var verdictMillis int64
	if huntErr == nil && len(res.Graphs) >= 2 {
		h.rep.Phase("looking for leaks")
		var err error
		start := time.Now()
		r, err = leak.Analyze(res.Graphs, res.Names, leak.Options{MinGrowth: o.minGrowth})
		h.rep.Done()
		if err != nil {
			huntErr = err
		} else {
			// What is left after V8's last byte: the parse's tail, the last
			// graph's analysis and the verdict (not the time spent detaching).
			last := res.Snapshots[len(res.Snapshots)-1]
			verdictMillis = last.ParseMillis + last.AnalyzeMillis + time.Since(start).Milliseconds()
			h.logf("verdict %q %dms after V8's last byte (parse tail %dms, graph %dms, leak analysis %dms)",
				r.Verdict, verdictMillis, last.ParseMillis, last.AnalyzeMillis, time.Since(start).Milliseconds())
		}
	}
	res.Graphs = nil // let the collector have them while the report is written
	if h.o.save != "" && res != nil {
		// With the snapshots, the heap curve, so that "heapscope serve DIR"
		// can show the whole hunt.
		if err := saveSamples(h.o.save, heapSamples(res)); err != nil {
			h.logf("could not save the heap samples: %v", err)
		}
	}
	if huntErr == nil && r == nil {
		// No snapshots: the trend is the whole verdict.
		verdict := "no-leak"
		if f := res.PerIteration; f != nil && f.Growing {
			verdict = "growing"
		} else if f := res.Trend; f != nil && f.Growing && res.PerIteration == nil {
			verdict = "growing"
		}
		r = &leak.Report{Verdict: verdict, Snapshots: []leak.SnapshotInfo{}, Findings: []leak.Finding{}, MinGrowth: o.minGrowth}
	}
	var werr error
	switch o.format {
	case "json":
		hr := huntReport{Report: r, Result: res, VerdictMillis: verdictMillis}
		if huntErr != nil {
			hr.Report = &leak.Report{Verdict: "error", Snapshots: []leak.SnapshotInfo{}, Findings: []leak.Finding{}, MinGrowth: o.minGrowth}
			hr.Error = huntErr.Error()
		}
		werr = report.WriteJSON(out, hr)
	case "html":
		if huntErr == nil {
			werr = report.WriteLeaksHTML(out, r, heapSamples(res))
		} else {
			werr = writeHuntText(h.stderr, res, nil)
		}
	default:
		werr = writeHuntText(out, res, r)
	}
	if huntErr != nil {
		return &exitError{code: 2, err: huntErr}
	}
	if werr != nil {
		return werr
	}
	if o.failOnLeak && r.Verdict == "leak" {
		return &exitError{code: 1, err: fmt.Errorf("leak found: %s", r.Findings[0].Class)}
	}
	if o.failOnLeak && r.Verdict == "growing" {
		return &exitError{code: 1, err: errors.New("the heap grows (no snapshots taken to say what leaks)")}
	}
	return nil
}

func heapSamples(res *hunt.Result) []report.HeapSample {
	out := make([]report.HeapSample, len(res.Samples))
	for k, s := range res.Samples {
		out[k] = report.HeapSample{TimeMillis: s.TimeMillis, UsedBytes: s.UsedBytes}
	}
	return out
}

// maxTextSamples bounds the samples listed in the text output.
const maxTextSamples = 24

// writeHuntText writes the heap measurements, then the leak verdict (r nil:
// the hunt failed, only the measurements).
func writeHuntText(w io.Writer, res *hunt.Result, r *leak.Report) error {
	ew := &errWriter{w: w}
	n := len(res.Samples)
	if n > 0 {
		first, last := res.Samples[0], res.Samples[n-1]
		ew.printf("Heap after forced GC: %d samples over %.1fs, %s → %s", n, float64(last.TimeMillis-first.TimeMillis)/1000,
			report.Size(first.UsedBytes), report.Size(last.UsedBytes))
		if res.Busy {
			ew.printf(" (main thread never yields: gc() and writeHeapSnapshot through Runtime.evaluate)")
		}
		ew.printf("\n")
	} else {
		ew.printf("Heap: no sample taken.\n")
	}
	if f := res.Trend; f != nil && f.N > 0 {
		ew.printf("Trend: %s per second (Theil–Sen), Mann–Kendall p = %.3g: %s\n", signedBytes(f.Slope), f.P, f.Reason)
	}
	if f := res.PerIteration; f != nil && f.N > 0 {
		ew.printf("Per %s: %s (Theil–Sen over %d samples), Mann–Kendall p = %.3g\n", res.Mode, signedBytes(f.Slope), f.N, f.P)
	}
	if r == nil || n <= maxTextSamples {
		step := max(1, (n+maxTextSamples-1)/maxTextSamples)
		ew.printf("Samples (time, used heap%s):\n", map[bool]string{true: ", " + res.Mode + "s", false: ""}[res.Mode != "time"])
		for k := 0; k < n; k += step {
			s := res.Samples[k]
			line := fmt.Sprintf("  %7.1fs  %10s", float64(s.TimeMillis)/1000, report.Size(s.UsedBytes))
			if s.Iterations != nil {
				line += fmt.Sprintf("  %8d", *s.Iterations)
			}
			ew.printf("%s  %s\n", line, s.Phase)
		}
		if step > 1 {
			ew.printf("  (every %dth of %d samples; --json lists all)\n", step, n)
		}
	}
	ew.printf("\n")
	if ew.err != nil || r == nil {
		return ew.err
	}
	if res.SkippedSnapshots != "" && len(r.Snapshots) == 0 {
		ew.printf("No snapshot taken: %s.\n", res.SkippedSnapshots)
		if r.Verdict == "growing" {
			ew.printf("Verdict: the heap GROWS; take snapshots (--snapshots 3) to see what leaks.\n")
		} else {
			ew.printf("Verdict: no leak. The heap does not grow; give --snapshots N to look at the objects anyway.\n")
		}
		return ew.err
	}
	if ew.err != nil {
		return ew.err
	}
	return report.WriteLeaksText(w, r)
}

func signedBytes(v float64) string {
	if v < 0 {
		return "-" + report.Size(uint64(-v))
	}
	return "+" + report.Size(uint64(v))
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// signalContext is cancelled by SIGINT or SIGTERM, so that a hunt ends
// cleanly (the program stopped, an attached process detached).
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}

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

func runHunt(cmd *cobra.Command, o *runOptions, args []string) error {
	if err := o.check(cmd); err != nil {
		return err
	}
	lockOutput(cmd)
	if o.scenario != "" && o.drive != "" {
		return inputError(errors.New("--scenario and --drive do not go together"))
	}
	if o.iterations < 1 || o.startTimeout <= 0 || o.actionTimeout <= 0 {
		return inputError(errors.New("--iterations must be at least 1 and timeouts positive"))
	}
	var argv []string
	switch {
	case o.scenario != "":
		// After --, node flags for the harness (e.g. --max-old-space-size=100).
		var flags []string
		node := o.node
		if len(args) > 0 {
			if strings.HasPrefix(args[0], "-") {
				flags = args
			} else {
				node, flags = args[0], args[1:]
			}
		}
		var err error
		argv, err = hunt.ScenarioArgs(node, flags, o.scenario)
		if err != nil {
			return inputError(err)
		}
	case len(args) == 0:
		return inputError(errors.New("no program to run: heapscope run [flags] -- node app.js [args], or --scenario FILE"))
	default:
		argv = args
	}
	exposeGC := o.exposeGC || (!o.noExposeGC && o.scenario == "" && hunt.NeedsExposeGC(argv[1:]))

	ctx, stop := signalContext(cmd.Context())
	defer stop()
	h := &huntRun{cmd: cmd, o: &o.huntOptions, stderr: cmd.ErrOrStderr()}
	if !o.quiet {
		h.rep = progress.New()
	}
	if exposeGC && !o.exposeGC {
		h.logf("the program calls global.gc(): starting it with --expose-gc")
	}
	progOut := cmd.OutOrStdout()
	if o.leaks.format != "text" {
		progOut = cmd.ErrOrStderr()
	}
	prog, err := hunt.Start(ctx, hunt.StartOptions{Args: argv, ExposeGC: exposeGC, Stdout: progOut, Stderr: cmd.ErrOrStderr(), Timeout: o.startTimeout})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	defer prog.Stop(5 * time.Second)

	res, err := func() (*hunt.Result, error) {
		empty := &hunt.Result{Mode: "time", Samples: []hunt.Sample{}, Snapshots: []hunt.SnapshotStats{}}
		dctx, cancel := context.WithTimeout(ctx, o.startTimeout)
		c, err := inspector.Dial(dctx, prog.WSURL)
		cancel()
		if err != nil {
			return empty, startErr(prog, nil, err)
		}
		defer c.Close()
		c.Timeout = o.callTimeout
		t, err := hunt.NewTarget(ctx, c, true)
		if err != nil {
			return empty, startErr(prog, c, err)
		}
		defer t.Close()
		h.configure(t)
		opt := h.options(nil, 0)
		opt.Exited, opt.ExitErr = programEnd(prog, c)
		var sc *hunt.Scenario
		switch {
		case o.scenario != "":
			sc = &hunt.Scenario{T: t, ActionTimeout: o.actionTimeout}
			if err := sc.Ready(ctx, o.startTimeout); err != nil {
				return empty, startErr(prog, c, err)
			}
			if err := sc.Setup(ctx); err != nil {
				return empty, startErr(prog, c, err)
			}
			opt.Driver, opt.Iterations = sc, o.iterations
		case o.drive != "":
			d, err := hunt.NewHTTPDriver(ctx, o.drive, o.concurrency)
			if err != nil {
				return empty, inputError(err)
			}
			if err := d.WaitReady(ctx, o.startTimeout, prog.Exited()); err != nil {
				return empty, startErr(prog, c, err)
			}
			opt.Driver, opt.Iterations = d, o.requests
		}
		res, err := hunt.Run(ctx, t, opt)
		if err == nil && sc != nil {
			if cerr := sc.Cleanup(ctx); cerr != nil {
				h.logf("%v", cerr)
			}
		}
		return res, err
	}()
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("interrupted: %w", err)
	}
	prog.Stop(5 * time.Second)
	return h.finish(res, err)
}

// programEnd is closed when the program exits or has run out of work; in
// the second case Node.js waits for the inspector session to disconnect, so
// the session is closed and the exit awaited. exitErr describes the end.
func programEnd(prog *hunt.Program, c *inspector.Client) (end <-chan struct{}, exitErr func() error) {
	done := make(chan struct{})
	go func() {
		select {
		case <-prog.Exited():
		case <-prog.Finishing():
			c.Close()
		}
		close(done)
	}()
	return done, func() error {
		select {
		case <-prog.Exited():
		case <-time.After(5 * time.Second):
		}
		if err := prog.ExitError(); err != nil {
			return err
		}
		return errors.New("the program has ended")
	}
}

// startErr prefers the program's own end to the error it caused. A program
// that ended while a session is open waits for it to disconnect ("Waiting
// for the debugger to disconnect"): the session is closed, then the exit
// awaited.
func startErr(prog *hunt.Program, c *inspector.Client, err error) error {
	select {
	case <-prog.Exited():
	case <-prog.Finishing():
		if c != nil {
			c.Close()
		}
		select {
		case <-prog.Exited():
		case <-time.After(5 * time.Second):
		}
	case <-time.After(time.Second):
		return err
	}
	if ee := prog.ExitError(); ee != nil {
		return ee
	}
	return err
}
