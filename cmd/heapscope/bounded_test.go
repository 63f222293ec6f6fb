package main

// Hostile inputs whose cost must be bounded by what they hold, not by what
// they claim (issue 13, items 1 and 2): gzip bombs holding one long string
// and a 40 GB sparse file. They are generated here, in t.TempDir().

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinySnapshotText is the snapshot package's small SYNTHETIC valid
// snapshot, as its bad file trailing-garbage.heapsnapshot holds it.
func tinySnapshotText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "snapshot", "testdata", "bad", "trailing-garbage.heapsnapshot"))
	if err != nil {
		t.Fatal(err)
	}
	s, ok := strings.CutSuffix(string(b), "synthetic trailing garbage\n")
	if !ok {
		t.Fatal("trailing-garbage.heapsnapshot does not end as it used to")
	}
	return s
}

// writeBomb writes a gzip file: snap with its first occurrence of at
// replaced by prefix, n bytes of fill repeated and suffix.
func writeBomb(t *testing.T, name, snap, at, prefix, fill string, n int, suffix string) string {
	t.Helper()
	i := strings.Index(snap, at)
	if i < 0 {
		t.Fatalf("%q not in the snapshot", at)
	}
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestCompression)
	zw.Write([]byte(snap[:i] + prefix))
	block := []byte(strings.Repeat(fill, (1<<20)/len(fill)))
	for ; n > 0; n -= len(block) {
		zw.Write(block[:min(n, len(block))])
	}
	zw.Write([]byte(suffix + snap[i+len(at):]))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkRSS fails if the run peaked above limit bytes of resident memory.
func checkRSS(t *testing.T, r badInputResult, limit int64) {
	t.Helper()
	switch {
	case r.parentRSS >= limit:
		t.Logf("peak RSS not measured: this test process already peaked at %d MB", r.parentRSS>>20)
	case r.maxRSS > limit:
		t.Errorf("peak RSS %d MB, want under %d MB", r.maxRSS>>20, limit>>20)
	default:
		t.Logf("peak RSS %d MB", r.maxRSS>>20)
	}
}

// TestBoundedGzipBombs: a small .gz holding one 512 MiB string in a section
// heapscope skips is read in little memory; one holding a 1 GiB string in
// the string table is rejected at the 16 MiB cap, and one holding a
// gigabyte of empty strings once past what the nodes can name, in little
// memory.
func TestBoundedGzipBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("decompresses a gigabyte")
	}
	snap := tinySnapshotText(t)
	skipped := writeBomb(t, "skipped.heapsnapshot.gz", snap, `"trace_function_infos":[],`, `"x_unknown":{"s":"`, "a", 512<<20, `"},"trace_function_infos":[],`)
	r := runBadInput(t, nil, "summary", skipped)
	if r.code != 0 || !strings.Contains(r.stdout, "3 nodes") {
		t.Errorf("summary of a snapshot with a long skipped string: exit %d, stderr %q, stdout %.200q", r.code, r.stderr, r.stdout)
	}
	checkRSS(t, r, 100<<20)

	str := writeBomb(t, "string.heapsnapshot.gz", snap, `"hello"`, `"`, "a", 1<<30, `"`)
	r = runBadInput(t, nil, "summary", str)
	checkBadInputExit(t, r, "strings", "string longer than 16 MiB")
	checkRSS(t, r, 100<<20)

	// A gigabyte of empty strings: more than the nodes and edges can name.
	empty := writeBomb(t, "empty-strings.heapsnapshot.gz", snap, `"strings":[`, `"strings":[`, `"",`, 1<<30, ``)
	r = runBadInput(t, nil, "summary", empty)
	checkBadInputExit(t, r, "strings", "more strings than the nodes, edges and trace functions can name")
	checkRSS(t, r, 100<<20)
}

// TestBoundedSparseFile: a valid header, then a hole up to 40 GB, as
// `truncate -s 40G` makes. The size alone must not make heapscope reserve
// memory: one line, exit 2, no "fatal error: out of memory".
func TestBoundedSparseFile(t *testing.T) {
	snap := tinySnapshotText(t)
	for _, c := range []struct{ name, head, section, want string }{
		{"header.heapsnapshot", strings.Replace(snap[:strings.Index(snap, "9,0,1")], `"node_count":3,`, `"node_count":2800000000,`, 1),
			"nodes", "unexpected byte 0x00 in number array"},
		{"strings.heapsnapshot", snap[:strings.Index(snap, `"",`)], "strings", `expected '"', found byte 0x00`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), c.name)
			if err := os.WriteFile(path, []byte(c.head), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, 40<<30); err != nil {
				t.Skipf("cannot make a sparse file: %v", err)
			}
			r := runBadInput(t, nil, "summary", path)
			checkBadInputExit(t, r, c.section, c.want)
			checkRSS(t, r, 100<<20)
		})
	}
}
