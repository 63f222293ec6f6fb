package main

// Runs the heapscope binary on bad inputs: each must end with exit code 2
// and exactly one line on stderr, "heapscope: FILE: SECTION: ... (at byte N)",
// never a panic or a goroutine dump.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
)

// badInputBin is the binary TestMain builds.
var badInputBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "heapscope-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	badInputBin = filepath.Join(dir, "heapscope")
	if runtime.GOOS == "windows" {
		badInputBin += ".exe"
	}
	build := exec.Command("go", "build", "-o", badInputBin, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	code := 1
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building heapscope:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

var badInputCorpus = corpustest.Snapshot("seed-leak__node-22.23.3__1000")

type badInputResult struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
	// parentRSS is this test process's peak resident set when the child
	// started, in bytes. Go starts children with vfork, and at exec Linux
	// folds the peak of the memory the child had until then (this
	// process's) into the child's ru_maxrss: maxRSS tells nothing below it.
	parentRSS int64
}

// runBadInput runs the heapscope binary with args, stdin as its standard input.
func runBadInput(t *testing.T, stdin io.Reader, args ...string) badInputResult {
	t.Helper()
	cmd := exec.Command(badInputBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	var self syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	err := cmd.Run()
	r := badInputResult{stdout: stdout.String(), stderr: stderr.String(), parentRSS: int64(self.Maxrss) * 1024}
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running heapscope %s: %v", strings.Join(args, " "), err)
		}
	}
	r.code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return r
}

// checkBadInputExit asserts exit code 2, no output, and one stderr line that names
// the section and the byte offset.
func checkBadInputExit(t *testing.T, r badInputResult, section, want string) {
	t.Helper()
	if r.code != 2 {
		t.Errorf("exit code %d, want 2; stderr %q", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing", r.stdout)
	}
	line, ok := strings.CutSuffix(r.stderr, "\n")
	if !ok || strings.Contains(line, "\n") || !strings.HasPrefix(line, "heapscope: ") {
		t.Fatalf("stderr %q is not exactly one line starting with \"heapscope: \"", r.stderr)
	}
	for _, bad := range []string{"panic", "goroutine", "internal error"} {
		if strings.Contains(r.stderr, bad) {
			t.Errorf("stderr %q contains %q", r.stderr, bad)
		}
	}
	if !strings.Contains(line, ": "+section+": ") || !strings.Contains(line, " (at byte ") {
		t.Errorf("stderr %q does not name section %q and \"at byte\"", line, section)
	}
	if !strings.Contains(line, want) {
		t.Errorf("stderr %q does not contain %q", line, want)
	}
}

// The SYNTHETIC bad inputs of the snapshot package's tests, and the error
// each gives.
var badInputFiles = []struct{ file, section, want string }{
	{"empty.heapsnapshot", "header", "not a heap snapshot"},
	{"not-json.heapsnapshot", "header", "not a heap snapshot"},
	{"truncated.heapsnapshot", "edges", "unexpected end of input"},
	{"corrupt-json.heapsnapshot", "nodes", "missing comma between numbers"},
	{"missing-meta.heapsnapshot", "snapshot", "missing meta.node_types"},
	{"wrong-meta.heapsnapshot", "snapshot", `meta.node_fields lacks "edge_count"`},
	{"edge-outside-nodes.heapsnapshot", "edges", "to_node 21 does not point at a node"},
	{"edge-counts-mismatch.heapsnapshot", "nodes", "add up to 2, but edge_count is 3"},
	{"string-index-out-of-range.heapsnapshot", "nodes", "name index 99 is not in strings"},
	{"number-out-of-range.heapsnapshot", "nodes", "number out of range"},
	{"negative-number.heapsnapshot", "nodes", "not a non-negative integer"},
	{"float.heapsnapshot", "nodes", "not a non-negative integer"},
	{"huge-node-count.heapsnapshot", "snapshot", "need at least"},
	{"huge-node-count.heapsnapshot.gz", "nodes", "values, but node_count 4000000000"},
	{"duplicate-section.heapsnapshot", "header", `duplicate section "nodes"`},
	{"nodes-before-header.heapsnapshot", "header", `section "nodes" comes before the snapshot header`},
	{"trailing-garbage.heapsnapshot", "trailer", "data after the end of the snapshot"},
	{"truncated.heapsnapshot.gz", "header", "unexpected end of input"},
	{"corrupt.heapsnapshot.gz", "trailer", "invalid checksum"},
	{"trailing-garbage.heapsnapshot.gz", "trailer", "trailing data after the gzip stream"},
}

func TestBadInputSummaryFiles(t *testing.T) {
	for _, c := range badInputFiles {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("..", "..", "snapshot", "testdata", "bad", c.file)
			if _, err := os.Stat(path); err != nil {
				t.Fatal(err)
			}
			r := runBadInput(t, nil, "summary", path)
			checkBadInputExit(t, r, c.section, c.want)
			if !strings.HasPrefix(r.stderr, "heapscope: "+path+": ") {
				t.Errorf("stderr %q does not name the file", r.stderr)
			}
		})
	}
}

