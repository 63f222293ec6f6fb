// Package trend decides whether a series of heap-usage samples really grows,
// in a way that the noise of garbage collection cannot fool: the slope is the
// Theil–Sen estimator (the median of the slopes between every pair of
// samples, which ignores up to 29% of wild samples), and the decision is the
// Mann–Kendall test for a monotonic upward trend (a rank test: it asks
// whether later samples are larger than earlier ones more often than chance,
// not by how much), together with a least growth over the whole window so
// that a statistically certain but negligible drift (a few kilobytes of code
// caches warming up) is not called a leak.
//
// The x values are seconds (slope in bytes per second) or iterations of a
// scenario (bytes per iteration).
package trend

import (
	"fmt"
	"math"
	"slices"

	"github.com/dustin/go-humanize"
)

// Criteria decides when a fit counts as growth.
type Criteria struct {
	// Alpha is the significance level of the one-sided Mann–Kendall test.
	Alpha float64
	// MinGrowthBytes is the least growth, by the fitted line over the span
	// of x, that counts.
	MinGrowthBytes float64
	// MinGrowthFraction is the least growth as a fraction of the median
	// sample; the larger of the two bounds applies.
	MinGrowthFraction float64
	// MinSamples is the least number of samples to decide anything.
	MinSamples int
}

// DefaultCriteria: 1% significance, at least 1 MiB and 2% of the heap over
// the window, at least 5 samples (with fewer, even a perfectly rising series
// is not significant at 1%).
var DefaultCriteria = Criteria{Alpha: 0.01, MinGrowthBytes: 1 << 20, MinGrowthFraction: 0.02, MinSamples: 5}

// Fit is the trend of one series.
type Fit struct {
	// N is the number of samples.
	N int `json:"n"`
	// Slope is the Theil–Sen slope in bytes per unit of x; Intercept the
	// line's value at x = 0.
	Slope     float64 `json:"slope"`
	Intercept float64 `json:"intercept"`
	// Growth is Slope times the span of x: what the line gains over the
	// window.
	Growth float64 `json:"growth"`
	// S is the Mann–Kendall statistic, Tau Kendall's tau (S over the number
	// of pairs), Z the normal score and P the one-sided p-value for an
	// upward trend (exact when the series has no ties and at most 50
	// samples).
	S   int     `json:"s"`
	Tau float64 `json:"tau"`
	Z   float64 `json:"z"`
	P   float64 `json:"p"`
	// Growing is the decision; Reason says why, in one phrase.
	Growing bool   `json:"growing"`
	Reason  string `json:"reason"`
	// Insufficient is set when there were too few samples to decide
	// either way.
	Insufficient bool `json:"insufficient,omitempty"`
}

// Analyze fits ys against xs (same length, xs increasing) and decides.
func Analyze(xs, ys []float64, c Criteria) Fit {
	n := min(len(xs), len(ys))
	xs, ys = xs[:n], ys[:n]
	f := Fit{N: n}
	if c.MinSamples < 3 {
		c.MinSamples = 3
	}
	if n < c.MinSamples {
		f.P, f.Insufficient = 1, true
		f.Reason = fmt.Sprintf("%d samples, need %d", n, c.MinSamples)
		return f
	}
	f.Slope, f.Intercept = TheilSen(xs, ys)
	f.S, f.Z, f.P = MannKendall(ys)
	f.Tau = float64(f.S) / float64(n*(n-1)/2)
	f.Growth = f.Slope * (xs[n-1] - xs[0])
	need := max(c.MinGrowthBytes, c.MinGrowthFraction*median(slices.Clone(ys)))
	switch {
	case f.P >= c.Alpha:
		f.Reason = fmt.Sprintf("no significant upward trend (Mann–Kendall p = %.3g ≥ %g)", f.P, c.Alpha)
	case f.Growth < need:
		f.Reason = fmt.Sprintf("significant but small: %s over the window, need %s", size(f.Growth), size(need))
	default:
		f.Growing = true
		f.Reason = fmt.Sprintf("grows by %s over the window (Mann–Kendall p = %.3g)", size(f.Growth), f.P)
	}
	return f
}

