package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// runVersion runs heapscope in-process with args and returns its output.
func runVersion(t *testing.T, args ...string) string {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("heapscope %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

func TestVersionIsTheVersionFile(t *testing.T) {
	file, err := os.ReadFile("VERSION")
	if err != nil {
		t.Fatal(err)
	}
	v := strings.TrimSpace(string(file))
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`).MatchString(v) {
		t.Fatalf("VERSION %q is not a semantic version (npm needs one)", v)
	}
	if release() != v {
		t.Fatalf("release() = %q, VERSION says %q", release(), v)
	}
}

func TestVersionText(t *testing.T) {
	out := runVersion(t, "version")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "heapscope "+release() {
		t.Errorf("first line %q, want %q", lines[0], "heapscope "+release())
	}
	want := "go        " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	if lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
	if !strings.Contains(out, "\ncommit    ") {
		t.Errorf("no commit line:\n%s", out)
	}
	if flag := runVersion(t, "--version"); flag != out {
		t.Errorf("--version printed\n%s\nversion printed\n%s", flag, out)
	}
}

func TestVersionJSON(t *testing.T) {
	var got map[string]any
	if err := json.Unmarshal([]byte(runVersion(t, "version", "--json")), &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"version": release(), "go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	for _, k := range []string{"module", "moduleVersion", "commit", "commitTime", "modified"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no field %q in %v", k, got)
		}
	}
}

// TestVersionCommitLine checks how the VCS stamp is shown, which a test
// binary (built without one) cannot show by itself.
func TestVersionCommitLine(t *testing.T) {
	for _, c := range []struct {
		v    versionInfo
		want string
	}{
		{versionInfo{Commit: "0123abcd", CommitTime: "2026-01-02T03:04:05Z", Modified: true}, "commit    0123abcd 2026-01-02T03:04:05Z (modified)"},
		{versionInfo{Commit: "0123abcd"}, "commit    0123abcd"},
		{versionInfo{}, "commit    unknown (built without VCS information)"},
	} {
		if got := c.v.text(); !strings.Contains(got, "\n"+c.want+"\n") {
			t.Errorf("%+v: got\n%s\nwant the line %q", c.v, got, c.want)
		}
	}
}

func TestVersionRejectsArguments(t *testing.T) {
	root := newRoot()
	root.SetOut(&bytes.Buffer{})
	root.SetArgs([]string{"version", "extra"})
	if err := root.Execute(); err == nil {
		t.Fatal("version extra: no error")
	}
}
