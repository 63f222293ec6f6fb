package leak_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heapscope/heapscope/internal/nodetest"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/sourcemap"
)

// realBugsDir holds real leaks of Node.js core and npm packages, each with
// the release that fixed it (docs/realbugs.md).
const realBugsDir = "../testdata/realbugs"

// realBug is a testdata/realbugs/NAME/bug.json.
type realBug struct {
	Issue          string `json:"issue"`
	Program        string `json:"program"`
	FixedProgram   string `json:"fixedProgram"`
	Runtime        string `json:"runtime"`
	FixedRuntime   string `json:"fixedRuntime"`
	Package        string `json:"package"`
	FixedPackage   string `json:"fixedPackage"`
	Batches        []int  `json:"batches"`
	ExpectHeadline string `json:"expectHeadline"`
	ExpectPattern  string `json:"expectPattern"`
}

// TestRealBugs runs every real bug's program on its affected release and on
// its fixed release (a Node.js version from internal/nodetest, or an npm
// package installed with npm ci from the committed package-lock.json),
// analyses both series as `heapscope leaks` does, and asserts that the first
// finding of the leaking series is named as a person fixing the bug would
// name it, with the bug's pattern, and that the fixed series gives no
// finding at all.
func TestRealBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real Node.js programs (-short)")
	}
	entries, err := os.ReadDir(realBugsDir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(realBugsDir, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "bug.json")); err != nil {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			bug := readRealBug(t, dir)
			leaking := runRealBug(t, dir, e.Name(), bug, "leak")
			if len(leaking.Findings) == 0 {
				t.Errorf("leaking series (%s): no finding; want %q", describe(bug, "leak"), bug.ExpectHeadline)
			} else {
				f := leaking.Findings[0]
				if f.Headline != bug.ExpectHeadline {
					t.Errorf("leaking series (%s): headline %q (class %s), want %q", describe(bug, "leak"), f.Headline, f.Class, bug.ExpectHeadline)
				}
				got := "none" // no pattern the evidence supports
				if f.Pattern != nil {
					got = f.Pattern.ID
				}
				if got != bug.ExpectPattern {
					t.Errorf("leaking series (%s): pattern %q, want %q", describe(bug, "leak"), got, bug.ExpectPattern)
				}
			}
			fixed := runRealBug(t, dir, e.Name(), bug, "fixed")
			for _, f := range fixed.Findings {
				t.Errorf("fixed series (%s): finding %q (class %s, %v per step); want none", describe(bug, "fixed"), f.Headline, f.Class, f.CountGrowth)
			}
		})
	}
	if n == 0 {
		t.Fatalf("no bug.json under %s", realBugsDir)
	}
}

func readRealBug(t *testing.T, dir string) realBug {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "bug.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bug realBug
	if err := json.Unmarshal(b, &bug); err != nil {
		t.Fatalf("%s/bug.json: %v", dir, err)
	}
	if bug.Program == "" {
		bug.Program = "app.js"
	}
	if len(bug.Batches) == 0 {
		bug.Batches = []int{0, 500, 500}
	}
	if bug.FixedProgram == "" {
		bug.FixedProgram = bug.Program
	}
	if bug.FixedRuntime == "" {
		bug.FixedRuntime = bug.Runtime
	}
	if !strings.HasPrefix(bug.Runtime, "node-") || !strings.HasPrefix(bug.FixedRuntime, "node-") {
		t.Fatalf("%s/bug.json: runtime %q / fixedRuntime %q, want node-VERSION", dir, bug.Runtime, bug.FixedRuntime)
	}
	if bug.ExpectHeadline == "" || bug.ExpectPattern == "" {
		t.Fatalf("%s/bug.json: expectHeadline and expectPattern are required", dir)
	}
	return bug
}

// describe names the runtime and package of one series.
func describe(bug realBug, which string) string {
	rt, pkg := bug.Runtime, bug.Package
	if which == "fixed" {
		rt = bug.FixedRuntime
		if bug.FixedPackage != "" {
			pkg = bug.FixedPackage
		}
	}
	if pkg != "" {
		return rt + ", " + pkg
	}
	return rt
}

// runRealBug writes the series of one release (which: leak or fixed) with
// testdata/patterns/harness.cjs and returns its verdict.
func runRealBug(t *testing.T, dir, name string, bug realBug, which string) *leak.Report {
	t.Helper()
	version := strings.TrimPrefix(bug.Runtime, "node-")
	if which == "fixed" {
		version = strings.TrimPrefix(bug.FixedRuntime, "node-")
	}
	node := nodetest.Node(t, version)
	nodePath := ""
	if bug.FixedPackage != "" {
		nodePath = npmCI(t, filepath.Join(dir, which))
	}
	harness, err := filepath.Abs("../testdata/patterns/harness.cjs")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	prefix := filepath.Join(out, name+"-"+which)
	program := bug.Program
	if which == "fixed" {
		// The fix may need the fixed release's new API (node-cron's destroy()).
		program = bug.FixedProgram
	}
	args := []string{"--expose-gc", harness, program, prefix}
	for _, b := range bug.Batches {
		args = append(args, fmt.Sprint(b))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s series of %s (%s): %v\n%s", which, name, describe(bug, which), err, stderr.String())
	}
	var files []string
	done := 0
	for _, b := range bug.Batches {
		done += b
		files = append(files, fmt.Sprintf("%s-%d.heapsnapshot", prefix, done))
	}
	r, err := load.Series(load.Files(files), leak.Options{Sources: sourcemap.New(sourcemap.Options{})}, load.Options{})
	if err != nil {
		t.Fatalf("%s series of %s: %v", which, name, err)
	}
	return r
}

// npmCI installs dir's package-lock.json into dir/node_modules when it is
// missing and returns that node_modules directory. Without npm the test is
// skipped, except under CI=true.
func npmCI(t *testing.T, dir string) string {
	t.Helper()
	modules, err := filepath.Abs(filepath.Join(dir, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(modules); err == nil && st.IsDir() {
		return modules
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm is required under CI=true to install %s", dir)
		}
		t.Skipf("npm not found, cannot install %s (CI=true makes this a failure)", dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, b)
		}
		t.Skipf("npm ci in %s failed (CI=true makes this a failure): %v\n%s", dir, err, b)
	}
	return modules
}
