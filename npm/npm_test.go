// Package npm_test checks heapscope's npm packages as a Node.js user gets
// them: npm/build.sh packs the main package and this machine's platform
// package, npm installs both tarballs into an empty project with no network
// (--offline, and a registry address where nothing listens), and
// `npx heapscope` runs the binary.
//
// Without node, npm and npx the test is skipped, except under CI=true, where
// it fails: CI must run it.
package npm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// demoHeadline is the first finding of `heapscope demo`
// (cmd/heapscope/testdata/golden/leaks-demo.txt).
const demoHeadline = "#1 Server: +1,000, +1,000 per step (0 → 1,000 → 2,000 objects), retained +1.8 MiB"

// platforms maps GOOS/GOARCH to npm's process.platform-process.arch, as
// npm/build.sh does.
var platforms = map[string]string{
	"linux/amd64":   "linux-x64",
	"linux/arm64":   "linux-arm64",
	"darwin/amd64":  "darwin-x64",
	"darwin/arm64":  "darwin-arm64",
	"windows/amd64": "win32-x64",
}

// timeout bounds each command: a cold cross-compile on a busy machine is the
// slowest (warm, the whole test takes about 30 s).
const timeout = 5 * time.Minute

// npmEnv runs npm offline, with its own cache.
type npmEnv struct {
	env []string
}

