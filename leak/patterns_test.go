package leak_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heapscope/heapscope/internal/nodetest"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/load"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/sourcemap"
)

// The pattern corpus (testdata/patterns, see its README.md): leaks written
// as users write code, each with its fixed twin, run under a real Node.js
// and analysed as `heapscope leaks` analyses them.

// patternNode is the Node.js the pattern programs run under.
const patternNode = "24.21.0"

// patternNodeSlots bounds the node processes running at once: each is
// single-threaded for the most part, and the machines the tests run on
// may have two cores.
var patternNodeSlots = make(chan struct{}, 2)

// patternTimeout bounds one program's run (a series takes a few seconds).
const patternTimeout = 90 * time.Second

// patternExpect is a pattern's expect.json (format in SPEC.md and the
// corpus README): what a person fixing the bug wants to read first.
type patternExpect struct {
	Headline          string `json:"headline"`
	AccumulationPoint string `json:"accumulationPoint"`
	Pattern           string `json:"pattern"`
	Location          string `json:"location"`
	Batches           []int  `json:"batches"`
}

func TestPatterns(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "testdata", "patterns"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatalf("pattern corpus: %v", err)
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "node_modules" {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "expect.json")); err != nil {
			// A program or series without its expectation is a pattern
			// the test would silently leave out.
			if ok, _ := filepath.Glob(filepath.Join(dir, "leak*")); len(ok) > 0 {
				t.Errorf("%s has %s but no expect.json", dir, filepath.Base(ok[0]))
			}
			continue
		}
		dirs = append(dirs, dir)
	}
	if len(dirs) == 0 {
		t.Fatalf("no pattern directory with an expect.json under %s", root)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			want := readPatternExpect(t, dir)
			for _, run := range []string{"leak", "fixed"} {
				t.Run(run, func(t *testing.T) {
					t.Parallel()
					snaps := patternSeries(t, root, dir, run, want.Batches)
					r, err := load.Series(load.Files(snaps), leak.Options{MinGrowth: leak.DefaultMinGrowth, Sources: sourcemap.New(sourcemap.Options{})}, load.Options{})
					if err != nil {
						t.Fatalf("analysing %s: %v", strings.Join(snaps, " "), err)
					}
					if run == "leak" {
						checkPatternLeak(t, dir, r, want)
					} else if len(r.Findings) != 0 {
						t.Errorf("the fixed twin gives %d findings, want none:\n%s", len(r.Findings), patternReportText(r))
					}
				})
			}
		})
	}
}

// readPatternExpect reads dir's expect.json; every field is required, so
// that an expectation left empty cannot pass by matching an empty result.
func readPatternExpect(t *testing.T, dir string) patternExpect {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var want patternExpect
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("expect.json: %v", err)
	}
	if want.Headline == "" || want.AccumulationPoint == "" || want.Pattern == "" || want.Location == "" {
		t.Fatalf("expect.json: headline, accumulationPoint, pattern and location are all required: %+v", want)
	}
	if want.Batches == nil {
		want.Batches = []int{0, 200, 200}
	}
	if len(want.Batches) < 2 {
		t.Fatalf("expect.json: batches %v: a series needs at least two snapshots", want.Batches)
	}
	return want
}

// patternPackages installs the corpus' npm packages (express…) when they
// are missing, as a fresh clone has them: node_modules is not committed.
// The install runs once for all the subtests. Without npm a test is
// skipped, except under CI=true, where it fails (as internal/nodetest
// treats a missing Node.js).
func patternPackages(t *testing.T, root string) {
	t.Helper()
	patternInstall.Do(func() { patternInstallErr = installPatternPackages(root) })
	if patternInstallErr != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(patternInstallErr)
		}
		t.Skip(patternInstallErr + " (CI=true makes this a failure)")
	}
}

var (
	patternInstall    sync.Once
	patternInstallErr string
)

// installPatternPackages runs npm ci in root unless node_modules is there,
// and says why the packages cannot be had ("" when they are there).
func installPatternPackages(root string) string {
	if _, err := os.Stat(filepath.Join(root, "node_modules")); err == nil {
		return ""
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Sprintf("the pattern corpus needs its npm packages and npm is not installed: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		// A partial install would make every later run fail in node.
		os.RemoveAll(filepath.Join(root, "node_modules"))
		return fmt.Sprintf("npm ci in %s: %v\n%s", root, err, out)
	}
	return ""
}

// patternSeries returns the snapshots of run ("leak" or "fixed") of the
// pattern in dir, oldest first: the committed ones (Chromium patterns), or
// those of its program run under node by harness.cjs.
func patternSeries(t *testing.T, root, dir, run string, batches []int) []string {
	t.Helper()
	if committed := committedSeries(t, dir, run); len(committed) > 0 {
		return committed
	}
	program := filepath.Join(dir, run+".js")
	if _, err := os.Stat(program); err != nil {
		t.Fatalf("neither %s nor committed %s-N.heapsnapshot.gz", program, run)
	}
	node := nodetest.Node(t, patternNode)
	patternPackages(t, root)
	prefix := filepath.Join(t.TempDir(), run)
	args := []string{"--expose-gc", "harness.cjs", filepath.Join(filepath.Base(dir), run+".js"), prefix}
	for _, b := range batches {
		args = append(args, strconv.Itoa(b))
	}
	patternNodeSlots <- struct{}{}
	defer func() { <-patternNodeSlots }()
	ctx, cancel := context.WithTimeout(context.Background(), patternTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = root
	// The program's own options only: an inherited NODE_OPTIONS (a
	// debugger, a preload) would change the heap.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "NODE_OPTIONS=") })
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	t.Logf("%s ran in %v", run+".js", time.Since(start).Round(time.Millisecond))
	// The harness prints each snapshot's path as it writes it; the program
	// may print too.
	var snaps []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, prefix+"-") && strings.HasSuffix(line, ".heapsnapshot") {
			snaps = append(snaps, line)
		}
	}
	if len(snaps) != len(batches) {
		t.Fatalf("harness wrote %d snapshots, want %d (one per batch):\n%s\n%s", len(snaps), len(batches), stdout.String(), stderr.String())
	}
	return snaps
}

