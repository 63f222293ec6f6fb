package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heapscope/heapscope/report"
)

// What the browser test needs that `go test` cannot fetch, as its skip
// messages and the README say it (TestBrowserTestSetupDocumented): a plain
// `go test ./...` hides why a test skipped, so the README must tell.
const (
	installChromium = "apt-get install -y chromium"
	installE2E      = "cd web/e2e && npm ci"
	showSkipReason  = "go test -v -run TestBrowserEndToEnd ./web"
)

// TestBrowserEndToEnd builds heapscope and runs web/e2e/e2e.mjs: `heapscope
// serve` driven in Debian's headless Chromium by playwright-core (the
// createServer series: the page opens on its leak finding, tooltips of cut
// names, the source view, Copy link opened in a second browser, Summary
// sorted by retained size, Comparison, object page, dominator tree, the HTML
// report opened from a file with no network; then a snapshot of 250 MB or
// more, whose Summary must show within 2 s after the engine is ready), and
// two servers of this process: one whose snapshots have no finding (it must
// open on the Summary) and one with a heap curve and the snapshots' times
// (the curve marks them). Screenshots go to web/e2e/artifacts/.
//
// It needs node, /usr/bin/chromium and `npm ci` in web/e2e: without them it
// is skipped, except in CI (CI=true), where it fails. -short skips it.
func TestBrowserEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser test")
	}
	ci := os.Getenv("CI") == "true"
	require := func(ok bool, what string) {
		t.Helper()
		if ok {
			return
		}
		if ci {
			t.Fatalf("CI=true and %s (.ci/run installs it)", what)
		}
		t.Skipf("skipped: %s", what)
	}
	node, err := exec.LookPath("node")
	require(err == nil, "node is not on PATH")
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err = os.Stat(chromium)
	require(err == nil, chromium+" is missing ("+installChromium+", or CHROMIUM=path)")
	_, err = os.Stat(filepath.Join("e2e", "node_modules", "playwright-core", "package.json"))
	require(err == nil, "web/e2e/node_modules is missing ("+installE2E+")")

	// go test puts its own GOROOT/bin first on the test's PATH.
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "heapscope")
	build := exec.Command(goTool, "build", "-o", bin, "./cmd/heapscope")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// The heap curve with the snapshots' times, which `heapscope serve`
	// of files does not have: served from here.
	var samples []report.HeapSample
	for k := range 11 {
		samples = append(samples, report.HeapSample{TimeMillis: 1_700_000_000_000 + int64(k)*1000, UsedBytes: uint64(8+k*k/4) << 20})
	}
	marks, err := New(loadSeries(t), Options{Samples: samples, SnapshotTimes: []int64{1_700_000_001_000, 1_700_000_005_000, 1_700_000_009_000}})
	if err != nil {
		t.Fatal(err)
	}
	marksSrv := httptest.NewServer(marks.Handler())
	defer marksSrv.Close()
	// A series without findings (one snapshot twice) opens on the Summary.
	first := loadSeries(t)[0]
	same, err := New([]Snapshot{first, {Name: first.Name + " (again)", Graph: first.Graph}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameSrv := httptest.NewServer(same.Handler())
	defer sameSrv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "e2e.mjs"))
	cmd.Env = append(os.Environ(), "HEAPSCOPE_BIN="+bin, "CHROMIUM="+chromium, "E2E_MARKS_URL="+marksSrv.URL+"/?token="+marks.Token(),
		"E2E_NOLEAK_URL="+sameSrv.URL+"/?token="+same.Token())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	t.Logf("e2e.mjs ran in %s:\n%s", time.Since(start).Round(time.Millisecond), out.String())
	if err != nil {
		t.Fatalf("e2e.mjs: %v (screenshots and e2e-results.json in web/e2e/artifacts)", err)
	}
}

// TestBrowserTestSetupDocumented: the README says what the browser test
// needs and how to see why it skipped, in the words of its skip messages.
func TestBrowserTestSetupDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{installE2E, installChromium, showSkipReason, "CHROMIUM="} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
}