// run runs name with args in dir and returns standard output, standard
// error and the exit code; it fails t when the command cannot run at all.
func (e npmEnv) run(t *testing.T, dir, name string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, e.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok || ctx.Err() != nil {
		t.Fatalf("%s %s: %v (%v)\n%s", name, strings.Join(args, " "), err, ctx.Err(), errOut.String())
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// mustRun is run that fails t unless the command succeeds.
func (e npmEnv) mustRun(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	out, errOut, code := e.run(t, dir, name, args...)
	if code != 0 {
		t.Fatalf("%s %s: exit code %d\n%s%s", name, strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// project makes an empty npm project and installs the tarballs into it with
// npm's extra flags.
func (e npmEnv) project(t *testing.T, flags []string, tarballs ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"try-heapscope","private":true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"install", "--offline", "--no-audit", "--no-fund"}, flags...)
	e.mustRun(t, dir, "npm", append(args, tarballs...)...)
	return dir
}

func TestNpxDemoAndVersionFromTarballs(t *testing.T) {
	for _, tool := range []string{"node", "npm", "npx", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI=true: %v", tool, err)
			}
			t.Skipf("%s not found (CI=true makes this a failure): %v", tool, err)
		}
	}
	target, ok := platforms[runtime.GOOS+"/"+runtime.GOARCH]
	if !ok {
		t.Skipf("heapscope has no npm package for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(root, "cmd", "heapscope", "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(string(file))
	npmOS, npmCPU, _ := strings.Cut(target, "-")

	tmp := t.TempDir()
	e := npmEnv{env: append(os.Environ(),
		"npm_config_cache="+filepath.Join(tmp, "npm-cache"),
		"npm_config_offline=true",
		"npm_config_registry=http://127.0.0.1:9/", // nothing listens there
		"npm_config_update_notifier=false",
		"npm_config_audit=false",
		"npm_config_fund=false",
	)}
	dist := filepath.Join(tmp, "dist")
	e.mustRun(t, root, "bash", filepath.Join(root, "npm", "build.sh"), "-o", dist, target)
	mainTgz := filepath.Join(dist, "heapscope-"+version+".tgz")
	platformTgz := filepath.Join(dist, fmt.Sprintf("heapscope-%s-%s.tgz", target, version))

	dir := e.project(t, nil, mainTgz, platformTgz)

	t.Run("packages", func(t *testing.T) {
		var main struct {
			Version              string
			Bin                  map[string]string
			OptionalDependencies map[string]string
		}
		readJSON(t, filepath.Join(dir, "node_modules", "heapscope", "package.json"), &main)
		if main.Version != version || main.Bin["heapscope"] == "" {
			t.Errorf("heapscope package: version %q, bin %v; want %q and a heapscope command", main.Version, main.Bin, version)
		}
		want := map[string]string{}
		for _, p := range platforms {
			want["heapscope-"+p] = version
		}
		if fmt.Sprint(main.OptionalDependencies) != fmt.Sprint(want) {
			t.Errorf("optionalDependencies %v, want %v", main.OptionalDependencies, want)
		}
		var plat struct {
			Version string
			OS, CPU []string
			Scripts map[string]string
		}
		readJSON(t, filepath.Join(dir, "node_modules", "heapscope-"+target, "package.json"), &plat)
		if plat.Version != version || fmt.Sprint(plat.OS) != "["+npmOS+"]" || fmt.Sprint(plat.CPU) != "["+npmCPU+"]" || len(plat.Scripts) != 0 {
			t.Errorf("heapscope-%s package: version %q, os %v, cpu %v, scripts %v; want %q, [%s], [%s], none", target, plat.Version, plat.OS, plat.CPU, plat.Scripts, version, npmOS, npmCPU)
		}
	})

	t.Run("demo", func(t *testing.T) {
		out := e.mustRun(t, dir, "npx", "heapscope", "demo")
		if !containsLine(out, demoHeadline) {
			t.Errorf("npx heapscope demo: no line %q in\n%s", demoHeadline, out)
		}
	})

	t.Run("version", func(t *testing.T) {
		out := e.mustRun(t, dir, "npx", "heapscope", "version")
		if first, _, _ := strings.Cut(out, "\n"); first != "heapscope "+version {
			t.Errorf("npx heapscope version: first line %q, want %q", first, "heapscope "+version)
		}
		var v struct{ Version, OS, Arch string }
		if err := json.Unmarshal([]byte(e.mustRun(t, dir, "npx", "heapscope", "version", "--json")), &v); err != nil {
			t.Fatal(err)
		}
		if v.Version != version || v.OS != runtime.GOOS || v.Arch != runtime.GOARCH {
			t.Errorf("npx heapscope version --json: %+v, want %s %s/%s", v, version, runtime.GOOS, runtime.GOARCH)
		}
	})

	t.Run("exit code and stderr", func(t *testing.T) {
		out, errOut, code := e.run(t, dir, "npx", "heapscope", "summary", filepath.Join(tmp, "missing.heapsnapshot"))
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "heapscope: ") {
			t.Errorf("npx heapscope summary MISSING: exit code %d, stdout %q, stderr %q; want 2, nothing, a heapscope error", code, out, errOut)
		}
	})

	t.Run("unsupported platform", func(t *testing.T) {
		preload := filepath.Join(tmp, "aix.js")
		if err := os.WriteFile(preload, []byte(`Object.defineProperty(process, "platform", {value: "aix"});`), 0o644); err != nil {
			t.Fatal(err)
		}
		launcher := filepath.Join(dir, "node_modules", "heapscope", "bin", "heapscope")
		_, errOut, code := e.run(t, dir, "node", "-r", preload, launcher, "version")
		if code != 2 || !strings.HasPrefix(errOut, "heapscope: no binary for aix-"+npmCPU) || !strings.Contains(errOut, "go install ./cmd/heapscope") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("on aix: exit code %d, stderr %q; want 2 and one line that says what to do", code, errOut)
		}
	})

	t.Run("optional dependencies omitted", func(t *testing.T) {
		dir := e.project(t, []string{"--omit=optional"}, mainTgz)
		_, errOut, code := e.run(t, dir, "npx", "heapscope", "version")
		if code != 2 || !strings.Contains(errOut, "heapscope-"+target+", which holds the binary for "+target+", is not installed") ||
			!strings.Contains(errOut, "--omit=optional") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("without optional dependencies: exit code %d, stderr %q; want 2 and one line that says what to do", code, errOut)
		}
	})
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func containsLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}
