// Package corpustest gives tests the project's corpus of real heap
// snapshots and their DevTools goldens (testdata/corpus, described in its
// README.md), plus the folder HEAPSCOPE_EXTRA_CORPUS names when set (one of
// the same layout): where the files are, which snapshots have which
// goldens, and reading them.
//
// It depends on the parser only, so that the graph package's own tests can
// use it too; analysing is the caller's, cached here by Analysed.
package corpustest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/heapscope/heapscope/snapshot"
)

// ExtraEnv names the environment variable that points at an extra corpus
// folder of the same layout (the team's reference corpus, in CI).
const ExtraEnv = "HEAPSCOPE_EXTRA_CORPUS"

// Suffix ends the name of every corpus snapshot: ID + Suffix.
const Suffix = ".heapsnapshot.gz"

var dir = sync.OnceValues(func() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for root := wd; ; {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			// Relative to the test's package folder, as the tests wrote the
			// paths by hand ("../testdata/corpus"), so that names in
			// failures and in command output stay the same.
			return filepath.Rel(wd, filepath.Join(root, "testdata", "corpus"))
		}
		up := filepath.Dir(root)
		if up == root {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
		root = up
	}
})

// Dir returns the project corpus's folder, relative to the working
// directory (a test's package folder). Outside the module (no go.mod
// above the working directory) it returns "testdata/corpus", so that the
// test reading it fails naming the path it looked for.
func Dir() string {
	d, err := dir()
	if err != nil {
		return filepath.Join("testdata", "corpus")
	}
	return d
}

// Path returns the path of the project corpus file name.
func Path(name string) string { return filepath.Join(Dir(), name) }

// Snapshot returns the path of the project corpus snapshot id
// (for example "seed-leak-series__node-20.3.1__2000").
func Snapshot(id string) string { return Path(id + Suffix) }

// Series returns the paths of the snapshots of series taken at steps, in
// folder dir: dir/SERIES__STEP.heapsnapshot.gz.
func Series(dir, series string, steps ...int) []string {
	var out []string
	for _, step := range steps {
		out = append(out, filepath.Join(dir, fmt.Sprintf("%s__%d%s", series, step, Suffix)))
	}
	return out
}

// Dirs returns the corpus folders: the project's, then, with extra, the
// one HEAPSCOPE_EXTRA_CORPUS names when it is set.
func Dirs(extra bool) []string {
	dirs := []string{Dir()}
	if d := os.Getenv(ExtraEnv); extra && d != "" {
		dirs = append(dirs, d)
	}
	return dirs
}

// Glob returns the files matching pattern in each of Dirs(extra), the
// project's first. It fails t when the project corpus has none: its files
// are committed, so their absence is a broken checkout, not a skip.
func Glob(t testing.TB, pattern string, extra bool) []string {
	t.Helper()
	var files []string
	for k, d := range Dirs(extra) {
		more, err := filepath.Glob(filepath.Join(d, pattern))
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 && len(more) == 0 {
			t.Fatalf("project corpus %s has no %s", d, pattern)
		}
		files = append(files, more...)
	}
	return files
}

// Entry is a corpus snapshot and the names of its DevTools goldens.
type Entry struct {
	// ID is the snapshot's path without Suffix; the goldens share it.
	ID string
}

// Name returns the snapshot's id without its folder.
func (e Entry) Name() string { return filepath.Base(e.ID) }

// Snapshot returns the path of the snapshot file.
func (e Entry) Snapshot() string { return e.ID + Suffix }

// Oracle returns the path of DevTools' totals and Summary rows
// (tools/oracle/oracle.js).
func (e Entry) Oracle() string { return e.ID + ".oracle.json.gz" }

// Nodes returns the path of DevTools' per-node numbers (NDJSON, one line
// per node ordinal after a header line).
func (e Entry) Nodes() string { return e.ID + ".nodes.ndjson.gz" }

// Snapshots lists the snapshots of Dirs(extra) whose file name matches
// pattern (for example "*" or "*__0"; Suffix is added), the project's
// first. It fails t when the project corpus has none.
func Snapshots(t testing.TB, pattern string, extra bool) []Entry {
	t.Helper()
	var es []Entry
	for _, f := range Glob(t, pattern+Suffix, extra) {
		es = append(es, Entry{ID: strings.TrimSuffix(f, Suffix)})
	}
	return es
}

// Read reads the snapshot at path; it fails t on an error.
func Read(t testing.TB, path string) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.ReadFile(path, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	cacheMu sync.Mutex
	cache   = map[string]any{}
)

// Analysed reads the snapshot at path and returns analyse's result, once
// per test binary and path: later calls return the first result, so every
// caller in a test binary must analyse alike (tests only read the results).
// It is safe for parallel tests.
func Analysed[T any](t testing.TB, path string, analyse func(*snapshot.Snapshot) T) T {
	t.Helper()
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if v, ok := cache[path]; ok {
		if r, ok := v.(T); ok {
			return r
		}
		t.Fatalf("corpustest: %s analysed into a %T before, now a %T", path, v, *new(T))
	}
	r := analyse(Read(t, path))
	cache[path] = r
	return r
}

// Gunzip returns a buffered reader of the gzipped file at path, closed when
// t ends.
func Gunzip(t testing.TB, path string) *bufio.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return bufio.NewReaderSize(zr, 1<<20)
}

// ReadJSON decodes the gzipped JSON golden at path into v.
func ReadJSON(t testing.TB, path string, v any) {
	t.Helper()
	if err := json.NewDecoder(Gunzip(t, path)).Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// ReadGzip returns the gzipped file at path as stored and uncompressed,
// read once per test binary and path: callers must not modify the bytes.
func ReadGzip(t testing.TB, path string) (gz, raw []byte) {
	t.Helper()
	gzipMu.Lock()
	defer gzipMu.Unlock()
	if b, ok := gzipped[path]; ok {
		return b[0], b[1]
	}
	gz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if raw, err = io.ReadAll(zr); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	gzipped[path] = [2][]byte{gz, raw}
	return gz, raw
}

var (
	gzipMu  sync.Mutex
	gzipped = map[string][2][]byte{}
)
