package hunt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/huntdir"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/trend"
)

// Sample is one heap-usage measurement, taken right after a forced full
// collection.
type Sample struct {
	// TimeMillis is the time since the hunt started.
	TimeMillis int64 `json:"timeMillis"`
	// UsedBytes and TotalBytes are V8's used and reserved JavaScript heap.
	UsedBytes  uint64 `json:"usedBytes"`
	TotalBytes uint64 `json:"totalBytes"`
	// Iterations done so far (scenario iterations or HTTP requests), in the
	// modes that count them.
	Iterations *int64 `json:"iterations,omitempty"`
	// Phase is what the hunt was doing: "sampling", "warm-up", "step N".
	Phase string `json:"phase"`
}

// driver makes the target do one unit of work N times: a scenario's action,
// or an HTTP request.
type driver interface {
	// Unit names one unit of work ("iteration", "request").
	Unit() string
	// Run does the work n times.
	Run(ctx context.Context, n int) error
}

// Progress shows a hunt's progress on a terminal; *progress.Reporter is one.
type Progress interface {
	// Reading starts a byte counter for reading what (size -1 if unknown)
	// and returns its update function (nil: none).
	Reading(what string, size int64) func(n int64)
	// Phase reports that a new phase of the work has started.
	Phase(name string)
	// Done ends the last phase.
	Done()
}

// silent is the Progress of a hunt given none.
type silent struct{}

func (silent) Reading(string, int64) func(int64) { return nil }
func (silent) Phase(string)                      {}
func (silent) Done()                             {}

// Options controls Session.Hunt.
type Options struct {
	// Interval between samples and Duration of the sampling window (time
	// mode).
	Interval, Duration time.Duration
	// Gap between snapshots in time mode (0: half of Duration).
	Gap time.Duration
	// Snapshots to take (at least 2 for a verdict; 0 for trend only).
	Snapshots int
	// ForceSnapshots takes them even when the heap does not grow.
	ForceSnapshots bool
	// Drive, if set, is a loopback URL of the target that gets Concurrency
	// GET requests at a time. The hunt is then in iteration mode, as in a
	// session launched with a scenario: Warmup units of work, a snapshot,
	// then Iterations units before each further snapshot, with a sample
	// after every fifth of them.
	Drive       string
	Concurrency int
	Iterations  int
	Warmup      int
	// SaveDir, if set, keeps a copy of every snapshot there, and the heap
	// samples (package huntdir).
	SaveDir string
	// MaxSnapshotBytes bounds each snapshot (0: half of the memory
	// available when it starts; negative: no bound).
	MaxSnapshotBytes int64
	// Criteria decide growth over time; zero means trend.DefaultCriteria.
	Criteria trend.Criteria
	// MinGrowth is the leak analysis' least growth per step
	// (leak.Options.MinGrowth; 0: leak.DefaultMinGrowth).
	MinGrowth int
	// Sources, if set, maps the findings' locations to their original
	// sources (leak.Options.Sources).
	Sources object.SourceMapper
	// Progress, if set, shows progress on a terminal.
	Progress Progress
}

// Result is what a hunt measured, and its verdict. Hunt returns it even
// when it fails, with everything measured until then.
type Result struct {
	// Mode is "time", or the driver's unit ("iteration", "request").
	Mode string `json:"mode"`
	// Busy is true when the main thread was found not yielding.
	Busy bool `json:"busyMainThread"`
	// Samples are the heap-usage samples in order.
	Samples []Sample `json:"samples"`
	// Trend is the fit of used heap against seconds (time mode: over the
	// sampling window that decided; iteration mode: over all samples).
	Trend *trend.Fit `json:"trend,omitempty"`
	// PerIteration is the fit against the iteration count (iteration mode).
	PerIteration *trend.Fit `json:"perIteration,omitempty"`
	// Snapshots describes the snapshots taken.
	Snapshots []SnapshotStats `json:"snapshotsTaken"`
	// SkippedSnapshots says why no snapshot was taken, when none was.
	SkippedSnapshots string `json:"skippedSnapshots,omitempty"`

	// Report is the verdict: the leak analysis of the snapshots when at
	// least two were taken, else the trend's alone ("growing", "no-leak",
	// or "inconclusive" with too few samples to decide; no snapshots, no
	// findings). Nil when the hunt failed.
	Report *leak.Report `json:"-"`
	// VerdictMillis is the time from V8's last snapshot byte to the leak
	// verdict (0 without one).
	VerdictMillis int64 `json:"lastByteToVerdictMillis,omitempty"`
}