// committedSeries is dir's committed snapshots of run, run-N.heapsnapshot.gz,
// in the order of N (the iterations done when each was taken).
func committedSeries(t *testing.T, dir, run string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, run+"-*.heapsnapshot.gz"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(run) + `-(\d+)\.heapsnapshot\.gz$`)
	step := map[string]int{}
	for _, f := range files {
		m := re.FindStringSubmatch(filepath.Base(f))
		if m == nil {
			t.Fatalf("%s: a committed snapshot is named %s-N.heapsnapshot.gz", f, run)
		}
		step[f], _ = strconv.Atoi(m[1])
	}
	slices.SortFunc(files, func(a, b string) int { return step[a] - step[b] })
	return files
}

// checkPatternLeak asserts the four things a person reads first in r's
// first finding.
func checkPatternLeak(t *testing.T, dir string, r *leak.Report, want patternExpect) {
	t.Helper()
	if len(r.Findings) == 0 {
		t.Fatalf("no finding, want %q:\n%s", want.Headline, patternReportText(r))
	}
	f := r.Findings[0]
	got := patternExpect{
		Headline:          f.Headline,
		AccumulationPoint: accumulationHop(f),
		Pattern:           "(none)",
		Location:          firstShownLocation(dir, f),
	}
	if f.Pattern != nil {
		got.Pattern = f.Pattern.ID
	}
	bad := false
	for _, c := range []struct{ field, got, want string }{
		{"headline", got.Headline, want.Headline},
		{"accumulationPoint", got.AccumulationPoint, want.AccumulationPoint},
		{"pattern", got.Pattern, want.Pattern},
		{"location", got.Location, want.Location},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got  %q\n want %q", c.field, c.got, c.want)
			bad = true
		}
	}
	if bad {
		t.Logf("the verdict:\n%s", patternReportText(r))
	}
}

// accumulationHop is the hop into f's accumulation point on its path, as
// the text chain prints it: "<edge> <Class>" (".change Array").
func accumulationHop(f leak.Finding) string {
	a := f.AccumulationPoint
	if a == nil {
		return "(none)"
	}
	for _, h := range f.Path {
		if h.ID == a.ID {
			return strings.TrimSpace(h.Edge + " " + h.Class)
		}
	}
	return fmt.Sprintf("(@%d %s, not on the path)", a.ID, a.Class)
}

// firstShownLocation is the first location of f's "Where" list as the
// text prints it, "<role> <name> <file>:<line>:<col>", the file relative
// to the pattern's directory and the original source's when source-mapped.
// Text leaves out the role "holder" and shows the runtime's locations
// only below the accumulation point, after the app's and dependencies'
// (SPEC.md), so the first shown is the first app or dependency location
// that is not a holder, or else the first runtime one that is not.
func firstShownLocation(dir string, f leak.Finding) string {
	var first *leak.Location
	for k := range f.Locations {
		l := &f.Locations[k]
		if l.Role == "holder" {
			continue
		}
		if origin, _ := object.OriginOf(l.Script); origin != object.OriginRuntime {
			first = l
			break
		}
		if first == nil {
			first = l
		}
	}
	if first == nil {
		return "(none)"
	}
	script, line, col := first.Script, first.Line, first.Column
	if o := first.Original; o != nil {
		script, line, col = o.Script, o.Line, o.Column
	}
	script = patternScript(dir, script)
	name := "(anonymous)"
	if first.Function != nil && first.Name != "" {
		name = first.Name
	}
	return fmt.Sprintf("%s %s %s:%d:%d", first.Role, name, script, line, col)
}

// patternScript is script relative to the pattern's directory dir. A page
// loaded in Chromium names its scripts file:///…, with the path of the
// directory the committed snapshots were made in: a script that is not
// under dir is named after the file of dir it was (its base name) when dir
// has it.
func patternScript(dir, script string) string {
	path := strings.TrimPrefix(script, "file://")
	if !filepath.IsAbs(path) {
		return script
	}
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.Base(path))); err == nil {
		return filepath.Base(path)
	}
	// The corpus's npm packages sit beside the pattern directories.
	if rel, err := filepath.Rel(dir, path); err == nil && strings.HasPrefix(rel, "../node_modules/") {
		return filepath.ToSlash(rel)
	}
	return script
}

// patternReportText is r as `heapscope leaks` prints it, for failure
// messages.
func patternReportText(r *leak.Report) string {
	var b bytes.Buffer
	if err := report.WriteLeaksText(&b, r); err != nil {
		return err.Error()
	}
	return b.String()
}