// TestBadInputSummaryRealFiles mutates the real corpus snapshot.
func TestBadInputSummaryRealFiles(t *testing.T) {
	gz, raw := corpustest.ReadGzip(t, badInputCorpus)
	mutate := func(old, new string) []byte {
		if strings.Count(string(raw), old) != 1 {
			t.Fatalf("mutation %q does not apply", old)
		}
		return []byte(strings.Replace(string(raw), old, new, 1))
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, section, want string
		data                []byte
	}{
		{"truncated-half.heapsnapshot", "edges", "unexpected end of input", raw[:len(raw)/2]},
		// Too short for its declared counts: the header check fails first.
		{"truncated-quarter.heapsnapshot", "snapshot", "need at least", raw[:len(raw)/4]},
		{"truncated-strings.heapsnapshot", "strings", "unexpected end of input", raw[:len(raw)-100]},
		{"truncated.heapsnapshot.gz", "edges", "unexpected end of input", gz[:len(gz)/2]},
		{"edge-outside.heapsnapshot", "edges", "to_node 999999999 does not point at a node",
			mutate(`"edges":[`, `"edges":[1,1,999999999,`)},
		{"edge-count.heapsnapshot", "nodes", "add up to more than edge_count", mutate(`"nodes":[9,1,1,0,6,`, `"nodes":[9,1,1,0,7,`)},
		{"node-count.heapsnapshot", "snapshot", "need at least", mutate(`"node_count":56888,`, `"node_count":56888000,`)},
		{"string-index.heapsnapshot", "nodes", "name index 4000000000 is not in strings", mutate(`"nodes":[9,1,1,`, `"nodes":[9,4000000000,1,`)},
		{"trailing-garbage.heapsnapshot", "trailer", "data after the end of the snapshot", append(raw[:len(raw):len(raw)], "garbage"...)},
		{"not-gzip.heapsnapshot.gz", "gzip", "invalid header", append([]byte{0x1f, 0x8b}, raw[:1000]...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name)
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			checkBadInputExit(t, runBadInput(t, nil, "summary", path), c.section, c.want)
		})
	}
}

// TestBadInputSummaryHugeCountStdin: through stdin the size is unknown, so a header
// declaring four billion nodes cannot be rejected up front; heapscope must
// still fail without reserving gigabytes.
func TestBadInputSummaryHugeCountStdin(t *testing.T) {
	for _, file := range []string{"huge-node-count.heapsnapshot", "huge-node-count.heapsnapshot.gz"} {
		t.Run(file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "..", "snapshot", "testdata", "bad", file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r := runBadInput(t, f, "summary", "-")
			checkBadInputExit(t, r, "nodes", "values, but node_count 4000000000")
			const limit = 200 << 20
			switch {
			case r.parentRSS >= limit:
				t.Logf("peak RSS not measured: this test process already peaked at %d MB (the race detector, earlier live tests)", r.parentRSS>>20)
			case r.maxRSS > limit:
				t.Errorf("peak RSS %d MB for a tiny input", r.maxRSS>>20)
			}
		})
	}
}

// TestBadInputSummaryNotAFile: errors that are not parse errors are one line, exit 2.
func TestBadInputSummaryNotAFile(t *testing.T) {
	for _, path := range []string{filepath.Join(t.TempDir(), "missing.heapsnapshot"), t.TempDir()} {
		r := runBadInput(t, nil, "summary", path)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "heapscope: ") {
			t.Errorf("summary %s: exit %d, stderr %q", path, r.code, r.stderr)
		}
	}
}

func TestBadInputSummaryGoodFile(t *testing.T) {
	r := runBadInput(t, nil, "summary", "--json", badInputCorpus)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	if !json.Valid([]byte(r.stdout)) {
		t.Fatalf("--json output is not valid JSON: %.200s", r.stdout)
	}
	var out struct {
		Totals struct {
			NodeCount int `json:"nodeCount"`
			EdgeCount int `json:"edgeCount"`
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Totals.NodeCount != 56888 || out.Totals.EdgeCount != 245824 {
		t.Errorf("totals: %d nodes, %d edges; want 56888 and 245824", out.Totals.NodeCount, out.Totals.EdgeCount)
	}
	// The same from stdin.
	f, err := os.Open(badInputCorpus)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r2 := runBadInput(t, f, "summary", "--json", "-")
	if r2.code != 0 || !json.Valid([]byte(r2.stdout)) {
		t.Fatalf("stdin: exit code %d, stderr %q", r2.code, r2.stderr)
	}
	// Text output too.
	if r3 := runBadInput(t, nil, "summary", badInputCorpus); r3.code != 0 || !strings.Contains(r3.stdout, "56,888 nodes") {
		t.Errorf("text summary: exit code %d, stdout %.200q", r3.code, r3.stdout)
	}
}