// ErrTargetExited is wrapped by Run's error when the target process ended.
var ErrTargetExited = errors.New("the target exited")

// exitedError is how the target ended; it matches ErrTargetExited.
type exitedError struct{ err error }

func (e exitedError) Error() string        { return e.err.Error() }
func (e exitedError) Unwrap() error        { return e.err }
func (e exitedError) Is(target error) bool { return target == ErrTargetExited }

type hunter struct {
	t      *Target
	o      Options
	r      *Result
	series *leak.Series
	driver driver
	log    func(format string, args ...any)
	// exited, if set, is closed when the target process ends; exitErr
	// then says how.
	exited    <-chan struct{}
	howExited func() error
	start     time.Time
	iters     int64
	phase     string // what the hunt is doing, for messages
}

// newHunter prepares a hunt of t.
func newHunter(t *Target, o Options, log func(string, ...any)) *hunter {
	h := &hunter{t: t, o: o, log: log, start: time.Now(),
		r:      &Result{Mode: "time", Samples: []Sample{}, Snapshots: []SnapshotStats{}},
		series: leak.NewSeries(leak.Options{MinGrowth: o.MinGrowth, Sources: o.Sources})}
	if h.o.Interval <= 0 {
		h.o.Interval = time.Second
	}
	if h.o.Criteria == (trend.Criteria{}) {
		h.o.Criteria = trend.DefaultCriteria
	}
	if h.o.Gap <= 0 {
		h.o.Gap = max(h.o.Interval, h.o.Duration/2)
	}
	if h.o.Progress == nil {
		h.o.Progress = silent{}
	}
	return h
}

// run hunts: samples, decides, snapshots. What it measured is in h.r
// whatever the error.
func (h *hunter) run(ctx context.Context) error {
	t := h.t
	// How the target collects and snapshots is settled before the clock
	// starts: the check may take BusyTimeout.
	var err error
	if !t.checked {
		_, err = t.DetectBusy(ctx)
	}
	h.start = time.Now()
	switch {
	case err != nil:
	case h.driver != nil:
		h.r.Mode = h.driver.Unit()
		err = h.iterationMode(ctx)
	default:
		err = h.timeMode(ctx)
	}
	h.r.Busy = t.Busy()
	if err != nil && h.exited != nil {
		// An error is often the first sign of the end: the session drops
		// as the process exits. Then the exit is the news.
		select {
		case <-h.exited:
		case <-time.After(500 * time.Millisecond):
		}
		if ee := h.exitErr(); ee != nil {
			err = ee
			if h.phase != "" {
				err = exitedError{fmt.Errorf("%w, during %s", ee, h.phase)}
			}
		}
	}
	return err
}

