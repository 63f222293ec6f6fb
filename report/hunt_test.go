package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/trend"
)

func huntModel(n int, mode string) Hunt {
	h := Hunt{Mode: mode, SkippedSnapshots: "no snapshots asked for (--snapshots 0)",
		Trend: &trend.Fit{N: n, Slope: 1 << 20, P: 0.0001, Growing: true, Reason: "grows 1.0 MiB/s"}}
	for k := range n {
		s := HuntSample{TimeMillis: int64(500 * k), UsedBytes: uint64(10+k) << 20, Phase: "sampling"}
		if mode != "time" {
			it := int64(10 * k)
			s.Iterations, s.Phase = &it, "step 1"
		}
		h.Samples = append(h.Samples, s)
	}
	return h
}

// The trend-only verdict: the measurements, every sample, and what to do.
func TestWriteHuntTextTrendOnly(t *testing.T) {
	var b bytes.Buffer
	r := &leak.Report{Verdict: "growing", Snapshots: []leak.SnapshotInfo{}, Findings: []leak.Finding{}, MinGrowth: 10}
	if err := WriteHuntText(&b, huntModel(3, "time"), r); err != nil {
		t.Fatal(err)
	}
	want := `Heap after forced GC: 3 samples over 1.0s, 10 MiB → 12 MiB
Trend: +1.0 MiB per second (Theil–Sen), Mann–Kendall p = 0.0001: grows 1.0 MiB/s
Samples (time, used heap):
      0.0s      10 MiB  sampling
      0.5s      11 MiB  sampling
      1.0s      12 MiB  sampling

No snapshot taken: no snapshots asked for (--snapshots 0).
Verdict: the heap GROWS; take snapshots (--snapshots 3) to see what leaks.
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// A failed hunt (no report) lists its samples even when there are many,
// thinned, with the unit of work in iteration mode.
func TestWriteHuntTextFailed(t *testing.T) {
	var b bytes.Buffer
	h := huntModel(30, "iteration")
	h.PerIteration = &trend.Fit{N: 30, Slope: 800, P: 0.01}
	if err := WriteHuntText(&b, h, nil); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"Per iteration: +800 B (Theil–Sen over 30 samples), Mann–Kendall p = 0.01\n",
		"Samples (time, used heap, iterations):\n",
		"      1.0s      12 MiB        20  step 1\n",
		"  (every 2th of 30 samples; --json lists all)\n\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Verdict") || strings.Contains(got, "      0.5s") {
		t.Errorf("verdict or unthinned samples in:\n%s", got)
	}
}

// A trend whose reason states Mann–Kendall's p already prints it once (the
// hunt printed "p = 8.22e-18: grows by … (Mann–Kendall p = 8.22e-18)").
func TestWriteHuntTextTrendPOnce(t *testing.T) {
	h := huntModel(3, "time")
	h.Trend.Reason = fmt.Sprintf("grows by 8548211 bytes over the window (Mann–Kendall p = %.3g)", h.Trend.P)
	var b bytes.Buffer
	r := &leak.Report{Verdict: "growing", Snapshots: []leak.SnapshotInfo{}, Findings: []leak.Finding{}, MinGrowth: 10}
	if err := WriteHuntText(&b, h, r); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "Mann–Kendall p"); n != 1 {
		t.Errorf("p printed %d times:\n%s", n, b.String())
	}
}

// TestWriteHuntTextRealTrend: with the trend package's own reasons, the
// trend line says sizes in human units, and the whole text says p once
// (the hunt's "no snapshot taken" repeats the reason the trend line gave).
func TestWriteHuntTextRealTrend(t *testing.T) {
	for _, slope := range []float64{0, 900e3} {
		h := huntModel(10, "time")
		xs, ys := make([]float64, 10), make([]float64, 10)
		for k := range xs {
			xs[k], ys[k] = float64(k)/2, 40e6+slope*float64(k)/2+float64(k%3)*1e3
		}
		f := trend.Analyze(xs, ys, trend.DefaultCriteria)
		h.Trend = &f
		r := &leak.Report{Verdict: "no-leak", Snapshots: []leak.SnapshotInfo{}, Findings: []leak.Finding{}, MinGrowth: 10}
		if f.Growing {
			r.Verdict = "growing"
		} else {
			h.SkippedSnapshots = "the heap does not grow: " + f.Reason
		}
		var b bytes.Buffer
		if err := WriteHuntText(&b, h, r); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		var line string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "Trend: ") {
				line = l
			}
		}
		if strings.Contains(line, "bytes") || strings.Count(out, "Mann–Kendall p") != 1 || !strings.Contains(line, "Mann–Kendall p") {
			t.Errorf("slope %g: trend line %q in:\n%s", slope, line, out)
		}
		if f.Growing && !strings.Contains(line, "grows by 3.9 MiB over the window") {
			t.Errorf("growth not in human units: %q", line)
		}
		if !f.Growing && !strings.Contains(out, "No snapshot taken: the heap does not grow.\n") {
			t.Errorf("no snapshot line:\n%s", out)
		}
	}
}
