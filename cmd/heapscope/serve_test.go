package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServeAddr(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "localhost:8080", "[::1]:0", "127.0.0.2:9000"} {
		if w, err := checkServeAddr(addr, false); err != nil || w != "" {
			t.Errorf("%s: warning %q, error %v; want neither", addr, w, err)
		}
	}
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "192.168.1.5:80", "[::]:0", "example.com:80"} {
		if _, err := checkServeAddr(addr, false); err == nil || !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("%s without --allow-remote: %v, want a refusal naming --allow-remote", addr, err)
		}
		if w, err := checkServeAddr(addr, true); err != nil || !strings.Contains(w, "warning") {
			t.Errorf("%s with --allow-remote: warning %q, error %v", addr, w, err)
		}
	}
	for _, addr := range []string{"127.0.0.1", "127.0.0.1:http-nope", "nonsense"} {
		if _, err := checkServeAddr(addr, true); err == nil {
			t.Errorf("%s: no error", addr)
		}
	}
	// The refusal comes before any loading: the file need not exist.
	_, err := runCLI(t, "serve", "--addr", "0.0.0.0:0", "no-such-file.heapsnapshot")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "--allow-remote") {
		t.Errorf("serve on 0.0.0.0: %v (exit %d), want exit 2 naming --allow-remote", err, exitCode(err))
	}
	if _, err := runCLI(t, "serve"); exitCode(err) != 2 {
		t.Errorf("serve with no snapshot: exit %d, want 2", exitCode(err))
	}
	if _, err := runCLI(t, "serve", "no-such-file.heapsnapshot"); exitCode(err) != 2 {
		t.Errorf("serve of a missing file: exit %d, want 2", exitCode(err))
	}
}

// TestServeSeries runs `heapscope serve` on the createServer series, reads
// the printed address, asks the API for the leak findings and stops it.
func TestServeSeries(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := newRoot()
	pr, pw := io.Pipe()
	root.SetOut(pw)
	root.SetErr(io.Discard)
	root.SetArgs(append([]string{"serve"}, series("seed-leak-series__node-20.3.1", "0", "1000", "2000")...))
	done := make(chan error, 1)
	go func() {
		done <- root.ExecuteContext(ctx)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no address printed: %v (%v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	u := strings.TrimSpace(line)
	if !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.Contains(u, "/?token=") {
		t.Fatalf("address %q", u)
	}
	base, token, _ := strings.Cut(u, "/?token=")
	if len(token) < 32 {
		t.Errorf("token %q is short", token)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Get(base + "/api/snapshots")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/api/leaks", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Verdict  string `json:"verdict"`
		Findings []struct {
			Class string `json:"class"`
		} `json:"findings"`
	}
	err = json.NewDecoder(res.Body).Decode(&r)
	res.Body.Close()
	if err != nil || r.Verdict != "leak" || len(r.Findings) == 0 || r.Findings[0].Class != "Server" {
		t.Errorf("leaks: %v %+v", err, r)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after the interrupt", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}