// verdict analyses the snapshots of a hunt that ended with err (the
// session already closed, so that the target no longer competes for the
// processor), saves the heap samples with the snapshots, and settles
// h.r.Report. It returns err, or the analysis' error.
func (h *hunter) verdict(err error) error {
	if err == nil && h.series.Len() >= 2 {
		h.o.Progress.Phase("looking for leaks")
		start := time.Now()
		r, aerr := h.series.Report()
		analysis := time.Since(start).Milliseconds()
		h.o.Progress.Done()
		if aerr != nil {
			err = aerr
		} else {
			// What is left after V8's last byte: the parse's tail, the last
			// graph's analysis and the verdict (not the time spent ending
			// the session).
			last := h.r.Snapshots[len(h.r.Snapshots)-1]
			h.r.VerdictMillis = last.ParseMillis + last.AnalyzeMillis + analysis
			h.r.Report = r
			h.logf("verdict %q %dms after V8's last byte (parse tail %dms, graph %dms, leak analysis %dms)",
				r.Verdict, h.r.VerdictMillis, last.ParseMillis, last.AnalyzeMillis, analysis)
		}
	}
	h.series = nil // let the collector have the graphs
	if h.o.SaveDir != "" {
		// With the snapshots, the heap curve, so that "heapscope serve DIR"
		// can show the whole hunt.
		if werr := huntdir.WriteSamples(h.o.SaveDir, h.r.HeapCurve()); werr != nil {
			h.logf("could not save the heap samples: %v", werr)
		}
	}
	if err == nil && h.r.Report == nil {
		// No snapshots: the trend is the whole verdict, and too few
		// samples decide nothing.
		v := "no-leak"
		decider := h.r.Trend
		if h.r.PerIteration != nil {
			decider = h.r.PerIteration
		}
		switch {
		case decider != nil && decider.Growing:
			v = "growing"
		case decider == nil || decider.Insufficient:
			v = "inconclusive"
		}
		minGrowth := h.o.MinGrowth
		if minGrowth <= 0 {
			minGrowth = leak.DefaultMinGrowth
		}
		h.r.Report = &leak.Report{Verdict: v, Snapshots: []leak.SnapshotInfo{}, Findings: []leak.Finding{}, MinGrowth: minGrowth}
	}
	return err
}

// HeapSamples is the heap curve of the samples, for the HTML report and
// the saved hunt.
func (r *Result) HeapSamples() []report.HeapSample {
	out := make([]report.HeapSample, len(r.Samples))
	for k, s := range r.Samples {
		out[k] = report.HeapSample{TimeMillis: s.TimeMillis, UsedBytes: s.UsedBytes}
	}
	return out
}

// HeapCurve is the heap curve of the samples with the times the snapshots
// were taken, for the saved hunt.
func (r *Result) HeapCurve() report.HeapCurve {
	c := report.HeapCurve{Samples: r.HeapSamples()}
	for _, st := range r.Snapshots {
		c.SnapshotTimes = append(c.SnapshotTimes, st.AtMillis)
	}
	return c
}

// Measurements is what the hunt measured, for report.WriteHuntText.
func (r *Result) Measurements() report.Hunt {
	m := report.Hunt{Mode: r.Mode, Busy: r.Busy, Trend: r.Trend, PerIteration: r.PerIteration,
		SkippedSnapshots: r.SkippedSnapshots, Samples: make([]report.HuntSample, len(r.Samples))}
	for k, s := range r.Samples {
		m.Samples[k] = report.HuntSample{TimeMillis: s.TimeMillis, UsedBytes: s.UsedBytes, Iterations: s.Iterations, Phase: s.Phase}
	}
	return m
}

func (h *hunter) logf(format string, args ...any) {
	if h.log != nil {
		h.log(format, args...)
	}
}

// exitErr returns the target's exit as an error once it has exited.
func (h *hunter) exitErr() error {
	if h.exited == nil {
		return nil
	}
	select {
	case <-h.exited:
		if h.howExited != nil {
			if err := h.howExited(); err != nil {
				return exitedError{err}
			}
		}
		return ErrTargetExited
	default:
		return nil
	}
}