// size says a number of bytes as heapscope's reports do (report.Size:
// "8.2 MiB"), with a sign when negative.
func size(b float64) string {
	if b < 0 {
		return "-" + humanize.IBytes(uint64(math.Round(-b)))
	}
	return humanize.IBytes(uint64(math.Round(b)))
}

// maxPairs bounds the work of TheilSen: longer series are thinned evenly.
const maxPairs = 2_000_000

// TheilSen returns the median of the slopes between all pairs of points with
// distinct x, and the median of y - slope·x as the intercept.
func TheilSen(xs, ys []float64) (slope, intercept float64) {
	n := min(len(xs), len(ys))
	step := 1
	for (n/step)*(n/step-1)/2 > maxPairs {
		step++
	}
	var slopes []float64
	for i := 0; i < n; i += step {
		for j := i + step; j < n; j += step {
			if dx := xs[j] - xs[i]; dx != 0 {
				slopes = append(slopes, (ys[j]-ys[i])/dx)
			}
		}
	}
	if len(slopes) == 0 {
		return 0, median(slices.Clone(ys[:n]))
	}
	slope = median(slopes)
	res := make([]float64, n)
	for i := range n {
		res[i] = ys[i] - slope*xs[i]
	}
	return slope, median(res)
}

// MannKendall returns the Mann–Kendall statistic S of ys (pairs in order
// minus pairs out of order), its normal score Z (continuity-corrected, with
// the variance corrected for ties) and the one-sided p-value of an upward
// trend. Without ties and with at most 50 samples p is exact, from the
// distribution of inversions of a random permutation.
func MannKendall(ys []float64) (s int, z, p float64) {
	n := len(ys)
	if n < 2 {
		return 0, 0, 1
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			switch {
			case ys[j] > ys[i]:
				s++
			case ys[j] < ys[i]:
				s--
			}
		}
	}
	// Variance with the tie correction.
	sorted := slices.Clone(ys)
	slices.Sort(sorted)
	tieTerm := 0.0
	ties := false
	for i := 0; i < n; {
		j := i
		for j < n && sorted[j] == sorted[i] {
			j++
		}
		if t := float64(j - i); t > 1 {
			ties = true
			tieTerm += t * (t - 1) * (2*t + 5)
		}
		i = j
	}
	fn := float64(n)
	v := (fn*(fn-1)*(2*fn+5) - tieTerm) / 18
	if v > 0 {
		switch {
		case s > 0:
			z = float64(s-1) / math.Sqrt(v)
		case s < 0:
			z = float64(s+1) / math.Sqrt(v)
		}
	}
	if !ties && n <= 50 {
		return s, z, exactUpper(n, s)
	}
	return s, z, 0.5 * math.Erfc(z/math.Sqrt2)
}

// exactUpper is P(S ≥ s) for n distinct values in random order. S is
// pairs − 2·inversions, and the number of permutations of n with k
// inversions is the Mahonian number M(n, k).
func exactUpper(n, s int) float64 {
	pairs := n * (n - 1) / 2
	// S ≥ s  ⇔  inversions ≤ (pairs − s) / 2.
	if s > pairs {
		return 0
	}
	kmax := (pairs - s) / 2
	if kmax < 0 {
		return 0
	}
	// Mahonian numbers as float64 (n ≤ 50: n! fits within float64 range).
	row := []float64{1}
	for m := 2; m <= n; m++ {
		next := make([]float64, len(row)+m-1)
		// next[k] = Σ_{i=0}^{m-1} row[k-i], with a running window sum.
		sum := 0.0
		for k := range next {
			if k < len(row) {
				sum += row[k]
			}
			if k-m >= 0 && k-m < len(row) {
				sum -= row[k-m]
			}
			next[k] = sum
		}
		row = next
	}
	total, below := 0.0, 0.0
	for k, c := range row {
		total += c
		if k <= kmax {
			below += c
		}
	}
	return below / total
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	m := len(v) / 2
	if len(v)%2 == 1 {
		return v[m]
	}
	return (v[m-1] + v[m]) / 2
}
