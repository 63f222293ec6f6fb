package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heapscope/heapscope/internal/nodetest"
)

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
	// (A short hunt may end inconclusive, exit 3: what matters here is that
	// it attaches and detaches again.)
	if _, errOut, err := runCLIAll(t, "attach", "--snapshots", "0", "--duration", "1s", "--interval", "100ms", fmt.Sprint(pid)); err != nil && exitCode(err) != 3 {
		t.Fatalf("second attach: %v\n%s", err, errOut)
	} else if !strings.Contains(errOut, "inspector is closed again") {
		t.Errorf("second attach did not close the inspector:\n%s", errOut)
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
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "not Node.js") {
		t.Fatalf("sleep: %v", err)
	}
	// Forced, it is still not signalled: it does not catch SIGUSR1.
	_, _, err = runCLIAll(t, "attach", "--force", fmt.Sprint(sleep.Process.Pid))
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "does not handle SIGUSR1") {
		t.Fatalf("sleep, --force: %v", err)
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
