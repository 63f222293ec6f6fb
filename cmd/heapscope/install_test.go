package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// installFromClone is how the README installs heapscope with Go: the module
// path is not published, so `go install …@latest` cannot work.
const installFromClone = "go install ./cmd/heapscope"

// TestGoInstallFromClone runs the README's install command from the root of
// the clone into a temporary GOBIN and runs the installed binary.
func TestGoInstallFromClone(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no go install")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), installFromClone) {
		t.Fatalf("README.md does not say %q", installFromClone)
	}
	// go test puts its own GOROOT/bin first on the test's PATH.
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH: %v", err)
	}
	bin := t.TempDir()
	args := strings.Fields(installFromClone)[1:]
	install := exec.Command(goTool, args...)
	install.Dir = filepath.Join("..", "..")
	install.Env = append(os.Environ(), "GOBIN="+bin)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", installFromClone, err, out)
	}
	exe := "heapscope"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	out, err := exec.Command(filepath.Join(bin, exe), "version").Output()
	if err != nil {
		t.Fatalf("installed heapscope version: %v", err)
	}
	if first, _, _ := strings.Cut(string(out), "\n"); first != "heapscope "+release() {
		t.Errorf("installed heapscope says %q, want %q", first, "heapscope "+release())
	}
}