// sample forces a collection and records the heap usage.
func (h *hunter) sample(ctx context.Context, phase string) error {
	if err := h.exitErr(); err != nil {
		return err
	}
	h.phase = phase
	if err := h.t.GC(ctx); err != nil {
		return fmt.Errorf("force a collection: %w", err)
	}
	u, err := h.t.Usage(ctx)
	if err != nil {
		return fmt.Errorf("read heap usage: %w", err)
	}
	s := Sample{TimeMillis: time.Since(h.start).Milliseconds(), UsedBytes: uint64(u.UsedSize), TotalBytes: uint64(u.TotalSize), Phase: phase}
	if h.driver != nil {
		n := h.iters
		s.Iterations = &n
	}
	h.r.Samples = append(h.r.Samples, s)
	h.o.Progress.Phase(fmt.Sprintf("%s: heap %s after GC (%d samples)", phase, humanize.IBytes(s.UsedBytes), len(h.r.Samples)))
	return nil
}

// sampleFor samples every Interval for d, the first sample at once.
func (h *hunter) sampleFor(ctx context.Context, d time.Duration, phase string) error {
	end := time.Now().Add(d)
	for {
		next := time.Now().Add(h.o.Interval)
		if err := h.sample(ctx, phase); err != nil {
			return err
		}
		if next.After(end) {
			return nil
		}
		if err := h.wait(ctx, time.Until(next)); err != nil {
			return err
		}
	}
}

func (h *hunter) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-h.exited:
		return h.exitErr()
	case <-h.t.C.Done():
		return fmt.Errorf("inspector: %w", h.t.C.Err())
	case <-timer.C:
		return nil
	}
}

func (h *hunter) fit(phaseFilter func(Sample) bool, x func(Sample) float64, c trend.Criteria) *trend.Fit {
	var xs, ys []float64
	for _, s := range h.r.Samples {
		if phaseFilter(s) {
			xs = append(xs, x(s))
			ys = append(ys, float64(s.UsedBytes))
		}
	}
	f := trend.Analyze(xs, ys, c)
	return &f
}

func (h *hunter) timeMode(ctx context.Context) error {
	h.logf("sampling the heap every %s for %s", h.o.Interval, h.o.Duration)
	if err := h.sampleFor(ctx, h.o.Duration, "sampling"); err != nil {
		return err
	}
	h.r.Trend = h.fit(func(s Sample) bool { return s.Phase == "sampling" }, seconds, h.o.Criteria)
	h.logf("heap trend: %s/s (%s)", signedBytes(h.r.Trend.Slope), h.r.Trend.Reason)
	if h.o.Snapshots < 2 {
		h.r.SkippedSnapshots = "no snapshots asked for (--snapshots 0)"
		return nil
	}
	if !h.r.Trend.Growing && !h.o.ForceSnapshots {
		h.r.SkippedSnapshots = "the heap does not grow: " + h.r.Trend.Reason
		if h.r.Trend.Insufficient {
			h.r.SkippedSnapshots = "too few samples to decide: " + h.r.Trend.Reason
		}
		return nil
	}
	for k := 1; k <= h.o.Snapshots; k++ {
		if err := h.snapshot(ctx, k); err != nil {
			return err
		}
		if k < h.o.Snapshots {
			if err := h.sampleFor(ctx, h.o.Gap, fmt.Sprintf("after snapshot %d", k)); err != nil {
				return err
			}
		}
	}
	return nil
}

func seconds(s Sample) float64 { return float64(s.TimeMillis) / 1000 }

