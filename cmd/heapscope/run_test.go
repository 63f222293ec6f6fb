package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heapscope/heapscope/internal/nodetest"
)

// These tests run real Node.js, fetched from the npm registry by
// internal/nodetest (skipped without it, failing under CI=true).

// runCLIAll runs heapscope in-process and returns stdout and stderr.
func runCLIAll(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	start := time.Now()
	err := root.Execute()
	t.Logf("heapscope %s: %v in %.1fs", strings.Join(args[:min(len(args), 12)], " "), err, time.Since(start).Seconds())
	return out.String(), errOut.String(), err
}

// huntJSON is the part of run's and attach's --json output the tests read.
type huntJSON struct {
	Verdict  string `json:"verdict"`
	Error    string `json:"error"`
	Mode     string `json:"mode"`
	Busy     bool   `json:"busyMainThread"`
	Findings []struct {
		Class             string `json:"class"`
		CountGrowth       []int  `json:"countGrowth"`
		AccumulationPoint struct {
			Class string `json:"class"`
		} `json:"accumulationPoint"`
		Path []struct {
			Class string `json:"class"`
			Edge  string `json:"edge"`
		} `json:"path"`
	} `json:"findings"`
	Samples []struct {
		TimeMillis int64  `json:"timeMillis"`
		UsedBytes  uint64 `json:"usedBytes"`
		Iterations *int64 `json:"iterations"`
	} `json:"samples"`
	Trend *struct {
		Slope   float64 `json:"slope"`
		Growing bool    `json:"growing"`
	} `json:"trend"`
	PerIteration *struct {
		Slope float64 `json:"slope"`
	} `json:"perIteration"`
	SnapshotsTaken []struct {
		Method string `json:"method"`
		Bytes  int64  `json:"bytes"`
	} `json:"snapshotsTaken"`
}

func decodeHunt(t *testing.T, out, errOut string) huntJSON {
	t.Helper()
	var r huntJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON (%v):\n%s\nstderr:\n%s", err, out, errOut)
	}
	return r
}

func pathClasses(f struct {
	Class             string `json:"class"`
	CountGrowth       []int  `json:"countGrowth"`
	AccumulationPoint struct {
		Class string `json:"class"`
	} `json:"accumulationPoint"`
	Path []struct {
		Class string `json:"class"`
		Edge  string `json:"edge"`
	} `json:"path"`
}) string {
	var cs []string
	for _, s := range f.Path {
		cs = append(cs, s.Class)
	}
	return strings.Join(cs, " → ")
}

var liveDir = filepath.Join("..", "..", "testdata", "live")

// The reproduction program of the createServer leak, verbatim: a
// synchronous loop that never yields and calls global.gc().
func TestRunReproductionLoop(t *testing.T) {
	loop := filepath.Join(liveDir, "createserver-loop.js")
	t.Run("20.3.1 leaks Server through the timer list", func(t *testing.T) {
		node := nodetest.Node(t, "20.3.1")
		out, errOut, err := runCLIAll(t, "run", "--json", "--fail-on-leak", "--duration", "2s", "--interval", "200ms", "--gap", "300ms", "--", node, loop)
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

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer starts the leaking server and returns its process and URL.
func startServer(t *testing.T, node string, nodeArgs ...string) (*exec.Cmd, string) {
	t.Helper()
	args := append(nodeArgs, filepath.Join(liveDir, "leaky-server.js"))
	cmd := exec.Command(node, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				lines <- u
			}
		}
	}()
	select {
	case u := <-lines:
		return cmd, u
	case <-time.After(10 * time.Second):
		t.Fatalf("the server did not start; stderr:\n%s", stderr.String())
	}
	return nil, ""
}

func get(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestAttachFindsLeakInServer(t *testing.T) {
	node := nodetest.Node(t, "20.20.2")
	// Its own inspector port, so that a process on 9229 cannot interfere;
	// attach reads it from the command line.
	port := freePort(t)
	srv, url := startServer(t, node, fmt.Sprintf("--inspect-port=127.0.0.1:%d", port))
	pid := srv.Process.Pid
	out, errOut, err := runCLIAll(t, "attach", "--json", "--fail-on-leak", "--drive", url, "--requests", "100", "--warmup", "10", fmt.Sprint(pid))
	if exitCode(err) != 1 {
		t.Fatalf("exit %d (%v); stderr:\n%s", exitCode(err), err, errOut)
	}
	r := decodeHunt(t, out, errOut)
	if r.Verdict != "leak" || r.Findings[0].Class != "RequestRecord" || r.Findings[0].AccumulationPoint.Class != "Array" || r.Mode != "request" {
		t.Fatalf("verdict %q mode %q findings %+v", r.Verdict, r.Mode, r.Findings)
	}
	if g := r.Findings[0].CountGrowth; len(g) != 2 || g[0] != 100 || g[1] != 100 {
		t.Errorf("count growth %v, want [100 100]", g)
	}
	if !strings.Contains(errOut, "sending SIGUSR1") || !strings.Contains(errOut, "inspector is closed again") {
		t.Errorf("stderr:\n%s", errOut)
	}
	// The server is still alive and serving (10 + 2×100 + the readiness probe before: 211 requests so far).
	if err := srv.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the server is gone: %v", err)
	}
	if got := get(t, url); !strings.HasPrefix(got, "ok ") {
		t.Errorf("server answers %q", got)
	}
	// Its inspector is closed again.
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
		c.Close()
		t.Errorf("the inspector port %d is still open", port)
	}
	// A second attach works the same way (SIGUSR1 again).
	if _, errOut, err := runCLIAll(t, "attach", "--snapshots", "0", "--duration", "300ms", "--interval", "100ms", fmt.Sprint(pid)); err != nil {
		t.Fatalf("second attach: %v\n%s", err, errOut)
	}
	if got := get(t, url); !strings.HasPrefix(got, "ok ") {
		t.Errorf("server answers %q after the second attach", got)
	}
}

func TestAttachRefusals(t *testing.T) {
	// A process that does not handle SIGUSR1 (it would die of it).
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleep.Process.Kill(); sleep.Wait() }()
	_, _, err := runCLIAll(t, "attach", fmt.Sprint(sleep.Process.Pid))
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "does not handle SIGUSR1") {
		t.Fatalf("sleep: %v", err)
	}
	if err := sleep.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the process is gone: %v", err)
	}

	node := nodetest.Node(t, "20.20.2")
	// The port the process would open its inspector on is taken.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	srv, url := startServer(t, node, fmt.Sprintf("--inspect-port=%d", port))
	_, _, err = runCLIAll(t, "attach", fmt.Sprint(srv.Process.Pid))
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "port taken") {
		t.Fatalf("port taken: %v", err)
	}
	if got := get(t, url); !strings.HasPrefix(got, "ok ") {
		t.Errorf("server answers %q", got)
	}
	// --drive refuses hosts that are not loopback, before anything starts.
	_, _, err = runCLIAll(t, "attach", "--drive", "http://192.0.2.1/", fmt.Sprint(srv.Process.Pid))
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "not a loopback") {
		t.Fatalf("non-loopback drive: %v", err)
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
