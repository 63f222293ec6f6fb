package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/trend"
)

// Hunt is what a live hunt measured, for WriteHuntText.
type Hunt struct {
	// Mode is "time", or the unit of work that paced the hunt
	// ("iteration", "request").
	Mode string
	// Busy is true when the target's main thread never yielded.
	Busy    bool
	Samples []HuntSample
	// Trend is the fit of used heap against seconds; PerIteration against
	// the units of work (nil outside iteration mode).
	Trend, PerIteration *trend.Fit
	// SkippedSnapshots says why no snapshot was taken, when none was.
	SkippedSnapshots string
}

// HuntSample is one heap-usage sample of a hunt.
type HuntSample struct {
	TimeMillis int64
	UsedBytes  uint64
	// Iterations is the count of units of work so far (iteration mode).
	Iterations *int64
	// Phase is what the hunt was doing ("sampling", "warm-up", "step 2").
	Phase string
}

// maxHuntSamples bounds the samples listed in the text output.
const maxHuntSamples = 24

// WriteHuntText writes a hunt's heap measurements, then its verdict: the
// trend's alone when no snapshot was taken, else the leak report. The
// samples are listed when there are few, or when r is nil (the hunt failed:
// the measurements only), then thinned to about 24 lines.
func WriteHuntText(w io.Writer, h Hunt, r *leak.Report) error {
	ew := &errWriter{w: w}
	n := len(h.Samples)
	if n > 0 {
		first, last := h.Samples[0], h.Samples[n-1]
		ew.printf("Heap after forced GC: %d samples over %.1fs, %s → %s", n, float64(last.TimeMillis-first.TimeMillis)/1000,
			Size(first.UsedBytes), Size(last.UsedBytes))
		if h.Busy {
			ew.printf(" (main thread never yields: gc() and writeHeapSnapshot through Runtime.evaluate)")
		}
		ew.printf("\n")
	} else {
		ew.printf("Heap: no sample taken.\n")
	}
	if f := h.Trend; f != nil && f.N > 0 {
		if strings.Contains(f.Reason, "Mann–Kendall p") {
			// The reason says p already ("grows by … (Mann–Kendall p = …)").
			ew.printf("Trend: %s per second (Theil–Sen): %s\n", signedRate(f.Slope), f.Reason)
		} else {
			ew.printf("Trend: %s per second (Theil–Sen), Mann–Kendall p = %.3g: %s\n", signedRate(f.Slope), f.P, f.Reason)
		}
	}
	if f := h.PerIteration; f != nil && f.N > 0 {
		ew.printf("Per %s: %s (Theil–Sen over %d samples), Mann–Kendall p = %.3g\n", h.Mode, signedRate(f.Slope), f.N, f.P)
	}
	if r == nil || n <= maxHuntSamples {
		step := max(1, (n+maxHuntSamples-1)/maxHuntSamples)
		units := ""
		if h.Mode != "time" {
			units = ", " + h.Mode + "s"
		}
		ew.printf("Samples (time, used heap%s):\n", units)
		for k := 0; k < n; k += step {
			s := h.Samples[k]
			line := fmt.Sprintf("  %7.1fs  %10s", float64(s.TimeMillis)/1000, Size(s.UsedBytes))
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
	if h.SkippedSnapshots != "" && len(r.Snapshots) == 0 {
		skipped := h.SkippedSnapshots
		if f := h.Trend; f != nil && f.Reason != "" {
			// The trend line said why already ("…: no significant upward
			// trend (Mann–Kendall p = …)"); saying it twice repeats p.
			skipped = strings.TrimSuffix(skipped, ": "+f.Reason)
		}
		ew.printf("No snapshot taken: %s.\n", skipped)
		switch r.Verdict {
		case "growing":
			ew.printf("Verdict: the heap GROWS; take snapshots (--snapshots 3) to see what leaks.\n")
		case "inconclusive":
			ew.printf("Verdict: inconclusive: too few samples to tell whether the heap grows. Give a longer --duration, or put load on the program (--drive URL, --scenario FILE).\n")
		default:
			ew.printf("Verdict: no leak. The heap does not grow; give --snapshots N to look at the objects anyway.\n")
		}
		return ew.err
	}
	return WriteLeaksText(w, r)
}

// signedRate is a signed size for a slope: "+0 B" when flat.
func signedRate(v float64) string {
	if v < 0 {
		return "-" + Size(uint64(-v))
	}
	return "+" + Size(uint64(v))
}
