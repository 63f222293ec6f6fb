package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/nodetest"
)

// The reproduction program of the createServer leak, verbatim: a
// synchronous loop that never yields and calls global.gc().
func TestRunReproductionLoop(t *testing.T) {
	loop := filepath.Join(liveDir, "createserver-loop.js")
	t.Run("20.3.1 leaks Server through the timer list", func(t *testing.T) {
		node := nodetest.Node(t, "20.3.1")
		// With allocation tracking, the verdict names the user's function.
		out, errOut, err := runCLIAll(t, "run", "--json", "--fail-on-leak", "--track-allocations", "--duration", "2s", "--interval", "200ms", "--gap", "300ms", "--", node, loop)
		if code := exitCode(err); code != 1 {
			t.Fatalf("exit %d (%v), want 1 (leak with --fail-on-leak); stderr:\n%s", code, err, errOut)
		}
		r := decodeHunt(t, out, errOut)
		if r.Verdict != "leak" || len(r.Findings) == 0 || r.Findings[0].Class != "Server" {
			t.Fatalf("verdict %q findings %+v", r.Verdict, r.Findings)
		}
		chain := pathClasses(r.Findings[0])
		if !strings.Contains(chain, "TimersList → Timeout") || !strings.HasSuffix(chain, "Server") || r.Findings[0].AccumulationPoint.Class != "TimersList" {
			t.Errorf("chain %s, accumulation point %s", chain, r.Findings[0].AccumulationPoint.Class)
		}
		if !r.Busy || r.Trend == nil || !r.Trend.Growing || r.Trend.Slope <= 0 || len(r.Samples) < 5 {
			t.Errorf("busy %v trend %+v samples %d", r.Busy, r.Trend, len(r.Samples))
		}
		if len(r.SnapshotsTaken) != 3 || r.SnapshotsTaken[0].Method != "v8.writeHeapSnapshot (FIFO)" {
			t.Errorf("snapshots %+v", r.SnapshotsTaken)
		}
		if !strings.Contains(errOut, "starting it with --expose-gc") || strings.Contains(errOut, "Debugger listening") {
			t.Errorf("stderr:\n%s", errOut)
		}
		var where struct {
			Findings []struct {
				Locations []struct {
					Role    string `json:"role"`
					FixSite bool   `json:"fixSite"`
					Name    string `json:"name"`
					Script  string `json:"script"`
				} `json:"locations"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &where); err != nil || len(where.Findings) == 0 || len(where.Findings[0].Locations) == 0 {
			t.Fatalf("locations: %v\n%s", err, out)
		}
		abs, _ := filepath.Abs(loop)
		if l := where.Findings[0].Locations[0]; l.Role != "allocation" || !l.FixSite || l.Name != "main" || l.Script != abs {
			t.Errorf("first location %+v, want the fix site: allocation main %s", l, abs)
		}
	})
	t.Run("20.20.2 no finding", func(t *testing.T) {
		node := nodetest.Node(t, "20.20.2")
		out, errOut, err := runCLIAll(t, "run", "--json", "--fail-on-leak", "--snapshots", "3", "--duration", "1500ms", "--interval", "250ms", "--gap", "300ms", "--", node, loop)
		if err != nil {
			t.Fatalf("%v; stderr:\n%s", err, errOut)
		}
		r := decodeHunt(t, out, errOut)
		if r.Verdict != "no-leak" || len(r.Findings) != 0 || len(r.SnapshotsTaken) != 3 || !r.Busy {
			t.Fatalf("verdict %q, %d findings, %d snapshots, busy %v", r.Verdict, len(r.Findings), len(r.SnapshotsTaken), r.Busy)
		}
	})
}

func TestRunScenario(t *testing.T) {
	scenario := filepath.Join(liveDir, "createserver-scenario.js")
	t.Run("20.3.1", func(t *testing.T) {
		node := nodetest.Node(t, "20.3.1")
		out, errOut, err := runCLIAll(t, "run", "--json", "--fail-on-leak", "--scenario", scenario, "--iterations", "100", "--node", node)
		if exitCode(err) != 1 {
			t.Fatalf("exit %d (%v); stderr:\n%s", exitCode(err), err, errOut)
		}
		r := decodeHunt(t, out, errOut)
		if r.Verdict != "leak" || r.Findings[0].Class != "Server" || r.Mode != "iteration" {
			t.Fatalf("verdict %q mode %q findings %+v", r.Verdict, r.Mode, r.Findings)
		}
		if g := r.Findings[0].CountGrowth; len(g) != 2 || g[0] != 100 || g[1] != 100 {
			t.Errorf("count growth %v, want [100 100]", g)
		}
		if !strings.Contains(pathClasses(r.Findings[0]), "TimersList → Timeout") {
			t.Errorf("chain %s", pathClasses(r.Findings[0]))
		}
		// About 800 bytes per leaked Server and its timer.
		if r.PerIteration == nil || r.PerIteration.Slope < 200 || r.PerIteration.Slope > 4000 {
			t.Errorf("per iteration %+v", r.PerIteration)
		}
		if r.Busy || r.SnapshotsTaken[0].Method != "HeapProfiler.takeHeapSnapshot" {
			t.Errorf("busy %v, snapshots %+v", r.Busy, r.SnapshotsTaken)
		}
	})
	t.Run("20.20.2", func(t *testing.T) {
		node := nodetest.Node(t, "20.20.2")
		out, errOut, err := runCLIAll(t, "run", "--scenario", scenario, "--iterations", "100", "--fail-on-leak", "--", node)
		if err != nil {
			t.Fatalf("%v; stderr:\n%s", err, errOut)
		}
		if !strings.Contains(out, "Verdict: no leak") || !strings.Contains(out, "Per iteration:") {
			t.Errorf("output:\n%s", out)
		}
	})
}

// An ES module scenario with async functions and a context from setup.
func TestRunScenarioESMAsync(t *testing.T) {
	node := nodetest.Node(t, "20.20.2")
	scenario := filepath.Join(t.TempDir(), "sessions.mjs")
	src := `class Session { constructor (id) { this.id = id; this.token = 'tok-' + id } }
export async function setup () { return { sessions: new Map(), closed: 0 } }
export async function action (ctx) {
  await new Promise((resolve) => setTimeout(resolve, 0))
  ctx.sessions.set(ctx.sessions.size, new Session(ctx.sessions.size))
}
export async function cleanup (ctx) { ctx.closed++ }
`
	if err := os.WriteFile(scenario, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCLIAll(t, "run", "--json", "--scenario", scenario, "--iterations", "50", "--warmup", "5", "--node", node)
	if err != nil {
		t.Fatalf("%v; stderr:\n%s", err, errOut)
	}
	r := decodeHunt(t, out, errOut)
	if r.Verdict != "leak" || r.Findings[0].Class != "Session" || r.Findings[0].AccumulationPoint.Class != "Map" {
		t.Fatalf("verdict %q findings %+v", r.Verdict, r.Findings)
	}
	if n := len(r.Samples); n != 11 || r.Samples[n-1].Iterations == nil || *r.Samples[n-1].Iterations != 100 {
		t.Errorf("%d samples, last %+v", n, r.Samples[n-1])
	}
	// A scenario that throws is reported as such.
	bad := filepath.Join(t.TempDir(), "bad.js")
	os.WriteFile(bad, []byte("module.exports = { action () { throw new Error('cannot reach the cache') } }"), 0o644)
	_, _, err = runCLIAll(t, "run", "--scenario", bad, "--node", node)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "cannot reach the cache") {
		t.Fatalf("throwing action: %v", err)
	}
}

// A hunt too short to decide says so and exits 3, not "no leak".
func TestRunInconclusive(t *testing.T) {
	node := nodetest.Node(t, "20.20.2")
	out, _, err := runCLIAll(t, "run", "--duration", "250ms", "--interval", "100ms", "--", node, "-e", "setInterval(() => {}, 1000)")
	if exitCode(err) != 3 || !strings.Contains(out, "Verdict: inconclusive: too few samples") {
		t.Fatalf("exit %d (%v)\n%s", exitCode(err), err, out)
	}
}

func TestRunFailures(t *testing.T) {
	t.Run("node not found", func(t *testing.T) {
		_, _, err := runCLIAll(t, "run", "--", "/nonexistent/node", "app.js")
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "/nonexistent/node not found") {
			t.Fatalf("%v", err)
		}
	})
	node := nodetest.Node(t, "20.20.2")
	t.Run("exits before the hunt", func(t *testing.T) {
		_, _, err := runCLIAll(t, "run", "--", node, "-e", "console.error('boom: no config'); process.exit(3)")
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "exited with code 3") || !strings.Contains(err.Error(), "boom: no config") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("exits during the hunt, samples kept", func(t *testing.T) {
		out, errOut, err := runCLIAll(t, "run", "--json", "--duration", "5s", "--interval", "100ms", "--", node, "-e",
			"setTimeout(() => { console.error('fatal: lost the database'); process.exit(4) }, 800)")
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "exited with code 4") || !strings.Contains(err.Error(), "lost the database") {
			t.Fatalf("%v", err)
		}
		r := decodeHunt(t, out, errOut)
		if r.Verdict != "error" || !strings.Contains(r.Error, "code 4") || len(r.Samples) < 3 {
			t.Fatalf("verdict %q error %q samples %d", r.Verdict, r.Error, len(r.Samples))
		}
	})
	t.Run("snapshot too big, samples kept", func(t *testing.T) {
		out, _, err := runCLIAll(t, "run", "--scenario", filepath.Join(liveDir, "createserver-scenario.js"), "--iterations", "20", "--max-snapshot-size", "1MiB", "--node", node)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "snapshot too big") {
			t.Fatalf("%v", err)
		}
		if !strings.Contains(out, "Heap after forced GC: 1 samples") || !strings.Contains(out, "warm-up") {
			t.Errorf("measurements not printed:\n%s", out)
		}
	})
	t.Run("inspector flags refused", func(t *testing.T) {
		_, _, err := runCLIAll(t, "run", "--", node, "--inspect=9229", "app.js")
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "heapscope opens the inspector itself") {
			t.Fatalf("%v", err)
		}
	})
	if _, err := os.Stat(node); err != nil {
		t.Fatal(err)
	}
}