func (h *hunter) iterationMode(ctx context.Context) error {
	unit := h.driver.Unit()
	n := max(h.o.Snapshots, 2)
	take := h.o.Snapshots >= 2
	if !take {
		h.r.SkippedSnapshots = "no snapshots asked for (--snapshots 0)"
	}
	if h.o.Warmup > 0 {
		h.logf("warm-up: %d %ss", h.o.Warmup, unit)
		if err := h.drive(ctx, h.o.Warmup); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	h.iters = 0
	if err := h.sample(ctx, "warm-up"); err != nil {
		return err
	}
	batches := min(5, max(1, h.o.Iterations))
	for k := 1; k <= n; k++ {
		if take {
			if err := h.snapshot(ctx, k); err != nil {
				return err
			}
		}
		if k == n {
			break
		}
		h.logf("step %d: %d %ss", k, h.o.Iterations, unit)
		done := 0
		for b := range batches {
			m := h.o.Iterations*(b+1)/batches - done
			if err := h.drive(ctx, m); err != nil {
				return fmt.Errorf("step %d: %w", k, err)
			}
			done += m
			h.iters += int64(m)
			if err := h.sample(ctx, fmt.Sprintf("step %d", k)); err != nil {
				return err
			}
		}
	}
	all := func(Sample) bool { return true }
	perIter := h.o.Criteria
	perIter.MinGrowthBytes, perIter.MinGrowthFraction = 0, 0
	h.r.PerIteration = h.fit(all, func(s Sample) float64 { return float64(*s.Iterations) }, perIter)
	h.r.Trend = h.fit(all, seconds, perIter)
	h.logf("heap trend: %s per %s, %s/s", signedBytes(h.r.PerIteration.Slope), unit, signedBytes(h.r.Trend.Slope))
	return nil
}

func (h *hunter) drive(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	h.phase = fmt.Sprintf("%d %ss", n, h.driver.Unit())
	errc := make(chan error, 1)
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { errc <- panicerr.Call("hunt: the driver", func() error { return h.driver.Run(dctx, n) }) }()
	select {
	case err := <-errc:
		return err
	case <-h.exited:
		cancel()
		return h.exitErr()
	}
}

// snapshot takes snapshot k of the series.
func (h *hunter) snapshot(ctx context.Context, k int) error {
	if err := h.exitErr(); err != nil {
		return err
	}
	label := fmt.Sprintf("snapshot %d of %d", k, max(h.o.Snapshots, 2))
	opt := SnapshotOptions{Label: label, Progress: h.o.Progress, MaxBytes: h.o.MaxSnapshotBytes}
	if opt.MaxBytes == 0 {
		if avail, ok := memAvailable(); ok {
			opt.MaxBytes, opt.AutoLimit = int64(avail/2), true
		}
	} else if opt.MaxBytes < 0 {
		opt.MaxBytes = 0
	}
	name := fmt.Sprintf("live:pid%d:%d@%.1fs", h.t.PID, k, time.Since(h.start).Seconds())
	if h.o.SaveDir != "" {
		opt.SavePath = huntdir.SnapshotPath(h.o.SaveDir, h.t.PID, h.start, k)
		name = opt.SavePath
	}
	h.logf("%s…", label)
	h.phase = label
	at := time.Since(h.start).Milliseconds()
	g, st, err := h.t.Snapshot(ctx, opt)
	if err != nil {
		return err
	}
	st.AtMillis = at
	h.r.Snapshots = append(h.r.Snapshots, st)
	// An earlier snapshot is reduced in the background while the hunt
	// goes on, and let go: one full graph at a time, and the reduction is
	// done long before the verdict.
	if k < max(h.o.Snapshots, 2) {
		h.series.AddEarlier(name, g)
	} else {
		h.series.Add(name, g)
	}
	saved := ""
	if st.Saved != "" {
		saved = ", saved to " + st.Saved
	}
	h.logf("%s: %s, %s nodes, via %s in %.1fs (parse done %dms after the last byte, analysis %dms)%s",
		label, humanize.IBytes(uint64(st.Bytes)), humanize.Comma(int64(st.Nodes)), st.Method,
		float64(st.TookMillis)/1000, st.ParseMillis, st.AnalyzeMillis, saved)
	return nil
}

func signedBytes(v float64) string {
	if v < 0 {
		return "-" + humanize.IBytes(uint64(-v))
	}
	return "+" + humanize.IBytes(uint64(v))
}

// memAvailable reads MemAvailable from /proc/meminfo.
func memAvailable() (uint64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil {
				return kb << 10, true
			}
		}
	}
	return 0, false
}
