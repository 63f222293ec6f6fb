package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heapscope/heapscope/internal/nodetest"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// heapscopeBinary builds heapscope once, for tests that must signal it as
// a process of its own.
func heapscopeBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "heapscope-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "heapscope")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// Whatever ends an attach (Ctrl-C, a kill, a closed terminal), the
// inspector it opened is closed again and the target goes on serving.
func TestAttachSignalsCloseTheInspector(t *testing.T) {
	bin := heapscopeBinary(t)
	node := nodetest.Node(t, "20.20.2")
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			port := freePort(t)
			srv, url := startServer(t, node, fmt.Sprintf("--inspect-port=127.0.0.1:%d", port))
			cmd := exec.Command(bin, "attach", "--duration", "60s", "--interval", "200ms", fmt.Sprint(srv.Process.Pid))
			var buf bytes.Buffer
			stderr := &lockedWriter{w: &buf}
			cmd.Stderr = stderr
			log := func() string {
				stderr.mu.Lock()
				defer stderr.mu.Unlock()
				return buf.String()
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			deadline := time.Now().Add(20 * time.Second)
			for !strings.Contains(log(), "sampling the heap") {
				if time.Now().After(deadline) {
					t.Fatalf("attach did not start sampling; stderr:\n%s", log())
				}
				time.Sleep(50 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("attach still running 20 s after %s; stderr:\n%s", sig, log())
			}
			if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
				c.Close()
				t.Errorf("after %s the inspector port %d is still open; stderr:\n%s", sig, port, log())
			}
			if got := get(t, url); !strings.HasPrefix(got, "ok ") {
				t.Errorf("after %s the server answers %q", sig, got)
			}
		})
	}
}
