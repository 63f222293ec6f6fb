package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/heapscope/heapscope/hunt"
	"github.com/heapscope/heapscope/huntdir"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
)

// huntOptions are the flags run and attach share.
type huntOptions struct {
	leaks                                    leaksOptions
	interval, duration, gap                  time.Duration
	callTimeout, idleTimeout                 time.Duration
	snapshots, requests, concurrency, warmup int
	save, drive, maxSnapshot, via            string
	maxSnapshotVal                           int64
	quiet, trackAllocations                  bool
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
	f.BoolVar(&o.trackAllocations, "track-allocations", false, "record where every object is allocated (V8's allocation tracking), so that each finding names the function of yours that allocated it; it slows allocation-heavy code down many times (24x on a loop of small objects) and grows the target's memory (4x there): for test or staging processes")
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
		if err := huntdir.Prepare(o.save); err != nil {
			return inputError(fmt.Errorf("--save: %w", err))
		}
	}
	return nil
}

// lockedWriter serializes writes to w: during a hunt the program's own
// output, heapscope's log lines and the report may all be written at once
// (os.Stdout is safe; a test's buffer is not).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// huntRun is one hunt's command-line side, shared by run and attach.
type huntRun struct {
	cmd    *cobra.Command
	o      *huntOptions
	rep    *progress.Reporter
	stderr io.Writer
	// iterations is the scenario iterations per step (run --scenario).
	iterations int
}

// newHuntRun checks the flags, makes the output writers safe for
// concurrent use and sets up progress.
func newHuntRun(cmd *cobra.Command, o *huntOptions) (*huntRun, error) {
	if err := o.check(cmd); err != nil {
		return nil, err
	}
	cmd.SetOut(&lockedWriter{w: cmd.OutOrStdout()})
	cmd.SetErr(&lockedWriter{w: cmd.ErrOrStderr()})
	h := &huntRun{cmd: cmd, o: o, stderr: cmd.ErrOrStderr()}
	if !o.quiet {
		h.rep = progress.New()
	}
	return h, nil
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

// session is how the hunt's session talks to its process.
func (h *huntRun) session() hunt.SessionOptions {
	return hunt.SessionOptions{CallTimeout: h.o.callTimeout, IdleTimeout: h.o.idleTimeout, Via: h.o.via, Log: h.logf, TrackAllocations: h.o.trackAllocations}
}

// options builds hunt.Options from the flags.
func (h *huntRun) options() hunt.Options {
	o := hunt.Options{
		Interval:         h.o.interval,
		Duration:         h.o.duration,
		Gap:              h.o.gap,
		Snapshots:        h.o.snapshots,
		ForceSnapshots:   h.cmd.Flags().Changed("snapshots"),
		Drive:            h.o.drive,
		Concurrency:      h.o.concurrency,
		Iterations:       h.iterations,
		Warmup:           h.o.warmup,
		SaveDir:          h.o.save,
		MaxSnapshotBytes: h.o.maxSnapshotVal,
		MinGrowth:        h.o.leaks.minGrowth,
		Sources:          sources(h.o.leaks.noSourceMaps),
	}
	if h.rep != nil {
		o.Progress = h.rep
	}
	if h.o.drive != "" {
		o.Iterations = h.o.requests
	}
	return o
}

// signalContext is cancelled by SIGINT, SIGTERM or SIGHUP (a closed
// terminal or SSH session), so that a hunt ends
// cleanly (the program stopped, an attached process detached).
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

// hunt runs the session's hunt, which ends the session, and reports it.
func (h *huntRun) hunt(ctx context.Context, s *hunt.Session) error {
	defer s.Close()
	res, err := s.Hunt(ctx, h.options())
	return h.finish(res, err)
}

// huntReport is the --json output: the leaks JSON (verdict, snapshots,
// findings, minGrowth) plus what the hunt measured.
type huntReport struct {
	*leak.Report
	*hunt.Result
	// Error is set when the hunt failed; Verdict is then "error".
	Error string `json:"error,omitempty"`
}

// finish prints the verdict, or on failure what was measured and the
// error (exit code 2).
func (h *huntRun) finish(res *hunt.Result, huntErr error) error {
	out := h.cmd.OutOrStdout()
	o := h.o.leaks
	r := res.Report
	var werr error
	switch o.format {
	case "json":
		hr := huntReport{Report: r, Result: res}
		if huntErr != nil {
			hr.Report = &leak.Report{Verdict: "error", Snapshots: []leak.SnapshotInfo{}, Findings: []leak.Finding{}, MinGrowth: o.minGrowth}
			hr.Error = huntErr.Error()
		}
		werr = report.WriteJSON(out, hr)
	case "html":
		if huntErr == nil {
			werr = report.WriteLeaksHTML(out, r, res.HeapSamples())
		} else {
			werr = report.WriteHuntText(h.stderr, res.Measurements(), nil)
		}
	default:
		werr = report.WriteHuntText(out, res.Measurements(), r)
	}
	if huntErr != nil {
		return &exitError{code: 2, err: huntErr}
	}
	if werr != nil {
		return werr
	}
	if o.failOnLeak && r.Verdict == "leak" {
		return &exitError{code: 1, err: fmt.Errorf("leak found: %s", report.Headline(r.Findings[0]))}
	}
	if r.Verdict == "inconclusive" {
		return &exitError{code: 3, err: errors.New("inconclusive: too few samples to tell whether the heap grows")}
	}
	if o.failOnLeak && r.Verdict == "growing" {
		return &exitError{code: 1, err: errors.New("the heap grows (no snapshots taken to say what leaks)")}
	}
	return nil
}
