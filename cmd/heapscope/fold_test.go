package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/nodetest"
)

// listenerList writes the three snapshots of testdata/listener-list.cjs,
// taken by real Node.js, and returns their paths.
func listenerList(t *testing.T) []string {
	t.Helper()
	node := nodetest.Node(t, "20.20.2")
	dir := t.TempDir()
	script, err := filepath.Abs(filepath.Join("testdata", "listener-list.cjs"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, script, dir).CombinedOutput(); err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, out)
	}
	var files []string
	for k := range 3 {
		files = append(files, filepath.Join(dir, "list-"+string(rune('0'+k))+".heapsnapshot"))
	}
	return files
}

// A chain through a linked list of 400 listeners prints as one screen: the
// run folds to its first and last Listener and one ".next Listener ×N"
// line; the JSON keeps every hop.
func TestLeaksFoldsLongChain(t *testing.T) {
	files := listenerList(t)
	out, err := runCLI(t, append([]string{"leaks"}, files...)...)
	if err != nil {
		t.Fatal(err)
	}
	chain := chainLines(out)
	if len(chain) == 0 || len(chain) > 25 {
		t.Fatalf("the chain prints %d lines, want 1 to 25:\n%s", len(chain), out)
	}
	folded := ""
	for _, l := range chain {
		if strings.Contains(l, "×") {
			folded = strings.Join(strings.Fields(l), " ")
		}
	}
	if !strings.HasPrefix(folded, ".next Listener ×") {
		t.Errorf("no folded run of .next Listener:\n%s", strings.Join(chain, "\n"))
	}
	if !strings.HasPrefix(strings.Join(strings.Fields(chain[len(chain)-1]), " "), "->req Request @") || !strings.Contains(out, "◀ accumulation point") {
		t.Errorf("the object or the accumulation point is not shown:\n%s", strings.Join(chain, "\n"))
	}

	js, err := runCLI(t, append([]string{"leaks", "--json"}, files...)...)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Findings []struct {
			Representative struct {
				ID uint64 `json:"id"`
			} `json:"representative"`
			Path []struct {
				Edge  string `json:"edge"`
				Class string `json:"class"`
			} `json:"path"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 {
		t.Fatal("no finding in the JSON")
	}
	n := 0
	for _, h := range r.Findings[0].Path {
		if h.Edge == ".next" && h.Class == "Listener" {
			n++
		}
	}
	// Every hop of the list, from the first listener to the 401st.
	if n < 400 {
		t.Errorf("the JSON path has %d .next Listener hops, want every one (≥ 400)", n)
	}

	// retainers folds the same run.
	ret, err := runCLI(t, "retainers", "--id", fmt.Sprintf("@%d", r.Findings[0].Representative.ID), files[2])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ret, ".next → Listener ×") || strings.Count(ret, "\n") > 45 {
		t.Errorf("retainers does not fold the list:\n%s", ret)
	}
}

// chainLines are the lines of the first finding's chain in leaks text.
func chainLines(out string) []string {
	var chain []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(l, "Retained by (root first):"):
			in = chain == nil
		case in && strings.HasPrefix(l, "     "):
			chain = append(chain, l)
		default:
			in = false
		}
	}
	return chain
}
