package trend

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// All series in these tests are synthetic, made here to model what forced-GC
// heap samples look like: a base, a slope, noise from objects in flight and
// from collections that did not finish, and occasional wild samples.

func seconds(n int, step float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i) * step
	}
	return xs
}

func TestLeakUnderGCNoise(t *testing.T) {
	// Synthetic: 40 MB base, a leak of 200 KB/s, ±3 MB uniform noise and
	// every seventh sample 15 MB high (a collection that left garbage).
	rng := rand.New(rand.NewPCG(1, 2))
	xs := seconds(30, 1)
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = 40e6 + 200e3*x + (rng.Float64()*6e6 - 3e6)
		if i%7 == 3 {
			ys[i] += 15e6
		}
	}
	f := Analyze(xs, ys, DefaultCriteria)
	if !f.Growing {
		t.Fatalf("not growing: %+v", f)
	}
	if math.Abs(f.Slope-200e3) > 60e3 {
		t.Errorf("slope %.0f B/s, want about 200000", f.Slope)
	}
}

func TestFlatUnderGCNoiseIsNoLeak(t *testing.T) {
	// Synthetic: a flat 40 MB heap with ±4 MB noise and spikes.
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		xs := seconds(40, 0.5)
		ys := make([]float64, len(xs))
		for i := range xs {
			ys[i] = 40e6 + (rng.Float64()*8e6 - 4e6)
			if rng.IntN(6) == 0 {
				ys[i] += 20e6
			}
		}
		if f := Analyze(xs, ys, DefaultCriteria); f.Growing {
			t.Errorf("seed %d: flat noisy series called growing: %+v", seed, f)
		}
	}
}

func TestSmallDriftIsNotALeak(t *testing.T) {
	// Synthetic: a perfectly monotonic rise of 100 KB in total (code caches
	// warming up): significant, but below the least growth.
	xs := seconds(20, 1)
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = 30e6 + 5e3*x
	}
	f := Analyze(xs, ys, DefaultCriteria)
	if f.Growing || f.P >= 0.01 {
		t.Errorf("small drift: %+v", f)
	}
}

func TestPerIteration(t *testing.T) {
	// Synthetic: samples after every 100 iterations of a scenario leaking
	// 1 KB per iteration, with ±50 KB noise.
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, 12)
	ys := make([]float64, 12)
	for i := range xs {
		xs[i] = float64(i * 100)
		ys[i] = 8e6 + 1024*xs[i] + rng.Float64()*100e3 - 50e3
	}
	f := Analyze(xs, ys, Criteria{Alpha: 0.01, MinGrowthBytes: 256 << 10, MinSamples: 5})
	if !f.Growing || math.Abs(f.Slope-1024) > 150 {
		t.Errorf("per-iteration fit: %+v", f)
	}
}

func TestTheilSenIgnoresOutliers(t *testing.T) {
	// Synthetic: an exact line y = 3x + 10 with a fifth of the points wild.
	xs := seconds(50, 1)
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = 3*x + 10
		if i%5 == 0 {
			ys[i] = 1e9
		}
	}
	slope, icpt := TheilSen(xs, ys)
	if math.Abs(slope-3) > 1e-9 || math.Abs(icpt-10) > 1e-9 {
		t.Errorf("slope %v intercept %v, want 3 and 10", slope, icpt)
	}
}

func TestMannKendallExactAndTies(t *testing.T) {
	// Five increasing values: S = 10, and only 1 of 120 orders reaches it.
	s, _, p := MannKendall([]float64{1, 2, 3, 4, 5})
	if s != 10 || math.Abs(p-1.0/120) > 1e-12 {
		t.Errorf("S %d p %v, want 10 and 1/120", s, p)
	}
	// Decreasing: p = 1.
	if _, _, p := MannKendall([]float64{5, 4, 3, 2, 1}); math.Abs(p-1) > 1e-12 {
		t.Errorf("decreasing p %v, want 1", p)
	}
	// Constant: all ties, S = 0, no evidence.
	if s, _, p := MannKendall([]float64{7, 7, 7, 7, 7, 7}); s != 0 || p < 0.5 {
		t.Errorf("constant: S %d p %v", s, p)
	}
	// The exact distribution is symmetric and sums to one.
	if p := exactUpper(6, -15); math.Abs(p-1) > 1e-12 {
		t.Errorf("P(S ≥ -15) for n=6 = %v, want 1", p)
	}
	// Large n uses the normal approximation and still sees a clear trend.
	ys := make([]float64, 200)
	for i := range ys {
		ys[i] = float64(i % 50 * i)
	}
	if _, z, p := MannKendall(ys); z <= 0 || p > 1e-6 {
		t.Errorf("n=200: z %v p %v", z, p)
	}
}

func TestTooFewSamples(t *testing.T) {
	f := Analyze([]float64{0, 1, 2}, []float64{1, 2, 3}, DefaultCriteria)
	if f.Growing || f.N != 3 || f.P != 1 {
		t.Errorf("%+v", f)
	}
}

// TestReasonInHumanUnits: the reason says sizes as the rest of heapscope
// does ("8.2 MiB", not "8548211 bytes"), and Mann–Kendall's p at most once.
func TestReasonInHumanUnits(t *testing.T) {
	xs := seconds(10, 1)
	grow, small := make([]float64, len(xs)), make([]float64, len(xs))
	for i, x := range xs {
		grow[i] = 40e6 + 900e3*x // 8.1 MB over the window
		small[i] = 40e6 + 10e3*x // 90 kB, below 1 MiB
	}
	for _, c := range []struct {
		ys   []float64
		want string
	}{
		{grow, "grows by 7.7 MiB over the window (Mann–Kendall p = "},
		{small, "significant but small: 88 KiB over the window, need 1.0 MiB"},
		{seconds(10, 0), "no significant upward trend (Mann–Kendall p = "},
	} {
		f := Analyze(xs, c.ys, DefaultCriteria)
		if !strings.HasPrefix(f.Reason, c.want) || strings.Contains(f.Reason, "bytes") || strings.Count(f.Reason, " p = ") > 1 {
			t.Errorf("reason %q, want %q…", f.Reason, c.want)
		}
	}
}
